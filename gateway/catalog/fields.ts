/**
 * The data dictionary (数据字典): every canonical field of every bundle, defined once — its type,
 * its check, its Chinese and English label, and where the government already holds it (so the
 * merged form prefills it instead of asking).
 */
import { invalidArgument, renamingField } from "../../services/common/errors";
import { describeRange, parseAmount, type AmountKind } from "../../services/common/amounts";
import { CONTRIBUTION_METHODS } from "../../services/business-registration/requests";
import { findScope } from "../../services/business-registration/rules/scopes";
import { SEAL_TYPES } from "../../services/business-registration/rules/seals";
import { checkIndustry, checkTradeName } from "../../services/business-registration/rules/names";
import { foldWidth, requireDate, requireText } from "../../services/common/validate";
import { requireCreditCode, requireIdNumber, requireRegion } from "../../services/identity/checks";

export type FieldType = "text" | "id_number" | "credit_code" | "region_code" | "decimal" | "date" | "enum" | "boolean" | "integer" | "codes" | "investors" | "employees";

/** Where a value the government holds comes from, for an applicant. */
export type FieldSource = { kind: "applicant"; attribute: "idNumber" | "name" | "phone" | "address" };

export interface FieldDefinition {
  name: string;
  type: FieldType;
  labelZh: string;
  labelEn: string;
  values?: string[];
  /** Prefilled from this source and not asked. */
  source?: FieldSource;
  /** Prefilled from this source but the applicant may change it (e.g. legal representative = applicant). */
  suggested?: FieldSource;
  /** A decimal field's amount kind: its unit, scale and documented range (services/common/amounts.ts). */
  amount?: AmountKind;
  /** A codes field's check of one code (the catalogue it comes from). */
  code?: (code: string) => boolean;
  /** Longest text (characters) of a text field; 200 when not given. */
  maxLength?: number;
  /**
   * The owning department's own rule for the value (pure, shared from its rules/), run when the
   * form is checked, so a value the department would refuse never starts an application.
   */
  rule?: (value: string) => string;
}

const f = (name: string, type: FieldType, labelZh: string, labelEn: string, extra: Partial<FieldDefinition> = {}): FieldDefinition => ({
  name,
  type,
  labelZh,
  labelEn,
  ...extra,
});

/** A mainland mobile number (11 digits starting with 1), full-width digits folded. */
function checkMobile(value: string): string {
  const folded = String(foldWidth(value)).replace(/[\s-]/g, "");
  if (!/^1[3-9]\d{9}$/.test(folded)) throw invalidArgument("phone", "must be a mobile number of 11 digits starting with 1");
  return folded;
}

