/** The tax types (税种) a taxpayer is registered for, derived from its enterprise type and business scope. */
import { failedPrecondition } from "../../common/errors";
import { EnterpriseType } from "../../../proto/gen/tongban/registration/v1/registration";

/** The tax types, by their names in the 税种登记. */
export const VAT = "增值税";
export const CONSUMPTION_TAX = "消费税";
export const ENTERPRISE_INCOME_TAX = "企业所得税";
export const BUSINESS_INCOME_TAX = "个人所得税（经营所得）";
export const URBAN_CONSTRUCTION_TAX = "城市维护建设税";
export const EDUCATION_SURCHARGE = "教育费附加";
export const LOCAL_EDUCATION_SURCHARGE = "地方教育附加";
export const STAMP_DUTY = "印花税";

/** Every tax type this office registers, in the order the registration lists them. */
export const ALL_TAX_TYPES: readonly string[] = [
  VAT,
  CONSUMPTION_TAX,
  ENTERPRISE_INCOME_TAX,
  BUSINESS_INCOME_TAX,
  URBAN_CONSTRUCTION_TAX,
  EDUCATION_SURCHARGE,
  LOCAL_EDUCATION_SURCHARGE,
  STAMP_DUTY,
];

/**
 * Business scope codes whose goods carry consumption tax. Codes are GB/T 4754 industry classes as
 * the hub's scope catalogue (services/business-registration/rules/scopes.ts) writes them; a scope
 * code matches when it starts with one of these, so an item that adds a suffix to its class
 * (e.g. "F5127-01") is covered too.
 *
 * Consumption tax falls on making excise goods, on the wholesale of cigarettes and on the retail of
 * gold and silver jewellery; the hub also registers dealers in alcohol, tobacco and cosmetics for it,
 * so their returns are expected from the start. The classes are coarse: F5127 / F5226 also hold
 * beverages and tea, F5134 / F5234 toiletries.
 */
export const CONSUMPTION_TAX_SCOPE_PREFIXES: readonly string[] = [
  // 酒的制造: 白酒, 啤酒, 黄酒, 葡萄酒, 其他酒 (C1511 酒精制造 is not taxed since 2014).
  "C1512", "C1513", "C1514", "C1515", "C1519",
  // 卷烟制造, 其他烟草制品制造 (C1610 烟叶复烤 is not taxed).
  "C1620", "C1690",
  // 化妆品制造; 原油加工及石油制品制造 (成品油); 焰火、鞭炮产品制造.
  "C2682", "C2511", "C2672",
  // 汽柴油车整车制造 (小汽车; 新能源车 C3612 are not taxed); 摩托车整车制造.
  "C3611", "C3751",
  // 酒、饮料及茶叶批发 / 零售 (the catalogue's 酒类批发 is F5127).
  "F5127", "F5226",
  // 烟草制品批发 (卷烟批发环节) / 零售.
  "F5128", "F5227",
  // 化妆品及卫生用品批发 / 零售.
  "F5134", "F5234",
  // 珠宝首饰零售 (金银首饰 are taxed at retail).
  "F5245",
];

/** Whether a business scope code deals in consumption-taxed goods. */
export function isConsumptionTaxScope(code: string): boolean {
  const normalised = code.trim().toUpperCase();
  return CONSUMPTION_TAX_SCOPE_PREFIXES.some((prefix) => normalised.startsWith(prefix));
}

/** Types that are not a company or a sole proprietorship have no income tax rule here. */
export class UnsupportedEnterpriseType extends Error {
  constructor(readonly enterpriseType: string) {
    super(`no tax types are defined for enterprise type ${enterpriseType}`);
    this.name = "UnsupportedEnterpriseType";
  }
}

/**
 * The tax types of a new taxpayer: VAT, its surcharges and stamp duty always; enterprise income tax
 * for companies, individual income tax on business income for sole proprietorships (个体工商户 are
 * not subject to enterprise income tax); consumption tax when a scope item deals in excise goods.
 */
export function taxTypesFor(enterpriseType: EnterpriseType | string, scopeCodes: readonly string[]): string[] {
  const types = new Set([VAT, URBAN_CONSTRUCTION_TAX, EDUCATION_SURCHARGE, LOCAL_EDUCATION_SURCHARGE, STAMP_DUTY]);
  if (enterpriseType === EnterpriseType.ENTERPRISE_TYPE_COMPANY) types.add(ENTERPRISE_INCOME_TAX);
  else if (enterpriseType === EnterpriseType.ENTERPRISE_TYPE_SOLE_PROPRIETORSHIP) types.add(BUSINESS_INCOME_TAX);
  else throw new UnsupportedEnterpriseType(String(enterpriseType));
  if (scopeCodes.some(isConsumptionTaxScope)) types.add(CONSUMPTION_TAX);
  return ALL_TAX_TYPES.filter((t) => types.has(t));
}

/** The tax types joined as printed on the registration licence, e.g. "增值税、印花税". */
export function joinTaxTypes(types: readonly string[]): string {
  return types.join("、");
}

/** Refuses a tax type the taxpayer is not registered for (TAX_TYPE_NOT_REGISTERED, listing the registered ones). */
export function requireTaxType(creditCode: string, registered: readonly string[], taxType: string): void {
  if (!registered.includes(taxType)) {
    throw failedPrecondition(
      "TAX_TYPE_NOT_REGISTERED",
      `纳税人 ${creditCode} 未登记${taxType}，已登记税种：${joinTaxTypes(registered)} (the taxpayer is not registered for this tax type)`,
    );
  }
}
