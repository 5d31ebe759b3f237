import {
  isRiskClass,
  riskClassOfIndustry,
  riskClassOfScope,
  workInjuryRatePpm,
} from "../../../services/social-insurance/rules/risk-class";
import { formatRate } from "../../../services/social-insurance/rules/money";

describe("riskClassOfIndustry (工伤保险行业风险分类表 on GB/T 4754-2017 codes)", () => {
  it.each([
    ["I6510", 1, "软件开发"],
    ["I6560", 1, "信息技术咨询服务"],
    ["J6620", 1, "货币银行服务"],
    ["M7520", 1, "科技中介服务"],
    ["I6420", 2, "互联网信息服务"],
    ["F5211", 2, "百货零售"],
    ["H6210", 2, "正餐服务"],
    ["L7243", 2, "企业管理咨询"],
    ["Q8411", 2, "综合医院"],
    ["Q8510", 1, "社会工作"],
    ["C1391", 3, "食品加工"],
    ["C3911", 3, "计算机制造"],
    ["O8111", 3, "汽车修理与维护"],
    ["R9011", 3, "歌舞厅娱乐活动"],
    ["G5920", 2, "通用仓储"],
    ["R8910", 4, "体育组织"],
    ["A0111", 4, "谷物种植"],
    ["C3411", 4, "通用设备制造"],
    ["E4910", 5, "建筑安装"],
    ["G5431", 5, "普通货物道路运输"],
    ["G5910", 5, "装卸搬运"],
    ["E4710", 6, "房屋建筑"],
    ["E4811", 6, "土木工程"],
    ["C2611", 6, "化学原料制造"],
    ["B0710", 7, "石油开采"],
    ["C2511", 7, "原油加工"],
    ["B0610", 8, "烟煤和无烟煤开采"],
    ["B0810", 8, "铁矿采选"],
  ])("%s -> class %i (%s)", (code, expected) => {
    expect(riskClassOfIndustry(code)).toBe(expected);
  });

  it("reads section letter and division whatever the detail or case", () => {
    expect(riskClassOfIndustry("i65")).toBe(1);
    expect(riskClassOfIndustry(" F52 ")).toBe(2);
  });

  it("gives nothing for what is not an industry code", () => {
    for (const bad of ["", "6510", "Z1234", "I6", "I65100", "软件开发"]) expect(riskClassOfIndustry(bad)).toBeUndefined();
  });
});

describe("riskClassOfScope: the main business, listed first, decides", () => {
  it("takes the class of the first item", () => {
    expect(riskClassOfScope(["I6510", "I6560"])).toBe(1);
    expect(riskClassOfScope(["I6510", "H6210"])).toBe(1);
    expect(riskClassOfScope(["H6210", "I6510"])).toBe(2);
    expect(riskClassOfScope(["E4710", "F5191"])).toBe(6);
  });

  it("passes over unusable codes and is undefined when none is usable", () => {
    expect(riskClassOfScope(["bogus", "H6210"])).toBe(2);
    expect(riskClassOfScope(["bogus"])).toBeUndefined();
    expect(riskClassOfScope([])).toBeUndefined();
  });
});

describe("work-injury benchmark rates", () => {
  it("are 0.2% to 1.9% for classes 1 to 8", () => {
    const rates = [1, 2, 3, 4, 5, 6, 7, 8].map((c) => formatRate(workInjuryRatePpm(c)));
    expect(rates).toEqual(["0.002", "0.004", "0.007", "0.009", "0.011", "0.013", "0.015", "0.019"]);
  });

  it("exist only for classes 1-8", () => {
    expect(isRiskClass(0)).toBe(false);
    expect(isRiskClass(9)).toBe(false);
    expect(isRiskClass(2.5)).toBe(false);
    expect(() => workInjuryRatePpm(0)).toThrow(RangeError);
  });
});
