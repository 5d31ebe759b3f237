/**
 * 电子监察's statistics per department, bundle and period. A unit of work is what one department
 * did in one application: the one window (department `data`) answers for each application as a
 * whole — accepted, completed (COMPLETED), the committed deadline, the overall rating; every other
 * department for its steps in it — completed when all its steps ended done (SUCCEEDED or DROPPED,
 * at least one SUCCEEDED), at its last step's finish, on time only when each of its steps finished
 * by that step's own deadline (a late step is not hidden by a later step's deadline), rated by the
 * applicant's rating of that department. Units count in the period their application was submitted
 * (China dates, both ends included).
 *
 *   accepted            units of applications submitted in the period
 *   completed           of those, completed (so far)
 *   即办率 immediateRate completed on the working day of acceptance (0 working days used) / completed
 *   按时办结率 onTimeRate completed by the deadline (every step by its own) / completed
 *   提前办结率 earlyRate  completed on a working day before the deadline's (every step before its own) / completed
 *   averageWorkingDays  mean working days used by the completed (WorkingCalendar.workingDaysUsed)
 *   满意率 satisfactionRate ratings 基本满意 or better / ratings
 *   badRatings          不满意 and 非常不满意 (each opened a rectification case)
 *   差评整改率 rectificationRate bad ratings the department answered / badRatings
 *   回访率 revisitRate   answered cases the applicant was called back on / answered
 * A rate with nothing to divide by is 0 (its count says so).
 */
import type { Queryable } from "../../services/common/db/database";
import { invalidArgument } from "../../services/common/errors";
import { requireDate } from "../../services/common/validate";
import { ONE_WINDOW } from "../../services/common/caller";
import { endOfChinaDay, type WorkingCalendar } from "../../services/common/working-days";
import { isBad, isSatisfied } from "./levels";
import type { StatisticsRow } from "../../proto/gen/tongban/gateway/v1/supervision";

export type { StatisticsRow };

/** One department's work in one application. */
export interface WorkUnit {
  department: string;
  bundleCode: string;
  submittedAt: Date;
  deadline: Date | null;
  /** When the department's part (or the application) was completed; null while not. */
  completedAt: Date | null;
  /**
   * A department's steps, each with its own clock (from when it became ready to its deadline):
   * on time and early are decided step by step. Absent for the one window's unit (the application).
   */
  steps?: Array<{ readyAt: Date; deadline: Date; finishedAt: Date }>;
  /** The applicant's score for this unit, if rated. */
  score?: number;
  /** The status of the rectification case of a bad rating. */
  rectification?: "OPEN" | "ANSWERED" | "CLOSED";
}

const rate = (n: number, of: number) => (of === 0 ? 0 : Math.round((n / of) * 10_000) / 10_000);