export const FIELDS: FieldDefinition[] = [
  f("applicant.id_number", "id_number", "申请人身份证号码", "Applicant's ID number", { source: { kind: "applicant", attribute: "idNumber" } }),
  f("applicant.name", "text", "申请人姓名", "Applicant's name", { source: { kind: "applicant", attribute: "name" } }),
  f("applicant.phone", "text", "联系电话", "Phone", { source: { kind: "applicant", attribute: "phone" } }),
  f("enterprise.region_code", "region_code", "登记机关所在行政区划", "Region of registration"),
  f("enterprise.trade_name", "text", "字号", "Trade name", { rule: checkTradeName }),
  f("enterprise.industry", "text", "行业表述", "Industry", { rule: checkIndustry }),
  f("enterprise.organisation_form", "enum", "组织形式", "Organisation form", { values: ["有限公司", "有限责任公司", "股份有限公司", "店", "馆", "工作室", "经营部", "商行", "厂"] }),
  f("enterprise.enterprise_type", "enum", "企业类型", "Enterprise type", { values: ["ENTERPRISE_TYPE_COMPANY", "ENTERPRISE_TYPE_SOLE_PROPRIETORSHIP"] }),
  f("enterprise.registered_capital", "decimal", "注册资本（万元）", "Registered capital (10k CNY)", { amount: "registeredCapital" }),
  f("enterprise.address", "text", "住所", "Domicile"),
  f("enterprise.business_scope_codes", "codes", "经营范围", "Business scope", { code: (c) => Boolean(findScope(c)) }),
  f("enterprise.legal_representative_id_number", "id_number", "法定代表人身份证号码", "Legal representative's ID number", {
    suggested: { kind: "applicant", attribute: "idNumber" },
  }),
  // 联络员: the person the registry contacts about the enterprise; by default the applicant, from the population registry.
  f("enterprise.liaison_name", "text", "联络员姓名", "Liaison's name", { suggested: { kind: "applicant", attribute: "name" }, maxLength: 50 }),
  f("enterprise.liaison_phone", "text", "联络员手机号码", "Liaison's mobile phone", { suggested: { kind: "applicant", attribute: "phone" }, rule: checkMobile, maxLength: 20 }),
  f("enterprise.investors", "investors", "股东（出资人）及出资", "Investors and contributions"),
  f("enterprise.credit_code", "credit_code", "统一社会信用代码", "Unified social credit code"),
  f("enterprise.new_address", "text", "变更后住所", "New domicile"),
  f("enterprise.new_legal_representative_id_number", "id_number", "变更后法定代表人身份证号码", "New legal representative's ID number"),
  f("enterprise.deregistration_reason", "text", "注销原因", "Reason for deregistration"),
  f("seal.types", "codes", "刻制印章", "Seals to engrave", { values: [...SEAL_TYPES] }),
  f("seal.engraver", "text", "印章刻制单位", "Seal engraver"),
  f("tax.expected_annual_sales", "decimal", "预计年应税销售额（万元）", "Expected annual taxable sales (10k CNY)", { amount: "expectedAnnualSales" }),
  f("tax.monthly_credit_line", "decimal", "申请发票月度开票额度（元）", "Monthly invoicing credit line (CNY)", { amount: "monthlyCreditLine" }),
  f("social_insurance.work_injury_risk_class", "integer", "工伤保险行业风险类别", "Work-injury risk class"),
  f("employees", "employees", "首批参保员工", "First employees"),
];

const BY_NAME = new Map(FIELDS.map((d) => [d.name, d]));

/** A field by canonical name. */
export function findField(name: string): FieldDefinition | undefined {
  return BY_NAME.get(name);
}

/** The form field name as the portal sends it (dots kept: "enterprise.address"). */
const at = (name: string, sub?: string | number) => (sub === undefined ? name : typeof sub === "number" ? `${name}[${sub}]` : `${name}.${sub}`);

/** Runs a department's rule, naming the form field in its INVALID_ARGUMENT (a refusal by a business rule keeps its reason code). */
function asField<T>(name: string, rule: () => T): T {
  return renamingField(rule, () => name);
}

/** A list item: an object with only the listed keys (INVALID_ARGUMENT naming the item or the stray key). */
function itemOf(value: unknown, field: string, keys: string[]): Record<string, unknown> {
  if (!value || typeof value !== "object" || Array.isArray(value)) throw invalidArgument(field, `must be { ${keys.join(", ")} }`);
  for (const key of Object.keys(value)) if (!keys.includes(key)) throw invalidArgument(`${field}.${key}`, `is not a property of this item (expected ${keys.join(", ")})`);
  return value as Record<string, unknown>;
}

/** The documented range of a decimal field, for the merged form. */
export function rangeOf(def: FieldDefinition): string | undefined {
  return def.amount ? describeRange(def.amount) : undefined;
}

