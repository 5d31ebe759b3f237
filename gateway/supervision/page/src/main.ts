/**
 * The supervision page: the live board of open cases with their lights (refreshed every 15 s), the
 * red list, statistics for a period (and their CSV), and the rectification cases of bad ratings.
 * Every value from the hub is written as text (textContent), never as markup: names come from
 * applicants.
 */
import { ApiError, getJson, getText, setToken, token, tokenDepartment } from "./api";
import { currentLang, setLang, t, translatePage } from "./i18n";
import "./style.css";

interface Step { step_key: string; step_name: string; department: string; status: string; deadline: string; light: string; overdue: boolean }
interface Case {
  application_id: string; bundle_code: string; bundle_name: string; enterprise_name: string; status: string; submitted_at: string;
  committed_deadline: string; light: string; red_reasons: string[]; red_since: string; steps: Step[]; rectification_id: string;
}
interface Row { [key: string]: string | number }
interface Rectification { rectification_id: string; application_id: string; department: string; level: string; reason: string; due_at: string; status: string; light: string; measures: string; overdue: boolean }

const DEPARTMENTS = ["samr", "tax", "hrss", "psb", "data", "civil", "housing"];
const BUNDLES = ["START_BUSINESS", "HIRE_EMPLOYEE", "CHANGE_REGISTRATION", "CLOSE_BUSINESS"];
const REFRESH_MS = 15_000;

/** Pages a list follows at most (200 rows each): a board of up to 4,000 cases. */
const MAX_PAGES = 20;

/** Every page of a list (following next_page_token), up to MAX_PAGES. */
async function allPages<T>(path: string, query: Record<string, string>, key: string): Promise<T[]> {
  const items: T[] = [];
  let pageToken = "";
  for (let i = 0; i < MAX_PAGES; i++) {
    const page = await getJson<Record<string, unknown>>(path, { ...query, page_size: "200", ...(pageToken ? { page_token: pageToken } : {}) });
    items.push(...(page[key] as T[]));
    pageToken = String(page.next_page_token ?? "");
    if (!pageToken) break;
  }
  return items;
}

const $ = <T extends HTMLElement>(selector: string) => document.querySelector<T>(selector)!;
let tab = "board";