/** The statistics of a set of units, one row per (department, bundle), sorted by both. Pure. */
export function computeStatistics(units: readonly WorkUnit[], calendar: WorkingCalendar): StatisticsRow[] {
  const groups = new Map<string, WorkUnit[]>();
  for (const u of units) {
    const key = `${u.department}\u0000${u.bundleCode}`;
    const group = groups.get(key);
    if (group) group.push(u);
    else groups.set(key, [u]);
  }
  /** A piece of work by its own deadline; early when finished on a working day before its deadline's. */
  const onTimeOf = (p: { finishedAt: Date; deadline: Date | null }) => !p.deadline || p.finishedAt.getTime() <= p.deadline.getTime();
  const earlyOf = (p: { startedAt: Date; finishedAt: Date; deadline: Date | null }) =>
    !p.deadline || calendar.workingDaysUsed(p.startedAt, p.finishedAt) < calendar.workingDaysUsed(p.startedAt, new Date(p.deadline.getTime() - 1));
  const pieces = (u: WorkUnit) =>
    u.steps && u.steps.length > 0
      ? u.steps.map((st) => ({ startedAt: st.readyAt, finishedAt: st.finishedAt, deadline: st.deadline }))
      : [{ startedAt: u.submittedAt, finishedAt: u.completedAt!, deadline: u.deadline }];
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, group]) => {
      const done = group.filter((u) => u.completedAt !== null);
      const used = done.map((u) => calendar.workingDaysUsed(u.submittedAt, u.completedAt!));
      const immediate = used.filter((n) => n === 0).length;
      const onTime = done.filter((u) => pieces(u).every(onTimeOf)).length;
      const early = done.filter((u) => pieces(u).every(earlyOf)).length;
      const rated = group.filter((u) => u.score !== undefined);
      const bad = rated.filter((u) => isBad(u.score!));
      const rectified = bad.filter((u) => u.rectification === "ANSWERED" || u.rectification === "CLOSED").length;
      const revisited = bad.filter((u) => u.rectification === "CLOSED").length;
      const satisfied = rated.filter((u) => isSatisfied(u.score!)).length;
      return {
        department: group[0].department,
        bundleCode: group[0].bundleCode,
        accepted: group.length,
        completed: done.length,
        immediate,
        onTime,
        early,
        immediateRate: rate(immediate, done.length),
        onTimeRate: rate(onTime, done.length),
        earlyRate: rate(early, done.length),
        averageWorkingDays: done.length === 0 ? 0 : Math.round((used.reduce((a, b) => a + b, 0) / done.length) * 100) / 100,
        ratings: rated.length,
        satisfied,
        satisfactionRate: rate(satisfied, rated.length),
        badRatings: bad.length,
        rectified,
        rectificationRate: rate(rectified, bad.length),
        revisited,
        revisitRate: rate(revisited, rectified),
      };
    });
}

/** Years a period may name: no application predates the hub, and the database's time range stays far. */
const MIN_YEAR = 1970;
const MAX_YEAR = 2999;
/** Longest period one request covers, in days. */
export const MAX_PERIOD_DAYS = 366;

/**
 * A checked period: `from` and `to` China dates (YYYY-MM-DD, full-width digits folded; years
 * 1970-2999), from ≤ to, at most 366 days.
 * Returns the instants [start, end). INVALID_ARGUMENT naming `from` or `to`.
 */
export function periodOf(from: unknown, to: unknown): { from: string; to: string; start: Date; end: Date } {
  const check = (raw: unknown, field: string) => {
    // Full-width digits and dashes folded, a month or day that does not exist (2026-13-45,
    // 2026-02-30) refused, as everywhere a date is expected.
    const value = requireDate(raw, field);
    const year = Number(value.slice(0, 4));
    if (year < MIN_YEAR || year > MAX_YEAR) throw invalidArgument(field, `must be a date from ${MIN_YEAR} to ${MAX_YEAR}`);
    return value;
  };
  const f = check(from, "from");
  const t = check(to, "to");
  if (t < f) throw invalidArgument("to", `must not be before from (${f})`);
  const start = new Date(endOfChinaDay(f).getTime() - 86_400_000);
  const end = endOfChinaDay(t);
  if (end.getTime() - start.getTime() > MAX_PERIOD_DAYS * 86_400_000) throw invalidArgument("to", `the period must be at most ${MAX_PERIOD_DAYS} days`);
  return { from: f, to: t, start, end };
}

/**
 * The work units of applications submitted in [start, end), in scope: `department` "" for every
 * department (the one window's units included), or one department's; `bundleCode` "" for all.
 */
