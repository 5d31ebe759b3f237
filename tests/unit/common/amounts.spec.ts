/**
 * Domain bounds: every amount has a documented range, enforced where it enters (the merged form)
 * and again by the department that owns it; list items of the form take only their own keys, and
 * code lists only codes of their catalogue.
 */
import { AMOUNTS, describeRange, parseAmount } from "../../../services/common/amounts";
import { checkFieldValue, findField, FIELDS } from "../../../gateway/catalog/fields";
import { checkRegisterEnterprise } from "../../../services/business-registration/requests";
import { requireWage } from "../../../services/social-insurance/requests";
import { checkGrantInvoices, checkRecordLiability, checkRegisterTaxpayer } from "../../../services/tax/requests";
import { generateCreditCode } from "../../../services/identity/rules/credit-code";

const CREDIT_CODE = generateCreditCode({ authority: "9", entityType: "1", regionCode: "510104", random: () => 0.5 });

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as { type?: string; data?: { field?: string } }).type === "INVALID_ARGUMENT" ? (err as { data: { field: string } }).data.field : `not INVALID_ARGUMENT: ${String(err)}`;
  }
  return undefined;
}
const check = (name: string, value: unknown) => fieldOf(() => checkFieldValue(findField(name)!, value));

describe("amount ranges", () => {
  it.each(Object.keys(AMOUNTS) as Array<keyof typeof AMOUNTS>)("%s: its bounds hold at the edges", (kind) => {
    const r = AMOUNTS[kind];
    const max = (r.max / 10n ** BigInt(r.scale)).toString();
    expect(parseAmount(kind, max, "x")).toBe(r.max);
    expect(fieldOf(() => parseAmount(kind, `${max}.${"0".repeat(r.scale - 1)}1`, "x"))).toBe("x");
    expect(fieldOf(() => parseAmount(kind, "999999999999999999", "x"))).toBe("x");
    expect(fieldOf(() => parseAmount(kind, "0", "x"))).toBe(r.zeroAllowed ? undefined : "x");
    expect(fieldOf(() => parseAmount(kind, "-1", "x"))).toBe("x");
    expect(fieldOf(() => parseAmount(kind, "1e3", "x"))).toBe("x");
    expect(describeRange(kind)).toMatch(new RegExp(`at most ${max} ${r.unit}$`));
  });

  it("gives every decimal field of the merged form an amount kind", () => {
    for (const f of FIELDS.filter((d) => d.type === "decimal")) expect(f.amount).toBeDefined();
  });
});

describe("the merged form's values", () => {
  it("bounds amounts where they enter", () => {
    expect(check("enterprise.registered_capital", "100")).toBeUndefined();
    for (const bad of ["0", "999999999999999999", "10000000000.0001", "1.00001", " "]) expect(check("enterprise.registered_capital", bad)).toBe("enterprise.registered_capital");
    expect(check("tax.monthly_credit_line", "999999999999999999")).toBe("tax.monthly_credit_line");
    expect(check("tax.expected_annual_sales", "0")).toBeUndefined();
    const employee = (over: Record<string, unknown>) => [{ id_number: "11010519491231002X", monthly_wage: "8000", start_date: "2026-11-20", ...over }];
    expect(check("employees", employee({}))).toBeUndefined();
    expect(check("employees", employee({ monthly_wage: "999999999999999999" }))).toBe("employees[0].monthly_wage");
    expect(check("employees", employee({ monthly_wage: "0" }))).toBe("employees[0].monthly_wage");
  });

  it("takes only the keys of a list item, and bounded texts", () => {
    const employee = { id_number: "11010519491231002X", monthly_wage: "8000", start_date: "2026-11-20" };
    expect(check("employees", [{ ...employee, is_admin: true }])).toBe("employees[0].is_admin");
    expect(check("employees", [employee, "x"])).toBe("employees[1]");
    const investor = { id: "11010519491231002X", contribution: "100" };
    expect(check("enterprise.investors", [investor])).toBeUndefined();
    expect(check("enterprise.investors", [{ ...investor, note: "x" }])).toBe("enterprise.investors[0].note");
    expect(check("enterprise.investors", [{ ...investor, contribution_method: "x".repeat(10_000) }])).toBe("enterprise.investors[0].contribution_method");
    expect(check("enterprise.investors", [{ ...investor, contribution: "0" }])).toBe("enterprise.investors[0].contribution");
    expect(check("enterprise.address", "路".repeat(201))).toBe("enterprise.address");
  });

  it("takes only codes of their catalogue", () => {
    expect(check("seal.types", ["公章", "发票专用章"])).toBeUndefined();
    expect(check("seal.types", ["<script>alert(1)</script>"])).toBe("seal.types[0]");
    expect(check("seal.types", ["公章", "公章"])).toBe("seal.types");
    expect(check("enterprise.business_scope_codes", ["I6510"])).toBeUndefined();
    expect(check("enterprise.business_scope_codes", ["Z9999"])).toBe("enterprise.business_scope_codes[0]");
    expect(check("enterprise.business_scope_codes", Array.from({ length: 21 }, () => "I6510"))).toBe("enterprise.business_scope_codes");
  });
});

