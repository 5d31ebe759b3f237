import { TaxpayerStatus, TaxpayerType } from "../../../proto/gen/tongban/tax/v1/tax";
import { EnterpriseType } from "../../../proto/gen/tongban/registration/v1/registration";
import { parseWanYuan } from "../../../services/tax/rules/money";
import { taxAuthorityFor } from "../../../services/tax/rules/tax-authority";
import { recomputedTaxTypes, taxpayerProfile } from "../../../services/tax/rules/taxpayer-profile";
import { assertCancellable, assertRegistrable, requireActiveTaxpayer } from "../../../services/tax/rules/taxpayer-status";
import { expectRefused } from "./expect-error";

const CODE = "91510104MA6CPJ2M0X";
const { TAXPAYER_STATUS_ACTIVE: ACTIVE, TAXPAYER_STATUS_CANCELLED: CANCELLED, TAXPAYER_STATUS_CLEARED: CLEARED } = TaxpayerStatus;

describe("taxAuthorityFor", () => {
  it.each([
    ["510104", "国家税务总局成都市锦江区税务局"],
    ["110105", "国家税务总局北京市朝阳区税务局"],
    ["440305", "国家税务总局深圳市南山区税务局"],
    // A county's bureau does not carry its prefecture.
    ["350922", "国家税务总局古田县税务局"],
  ])("%s -> %s", (region, authority) => {
    expect(taxAuthorityFor(region)).toBe(authority);
  });

  it("is undefined for a region the hub does not serve", () => {
    expect(taxAuthorityFor("999999")).toBeUndefined();
  });
});

describe("taxpayerProfile", () => {
  const input = {
    regionCode: "510104",
    enterpriseType: EnterpriseType.ENTERPRISE_TYPE_COMPANY,
    scopeCodes: ["F5127"],
    expectedAnnualSalesFen: parseWanYuan("500", "expected_annual_sales"),
    requestGeneral: false,
  };

  it("derives type, tax types and authority together", () => {
    expect(taxpayerProfile(input)).toEqual({
      taxpayerType: TaxpayerType.TAXPAYER_TYPE_SMALL_SCALE,
      taxTypes: ["增值税", "消费税", "企业所得税", "城市维护建设税", "教育费附加", "地方教育附加", "印花税"],
      taxAuthority: "国家税务总局成都市锦江区税务局",
    });
    expect(taxpayerProfile({ ...input, expectedAnnualSalesFen: parseWanYuan("500.01", "x") }).taxpayerType).toBe(TaxpayerType.TAXPAYER_TYPE_GENERAL);
  });

  it("refuses a region without a tax authority, and an enterprise type without an income tax rule", () => {
    expectRefused(() => taxpayerProfile({ ...input, regionCode: "999999" }), "NO_TAX_AUTHORITY");
    expectRefused(() => taxpayerProfile({ ...input, enterpriseType: EnterpriseType.ENTERPRISE_TYPE_UNSPECIFIED }), "ENTERPRISE_TYPE_UNSUPPORTED");
    expectRefused(() => recomputedTaxTypes("", []), "ENTERPRISE_TYPE_UNSUPPORTED");
  });
});

describe("taxpayer status rules", () => {
  it("registers a new or cancelled taxpayer", () => {
    expect(() => assertRegistrable(CODE, undefined)).not.toThrow();
    expect(() => assertRegistrable(CODE, CANCELLED)).not.toThrow();
  });

  it("refuses an active registration again, and a cleared one", () => {
    expectRefused(() => assertRegistrable(CODE, ACTIVE), "ALREADY_REGISTERED");
    expectRefused(() => assertRegistrable(CODE, CLEARED), "TAXPAYER_CLEARED");
  });

  it("serves only active taxpayers", () => {
    expect(() => requireActiveTaxpayer(CODE, ACTIVE)).not.toThrow();
    expectRefused(() => requireActiveTaxpayer(CODE, CANCELLED), "TAXPAYER_NOT_ACTIVE");
    expectRefused(() => requireActiveTaxpayer(CODE, CLEARED), "TAXPAYER_NOT_ACTIVE");
  });

  it("cancels any registration but a cleared one", () => {
    expect(() => assertCancellable(CODE, ACTIVE)).not.toThrow();
    expect(() => assertCancellable(CODE, CANCELLED)).not.toThrow();
    expectRefused(() => assertCancellable(CODE, CLEARED), "TAXPAYER_CLEARED");
  });
});
