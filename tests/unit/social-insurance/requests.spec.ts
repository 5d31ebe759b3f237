import {
  checkComputeContributions,
  checkEnrolEmployee,
  checkRegisterEmployer,
  requirePoolingRegion,
} from "../../../services/social-insurance/requests";

const CREDIT_CODE = "91350100M000100Y43";
const ID_NUMBER = "11010519491231002X";
const TODAY = "2026-11-22";

/** The field an INVALID_ARGUMENT names, or a failure when fn does not throw one. */
function invalidField(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    const e = err as { type?: string; data?: { field?: string } };
    expect(e.type).toBe("INVALID_ARGUMENT");
    return e.data?.field ?? "";
  }
  throw new Error("expected INVALID_ARGUMENT");
}

const enrolment = (over: Record<string, unknown> = {}) => ({
  idempotencyKey: "enrol-0001",
  employerCreditCode: CREDIT_CODE,
  idNumber: ID_NUMBER,
  monthlyWage: "8000",
  startDate: "2026-11-01",
  caseId: "CASE-1",
  ...over,
});

describe("checkEnrolEmployee", () => {
  it("normalises the wage to two decimals and keeps it in fen", () => {
    const checked = checkEnrolEmployee(enrolment(), TODAY);
    expect(checked).toMatchObject({ monthlyWage: "8000.00", wageFen: 800000n, startDate: "2026-11-01", idNumber: ID_NUMBER });
  });

  it.each([
    [{ monthlyWage: "" }, "monthly_wage"],
    [{ monthlyWage: "0.00" }, "monthly_wage"],
    [{ monthlyWage: "-5" }, "monthly_wage"],
    [{ monthlyWage: "8000.123" }, "monthly_wage"],
    [{ monthlyWage: "8,000" }, "monthly_wage"],
    [{ startDate: "2026-02-30" }, "start_date"],
    [{ startDate: "2027-02-23" }, "start_date"],
    [{ startDate: "" }, "start_date"],
    [{ employerCreditCode: "91350100M000100Y44" }, "employer_credit_code"],
    [{ idNumber: "110105194912310021" }, "id_number"],
    [{ caseId: "" }, "case_id"],
  ])("refuses %j naming %s", (over, field) => {
    expect(invalidField(() => checkEnrolEmployee(enrolment(over), TODAY))).toBe(field);
  });

  it("accepts a start up to three months ahead", () => {
    expect(checkEnrolEmployee(enrolment({ startDate: "2027-02-22" }), TODAY).startDate).toBe("2027-02-22");
  });
});

describe("checkRegisterEmployer", () => {
  const request = (workInjuryRiskClass: number) => ({ idempotencyKey: "reg-00001", creditCode: CREDIT_CODE, workInjuryRiskClass, caseId: "CASE-1" });

  it("takes class 0 (derive) or 1-8", () => {
    expect(checkRegisterEmployer(request(0)).workInjuryRiskClass).toBe(0);
    expect(checkRegisterEmployer(request(8)).workInjuryRiskClass).toBe(8);
  });

  it("refuses other classes and a missing case", () => {
    for (const bad of [-1, 9, 2.5]) expect(invalidField(() => checkRegisterEmployer(request(bad)))).toBe("work_injury_risk_class");
    expect(invalidField(() => checkRegisterEmployer({ ...request(1), caseId: "" }))).toBe("case_id");
  });
});

describe("requirePoolingRegion and checkComputeContributions", () => {
  it("derives the pooling region or names region_code", () => {
    expect(requirePoolingRegion("350922")).toBe("3509");
    expect(requirePoolingRegion("4401")).toBe("4401");
    expect(invalidField(() => requirePoolingRegion("440000"))).toBe("region_code");
    expect(invalidField(() => requirePoolingRegion(""))).toBe("region_code");
  });

  it("wants a month written YYYY-MM", () => {
    expect(checkComputeContributions({ employerCreditCode: CREDIT_CODE, month: "2026-11" }).month).toBe("2026-11");
    expect(invalidField(() => checkComputeContributions({ employerCreditCode: CREDIT_CODE, month: "2026-13" }))).toBe("month");
    expect(invalidField(() => checkComputeContributions({ employerCreditCode: CREDIT_CODE, month: "2026-11-01" }))).toBe("month");
  });
});
