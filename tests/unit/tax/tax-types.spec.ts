import { EnterpriseType } from "../../../proto/gen/tongban/registration/v1/registration";
import {
  ALL_TAX_TYPES,
  isConsumptionTaxScope,
  joinTaxTypes,
  requireTaxType,
  taxTypesFor,
  UnsupportedEnterpriseType,
} from "../../../services/tax/rules/tax-types";
import { expectRefused } from "./expect-error";

const COMPANY = EnterpriseType.ENTERPRISE_TYPE_COMPANY;
const SOLE = EnterpriseType.ENTERPRISE_TYPE_SOLE_PROPRIETORSHIP;
const ALWAYS = ["增值税", "城市维护建设税", "教育费附加", "地方教育附加", "印花税"];

describe("taxTypesFor", () => {
  it("gives a software company VAT, its surcharges, stamp duty and enterprise income tax", () => {
    expect(taxTypesFor(COMPANY, ["I6510", "I6560"])).toEqual(["增值税", "企业所得税", "城市维护建设税", "教育费附加", "地方教育附加", "印花税"]);
  });

  it("gives a sole proprietorship individual income tax on business income, never enterprise income tax", () => {
    const types = taxTypesFor(SOLE, ["F5191"]);
    expect(types).toEqual(["增值税", "个人所得税（经营所得）", "城市维护建设税", "教育费附加", "地方教育附加", "印花税"]);
    expect(types).not.toContain("企业所得税");
  });

  it.each([
    ["酒类批发", "F5127"],
    ["酒类零售", "F5226"],
    ["烟草制品零售", "F5227"],
    ["烟草制品批发", "F5128"],
    ["化妆品批发", "F5134"],
    ["白酒制造", "C1512"],
    ["卷烟制造", "C1620"],
    ["化妆品及卫生用品零售", "F5234"],
    ["珠宝首饰零售 (金银首饰)", "F5245"],
  ])("adds consumption tax for a %s scope (%s)", (_label, code) => {
    expect(taxTypesFor(COMPANY, ["I6510", code])).toContain("消费税");
    expect(taxTypesFor(SOLE, [code])).toContain("消费税");
  });

  it("does not tax 肉、禽、蛋、奶及水产品批发 (F5124)", () => {
    expect(taxTypesFor(COMPANY, ["F5124"])).not.toContain("消费税");
  });

  it("lists consumption tax right after VAT, and every type at most once", () => {
    const types = taxTypesFor(COMPANY, ["F5127", "F5227", "F5128"]);
    expect(types.slice(0, 2)).toEqual(["增值税", "消费税"]);
    expect(new Set(types).size).toBe(types.length);
    expect(types.every((t) => ALL_TAX_TYPES.includes(t))).toBe(true);
  });

  it("has the five common types whatever the scope, even none", () => {
    for (const type of [COMPANY, SOLE]) expect(taxTypesFor(type, [])).toEqual(expect.arrayContaining(ALWAYS));
  });

  it("refuses enterprise types with no income tax rule", () => {
    expect(() => taxTypesFor(EnterpriseType.ENTERPRISE_TYPE_UNSPECIFIED, [])).toThrow(UnsupportedEnterpriseType);
    expect(() => taxTypesFor("ENTITY_TYPE_FARMERS_COOPERATIVE", [])).toThrow(UnsupportedEnterpriseType);
  });
});

describe("isConsumptionTaxScope", () => {
  it("matches by class prefix, so suffixed catalogue items count", () => {
    expect(isConsumptionTaxScope("F5127-01")).toBe(true);
    expect(isConsumptionTaxScope(" f5127 ")).toBe(true);
  });

  it.each(["I6510", "F5191", "F5129", "H6210", "C1530", "C1511", "C3612", "F512", ""])("does not match %p", (code) => {
    expect(isConsumptionTaxScope(code)).toBe(false);
  });
});

describe("requireTaxType", () => {
  const registered = taxTypesFor(COMPANY, ["I6510"]);

  it("accepts a registered type", () => {
    expect(() => requireTaxType("91510104MA6CPJ2M0X", registered, "企业所得税")).not.toThrow();
  });

  it("refuses an unregistered type, listing the registered ones", () => {
    const message = expectRefused(() => requireTaxType("91510104MA6CPJ2M0X", registered, "消费税"), "TAX_TYPE_NOT_REGISTERED");
    expect(message).toContain(joinTaxTypes(registered));
  });
});

describe("joinTaxTypes", () => {
  it("joins with the enumeration comma used on licences", () => {
    expect(joinTaxTypes(["增值税", "印花税"])).toBe("增值税、印花税");
  });
});