describe("departments check the same ranges again", () => {
  it("business registration: capital and contributions", () => {
    const p = {
      idempotencyKey: "key-00000001", reservationId: "NR-1", registeredCapital: "100", address: "四川省成都市锦江区人民南路330号",
      businessScopeCodes: ["I6510"], legalRepresentativeIdNumber: "11010519491231002X", investors: [{ id: "11010519491231002X", contribution: "100", contributionMethod: "" }], caseId: "c-1",
    };
    expect(fieldOf(() => checkRegisterEnterprise(p as never))).toBeUndefined();
    expect(fieldOf(() => checkRegisterEnterprise({ ...p, registeredCapital: "99999999999" } as never))).toBe("registered_capital");
    expect(fieldOf(() => checkRegisterEnterprise({ ...p, investors: [{ ...p.investors[0], contribution: "0" }] } as never))).toBe("investors[0].contribution");
  });

  it("tax: sales, credit line, liabilities", () => {
    const grant = { idempotencyKey: "key-00000001", creditCode: CREDIT_CODE, monthlyCreditLine: "100000000", caseId: "c" };
    expect(fieldOf(() => checkGrantInvoices(grant as never))).toBeUndefined();
    expect(fieldOf(() => checkGrantInvoices({ ...grant, monthlyCreditLine: "100000000.01" } as never))).toBe("monthly_credit_line");
    const taxpayer = { idempotencyKey: "key-00000001", creditCode: CREDIT_CODE, expectedAnnualSales: "100", caseId: "c" };
    expect(fieldOf(() => checkRegisterTaxpayer(taxpayer as never))).toBeUndefined();
    expect(fieldOf(() => checkRegisterTaxpayer({ ...taxpayer, expectedAnnualSales: "999999999999999999" } as never))).toBe("expected_annual_sales");
    const liability = { idempotencyKey: "key-00000001", creditCode: CREDIT_CODE, taxType: "增值税", period: "2026-10", amount: "100000000000.00" };
    expect(fieldOf(() => checkRecordLiability(liability as never, "2026-11-30"))).toBeUndefined();
    expect(fieldOf(() => checkRecordLiability({ ...liability, amount: "100000000000.01" } as never, "2026-11-30"))).toBe("amount");
  });

  it("social insurance: a wage", () => {
    expect(requireWage("8000.00", "monthly_wage")).toBe(800000n);
    expect(fieldOf(() => requireWage("1000000.01", "monthly_wage"))).toBe("monthly_wage");
    expect(fieldOf(() => requireWage("0", "monthly_wage"))).toBe("monthly_wage");
    expect(fieldOf(() => requireWage(8000, "monthly_wage"))).toBe("monthly_wage");
  });
});
