/**
 * The business scope catalogue (经营范围规范表述), keyed by GB/T 4754-2017 industry codes, and the
 * industry words a name may use (名称中的行业表述). The first scope item is the main business: the
 * name's industry word must fit it (名称行业表述应当与主营业务一致).
 */
import type { BusinessScope } from "../../../proto/gen/tongban/registration/v1/registration";

interface ScopeItem extends BusinessScope {
  /** Industry words of names that fit this item; `industry` is the first. */
  industries: string[];
}

const item = (code: string, description: string, industries: string[], requiresPermit = false): ScopeItem => ({
  code,
  description,
  industry: industries[0],
  industries,
  requiresPermit,
});

export const SCOPE_CATALOGUE: ScopeItem[] = [
  item("I6510", "软件开发", ["科技", "信息技术", "软件", "网络科技"]),
  item("I6531", "信息系统集成服务", ["信息技术", "科技", "网络科技"]),
  item("I6540", "信息技术运行维护服务", ["信息技术", "科技"]),
  item("I6550", "信息处理和存储支持服务", ["信息技术", "科技", "数据科技"]),
  item("I6560", "信息技术咨询服务", ["信息技术", "科技", "咨询"]),
  item("M7320", "工程和技术研究和试验发展", ["科技", "技术"]),
  item("L7243", "企业管理咨询", ["咨询", "企业管理", "管理咨询"]),
  item("F5191", "日用百货销售", ["贸易", "商贸", "百货"]),
  item("F5127", "酒类批发", ["贸易", "商贸", "酒业"], true),
  item("F5226", "酒类零售", ["贸易", "商贸", "酒业"], true),
  item("F5227", "烟草制品零售", ["贸易", "商贸"], true),
  item("F5134", "化妆品批发", ["贸易", "商贸", "日化"]),
  item("F5129", "食品销售", ["食品", "贸易", "商贸"], true),
  item("H6210", "餐饮服务", ["餐饮", "餐饮管理", "食品"], true),
  item("H6231", "茶馆服务", ["茶业", "餐饮"]),
  item("A0164", "茶叶种植", ["茶业", "农业"]),
  item("C1530", "精制茶加工", ["茶业", "食品"], true),
  item("E4710", "住宅房屋建筑", ["建筑工程", "建设"], true),
  item("G5431", "普通货物道路运输", ["物流", "运输"], true),
  item("K7010", "房地产开发经营", ["房地产", "置业"], true),
  item("R8720", "广告设计、代理", ["文化传媒", "广告"]),
];

const BY_CODE = new Map(SCOPE_CATALOGUE.map((s) => [s.code, s]));

/** The industry words a name may use: every word some scope item fits. */
export const INDUSTRIES: ReadonlySet<string> = new Set(SCOPE_CATALOGUE.flatMap((s) => s.industries));

/** A scope item by code. */
export function findScope(code: string): ScopeItem | undefined {
  return BY_CODE.get(code);
}

/** The public form of a scope item (as in the contract). */
export function toBusinessScope(s: ScopeItem): BusinessScope {
  return { code: s.code, description: s.description, industry: s.industry, requiresPermit: s.requiresPermit };
}

/** Whether a name's industry word fits the main (first) business of a scope list. */
export function industryFitsMainBusiness(industry: string, codes: string[]): boolean {
  return codes.length > 0 && (findScope(codes[0])?.industries.includes(industry) ?? false);
}
