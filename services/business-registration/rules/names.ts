/**
 * Enterprise name rules (企业名称登记管理规定, 2020): 行政区划 + 字号 + 行业 + 组织形式, forbidden and
 * restricted words, and the full name built from them. Uniqueness (字号 within region and industry)
 * is enforced in the database.
 */
import { EnterpriseType } from "../../../proto/gen/tongban/registration/v1/registration";
import { invalidArgument, failedPrecondition } from "../../common/errors";
import { REGIONS, type Region } from "../../identity/rules/regions";
import { INDUSTRIES } from "./scopes";

export const COMPANY_FORMS = ["有限公司", "有限责任公司", "股份有限公司"] as const;
export const SOLE_PROPRIETORSHIP_FORMS = ["店", "馆", "工作室", "经营部", "商行", "厂"] as const;

/** Words no name may carry (harm to the state, society or public order; party, state and army organs). */
const FORBIDDEN = ["共产党", "党委", "党中央", "政府", "人大", "政协", "解放军", "军队", "军区", "武警", "公安", "法院", "检察", "联合国", "赌博", "毒品", "色情", "邪教", "恐怖"];
/** Words only the State Council (or SAMR) may allow (冠以“中国”“中华”“全国”“国家”“国际”等字词). */
const RESTRICTED = ["中国", "中华", "全国", "国家", "国际"];

const CJK = /^[\u4e00-\u9fff]+$/;

// opencc-js is an ES module package whose subpath exports TypeScript's node resolution cannot see.
const { Converter } = require("opencc-js/t2cn") as { Converter(o: { from: string; to: string }): (text: string) => string };
/** Traditional Chinese (OpenCC's standard, with Taiwan and Hong Kong variants) to simplified (mainland). */
const toSimplified = [Converter({ from: "t", to: "cn" }), Converter({ from: "tw", to: "cn" }), Converter({ from: "hk", to: "cn" })];

/**
 * The form in which two trade names are the same name (uniqueness, forbidden and restricted
 * words): NFKC, then traditional characters folded to simplified (OpenCC), so 錦城 is 锦城 and
 * 中華 is 中华.
 */
export function tradeNameKey(tradeName: string): string {
  return toSimplified.reduce((t, convert) => convert(t), tradeName.normalize("NFKC"));
}

/** Region names without their suffix (朝阳区 -> 朝阳, 成都市 -> 成都): a trade name may not be one. */
const REGION_WORDS: ReadonlySet<string> = new Set(
  REGIONS.flatMap((r) => [r.province, r.city, r.district]).flatMap((n) => [n, n.replace(/(壮族自治区|维吾尔自治区|回族自治区|特别行政区|自治区|自治州|新区|回族区|省|市|区|县|旗)$/, "")]),
);

/** The city part used in names: 成都市 -> 成都; 北京市 (municipality) -> 北京. */
export function nameRegionWord(region: Region): string {
  return region.city.replace(/市$/, "");
}

/** The region within which a trade name must be unique: the city (first 4 digits of the code). */
export function nameRegionCode(regionCode: string): string {
  return regionCode.slice(0, 4);
}

/** Checks the trade name (字号); throws INVALID_ARGUMENT or FAILED_PRECONDITION naming the problem. */
export function checkTradeName(tradeName: unknown): string {
  if (typeof tradeName !== "string" || tradeName.trim() === "") throw invalidArgument("trade_name", "is required");
  const t = tradeName.trim();
  if (!CJK.test(t)) throw invalidArgument("trade_name", "must be written in Chinese characters only");
  if ([...t].length < 2 || [...t].length > 6) throw invalidArgument("trade_name", `must be 2 to 6 characters (got ${[...t].length})`);
  // Words are looked for in the simplified form too: 中華 is restricted as 中华 is.
  const key = tradeNameKey(t);
  const forbidden = FORBIDDEN.find((w) => key.includes(w));
  if (forbidden) throw failedPrecondition("NAME_FORBIDDEN_WORD", `字号不得含有“${forbidden}” (the trade name contains a forbidden word)`);
  const restricted = RESTRICTED.find((w) => key.includes(w));
  if (restricted) {
    throw failedPrecondition("NAME_RESTRICTED_WORD", `字号含有“${restricted}”，须经国务院批准 (the word needs State Council approval)`);
  }
  if (REGION_WORDS.has(key)) throw failedPrecondition("NAME_IS_REGION", `字号不得使用行政区划名称“${t}” (a region name is not a trade name)`);
  return t;
}

/** Checks the industry word against the catalogue's industries. */
export function checkIndustry(industry: unknown): string {
  if (typeof industry !== "string" || industry.trim() === "") throw invalidArgument("industry", "is required");
  const i = industry.trim();
  if (!INDUSTRIES.has(i)) throw invalidArgument("industry", `"${i}" is not an industry of the scope catalogue (e.g. ${[...INDUSTRIES].slice(0, 6).join("、")})`);
  return i;
}

/** Checks the organisation form against the enterprise type. */
export function checkOrganisationForm(form: unknown, type: EnterpriseType): string {
  const allowed: readonly string[] = type === EnterpriseType.ENTERPRISE_TYPE_COMPANY ? COMPANY_FORMS : SOLE_PROPRIETORSHIP_FORMS;
  if (typeof form !== "string" || !allowed.includes(form.trim())) {
    throw invalidArgument("organisation_form", `must be one of ${allowed.join(", ")} for ${type}`);
  }
  return form.trim();
}

/** The full name: 成都 + 星河 + 科技 + 有限公司 = 成都星河科技有限公司. */
export function fullName(region: Region, tradeName: string, industry: string, form: string): string {
  return `${nameRegionWord(region)}${tradeName}${industry}${form}`;
}
