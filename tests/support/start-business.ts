/** START_BUSINESS forms for tests: trade names unique in a run, one seal, given employees. */

/** Characters that form no forbidden, restricted or region word together. */
const CHARS = [..."星云青远明启天锦瑞恒嘉盛泰宏博帆松航德辰达创智宇晨峰林泉石竹兰梅雅悦和顺丰源佳润"];

/** The i-th trade name of a series (1,600 per suffix): distinct for distinct i. */
export function tradeName(i: number, suffix = "坊"): string {
  return CHARS[i % CHARS.length] + CHARS[Math.floor(i / CHARS.length) % CHARS.length] + suffix;
}

export interface FormOptions {
  tradeName: string;
  /** Investor and (suggested) legal representative. */
  applicant: string;
  employees: string[];
  creditLine?: string;
  sealTypes?: string[];
  /** The employees' first day (YYYY-MM-DD). */
  startDate?: string;
}

/** A complete START_BUSINESS form in Chengdu's Jinjiang district. */
export function startBusinessForm(o: FormOptions): Record<string, unknown> {
  return {
    "enterprise.region_code": "510104",
    "enterprise.trade_name": o.tradeName,
    "enterprise.industry": "科技",
    "enterprise.organisation_form": "有限公司",
    "enterprise.enterprise_type": "ENTERPRISE_TYPE_COMPANY",
    "enterprise.registered_capital": "100",
    "enterprise.address": "四川省成都市锦江区人民南路330号",
    "enterprise.business_scope_codes": ["I6510", "I6560"],
    "enterprise.investors": [{ id: o.applicant, contribution: "100" }],
    "seal.types": o.sealTypes ?? ["公章"],
    "seal.engraver": "成都市锦江区刻章社",
    "tax.monthly_credit_line": o.creditLine ?? "50000",
    employees: o.employees.map((id) => ({ id_number: id, monthly_wage: "9000", start_date: o.startDate ?? "2026-11-20" })),
  };
}

/** Runs fn for 0..n-1 with at most `width` calls in flight. */
export async function inPool(n: number, width: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < n) await fn(next++);
    }),
  );
}

/**
 * The applicant's consent to what START_BUSINESS takes from the population registry (the form's
 * government_data): the suggested legal representative and the liaison's name and phone, confirmed.
 */
export const START_BUSINESS_CONSENT = { confirmed: ["enterprise.legal_representative_id_number", "enterprise.liaison_name", "enterprise.liaison_phone"] };
