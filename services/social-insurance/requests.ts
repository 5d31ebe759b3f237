/**
 * Field checks of the social insurance requests, each INVALID_ARGUMENT naming the proto field, run
 * before any read or write. Each returns the normalised request (what an idempotency key guards).
 */
import { invalidArgument } from "../common/errors";
import { optionalText, requireCaseId, requireDate, requireText, todayInChina } from "../common/validate";
import type {
  CancelEmployerRegistrationRequest,
  ComputeContributionsRequest,
  EndEmploymentRequest,
  EnrolEmployeeRequest,
  RegisterEmployerRequest,
} from "../../proto/gen/tongban/social_insurance/v1/social_insurance";
import { requireCreditCode, requireIdNumber } from "../identity/checks";
import { formatYuan } from "./rules/money";
import { parseAmount } from "../common/amounts";
import { addMonths, isMonth } from "./rules/periods";
import { poolingRegionOf } from "./rules/pooling-regions";
import { isRiskClass } from "./rules/risk-class";

/** How far ahead an enrolment may start: hires are declared around their first day, not a year before. */
const MAX_MONTHS_AHEAD = 3;

/** A unified social credit code, normalised. */
export const creditCodeOf = (value: unknown, field = "credit_code") => requireCreditCode(value, field).creditCode;

/** A resident ID number, normalised. */
export const idNumberOf = (value: unknown, field = "id_number") => requireIdNumber(value, field).idNumber;

/** A pooling region from a 6-digit county or 4-digit city code. */
export function requirePoolingRegion(value: unknown, field = "region_code"): string {
  const region = typeof value === "string" ? poolingRegionOf(value.trim()) : undefined;
  if (!region) throw invalidArgument(field, "must be a GB/T 2260 city (4-digit) or county (6-digit) code of a known province");
  return region;
}

/** A monthly wage in yuan with at most two decimals, in fen, within its documented range (services/common/amounts.ts). */
export function requireWage(value: unknown, field: string): bigint {
  return parseAmount("monthlyWage", value, field);
}

/** RegisterEmployer's fields: a requested risk class 1-8, or 0 to derive it. */
export function checkRegisterEmployer(p: RegisterEmployerRequest) {
  const riskClass = p.workInjuryRiskClass;
  if (riskClass !== 0 && !isRiskClass(riskClass)) {
    throw invalidArgument("work_injury_risk_class", "must be 1-8, or 0 to derive it from the business scope");
  }
  return { creditCode: creditCodeOf(p.creditCode), workInjuryRiskClass: riskClass, caseId: requireCaseId(p.caseId) };
}

/** CancelEmployerRegistration's fields; the reason defaults to a compensation note. */
export function checkCancelEmployer(p: CancelEmployerRegistrationRequest) {
  return {
    creditCode: creditCodeOf(p.creditCode),
    // The reason also goes on the licence revocation, which wants 2-500 characters.
    reason: p.reason ? requireText(p.reason, "reason", 2, 500) : "撤销单位参保登记 (registration cancelled)",
  };
}

/** EnrolEmployee's fields; the start date is a real date no more than three months ahead. */
export function checkEnrolEmployee(p: EnrolEmployeeRequest, today = todayInChina()) {
  const employerCreditCode = creditCodeOf(p.employerCreditCode, "employer_credit_code");
  const idNumber = idNumberOf(p.idNumber);
  const wageFen = requireWage(p.monthlyWage, "monthly_wage");
  const startDate = requireDate(p.startDate, "start_date");
  const latest = addMonths(today, MAX_MONTHS_AHEAD);
  if (startDate > latest) throw invalidArgument("start_date", `must not be later than ${latest} (three months ahead)`);
  return { employerCreditCode, idNumber, monthlyWage: formatYuan(wageFen), wageFen, startDate, caseId: requireCaseId(p.caseId) };
}

/** EndEmployment's fields; "" end date means today. */
export function checkEndEmployment(p: EndEmploymentRequest) {
  return {
    employmentId: requireText(p.employmentId, "employment_id", 1, 64),
    endDate: p.endDate ? requireDate(p.endDate, "end_date") : "",
    reason: optionalText(p.reason, "reason", 500) || "停保减员 (employment ended)",
  };
}

/** ComputeContributions' fields. */
export function checkComputeContributions(p: ComputeContributionsRequest) {
  const employerCreditCode = creditCodeOf(p.employerCreditCode, "employer_credit_code");
  if (!isMonth(p.month)) throw invalidArgument("month", "must be a month written YYYY-MM");
  return { employerCreditCode, month: p.month };
}