export async function workUnits(q: Queryable, scope: { department: string; bundleCode: string }, start: Date, end: Date): Promise<WorkUnit[]> {
  const { rows } = await q.query<{
    department: string; bundle_code: string; submitted_at: string; deadline: string | null; completed_at: string | null; score: number | null;
    rectification: WorkUnit["rectification"] | null; steps: Array<{ ready_at: string; deadline: string; finished_at: string }> | null;
  }>(
    `WITH apps AS (
       SELECT application_id, bundle_code, submitted_at, committed_deadline, status, finished_at
       FROM applications WHERE submitted_at >= $1 AND submitted_at < $2 AND ($3 = '' OR bundle_code = $3)
     ),
     units AS (
       SELECT a.application_id, $5::text AS department, a.bundle_code, a.submitted_at, a.committed_deadline AS deadline,
              CASE WHEN a.status = 'COMPLETED' THEN a.finished_at END AS completed_at,
              (SELECT r.score FROM application_ratings r WHERE r.application_id = a.application_id) AS score,
              NULL::json AS steps
       FROM apps a WHERE $4 = '' OR $4 = $5
       UNION ALL
       SELECT a.application_id, s.department, a.bundle_code, a.submitted_at, max(s.deadline),
              CASE WHEN bool_and(s.status IN ('SUCCEEDED', 'DROPPED')) AND bool_or(s.status = 'SUCCEEDED') THEN max(s.finished_at) END,
              (SELECT d.score FROM department_ratings d WHERE d.application_id = a.application_id AND d.department = s.department),
              json_agg(json_build_object('ready_at', s.ready_at, 'deadline', s.deadline, 'finished_at', s.finished_at))
                FILTER (WHERE s.status = 'SUCCEEDED' AND s.ready_at IS NOT NULL AND s.deadline IS NOT NULL AND s.finished_at IS NOT NULL)
       FROM apps a JOIN application_steps s ON s.application_id = a.application_id
       WHERE $4 = '' OR s.department = $4
       GROUP BY a.application_id, s.department, a.bundle_code, a.submitted_at
     )
     SELECT u.department, u.bundle_code, u.submitted_at, u.deadline, u.completed_at, u.score, u.steps,
            (SELECT x.status FROM rectifications x WHERE x.application_id = u.application_id AND x.department = u.department) AS rectification
     FROM units u`,
    [start, end, scope.bundleCode, scope.department, ONE_WINDOW],
  );
  return rows.map((r) => ({
    department: r.department,
    bundleCode: r.bundle_code,
    submittedAt: new Date(r.submitted_at),
    deadline: r.deadline === null ? null : new Date(r.deadline),
    completedAt: r.completed_at === null ? null : new Date(r.completed_at),
    ...(r.score !== null ? { score: Number(r.score) } : {}),
    ...(r.rectification !== null ? { rectification: r.rectification } : {}),
    ...(r.steps ? { steps: r.steps.map((st) => ({ readyAt: new Date(st.ready_at), deadline: new Date(st.deadline), finishedAt: new Date(st.finished_at) })) } : {}),
  }));
}

const CSV_COLUMNS: Array<[keyof StatisticsRow, string]> = [
  ["department", "部门 department"],
  ["bundleCode", "一件事 bundle"],
  ["accepted", "受理 accepted"],
  ["completed", "办结 completed"],
  ["immediateRate", "即办率 immediate rate"],
  ["onTimeRate", "按时办结率 on-time rate"],
  ["earlyRate", "提前办结率 early rate"],
  ["averageWorkingDays", "平均办理工作日 average working days"],
  ["ratings", "评价数 ratings"],
  ["satisfactionRate", "满意率 satisfaction rate"],
  ["badRatings", "差评数 bad ratings"],
  ["rectified", "已整改 rectified"],
  ["rectificationRate", "差评整改率 rectification rate"],
  ["revisited", "已回访 revisited"],
  ["revisitRate", "回访率 revisit rate"],
];

/** A CSV field (RFC 4180): quoted when it holds a comma, quote or line break; a leading =+-@ is prefixed with ' (no formulas in spreadsheets). */
function csvField(value: string | number): string {
  let text = String(value);
  if (/^[=+\-@]/.test(text) && typeof value === "string") text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The statistics as CSV (RFC 4180, CRLF, UTF-8 with a byte-order mark so spreadsheet programs read the Chinese headers). */
export function statisticsCsv(rows: readonly StatisticsRow[]): string {
  const lines = [CSV_COLUMNS.map(([, title]) => csvField(title)).join(","), ...rows.map((r) => CSV_COLUMNS.map(([key]) => csvField(r[key])).join(","))];
  return `\uFEFF${lines.join("\r\n")}\r\n`;
}
