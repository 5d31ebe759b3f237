import { applyRate, clamp, formatRate, formatYuan, parseRate, parseYuan, percentOf, sum } from "../../../services/social-insurance/rules/money";

describe("yuan strings and fen", () => {
  it("parses decimal yuan into exact fen", () => {
    expect(parseYuan("8000")).toBe(800000n);
    expect(parseYuan("8000.5")).toBe(800050n);
    expect(parseYuan("8000.05")).toBe(800005n);
    expect(parseYuan("0.01")).toBe(1n);
    expect(parseYuan("9999999999.99")).toBe(999999999999n);
  });

  it("refuses what is not a plain amount with at most two decimals", () => {
    for (const bad of ["", "-1", "1.234", "1e3", " 1", "1,000", "0x10", ".5", "5.", "12345678901"]) {
      expect(parseYuan(bad)).toBeUndefined();
    }
  });

  it("always writes two decimals", () => {
    expect(formatYuan(0n)).toBe("0.00");
    expect(formatYuan(1n)).toBe("0.01");
    expect(formatYuan(508080n)).toBe("5080.80");
    expect(formatYuan(-250n)).toBe("-2.50");
  });
});

describe("rates", () => {
  it("parses decimal fractions into millionths and writes them back shortest", () => {
    expect(parseRate("0.16")).toBe(160000n);
    expect(parseRate("0.005")).toBe(5000n);
    expect(parseRate("0.075")).toBe(75000n);
    expect(parseRate("1")).toBe(1000000n);
    expect(parseRate("1.1")).toBeUndefined();
    expect(parseRate("0.0000001")).toBeUndefined();
    expect(formatRate(160000n)).toBe("0.16");
    expect(formatRate(5000n)).toBe("0.005");
    expect(formatRate(2000n)).toBe("0.002");
    expect(formatRate(0n)).toBe("0");
    expect(formatRate(1000000n)).toBe("1");
  });
});

describe("applyRate: base × rate rounded half up to the fen", () => {
  it("rounds an exact half fen up, where banker's rounding would go down", () => {
    // 101.00 × 0.5% = 0.505 -> 0.51; 100.00 × 0.5% = 0.50 exactly.
    expect(applyRate(10100n, 5000n)).toBe(51n);
    expect(applyRate(10000n, 5000n)).toBe(50n);
    // 4321.10 × 0.5% = 21.6055 -> 21.61; 1.00 × 0.5% = 0.005 -> 0.01.
    expect(applyRate(432110n, 5000n)).toBe(2161n);
    expect(applyRate(100n, 5000n)).toBe(1n);
  });

  it("rounds below half down and is exact where floating point is not", () => {
    // 5080.80 × 16% = 812.928 -> 812.93; × 8% = 406.464 -> 406.46.
    expect(applyRate(508080n, 160000n)).toBe(81293n);
    expect(applyRate(508080n, 80000n)).toBe(40646n);
    // 1.005 × 100 is 100.49999999999999 in binary floating point; exact arithmetic keeps the half.
    expect(applyRate(201n, 500000n)).toBe(101n);
    expect(applyRate(0n, 160000n)).toBe(0n);
    expect(applyRate(123456n, 0n)).toBe(0n);
  });

  it("refuses negative inputs", () => {
    expect(() => applyRate(-1n, 1n)).toThrow(RangeError);
  });

  it("takes percentages of an average wage the same way", () => {
    expect(percentOf(1176100n, 60n)).toBe(705660n);
    expect(percentOf(1176100n, 300n)).toBe(3528300n);
    expect(percentOf(101n, 50n)).toBe(51n);
  });
});

describe("clamp: the contribution base", () => {
  const floor = 508080n;
  const ceiling = 2540400n;

  it("raises a wage below the floor to the floor", () => {
    expect(clamp(300000n, floor, ceiling)).toBe(floor);
    expect(clamp(1n, floor, ceiling)).toBe(floor);
  });

  it("keeps a wage between the bounds, bounds included", () => {
    expect(clamp(floor, floor, ceiling)).toBe(floor);
    expect(clamp(1234567n, floor, ceiling)).toBe(1234567n);
    expect(clamp(ceiling, floor, ceiling)).toBe(ceiling);
  });

  it("lowers a wage above the ceiling to the ceiling", () => {
    expect(clamp(ceiling + 1n, floor, ceiling)).toBe(ceiling);
    expect(clamp(3000000n, floor, ceiling)).toBe(ceiling);
  });

  it("refuses a floor above the ceiling", () => {
    expect(() => clamp(1n, 2n, 1n)).toThrow(RangeError);
  });

  it("sums exactly", () => {
    expect(sum([])).toBe(0n);
    expect(sum([10n, 20n, 1n])).toBe(31n);
  });
});
