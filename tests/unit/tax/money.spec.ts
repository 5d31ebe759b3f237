import { FEN_PER_WAN_YUAN, formatWanYuan, formatYuan, parsePositiveYuan, parseWanYuan, parseYuan, sumFen } from "../../../services/tax/rules/money";
import { expectInvalid } from "./expect-error";

describe("parseYuan", () => {
  it.each([
    ["0", 0n],
    ["1", 100n],
    ["1.5", 150n],
    ["1.05", 105n],
    ["100000.00", 10_000_000n],
    ["0.01", 1n],
    ["007.10", 710n],
    ["999999999999999.99", 99_999_999_999_999_999n],
  ])("reads %s as %p 分", (text, fen) => {
    expect(parseYuan(text, "amount")).toBe(fen);
  });

  it("keeps amounts beyond 2^53 exact", () => {
    expect(parseYuan("90071992547409.93", "amount")).toBe(9_007_199_254_740_993n);
  });

  it.each(["1.001", "0.005"])("refuses %s: more precise than a 分", (text) => {
    expectInvalid(() => parseYuan(text, "amount"), "amount", "at most 2 decimal places");
  });

  it.each(["-1", "1e3", "1,000", "+5", "1.", ".5", "abc", "١٢"])("refuses %s as not a plain decimal", (text) => {
    expectInvalid(() => parseYuan(text, "monthly_credit_line"), "monthly_credit_line");
  });

  it.each([undefined, null, "", "  "])("refuses %p as missing", (value) => {
    expectInvalid(() => parseYuan(value, "amount"), "amount", "is required");
  });

  it("refuses 12.5 as a number: amounts are text", () => {
    expectInvalid(() => parseYuan(12.5, "amount"), "amount", "must be a decimal number written as text");
  });
});

describe("parsePositiveYuan", () => {
  it("accepts the smallest amount, one 分", () => {
    expect(parsePositiveYuan("0.01", "amount")).toBe(1n);
  });

  it.each(["0", "0.00", "000"])("refuses %s: must be above zero", (text) => {
    expectInvalid(() => parsePositiveYuan(text, "amount"), "amount", "greater than zero");
  });
});

describe("parseWanYuan", () => {
  it("reads 万元 exactly to the 分", () => {
    expect(parseWanYuan("500", "expected_annual_sales")).toBe(500n * FEN_PER_WAN_YUAN);
    expect(parseWanYuan("500.01", "expected_annual_sales")).toBe(500_010_000n);
    expect(parseWanYuan("0.000001", "expected_annual_sales")).toBe(1n);
  });

  it("refuses more than 6 decimals (finer than a 分)", () => {
    expectInvalid(() => parseWanYuan("1.0000001", "expected_annual_sales"), "expected_annual_sales", "at most 6 decimal places");
  });
});

describe("formatting", () => {
  it.each([
    [0n, "0.00"],
    [1n, "0.01"],
    [10n, "0.10"],
    [105n, "1.05"],
    [10_000_000n, "100000.00"],
    [100_000_000n, "1000000.00"],
    [-250n, "-2.50"],
  ])("writes %p 分 as %s 元", (fen, text) => {
    expect(formatYuan(fen)).toBe(text);
  });

  it("round-trips every 2-decimal amount it formats", () => {
    for (const text of ["0.00", "0.07", "12.30", "123456789012.99"]) expect(formatYuan(parseYuan(text, "a"))).toBe(text);
  });

  it("writes 万元 without trailing zeros", () => {
    expect(formatWanYuan(500n * FEN_PER_WAN_YUAN)).toBe("500");
    expect(formatWanYuan(500_010_000n)).toBe("500.01");
    expect(formatWanYuan(1n)).toBe("0.000001");
    expect(formatWanYuan(0n)).toBe("0");
  });
});

describe("sumFen", () => {
  it("adds exactly where floating point does not (0.1 + 0.2)", () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(formatYuan(sumFen([parseYuan("0.1", "a"), parseYuan("0.2", "a")]))).toBe("0.30");
  });

  it("sums many small amounts without drift", () => {
    expect(formatYuan(sumFen(Array.from({ length: 100_000 }, () => 1n)))).toBe("1000.00");
  });

  it("is zero for nothing, and accepts any iterable", () => {
    expect(sumFen([])).toBe(0n);
    expect(sumFen(new Set([150n, 51n]))).toBe(201n);
  });
});
