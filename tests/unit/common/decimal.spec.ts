import { Errors } from "moleculer";
import { formatDecimal, MAX_UNITS, parseDecimal } from "../../../services/common/decimal";

function thrown(fn: () => unknown): Errors.MoleculerError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(Errors.MoleculerError);
    return err as Errors.MoleculerError;
  }
  throw new Error("expected an error, but the call returned");
}

function expectInvalid(fn: () => unknown, field: string, reason: RegExp) {
  const err = thrown(fn);
  expect(err.type).toBe("INVALID_ARGUMENT");
  expect(err.code).toBe(400);
  expect((err.data as { field: string }).field).toBe(field);
  expect((err.data as { reason: string }).reason).toMatch(reason);
}

describe("parseDecimal", () => {
  it.each([
    ["0", 4, 0n],
    ["1", 4, 10_000n],
    ["12.5", 4, 125_000n],
    ["12.50", 4, 125_000n],
    ["0.0001", 4, 1n],
    ["99999999.9999", 4, 999_999_999_999n],
    ["007", 2, 700n],
    [" 2.5 ", 1, 25n],
    ["123456789012345678", 0, 123_456_789_012_345_678n],
    ["92233720368547758.07", 2, 9_223_372_036_854_775_807n],
    ["5", 0, 5n],
  ])("parses %j at scale %i as %s units", (text, scale, units) => {
    expect(parseDecimal(text, "amount", scale)).toBe(units);
  });

  it("keeps exact values floating point cannot", () => {
    expect(parseDecimal("0.1", "a", 2) + parseDecimal("0.2", "a", 2)).toBe(parseDecimal("0.3", "a", 2));
    expect(parseDecimal("9007199254740993", "a", 0)).toBe(9_007_199_254_740_993n);
  });

  it.each(["1e3", "-1", "1.", ".5", "+1", "1,000", "0x10", "1.2.3", "1 000", "١٢", "Infinity", "NaN", "1234567890123456789"])(
    "refuses %j as not a plain non-negative decimal",
    (text) => {
      expectInvalid(() => parseDecimal(text, "amount", 4), "amount", /must be a non-negative decimal number written like 100 or 12\.5/);
    },
  );

  it.each([" ", "", "\t", undefined, null])("requires a value (%p)", (value) => {
    expectInvalid(() => parseDecimal(value, "amount", 4), "amount", /^is required \(a decimal number\)$/);
  });

  it.each([[12, "number"], [12n, "bigint"], [true, "boolean"], [[1], "list"], [{ v: 1 }, "object"]])("takes a number only as text (%p)", (value, kind) => {
    expectInvalid(() => parseDecimal(value, "amount", 4), "amount", new RegExp(`^must be a decimal number written as text, like "100" or "12\\.5" \\(got a ${kind}\\)$`));
  });

  it("refuses more fractional digits than the scale, even zeros", () => {
    expectInvalid(() => parseDecimal("1.234", "fee", 2), "fee", /at most 2 decimal places \(got "1\.234"\)/);
    expectInvalid(() => parseDecimal("1.00000", "fee", 4), "fee", /at most 4 decimal places/);
    expectInvalid(() => parseDecimal("5.0", "fee", 0), "fee", /at most 0 decimal places/);
    expect(parseDecimal("1.23", "fee", 2)).toBe(123n);
  });

  it("refuses zero when positive is asked for", () => {
    expectInvalid(() => parseDecimal("0", "capital", 4, { positive: true }), "capital", /must be greater than zero/);
    expectInvalid(() => parseDecimal("0.0000", "capital", 4, { positive: true }), "capital", /must be greater than zero/);
    expect(parseDecimal("0.0001", "capital", 4, { positive: true })).toBe(1n);
    expect(parseDecimal("0", "capital", 4)).toBe(0n);
  });

  it("refuses more than max, naming max in decimal form, and accepts max itself", () => {
    const max = 1_000_000n; // 100 at scale 4
    expect(parseDecimal("100", "capital", 4, { max })).toBe(max);
    expect(parseDecimal("100.0000", "capital", 4, { max })).toBe(max);
    expectInvalid(() => parseDecimal("100.0001", "capital", 4, { max }), "capital", /must be at most 100 \(got "100\.0001"\)/);
    expectInvalid(() => parseDecimal("12.5", "x", 2, { max: 1_234n }), "x", /must be at most 12\.34 /);
    expect(parseDecimal("0", "capital", 4, { max: 0n })).toBe(0n);
  });
});

describe("formatDecimal", () => {
  it.each([
    [0n, 4, "0"],
    [1n, 4, "0.0001"],
    [10_000n, 4, "1"],
    [125_000n, 4, "12.5"],
    [1_200_000n, 4, "120"],
    [123_456n, 4, "12.3456"],
    [100n, 0, "100"],
    [-12_345n, 2, "-123.45"],
    [-1n, 4, "-0.0001"],
    [1_000_000_000_000_000_000n, 2, "10000000000000000"],
  ])("formats %s at scale %i as %j", (units, scale, text) => {
    expect(formatDecimal(units, scale)).toBe(text);
  });
});

describe("round trips", () => {
  it.each([
    ["0", 4, "0"],
    ["1", 4, "1"],
    ["0.0001", 4, "0.0001"],
    ["12.5", 4, "12.5"],
    ["12.5000", 4, "12.5"],
    ["007.10", 2, "7.1"],
    ["99999999.9999", 4, "99999999.9999"],
    ["922337203685477.5807", 4, "922337203685477.5807"],
    ["42", 0, "42"],
  ])("%j at scale %i formats back as %j", (text, scale, canonical) => {
    const units = parseDecimal(text, "a", scale);
    expect(formatDecimal(units, scale)).toBe(canonical);
    expect(parseDecimal(formatDecimal(units, scale), "a", scale)).toBe(units);
  });

  it("refuses an amount beyond what a bigint column holds, naming the field, even without a cap of its own", () => {
    expect(parseDecimal("92233720368547758.07", "amount", 2)).toBe(MAX_UNITS);
    for (const [text, scale] of [["92233720368547758.08", 2], ["999999999999999999.99", 2], ["999999999999999999", 2], ["922337203685477.5808", 4]] as const) {
      expect(() => parseDecimal(text, "amount", scale)).toThrow(expect.objectContaining({ type: "INVALID_ARGUMENT", data: expect.objectContaining({ field: "amount" }) }));
    }
    // A cap above the column's is the column's.
    expect(() => parseDecimal("92233720368547758.08", "amount", 2, { max: MAX_UNITS * 10n })).toThrow(/at most 92233720368547758\.07/);
  });

  it("parses every formatted value back to the same units", () => {
    for (const units of [0n, 1n, 9n, 10n, 99n, 100n, 12_345n, 10n ** 12n + 7n, 10n ** 18n - 1n]) {
      for (const scale of [0, 2, 4]) expect(parseDecimal(formatDecimal(units, scale), "a", scale)).toBe(units);
    }
  });
});

describe("full-width digits", () => {
  it("are folded to ASCII, as Chinese input methods type them", () => {
    expect(parseDecimal("１２.５", "capital", 4)).toBe(125000n);
    expect(parseDecimal("１２．５", "capital", 4)).toBe(125000n);
  });
});
