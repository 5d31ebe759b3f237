import { TaxpayerStatus } from "../../../proto/gen/tongban/tax/v1/tax";
import { decideClearance } from "../../../services/tax/rules/clearance";
import { parseYuan } from "../../../services/tax/rules/money";
import { expectRefused } from "./expect-error";

const CODE = "91510104MA6CPJ2M0X";
const { TAXPAYER_STATUS_ACTIVE: ACTIVE, TAXPAYER_STATUS_CANCELLED: CANCELLED, TAXPAYER_STATUS_CLEARED: CLEARED } = TaxpayerStatus;

describe("decideClearance", () => {
  it("clears an active taxpayer with nothing unpaid", () => {
    expect(decideClearance(CODE, ACTIVE, [])).toBe("clear");
  });

  it("answers a cleared taxpayer with its clearance, whatever is recorded since", () => {
    expect(decideClearance(CODE, CLEARED, [])).toBe("already");
    expect(decideClearance(CODE, CLEARED, [100n])).toBe("already");
  });

  it("refuses while liabilities are unpaid, naming how many and the exact total", () => {
    const unpaid = ["1234.50", "0.51", "0.10", "0.20"].map((a) => parseYuan(a, "amount"));
    const message = expectRefused(() => decideClearance(CODE, ACTIVE, unpaid), "OUTSTANDING_LIABILITIES");
    expect(message).toContain("4 笔");
    expect(message).toContain("1235.31 元");
  });

  it("refuses for a single unpaid 分", () => {
    expect(expectRefused(() => decideClearance(CODE, ACTIVE, [1n]), "OUTSTANDING_LIABILITIES")).toContain("0.01 元");
  });

  it("clears a cancelled registration at once, unless something is still unpaid", () => {
    expect(decideClearance(CODE, CANCELLED, [])).toBe("clear");
    expectRefused(() => decideClearance(CODE, CANCELLED, [5n]), "OUTSTANDING_LIABILITIES");
  });
});
