import { TaxpayerType } from "../../../proto/gen/tongban/tax/v1/tax";
import { parseWanYuan } from "../../../services/tax/rules/money";
import { GENERAL_TAXPAYER_THRESHOLD_FEN, taxpayerTypeFor, taxpayerTypeName } from "../../../services/tax/rules/taxpayer-type";

const sales = (wan: string) => parseWanYuan(wan, "expected_annual_sales");
const { TAXPAYER_TYPE_SMALL_SCALE: SMALL, TAXPAYER_TYPE_GENERAL: GENERAL } = TaxpayerType;

describe("taxpayerTypeFor (小规模纳税人 threshold: above 500万元)", () => {
  it("is 500万元 in 分", () => {
    expect(GENERAL_TAXPAYER_THRESHOLD_FEN).toBe(500_000_000n);
  });

  it.each([
    ["0", SMALL],
    ["499.99", SMALL],
    ["500", SMALL],
    ["500.00", SMALL],
    ["500.000000", SMALL],
    ["500.000001", GENERAL],
    ["500.01", GENERAL],
    ["501", GENERAL],
    ["100000", GENERAL],
  ])("expected sales of %s万元 -> %s", (wan, type) => {
    expect(taxpayerTypeFor(sales(wan), false)).toBe(type);
  });

  it("makes any taxpayer general on request (小规模纳税人 may opt in)", () => {
    expect(taxpayerTypeFor(0n, true)).toBe(GENERAL);
    expect(taxpayerTypeFor(sales("500"), true)).toBe(GENERAL);
    expect(taxpayerTypeFor(sales("500.01"), true)).toBe(GENERAL);
  });

  it("names the types as printed on the licence", () => {
    expect(taxpayerTypeName(SMALL)).toBe("小规模纳税人");
    expect(taxpayerTypeName(GENERAL)).toBe("一般纳税人");
    expect(() => taxpayerTypeName(TaxpayerType.TAXPAYER_TYPE_UNSPECIFIED)).toThrow();
  });
});