/** An element with text and attributes. */
function el(tag: string, text = "", attrs: Record<string, string> = {}): HTMLElement {
  const e = document.createElement(tag);
  e.textContent = text;
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

/** A time in China, as the centre reads it. */
const time = (iso: string) => (iso ? new Date(iso).toLocaleString(currentLang() === "zh" ? "zh-CN" : "en-GB", { timeZone: "Asia/Shanghai", hour12: false }) : "");

function lamp(light: string): HTMLElement {
  const span = el("span", light ? t(light) : "", { class: `light ${light.toLowerCase()}`, "data-light": light });
  return span;
}

function fillRows(section: string, rows: HTMLElement[], columns: number): void {
  const body = $(`#${section} tbody`);
  body.replaceChildren(...(rows.length > 0 ? rows : [(() => { const tr = el("tr"); tr.append(el("td", t("none"), { colspan: String(columns) })); return tr; })()]));
}

function heads(section: string, words: string[]): void {
  $(`[data-head="${section}"]`).replaceChildren(...words.map((w) => el("th", t(w))));
}

function scope(): Record<string, string> {
  return { department: $<HTMLSelectElement>("#department").value };
}

async function showBoard(): Promise<void> {
  heads("board", ["applicationId", "bundle", "enterprise", "status", "deadline", "light", "steps"]);
  const cases = await allPages<Case>("cases", scope(), "cases");
  const counts = new Map<string, Record<string, number>>();
  for (const c of cases) for (const s of c.steps) if (s.light) {
    const n = counts.get(s.department) ?? { GREEN: 0, YELLOW: 0, RED: 0 };
    n[s.light] = (n[s.light] ?? 0) + 1;
    counts.set(s.department, n);
  }
  $("#summary").replaceChildren(...[...counts.entries()].sort().map(([d, n]) => {
    const box = el("div", "", { class: "department", "data-department": d });
    box.append(el("strong", d), ...["GREEN", "YELLOW", "RED"].map((l) => { const s = lamp(l); s.textContent = `${t(l)} ${n[l] ?? 0}`; return s; }));
    return box;
  }));
  fillRows("board", cases.map((c) => {
    const tr = el("tr", "", { "data-application-id": c.application_id, "data-light": c.light });
    const steps = el("td");
    for (const s of c.steps) {
      const chip = el("span", "", { class: "step", "data-step": s.step_key, "data-light": s.light });
      chip.append(el("span", `${s.step_name}（${s.department}）`), s.light ? lamp(s.light) : el("span", t(s.status)));
      steps.append(chip);
    }
    tr.append(el("td", c.application_id), el("td", c.bundle_name), el("td", c.enterprise_name), el("td", t(c.status)), el("td", time(c.committed_deadline)));
    const light = el("td");
    light.append(lamp(c.light));
    tr.append(light, steps);
    return tr;
  }), 7);
}

async function showRed(): Promise<void> {
  heads("red", ["applicationId", "bundle", "enterprise", "reasons", "redSince", "rectificationId"]);
  const cases = await allPages<Case>("overdue", scope(), "cases");
  fillRows("red", cases.map((c) => {
    const tr = el("tr", "", { "data-application-id": c.application_id, "data-reasons": c.red_reasons.join(" ") });
    tr.append(el("td", c.application_id), el("td", c.bundle_name), el("td", c.enterprise_name), el("td", c.red_reasons.map(t).join("、")), el("td", time(c.red_since)), el("td", c.rectification_id));
    return tr;
  }), 6);
}

const STAT_COLUMNS = ["department", "bundle_code", "accepted", "completed", "immediate_rate", "on_time_rate", "early_rate", "average_working_days", "satisfaction_rate", "bad_ratings", "rectification_rate", "revisit_rate"];
/** What each rate is a share of. */
const RATE_OF: Record<string, string> = {
  immediate_rate: "completed", on_time_rate: "completed", early_rate: "completed",
  satisfaction_rate: "ratings", rectification_rate: "bad_ratings", revisit_rate: "rectified",
};
const STAT_WORDS = ["department", "bundle", "accepted", "completed", "immediateRate", "onTimeRate", "earlyRate", "averageWorkingDays", "satisfactionRate", "badRatings", "rectificationRate", "revisitRate"];

function period(): Record<string, string> {
  return { ...scope(), from: $<HTMLInputElement>("#from").value, to: $<HTMLInputElement>("#to").value, bundle_code: $<HTMLSelectElement>("#bundle").value };
}

async function showStats(): Promise<void> {
  heads("stats", STAT_WORDS);
  const { rows } = await getJson<{ rows: Row[] }>("statistics", period());
  fillRows("stats", rows.map((r) => {
    const tr = el("tr", "", { "data-department": String(r.department), "data-bundle": String(r.bundle_code) });
    for (const key of STAT_COLUMNS) {
      const v = r[key];
      // A rate with nothing to divide by is shown as "–", not 0 %.
      const of = RATE_OF[key];
      const text = of !== undefined ? (Number(r[of]) === 0 ? "–" : `${(Number(v) * 100).toFixed(1)}%`) : String(v);
      tr.append(el("td", text, { "data-column": key }));
    }
    return tr;
  }), STAT_COLUMNS.length);
}

async function downloadCsv(): Promise<void> {
  const p = period();
  const csv = await getText("statistics", { ...p, format: "csv" });
  const link = el("a", "", { href: URL.createObjectURL(new Blob([csv], { type: "text/csv" })), download: `statistics-${p.from}-${p.to}.csv` }) as HTMLAnchorElement;
  link.click();
  URL.revokeObjectURL(link.href);
}

async function showRect(): Promise<void> {
  heads("rect", ["rectificationId", "applicationId", "department", "level", "reason", "dueAt", "status", "light", "measures"]);
  const rectifications = await allPages<Rectification>("rectifications", { ...scope(), status: $<HTMLSelectElement>("#rect-status").value }, "rectifications");
  fillRows("rect", rectifications.map((r) => {
    const tr = el("tr", "", { "data-rectification-id": r.rectification_id, "data-status": r.status });
    const light = el("td");
    if (r.light) light.append(lamp(r.light));
    tr.append(el("td", r.rectification_id), el("td", r.application_id), el("td", r.department), el("td", t(r.level)), el("td", r.reason), el("td", time(r.due_at), { "data-due": r.due_at }), el("td", t(r.status)), light, el("td", r.measures));
    return tr;
  }), 9);
}

const SHOW: Record<string, () => Promise<void>> = { board: showBoard, red: showRed, stats: showStats, rect: showRect };

async function refresh(): Promise<void> {
  const message = $("#message");
  if (!token()) {
    message.textContent = t("needToken");
    return;
  }
  try {
    await SHOW[tab]();
    message.textContent = "";
    $("#updated").textContent = `${t("updated")} ${time(new Date().toISOString())}`;
    document.body.dataset.loaded = tab;
  } catch (err) {
    message.textContent = err instanceof ApiError ? `${err.status}: ${err.message}` : String(err);
  }
}

function options(select: HTMLSelectElement, values: string[], all: string): void {
  const keep = select.value;
  select.replaceChildren(el("option", t(all), { value: "" }), ...values.map((v) => el("option", t(v), { value: v })));
  select.value = values.includes(keep) ? keep : "";
}

function render(): void {
  translatePage();
  const dept = tokenDepartment();
  $("#who").textContent = dept ? `${t("signedInAs")}: ${dept}` : "";
  options($<HTMLSelectElement>("#department"), dept && dept !== "supervision" ? [] : DEPARTMENTS, "allDepartments");
  options($<HTMLSelectElement>("#bundle"), BUNDLES, "allBundles");
  options($<HTMLSelectElement>("#rect-status"), ["OPEN", "ANSWERED", "CLOSED"], "allStatuses");
  for (const b of document.querySelectorAll<HTMLButtonElement>("[data-tab]")) b.classList.toggle("active", b.dataset.tab === tab);
  for (const p of document.querySelectorAll<HTMLElement>("[data-panel]")) p.hidden = p.dataset.panel !== tab;
}

function start(): void {
  setLang(currentLang());
  const today = new Date().toLocaleDateString("sv-SE", { timeZone: "Asia/Shanghai" });
  $<HTMLInputElement>("#to").value = today;
  $<HTMLInputElement>("#from").value = `${today.slice(0, 8)}01`;
  render();
  $("#use-token").addEventListener("click", () => {
    setToken($<HTMLInputElement>("#token").value);
    $<HTMLInputElement>("#token").value = "";
    render();
    void refresh();
  });
  $("#lang").addEventListener("click", () => {
    setLang(currentLang() === "zh" ? "en" : "zh");
    render();
    void refresh();
  });
  for (const b of document.querySelectorAll<HTMLButtonElement>("[data-tab]")) {
    b.addEventListener("click", () => {
      tab = b.dataset.tab!;
      render();
      void refresh();
    });
  }
  $("#refresh").addEventListener("click", () => void refresh());
  $("#department").addEventListener("change", () => void refresh());
  $("#rect-status").addEventListener("change", () => void refresh());
  $("#period").addEventListener("submit", (e) => {
    e.preventDefault();
    void refresh();
  });
  $("#csv").addEventListener("click", () => void downloadCsv().catch((err: unknown) => ($("#message").textContent = String(err))));
  setInterval(() => {
    if (tab === "board" || tab === "red") void refresh();
  }, REFRESH_MS);
  void refresh();
}

start();
