/**
 * Field checks of each tax request, done before any read or write: INVALID_ARGUMENT names the
 * proto field (snake_case). Amounts come back both as 分 (for arithmetic) and as normalised strings
 * (for the idempotency hash, which cannot hold a bigint).
 */
import { checkIdempotencyKey } from "../common/idempotency";
import { invalidArgument } from "../common/errors";
import { optionalCaseId, optionalText, requireCaseId, requireText, todayInChina } from "../common/validate";
import { requireCreditCode, requireIdNumber } from "../identity/checks";
import { LICENCE_NUMBER_MAX } from "../licenses/signing/licence-id";
import type {
  CancelTaxpayerRegistrationRequest,
  CancelWithholdingRequest,
  GrantInvoicesRequest,
  PayLiabilityRequest,
  RecordLiabilityRequest,
  RegisterTaxpayerRequest,
  RegisterWithholdingRequest,
  RequestClearanceRequest,
  RevokeClearanceRequest,
  WithdrawInvoiceGrantRequest,
} from "../../proto/gen/tongban/tax/v1/tax";
import { formatWanYuan, formatYuan } from "./rules/money";
import { parseAmount } from "../common/amounts";
import { requireEmploymentStart, requirePeriod } from "./rules/periods";
import { ALL_TAX_TYPES } from "./rules/tax-types";

const ID = /^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/;

/** A record id made by this service (grant, withholding registration, liability). */
export function requireRecordId(value: unknown, field: string): string {
  if (typeof value !== "string" || value === "") throw invalidArgument(field, "is required");
  if (!ID.test(value)) throw invalidArgument(field, "must be 1-64 letters, digits or dashes");
  return value;
}

/** The reason of a compensation: optional (a bundle undoing itself may give none), checked when given. */
function reasonOf(value: unknown, fallback: string): string {
  return optionalText(value, "reason", 500) || fallback;
}

/** RegisterTaxpayer: no sales estimate counts as 0 (small-scale unless general is requested). */
export function checkRegisterTaxpayer(p: RegisterTaxpayerRequest) {
  const key = checkIdempotencyKey(p.idempotencyKey);
  const creditCode = requireCreditCode(p.creditCode).creditCode;
  const salesFen = p.expectedAnnualSales === "" ? 0n : parseAmount("expectedAnnualSales", p.expectedAnnualSales, "expected_annual_sales");
  const caseId = requireCaseId(p.caseId);
  const requestGeneral = p.requestGeneralTaxpayer === true;
  const request = { creditCode, expectedAnnualSales: formatWanYuan(salesFen), requestGeneral, caseId };
  return { key, request, salesFen };
}

/** CancelTaxpayerRegistration. */
export function checkCancelTaxpayer(p: CancelTaxpayerRegistrationRequest) {
  const key = checkIdempotencyKey(p.idempotencyKey);
  const request = { creditCode: requireCreditCode(p.creditCode).creditCode, reason: reasonOf(p.reason, "撤销新办纳税人登记 (registration undone)") };
  return { key, request };
}

/** GrantInvoices: the credit line must be above zero. */
export function checkGrantInvoices(p: GrantInvoicesRequest) {
  const key = checkIdempotencyKey(p.idempotencyKey);
  const creditCode = requireCreditCode(p.creditCode).creditCode;
  const creditLineFen = parseAmount("monthlyCreditLine", p.monthlyCreditLine, "monthly_credit_line");
  const request = { creditCode, monthlyCreditLine: formatYuan(creditLineFen), caseId: optionalCaseId(p.caseId) };
  return { key, request, creditLineFen };
}

/** WithdrawInvoiceGrant. */
export function checkWithdrawGrant(p: WithdrawInvoiceGrantRequest) {
  const key = checkIdempotencyKey(p.idempotencyKey);
  const request = { grantId: requireRecordId(p.grantId, "grant_id"), reason: reasonOf(p.reason, "撤回发票申领 (grant withdrawn)") };
  return { key, request };
}

/** RegisterWithholding: the employee is named by ID number only; the start date is checked against their age. */
export function checkRegisterWithholding(p: RegisterWithholdingRequest) {
  const key = checkIdempotencyKey(p.idempotencyKey);
  const employerCreditCode = requireCreditCode(p.employerCreditCode, "employer_credit_code").creditCode;
  const employee = requireIdNumber(p.employeeIdNumber, "employee_id_number");
  const employmentStart = requireEmploymentStart(p.employmentStart, "employment_start", employee.birthDate);
  const request = { employerCreditCode, employeeIdNumber: employee.idNumber, employmentStart, caseId: requireCaseId(p.caseId) };
  return { key, request };
}

/** CancelWithholding. */
export function checkCancelWithholding(p: CancelWithholdingRequest) {
  const key = checkIdempotencyKey(p.idempotencyKey);
  const request = {
    registrationId: requireRecordId(p.registrationId, "registration_id"),
    reason: reasonOf(p.reason, "撤销扣缴登记 (withholding cancelled)"),
  };
  return { key, request };
}

/** RecordLiability: a known tax type, a past or current period, an amount above zero. */
export function checkRecordLiability(p: RecordLiabilityRequest, today = todayInChina()) {
  const key = checkIdempotencyKey(p.idempotencyKey);
  const creditCode = requireCreditCode(p.creditCode).creditCode;
  const taxType = requireText(p.taxType, "tax_type", 1, 20);
  if (!ALL_TAX_TYPES.includes(taxType)) throw invalidArgument("tax_type", `must be one of ${ALL_TAX_TYPES.join(", ")}`);
  const period = requirePeriod(p.period, "period", today);
  const amountFen = parseAmount("liability", p.amount, "amount");
  const request = { creditCode, taxType, period, amount: formatYuan(amountFen) };
  return { key, request, amountFen };
}

/** PayLiability. */
export function checkPayLiability(p: PayLiabilityRequest) {
  return { key: checkIdempotencyKey(p.idempotencyKey), request: { liabilityId: requireRecordId(p.liabilityId, "liability_id") } };
}

/** RequestClearance: names its case (the clearance certificate is issued for it). */
/** RevokeClearance: the enterprise and the certificate of the clearance to revoke. */
export function checkRevokeClearance(p: RevokeClearanceRequest) {
  const key = checkIdempotencyKey(p.idempotencyKey);
  const request = {
    creditCode: requireCreditCode(p.creditCode).creditCode,
    certificateNumber: requireText(p.certificateNumber, "certificate_number", 4, LICENCE_NUMBER_MAX),
    reason: reasonOf(p.reason, "注销未完成，撤销清税 (the deregistration did not happen)"),
  };
  return { key, request };
}

export function checkRequestClearance(p: RequestClearanceRequest) {
  const key = checkIdempotencyKey(p.idempotencyKey);
  return { key, request: { creditCode: requireCreditCode(p.creditCode).creditCode, caseId: requireCaseId(p.caseId) } };
}
