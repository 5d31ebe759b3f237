/** The page's words: Chinese first, English available (the choice is kept in localStorage). */
export type Lang = "zh" | "en";

const WORDS = {
  title: ["政务服务电子监察", "Government service supervision"],
  tokenPlaceholder: ["监察令牌（POST /v1/supervision/sessions）", "Officer token (POST /v1/supervision/sessions)"],
  signIn: ["登录", "Sign in"],
  signedInAs: ["当前部门", "Department"],
  otherLanguage: ["English", "中文"],
  tabBoard: ["办件看板", "Open cases"],
  tabRed: ["红灯/超期", "Red list"],
  tabStats: ["统计", "Statistics"],
  tabRect: ["差评整改", "Rectifications"],
  department: ["部门", "Department"],
  allDepartments: ["全部部门", "All departments"],
  refresh: ["刷新", "Refresh"],
  updated: ["更新于", "Updated"],
  applicationId: ["受理号", "Application"],
  bundle: ["一件事", "Bundle"],
  allBundles: ["全部", "All"],
  enterprise: ["企业", "Enterprise"],
  status: ["状态", "Status"],
  allStatuses: ["全部", "All"],
  deadline: ["承诺时限", "Committed deadline"],
  light: ["灯", "Light"],
  steps: ["环节", "Steps"],
  reasons: ["原因", "Reasons"],
  redSince: ["红灯起始", "Red since"],
  from: ["开始日期", "From"],
  to: ["结束日期", "To"],
  show: ["查询", "Show"],
  csv: ["导出 CSV", "Export CSV"],
  accepted: ["受理", "Accepted"],
  completed: ["办结", "Completed"],
  immediateRate: ["即办率", "Same-day rate"],
  onTimeRate: ["按时办结率", "On-time rate"],
  earlyRate: ["提前办结率", "Early rate"],
  averageWorkingDays: ["平均工作日", "Avg. working days"],
  satisfactionRate: ["满意率", "Satisfaction"],
  badRatings: ["差评", "Bad ratings"],
  rectificationRate: ["整改率", "Rectified"],
  revisitRate: ["回访率", "Called back"],
  rectificationId: ["整改编号", "Case"],
  level: ["评价", "Rating"],
  reason: ["理由", "Reason"],
  dueAt: ["整改期限", "Due"],
  measures: ["整改措施", "Measures"],
  none: ["暂无", "None"],
  needToken: ["请先输入监察令牌登录。", "Sign in with an officer token first."],
  GREEN: ["绿灯", "Green"],
  YELLOW: ["黄灯", "Yellow"],
  RED: ["红灯", "Red"],
  APPLICATION_OVERDUE: ["办件超期", "Application overdue"],
  STEP_OVERDUE: ["环节超期", "Step overdue"],
  BAD_RATING: ["差评未整改", "Bad rating unanswered"],
  OPEN: ["待整改", "Open"],
  ANSWERED: ["已整改", "Answered"],
  CLOSED: ["已回访", "Closed"],
  RUNNING: ["办理中", "Running"],
  FAILED: ["回退中", "Compensating"],
  COMPLETED: ["已办结", "Completed"],
  COMPENSATED: ["已回退", "Compensated"],
  VERY_SATISFIED: ["非常满意", "Very satisfied"],
  SATISFIED: ["满意", "Satisfied"],
  BASICALLY_SATISFIED: ["基本满意", "Basically satisfied"],
  DISSATISFIED: ["不满意", "Dissatisfied"],
  VERY_DISSATISFIED: ["非常不满意", "Very dissatisfied"],
} as const;

export type Word = keyof typeof WORDS;

let lang: Lang = localStorage.getItem("tongban.lang") === "en" ? "en" : "zh";

export const currentLang = (): Lang => lang;

export function setLang(next: Lang): void {
  lang = next;
  localStorage.setItem("tongban.lang", next);
  document.documentElement.lang = next === "zh" ? "zh-CN" : "en";
}

/** The word in the current language; a code without a word is shown as it is. */
export function t(key: string): string {
  const entry = (WORDS as Record<string, readonly [string, string]>)[key];
  return entry ? entry[lang === "zh" ? 0 : 1] : key;
}

/** Writes the words into every element marked data-t / data-t-placeholder. */
export function translatePage(): void {
  for (const el of document.querySelectorAll<HTMLElement>("[data-t]")) el.textContent = t(el.dataset.t!);
  for (const el of document.querySelectorAll<HTMLInputElement>("[data-t-placeholder]")) el.placeholder = t(el.dataset.tPlaceholder!);
  document.title = t("title");
}
