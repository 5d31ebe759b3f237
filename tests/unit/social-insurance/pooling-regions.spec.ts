import {
  CONFIGURED_REGIONS,
  contributionRatesOf,
  insuranceRates,
  poolingRegionOf,
  regionRates,
} from "../../../services/social-insurance/rules/pooling-regions";
import { formatYuan } from "../../../services/social-insurance/rules/money";

describe("poolingRegionOf: 统筹区 is the city, the first four digits", () => {
  it("takes the city of a county-level code", () => {
    expect(poolingRegionOf("110105")).toBe("1101"); // 北京市朝阳区
    expect(poolingRegionOf("310115")).toBe("3101"); // 上海市浦东新区
    expect(poolingRegionOf("440305")).toBe("4403"); // 深圳市南山区
    expect(poolingRegionOf("350922")).toBe("3509"); // 宁德市古田县 belongs to 宁德, not a county pool
    expect(poolingRegionOf("230604")).toBe("2306"); // 大庆市让胡路区
  });

  it("accepts a city code as it is", () => {
    expect(poolingRegionOf("5101")).toBe("5101");
    expect(poolingRegionOf("3501")).toBe("3501");
  });

  it("refuses province-level codes, unknown provinces and malformed codes", () => {
    for (const bad of ["110000", "4400", "990101", "100000", "11010", "1101051", "11a105", ""]) {
      expect(poolingRegionOf(bad)).toBeUndefined();
    }
  });
});

describe("regionRates: bases from the local average wage", () => {
  it("sets the floor at 60% and the ceiling at 300% of the average wage", () => {
    const beijing = regionRates("1101");
    expect(beijing.name).toBe("北京市");
    expect(formatYuan(beijing.baseFloorFen)).toBe("7056.60"); // 11761 × 60%
    expect(formatYuan(beijing.baseCeilingFen)).toBe("35283.00"); // 11761 × 300%
    const chengdu = regionRates("5101");
    expect(formatYuan(chengdu.baseFloorFen)).toBe("5080.80");
    expect(formatYuan(chengdu.baseCeilingFen)).toBe("25404.00");
  });

  it("has its own figures for the listed cities, each with a medical rate of 7%-10%", () => {
    expect(CONFIGURED_REGIONS).toEqual(["1101", "2306", "3101", "3501", "3509", "4401", "4403", "5101"]);
    for (const region of CONFIGURED_REGIONS) {
      const r = regionRates(region);
      expect(r.isDefault).toBe(false);
      expect(r.medicalEmployerPpm).toBeGreaterThanOrEqual(70000n);
      expect(r.medicalEmployerPpm).toBeLessThanOrEqual(100000n);
      expect(r.baseCeilingFen).toBe(r.baseFloorFen * 5n);
    }
  });

  it("falls back to the documented default elsewhere, named from the region table", () => {
    const nanjing = regionRates("3201");
    expect(nanjing.isDefault).toBe(true);
    expect(nanjing.name).toBe("南京市");
    expect(formatYuan(nanjing.baseFloorFen)).toBe("4500.00");
    expect(formatYuan(nanjing.baseCeilingFen)).toBe("22500.00");
    expect(regionRates("3207").name).toBe("统筹区3207");
  });
});

describe("insuranceRates", () => {
  it("gives the national rates, the city's medical rate and the class's work-injury rate", () => {
    const rates = insuranceRates(regionRates("3101"), 5);
    expect(rates).toEqual([
      { insurance: "pension", employerPpm: 160000n, employeePpm: 80000n },
      { insurance: "medical", employerPpm: 100000n, employeePpm: 20000n },
      { insurance: "unemployment", employerPpm: 5000n, employeePpm: 5000n },
      { insurance: "work_injury", employerPpm: 11000n, employeePpm: 0n },
    ]);
  });

  it("answers a region's rates as decimal strings", () => {
    expect(contributionRatesOf("4403")).toEqual({
      region: "4403",
      regionName: "深圳市",
      baseFloor: "7778.40",
      baseCeiling: "38892.00",
      rates: [
        { insurance: "pension", employerRate: "0.16", employeeRate: "0.08" },
        { insurance: "medical", employerRate: "0.07", employeeRate: "0.02" },
        { insurance: "unemployment", employerRate: "0.005", employeeRate: "0.005" },
        { insurance: "work_injury", employerRate: "0.002", employeeRate: "0" },
      ],
    });
  });
});
