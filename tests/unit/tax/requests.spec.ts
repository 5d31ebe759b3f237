import { generateCreditCode } from "../../../services/identity/rules/credit-code";
import { makeIdNumber } from "../../../services/identity/rules/id-number";
import {
  checkCancelTaxpayer,
  checkGrantInvoices,
  checkPayLiability,
  checkRecordLiability,
  checkRegisterTaxpayer,
  checkRegisterWithholding,
  checkWithdrawGrant,
} from "../../../services/tax/requests";
import { requireEmploymentStart, requirePeriod } from "../../../services/tax/rules/periods";
import { RecordLiabilityRequest, RegisterTaxpayerRequest, RegisterWithholdingRequest } from "../../../proto/gen/tongban/tax/v1/tax";
import { expectInvalid } from "./expect-error";

const CODE = generateCreditCode({ authority: "9", entityType: "1", regionCode: "510104", random: () => 0.42 });
const KEY = "key-0000000001";
const TODAY = "2026-11-22";

describe("checkRegisterTaxpayer", () => {
  const base = RegisterTaxpayerRequest.fromPartial({ idempotencyKey: KEY, creditCode: CODE, expectedAnnualSales: "500.010", caseId: "case-1" });

  it("normalises the request and keeps the sales in 分", () => {
    const { key, request, salesFen } = checkRegisterTaxpayer(base);
    expect(key).toBe(KEY);
    expect(request).toEqual({ creditCode: CODE, expectedAnnualSales: "500.01", requestGeneral: false, caseId: "case-1" });
    expect(salesFen).toBe(500_010_000n);
  });

  it("treats a missing sales estimate as none", () => {
    expect(checkRegisterTaxpayer({ ...base, expectedAnnualSales: "" }).salesFen).toBe(0n);
  });

  it("names the bad field", () => {
    expectInvalid(() => checkRegisterTaxpayer({ ...base, idempotencyKey: "short" }), "idempotency_key");
    expectInvalid(() => checkRegisterTaxpayer({ ...base, creditCode: CODE.slice(0, 17) + "0" }), "credit_code");
    expectInvalid(() => checkRegisterTaxpayer({ ...base, expectedAnnualSales: "-1" }), "expected_annual_sales");
    expectInvalid(() => checkRegisterTaxpayer({ ...base, caseId: "" }), "case_id");
  });
});

describe("checkGrantInvoices", () => {
  it("requires a credit line above zero, written to the 分", () => {
    const p = { idempotencyKey: KEY, creditCode: CODE, monthlyCreditLine: "100000", caseId: "" };
    expect(checkGrantInvoices(p)).toMatchObject({ request: { monthlyCreditLine: "100000.00" }, creditLineFen: 10_000_000n });
    expectInvalid(() => checkGrantInvoices({ ...p, monthlyCreditLine: "0" }), "monthly_credit_line", "greater than zero");
    expectInvalid(() => checkGrantInvoices({ ...p, monthlyCreditLine: "" }), "monthly_credit_line", "is required");
    expectInvalid(() => checkGrantInvoices({ ...p, monthlyCreditLine: "10.001" }), "monthly_credit_line", "2 decimal places");
  });
});

describe("checkRecordLiability", () => {
  const p = RecordLiabilityRequest.fromPartial({ idempotencyKey: KEY, creditCode: CODE, taxType: "增值税", period: "2026-10", amount: "0.5" });

  it("accepts a known tax type, a past period and a positive amount", () => {
    expect(checkRecordLiability(p, TODAY)).toMatchObject({ request: { amount: "0.50", period: "2026-10" }, amountFen: 50n });
  });

  it("refuses an unknown tax type, a bad period and a non-positive amount", () => {
    expectInvalid(() => checkRecordLiability({ ...p, taxType: "关税" }, TODAY), "tax_type", "must be one of");
    expectInvalid(() => checkRecordLiability({ ...p, period: "2026-13" }, TODAY), "period");
    expectInvalid(() => checkRecordLiability({ ...p, amount: "0.00" }, TODAY), "amount", "greater than zero");
    // Beyond what the liability's bigint column holds: refused naming the field (it was INTERNAL).
    expectInvalid(() => checkRecordLiability({ ...p, amount: "999999999999999999.99" }, TODAY), "amount", "at most");
  });
});

describe("requirePeriod", () => {
  it.each(["2026-11", "2026-01", "1994-01"])("accepts %s", (period) => {
    expect(requirePeriod(period, "period", TODAY)).toBe(period);
  });

  it.each([
    ["2026-12", "after the current month"],
    ["2027-01", "after the current month"],
    ["1993-12", "1994"],
    ["2026-00", "YYYY-MM"],
    ["2026-1", "YYYY-MM"],
    ["2026-11-01", "YYYY-MM"],
    ["", "is required"],
  ])("refuses %p", (period, reason) => {
    expectInvalid(() => requirePeriod(period, "period", TODAY), "period", reason);
  });
});

describe("withholding requests", () => {
  const employee = makeIdNumber("510104", "2000-02-29", 12);
  const p = RegisterWithholdingRequest.fromPartial({
    idempotencyKey: KEY,
    employerCreditCode: CODE,
    employeeIdNumber: employee,
    employmentStart: "2026-03-01",
    caseId: "case-2",
  });

  it("asks only the ID number of the employee", () => {
    expect(checkRegisterWithholding(p).request).toEqual({ employerCreditCode: CODE, employeeIdNumber: employee, employmentStart: "2026-03-01", caseId: "case-2" });
  });

  it("names the employer and employee fields", () => {
    expectInvalid(() => checkRegisterWithholding({ ...p, employerCreditCode: "x" }), "employer_credit_code");
    expectInvalid(() => checkRegisterWithholding({ ...p, employeeIdNumber: employee.slice(0, 17) + "0" }), "employee_id_number");
    expectInvalid(() => checkRegisterWithholding({ ...p, employmentStart: "2026-02-30" }), "employment_start", "not a real date");
  });

  it("refuses employment before the 16th birthday", () => {
    expect(requireEmploymentStart("2016-05-10", "employment_start", "2000-05-10")).toBe("2016-05-10");
    expectInvalid(() => requireEmploymentStart("2016-05-09", "employment_start", "2000-05-10"), "employment_start", "16th birthday (2016-05-10)");
    expect(requireEmploymentStart("2016-02-29", "employment_start", "2000-02-29")).toBe("2016-02-29");
  });

  it("counts a 29 February birthday from 1 March in a common year (2100)", () => {
    expectInvalid(() => requireEmploymentStart("2100-02-28", "employment_start", "2084-02-29"), "employment_start", "(2100-03-01)");
    expect(requireEmploymentStart("2100-03-01", "employment_start", "2084-02-29")).toBe("2100-03-01");
  });
});

describe("compensations", () => {
  it("take an optional reason, with a default", () => {
    expect(checkCancelTaxpayer({ idempotencyKey: KEY, creditCode: CODE, reason: "" }).request.reason).toMatch(/registration undone/);
    expect(checkWithdrawGrant({ idempotencyKey: KEY, grantId: "IG-1", reason: "办件撤回" }).request).toEqual({ grantId: "IG-1", reason: "办件撤回" });
    expectInvalid(() => checkWithdrawGrant({ idempotencyKey: KEY, grantId: "", reason: "" }), "grant_id", "is required");
    expectInvalid(() => checkPayLiability({ idempotencyKey: KEY, liabilityId: "LB 1" }), "liability_id");
  });
});
