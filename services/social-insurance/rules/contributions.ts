/**
 * Monthly contributions (社保缴费核定): each insurance's employer and employee amount is the
 * contribution base × rate rounded half up to the fen, item by item, as the collection systems
 * do; line and statement totals are exact sums of those rounded items. Pure functions.
 */
import type { ContributionLine, ContributionStatement } from "../../../proto/gen/tongban/social_insurance/v1/social_insurance";
import { applyRate, formatYuan, sum } from "./money";
import type { InsuranceRatePpm } from "./pooling-regions";

/** An employee insured during the month, with the base set at enrolment. */
export interface InsuredEmployee {
  idNumber: string;
  name: string;
  baseFen: bigint;
}

interface LineAmounts {
  line: ContributionLine;
  employerFen: bigint;
  employeeFen: bigint;
}

/** One employee's contributions for a month under the given rates. */
export function contributionLine(employee: InsuredEmployee, rates: readonly InsuranceRatePpm[]): LineAmounts {
  const items = rates.map((r) => ({
    insurance: r.insurance,
    employerFen: applyRate(employee.baseFen, r.employerPpm),
    employeeFen: applyRate(employee.baseFen, r.employeePpm),
  }));
  const employerFen = sum(items.map((i) => i.employerFen));
  const employeeFen = sum(items.map((i) => i.employeeFen));
  return {
    line: {
      idNumber: employee.idNumber,
      name: employee.name,
      contributionBase: formatYuan(employee.baseFen),
      items: items.map((i) => ({
        insurance: i.insurance,
        employerAmount: formatYuan(i.employerFen),
        employeeAmount: formatYuan(i.employeeFen),
      })),
      employerTotal: formatYuan(employerFen),
      employeeTotal: formatYuan(employeeFen),
    },
    employerFen,
    employeeFen,
  };
}

/** An employer's statement for a month: one line per insured employee, and the totals. */
export function contributionStatement(
  employerCreditCode: string,
  month: string,
  employees: readonly InsuredEmployee[],
  rates: readonly InsuranceRatePpm[],
): ContributionStatement {
  const lines = employees.map((e) => contributionLine(e, rates));
  return {
    employerCreditCode,
    month,
    lines: lines.map((l) => l.line),
    employerTotal: formatYuan(sum(lines.map((l) => l.employerFen))),
    employeeTotal: formatYuan(sum(lines.map((l) => l.employeeFen))),
  };
}
