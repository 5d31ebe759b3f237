import { Errors } from "moleculer";
import { EnterpriseType } from "../../../proto/gen/tongban/registration/v1/registration";
import {
  tradeNameKey,
  COMPANY_FORMS,
  SOLE_PROPRIETORSHIP_FORMS,
  checkIndustry,
  checkOrganisationForm,
  checkTradeName,
  fullName,
  nameRegionCode,
  nameRegionWord,
} from "../../../services/business-registration/rules/names";
import { findRegion, type Region } from "../../../services/identity/rules/regions";

/** Runs fn expecting a moleculer error and returns it. */
function thrown(fn: () => unknown): Errors.MoleculerError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(Errors.MoleculerError);
    return err as Errors.MoleculerError;
  }
  throw new Error("expected an error, but the call returned");
}

function region(code: string): Region {
  const r = findRegion(code);
  if (!r) throw new Error(`test fixture: region ${code} is not in the table`);
  return r;
}

function expectInvalid(fn: () => unknown, field: string, reason?: RegExp) {
  const err = thrown(fn);
  expect(err.type).toBe("INVALID_ARGUMENT");
  expect(err.code).toBe(400);
  expect(err.data).toEqual(expect.objectContaining({ field }));
  if (reason) expect((err.data as { reason: string }).reason).toMatch(reason);
  expect(err.message.startsWith(`${field}: `)).toBe(true);
}

function expectRefused(fn: () => unknown, reasonCode: string, messagePart?: string) {
  const err = thrown(fn);
  expect(err.type).toBe("FAILED_PRECONDITION");
  expect(err.code).toBe(412);
  expect(err.data).toEqual({ reasonCode });
  expect(err.message.startsWith(`${reasonCode}: `)).toBe(true);
  if (messagePart) expect(err.message).toContain(messagePart);
}

describe("checkTradeName", () => {
  it.each([
    ["星河", "星河"],
    ["  星河 ", "星河"],
    ["蓝鲸", "蓝鲸"],
    ["星河灿烂光明", "星河灿烂光明"],
  ])("accepts %j as %j", (input, expected) => {
    expect(checkTradeName(input)).toBe(expected);
  });

  it.each([undefined, null, 42, "", "   "])("requires a trade name (%j)", (input) => {
    expectInvalid(() => checkTradeName(input), "trade_name", /^is required$/);
  });

  it.each(["Star", "星河1", "星 河", "星河-", "ＡＢ", "星河！"])("refuses %j: Chinese characters only", (input) => {
    expectInvalid(() => checkTradeName(input), "trade_name", /Chinese characters only/);
  });

  it("refuses a single character and more than six characters, naming the length", () => {
    expectInvalid(() => checkTradeName("星"), "trade_name", /2 to 6 characters \(got 1\)/);
    expectInvalid(() => checkTradeName("星河灿烂光明远"), "trade_name", /2 to 6 characters \(got 7\)/);
  });

  it.each([
    ["军区星", "军区"],
    ["星河赌博", "赌博"],
    ["公安星", "公安"],
    ["蓝色政府", "政府"],
    ["联合国星", "联合国"],
  ])("refuses %j as NAME_FORBIDDEN_WORD (contains %j)", (input, word) => {
    expectRefused(() => checkTradeName(input), "NAME_FORBIDDEN_WORD", `“${word}”`);
  });

  it.each([
    ["中国星", "中国"],
    ["国际", "国际"],
    ["星河国际", "国际"],
    ["中华龙", "中华"],
    ["全国通", "全国"],
  ])("refuses %j as NAME_RESTRICTED_WORD (contains %j)", (input, word) => {
    expectRefused(() => checkTradeName(input), "NAME_RESTRICTED_WORD", `“${word}”`);
  });

  it("checks forbidden words before restricted words", () => {
    expectRefused(() => checkTradeName("中国军队"), "NAME_FORBIDDEN_WORD", "“军队”");
  });

  it.each(["朝阳", "成都", "成都市", "北京", "锦江", "四川", "朝阳区", "浦东新区", "内蒙古"])("refuses the region name %j as NAME_IS_REGION", (input) => {
    expectRefused(() => checkTradeName(input), "NAME_IS_REGION", `“${input}”`);
  });

  it("only refuses a trade name that is a region name, not one that contains it", () => {
    expect(checkTradeName("朝阳星河")).toBe("朝阳星河");
    expect(checkTradeName("成都人家")).toBe("成都人家");
  });
});

describe("checkIndustry", () => {
  it.each([
    ["科技", "科技"],
    [" 餐饮管理 ", "餐饮管理"],
    ["信息技术", "信息技术"],
    ["文化传媒", "文化传媒"],
  ])("accepts the catalogue industry %j", (input, expected) => {
    expect(checkIndustry(input)).toBe(expected);
  });

  it.each([undefined, "", "  ", 7])("requires an industry (%j)", (input) => {
    expectInvalid(() => checkIndustry(input), "industry", /^is required$/);
  });

  it.each(["航天", "科技有限", "Technology"])("refuses %j, which no scope item fits", (input) => {
    expectInvalid(() => checkIndustry(input), "industry", new RegExp(`"${input}" is not an industry of the scope catalogue`));
  });
});

