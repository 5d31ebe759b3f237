import { TaxpayerType } from "../../../proto/gen/tongban/tax/v1/tax";
import { checkCreditLine, invoiceLimitFen } from "../../../services/tax/rules/invoice-limits";
import { parseYuan } from "../../../services/tax/rules/money";
import { expectRefused } from "./expect-error";

const { TAXPAYER_TYPE_SMALL_SCALE: SMALL, TAXPAYER_TYPE_GENERAL: GENERAL } = TaxpayerType;
const yuan = (text: string) => parseYuan(text, "monthly_credit_line");

describe("invoice limits", () => {
  it("are 100000.00 元 for small-scale and 1000000.00 元 for general taxpayers", () => {
    expect(invoiceLimitFen(SMALL)).toBe(yuan("100000.00"));
    expect(invoiceLimitFen(GENERAL)).toBe(yuan("1000000.00"));
    expect(() => invoiceLimitFen(TaxpayerType.TAXPAYER_TYPE_UNSPECIFIED)).toThrow();
  });

  it.each([
    [SMALL, "0.01"],
    [SMALL, "100000"],
    [SMALL, "100000.00"],
    [GENERAL, "100000.01"],
    [GENERAL, "1000000.00"],
  ])("grants a %s taxpayer %s 元 and returns the limit", (type, line) => {
    expect(checkCreditLine(type, yuan(line))).toBe(invoiceLimitFen(type));
  });

  it.each([
    [SMALL, "100000.01", "100000.00"],
    [SMALL, "1000000", "100000.00"],
    [GENERAL, "1000000.01", "1000000.00"],
  ])("refuses a %s taxpayer %s 元, naming both amounts", (type, line, limit) => {
    const message = expectRefused(() => checkCreditLine(type, yuan(line)), "INVOICE_LIMIT_EXCEEDED");
    expect(message).toContain(`${line.includes(".") ? line : `${line}.00`} 元`);
    expect(message).toContain(`${limit} 元`);
  });
});