/** Checks one value against its definition; returns the normalised value or throws INVALID_ARGUMENT naming the field. */
export function checkFieldValue(def: FieldDefinition, value: unknown): unknown {
  const name = def.name;
  switch (def.type) {
    case "text": {
      const text = requireText(value, name, 1, def.maxLength ?? 200);
      return def.rule ? asField(name, () => def.rule!(text)) : text;
    }
    case "id_number":
      return requireIdNumber(value, name).idNumber;
    case "credit_code":
      return requireCreditCode(value, name).creditCode;
    case "region_code":
      return requireRegion(value, name).code;
    case "decimal":
      if (!def.amount) throw new Error(`decimal field ${name} has no amount kind`);
      parseAmount(def.amount, value, name);
      return String(foldWidth(value)).trim();
    case "date":
      return requireDate(value, name);
    case "boolean":
      if (typeof value !== "boolean") throw invalidArgument(name, "must be true or false");
      return value;
    case "integer":
      if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 1000) throw invalidArgument(name, "must be a whole number");
      return value;
    case "enum":
      if (typeof value !== "string" || !def.values!.includes(value)) throw invalidArgument(name, `must be one of ${def.values!.join(", ")}`);
      return value;
    case "codes": {
      const listed = def.values ? `one of ${def.values.join(", ")}` : "a code of the catalogue";
      if (!Array.isArray(value) || value.length === 0 || value.length > 20) throw invalidArgument(name, `must be a list of 1 to 20 codes, each ${listed}`);
      value.forEach((v, i) => {
        const known = typeof v === "string" && (def.values ? def.values.includes(v) : Boolean(def.code?.(v)));
        if (!known) throw invalidArgument(at(name, i), `must be ${listed}`);
      });
      if (new Set(value).size !== value.length) throw invalidArgument(name, "lists a code twice");
      return value;
    }
    case "investors":
      if (!Array.isArray(value) || value.length === 0) throw invalidArgument(name, "must list at least one investor: { id, contribution }");
      if (value.length > 50) throw invalidArgument(name, "must list at most 50 investors");
      return value.map((inv, i) => {
        const o = itemOf(inv, at(name, i), ["id", "contribution", "contribution_method"]);
        const folded = foldWidth(o.id);
        const id = typeof folded === "string" ? folded.trim().toUpperCase() : "";
        if (!/^[0-9A-Z]{18}$/.test(id)) throw invalidArgument(at(at(name, i), "id"), "must be a resident ID number or a credit code");
        parseAmount("contribution", o.contribution, at(at(name, i), "contribution"));
        const method = o.contribution_method ?? "货币";
        if (typeof method !== "string" || !CONTRIBUTION_METHODS.includes(method)) {
          throw invalidArgument(at(at(name, i), "contribution_method"), `must be one of ${CONTRIBUTION_METHODS.join(", ")}`);
        }
        return { id, contribution: String(foldWidth(o.contribution)).trim(), contributionMethod: method };
      });
    case "employees":
      if (!Array.isArray(value) || value.length === 0) throw invalidArgument(name, "must list at least one employee: { id_number, monthly_wage, start_date }");
      if (value.length > 50) throw invalidArgument(name, "must list at most 50 employees");
      return distinctEmployees(
        name,
        value.map((e, i) => {
          const o = itemOf(e, at(name, i), ["id_number", "monthly_wage", "start_date"]);
          parseAmount("monthlyWage", o.monthly_wage, at(at(name, i), "monthly_wage"));
          return {
            idNumber: requireIdNumber(o.id_number, at(at(name, i), "id_number")).idNumber,
            monthlyWage: String(foldWidth(o.monthly_wage)).trim(),
            startDate: requireDate(o.start_date, at(at(name, i), "start_date")),
          };
        }),
      );
  }
}

/**
 * Employees as checked, refusing one person listed twice (their second enrolment could only be
 * refused as already insured, after the first). The error names the later element and points at
 * the earlier one, not at the ID number itself.
 */
function distinctEmployees<T extends { idNumber: string }>(name: string, employees: T[]): T[] {
  const first = new Map<string, number>();
  employees.forEach((e, i) => {
    const earlier = first.get(e.idNumber);
    if (earlier !== undefined) throw invalidArgument(at(at(name, i), "id_number"), `is the same person as ${name}[${earlier}]`);
    first.set(e.idNumber, i);
  });
  return employees;
}