describe("checkOrganisationForm", () => {
  const COMPANY = EnterpriseType.ENTERPRISE_TYPE_COMPANY;
  const SOLE = EnterpriseType.ENTERPRISE_TYPE_SOLE_PROPRIETORSHIP;

  it("lists the forms of each enterprise type", () => {
    expect([...COMPANY_FORMS]).toEqual(["有限公司", "有限责任公司", "股份有限公司"]);
    expect([...SOLE_PROPRIETORSHIP_FORMS]).toEqual(["店", "馆", "工作室", "经营部", "商行", "厂"]);
  });

  it.each(["有限公司", "有限责任公司", "股份有限公司"])("accepts %j for a company", (form) => {
    expect(checkOrganisationForm(form, COMPANY)).toBe(form);
  });

  it.each(["店", "馆", "工作室", "经营部", "商行", "厂"])("accepts %j for a sole proprietorship", (form) => {
    expect(checkOrganisationForm(form, SOLE)).toBe(form);
  });

  it("trims the form", () => {
    expect(checkOrganisationForm(" 有限公司 ", COMPANY)).toBe("有限公司");
  });

  it.each(["店", "工作室", "集团", "", "有限"])("refuses %j for a company", (form) => {
    expectInvalid(() => checkOrganisationForm(form, COMPANY), "organisation_form", /must be one of 有限公司, 有限责任公司, 股份有限公司 for ENTERPRISE_TYPE_COMPANY/);
  });

  it.each(["有限公司", "股份有限公司", "公司"])("refuses %j for a sole proprietorship", (form) => {
    expectInvalid(
      () => checkOrganisationForm(form, SOLE),
      "organisation_form",
      /must be one of 店, 馆, 工作室, 经营部, 商行, 厂 for ENTERPRISE_TYPE_SOLE_PROPRIETORSHIP/,
    );
  });

  it("refuses a missing form", () => {
    expectInvalid(() => checkOrganisationForm(undefined, COMPANY), "organisation_form");
    expectInvalid(() => checkOrganisationForm(3, SOLE), "organisation_form");
  });
});

describe("full names", () => {
  it("builds 行政区划 + 字号 + 行业 + 组织形式 from the city of the region", () => {
    expect(fullName(region("510104"), "星河", "科技", "有限公司")).toBe("成都星河科技有限公司");
    expect(fullName(region("510107"), "蓝鲸", "餐饮管理", "有限责任公司")).toBe("成都蓝鲸餐饮管理有限责任公司");
    expect(fullName(region("440305"), "星河", "贸易", "商行")).toBe("深圳星河贸易商行");
  });

  it("uses the municipality's name for its districts", () => {
    expect(fullName(region("110105"), "星河", "科技", "有限公司")).toBe("北京星河科技有限公司");
    expect(fullName(region("500103"), "山城", "物流", "有限公司")).toBe("重庆山城物流有限公司");
  });

  it("uses the city, not the district or province, as the region word", () => {
    expect(nameRegionWord(region("510104"))).toBe("成都");
    expect(nameRegionWord(region("110105"))).toBe("北京");
    expect(nameRegionWord(region("650102"))).toBe("乌鲁木齐");
  });
});

describe("nameRegionCode", () => {
  it("is the city part of the region code (first four digits)", () => {
    expect(nameRegionCode("510104")).toBe("5101");
    expect(nameRegionCode("110105")).toBe("1101");
    expect(nameRegionCode("440305")).toBe("4403");
  });

  it("puts districts of one city in the same uniqueness region and other cities apart", () => {
    expect(nameRegionCode("510104")).toBe(nameRegionCode("510108"));
    expect(nameRegionCode("210102")).not.toBe(nameRegionCode("210202"));
  });
});

describe("region names with longer suffixes and ordinary words containing 军", () => {
  it.each(["广西", "新疆", "宁夏", "浦东"])("refuses %s as a region name", (t) => {
    expect(() => checkTradeName(t)).toThrow(/NAME_IS_REGION/);
  });
  it("accepts 冠军 (a champion is not the army)", () => {
    expect(checkTradeName("冠军")).toBe("冠军");
  });
});

describe("tradeNameKey", () => {
  it("folds traditional (standard, Taiwan, Hong Kong) to simplified, so one name has one key", () => {
    expect(tradeNameKey("錦城")).toBe("锦城");
    expect(tradeNameKey("锦城")).toBe("锦城");
    expect(tradeNameKey("臺北")).toBe(tradeNameKey("台北"));
    expect(tradeNameKey("星河")).toBe("星河");
  });
  it("finds restricted and forbidden words written in traditional characters", () => {
    expect(() => checkTradeName("中華星")).toThrow(/NAME_RESTRICTED_WORD/);
    expect(() => checkTradeName("賭博城")).toThrow(/NAME_FORBIDDEN_WORD/);
  });
});
