/**
 * Working days (工作日) in China Standard Time, for legal and committed time limits: weekends and
 * public holidays are not working days, weekend make-up days (调休) are, per the State Council's
 * yearly holiday notice as the maintained `chinese-days` package carries it, with a service
 * centre's own closures and openings from an override file on top (WORKDAY_OVERRIDES: JSON
 * `{ "closed": ["YYYY-MM-DD", ...], "open": ["YYYY-MM-DD", ...] }`). A deadline falls at the end
 * of a working day in Asia/Shanghai (24:00 CST).
 */
import fs from "node:fs";
import chineseDays from "chinese-days";
import { todayInChina } from "./validate";

const DAY_MS = 24 * 3600_000;
const CST_MS = 8 * 3600_000;

/** The instant a China date (YYYY-MM-DD) ends: its next midnight, CST. */
export const endOfChinaDay = (date: string): Date => new Date(Date.parse(`${date}T00:00:00Z`) + DAY_MS - CST_MS);
const nextDate = (date: string): string => new Date(Date.parse(`${date}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);

/** A centre's own days: closed (a local holiday, a move) and open (a working weekend of its own). */
export interface WorkdayOverrides {
  closed?: string[];
  open?: string[];
}

/** Reads an override file; an unreadable or malformed one stops the start with a message naming it. */
export function readOverrides(file: string | undefined): WorkdayOverrides {
  if (!file) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`WORKDAY_OVERRIDES: cannot read ${file} as JSON (${(err as Error).message})`);
  }
  const o = parsed as WorkdayOverrides;
  for (const key of ["closed", "open"] as const) {
    const list = o?.[key] ?? [];
    if (!Array.isArray(list) || list.some((d) => typeof d !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(d))) {
      throw new Error(`WORKDAY_OVERRIDES: ${key} in ${file} must be a list of YYYY-MM-DD dates`);
    }
  }
  return { closed: o.closed ?? [], open: o.open ?? [] };
}

/** The working-day calendar of a centre. */
export class WorkingCalendar {
  private readonly closed: Set<string>;
  private readonly open: Set<string>;

  constructor(overrides: WorkdayOverrides = {}) {
    this.closed = new Set(overrides.closed ?? []);
    this.open = new Set(overrides.open ?? []);
  }

  /** Whether a China date (YYYY-MM-DD) is a working day here. */
  isWorkingDay(date: string): boolean {
    if (this.closed.has(date)) return false;
    if (this.open.has(date)) return true;
    return chineseDays.isWorkday(date);
  }

  /**
   * Whether the year's holidays are known: New Year's Day (a statutory holiday every year) is a
   * holiday in the national calendar, or the centre's overrides close it. The State Council
   * publishes a year's holidays late in the year before; until `chinese-days` carries them a year
   * counts weekends only.
   */
  knowsYear(year: number): boolean {
    return this.closed.has(`${year}-01-01`) || chineseDays.isHoliday(`${year}-01-01`);
  }

  /** The last year, from `from` on, whose holidays are known (from - 1 when not even that one). */
  lastKnownYear(from: number): number {
    let year = from;
    while (year < from + 10 && this.knowsYear(year)) year++;
    return year - 1;
  }

  /** The first working day on or after a China date. */
  workingDayFrom(date: string): string {
    let d = date;
    for (let i = 0; i < 400 && !this.isWorkingDay(d); i++) d = nextDate(d);
    return d;
  }

  /**
   * The deadline of a limit of `days` working days counted from `start`: the end (24:00 CST) of the
   * ceil(days)-th working day after the working day `start` falls on (or the next one, when it
   * falls on a day off). 0 days (即办件) is the end of that same working day; half a day counts as
   * one (the centre's day is not divided).
   */
  deadline(start: Date, days: number): Date {
    let d = this.workingDayFrom(todayInChina(start));
    for (let n = Math.ceil(Math.max(0, days)); n > 0; n--) d = this.workingDayFrom(nextDate(d));
    return endOfChinaDay(d);
  }

  /**
   * Working days a piece of work took, counted as deadline() counts them: the working days after
   * the one `start` falls on (or the next one, when it falls on a day off), up to `end`'s China
   * date. 0 when it ended on its first working day (即办); finishing on the day deadline(start, n)
   * falls on gives n.
   */
  workingDaysUsed(start: Date, end: Date): number {
    const last = todayInChina(end);
    let count = 0;
    for (let d = this.workingDayFrom(todayInChina(start)); d < last; ) {
      d = nextDate(d);
      if (this.isWorkingDay(d)) count++;
    }
    return count;
  }
}

let current = new WorkingCalendar();

/** The process's calendar (the hub sets it at start from WORKDAY_OVERRIDES). */
export function workingCalendar(): WorkingCalendar {
  return current;
}

/** Sets the process's calendar (at start; tests with their own closures). */
export function useWorkingCalendar(calendar: WorkingCalendar): void {
  current = calendar;
}
