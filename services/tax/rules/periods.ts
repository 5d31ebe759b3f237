/** Tax periods and employment dates. */
import { invalidArgument } from "../../common/errors";
import { requireDate } from "../../common/validate";

const PERIOD = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** A tax period YYYY-MM no later than the current month (a liability is assessed for time past). */
export function requirePeriod(value: unknown, field: string, today: string): string {
  if (typeof value !== "string" || value === "") throw invalidArgument(field, "is required (YYYY-MM)");
  const m = PERIOD.exec(value);
  if (!m) throw invalidArgument(field, `must be a month written YYYY-MM (got "${value}")`);
  if (Number(m[1]) < 1994) throw invalidArgument(field, "must not be before 1994 (the current tax system dates from the 1994 reform)");
  if (value > today.slice(0, 7)) throw invalidArgument(field, `must not be after the current month ${today.slice(0, 7)}`);
  return value;
}

/** Adds whole years to a YYYY-MM-DD date; 29 February lands on 1 March in a common year. */
function addYears(date: string, years: number): string {
  const [y, m, d] = date.split("-").map(Number);
  return new Date(Date.UTC(y + years, m - 1, d)).toISOString().slice(0, 10);
}

/** The minimum working age (劳动法 第十五条: no employment under 16). */
export const MIN_EMPLOYMENT_AGE = 16;

/** A real employment start date on or after the employee's 16th birthday. */
export function requireEmploymentStart(value: unknown, field: string, birthDate: string): string {
  const start = requireDate(value, field);
  const sixteen = addYears(birthDate, MIN_EMPLOYMENT_AGE);
  if (start < sixteen) {
    throw invalidArgument(field, `must not be before the employee's ${MIN_EMPLOYMENT_AGE}th birthday (${sixteen})`);
  }
  return start;
}
