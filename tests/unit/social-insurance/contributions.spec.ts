import { contributionLine, contributionStatement } from "../../../services/social-insurance/rules/contributions";
import { insuranceRates, regionRates } from "../../../services/social-insurance/rules/pooling-regions";
import { clamp, parseYuan } from "../../../services/social-insurance/rules/money";

/**
 * A worked statement for 成都 (5101), risk class 1, computed by hand.
 * Average wage 8468 元: floor 60% = 5080.80, ceiling 300% = 25404.00.
 * Rates: pension 16% / 8%, medical 7.5% / 2%, unemployment 0.5% / 0.5%, work injury 0.2% / 0.
 */
describe("contribution statement, worked example (成都, class 1, 2026-11)", () => {
  const chengdu = regionRates("5101");
  const rates = insuranceRates(chengdu, 1);
  const base = (wage: string) => clamp(parseYuan(wage)!, chengdu.baseFloorFen, chengdu.baseCeilingFen);
  const employees = [
    // wage 3000.00, below the floor: base 5080.80
    { idNumber: "510104199001011234", name: "张三", baseFen: base("3000.00") },
    // wage 12345.67, between the bounds: base 12345.67
    { idNumber: "510104199202022345", name: "李四", baseFen: base("12345.67") },
    // wage 30000.00, above the ceiling: base 25404.00
    { idNumber: "510104198503033456", name: "王五", baseFen: base("30000") },
  ];
  const statement = contributionStatement("91510100MA6C9XXX00", "2026-11", employees, rates);

  it("sets each base within the floor and ceiling", () => {
    expect(statement.lines.map((l) => l.contributionBase)).toEqual(["5080.80", "12345.67", "25404.00"]);
  });

  it("rounds each item half up to the fen", () => {
    // 5080.80 × 16% = 812.928 -> 812.93 | × 8% = 406.464 -> 406.46
    // 5080.80 × 7.5% = 381.06          | × 2% = 101.616 -> 101.62
    // 5080.80 × 0.5% = 25.404 -> 25.40 | × 0.5% -> 25.40
    // 5080.80 × 0.2% = 10.1616 -> 10.16 | 0
    expect(statement.lines[0].items).toEqual([
      { insurance: "pension", employerAmount: "812.93", employeeAmount: "406.46" },
      { insurance: "medical", employerAmount: "381.06", employeeAmount: "101.62" },
      { insurance: "unemployment", employerAmount: "25.40", employeeAmount: "25.40" },
      { insurance: "work_injury", employerAmount: "10.16", employeeAmount: "0.00" },
    ]);
    // 12345.67: 1975.3072 -> 1975.31 | 987.6536 -> 987.65; 925.92525 -> 925.93 | 246.9134 -> 246.91;
    // 61.72835 -> 61.73 both; 24.69134 -> 24.69
    expect(statement.lines[1].items).toEqual([
      { insurance: "pension", employerAmount: "1975.31", employeeAmount: "987.65" },
      { insurance: "medical", employerAmount: "925.93", employeeAmount: "246.91" },
      { insurance: "unemployment", employerAmount: "61.73", employeeAmount: "61.73" },
      { insurance: "work_injury", employerAmount: "24.69", employeeAmount: "0.00" },
    ]);
    // 25404.00: 4064.64 | 2032.32; 1905.30 | 508.08; 127.02 both; 50.808 -> 50.81
    expect(statement.lines[2].items).toEqual([
      { insurance: "pension", employerAmount: "4064.64", employeeAmount: "2032.32" },
      { insurance: "medical", employerAmount: "1905.30", employeeAmount: "508.08" },
      { insurance: "unemployment", employerAmount: "127.02", employeeAmount: "127.02" },
      { insurance: "work_injury", employerAmount: "50.81", employeeAmount: "0.00" },
    ]);
  });

  it("adds the rounded items into line totals", () => {
    // 812.93 + 381.06 + 25.40 + 10.16 = 1229.55 | 406.46 + 101.62 + 25.40 = 533.48
    // 1975.31 + 925.93 + 61.73 + 24.69 = 2987.66 | 987.65 + 246.91 + 61.73 = 1296.29
    // 4064.64 + 1905.30 + 127.02 + 50.81 = 6147.77 | 2032.32 + 508.08 + 127.02 = 2667.42
    expect(statement.lines.map((l) => [l.employerTotal, l.employeeTotal])).toEqual([
      ["1229.55", "533.48"],
      ["2987.66", "1296.29"],
      ["6147.77", "2667.42"],
    ]);
  });

  it("adds the line totals into the statement totals", () => {
    expect(statement).toMatchObject({
      employerCreditCode: "91510100MA6C9XXX00",
      month: "2026-11",
      employerTotal: "10364.98", // 1229.55 + 2987.66 + 6147.77
      employeeTotal: "4497.19", // 533.48 + 1296.29 + 2667.42
    });
    expect(statement.lines.map((l) => l.name)).toEqual(["张三", "李四", "王五"]);
  });
});

describe("contributionLine", () => {
  const rates = insuranceRates(regionRates("5101"), 1);

  it("rounds per item, not the total: 5000.03 gives 1210.00, not round(1210.00726)", () => {
    // 800.0048 -> 800.00, 375.00225 -> 375.00, 25.00015 -> 25.00, 10.00006 -> 10.00
    const { line, employerFen } = contributionLine({ idNumber: "x", name: "y", baseFen: 500003n }, rates);
    expect(line.employerTotal).toBe("1210.00");
    expect(employerFen).toBe(121000n);
  });

  it("uses the employer's work-injury class", () => {
    const class8 = insuranceRates(regionRates("5101"), 8);
    const { line } = contributionLine({ idNumber: "x", name: "y", baseFen: 1000000n }, class8);
    expect(line.items.find((i) => i.insurance === "work_injury")).toEqual({ insurance: "work_injury", employerAmount: "190.00", employeeAmount: "0.00" });
  });

  it("gives an empty statement zero totals", () => {
    expect(contributionStatement("c", "2026-01", [], rates)).toEqual({ employerCreditCode: "c", month: "2026-01", lines: [], employerTotal: "0.00", employeeTotal: "0.00" });
  });
});
