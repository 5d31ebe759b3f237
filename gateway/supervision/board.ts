/**
 * 电子监察's live board: the open cases with their lights, and the red list — cases overdue (the
 * application, or one of its steps: a step is red on its own) and cases with an unresolved bad
 * rating (a rectification not yet answered), which are red for the department responsible. Read
 * from state at `now`, never stored. `department` scopes a view: "" every department (the
 * supervision office, the one window); a department code: the cases with a step of that department,
 * showing only its steps, and red only for its own overdue steps and its own bad ratings.
 */
import type { Queryable } from "../../services/common/db/database";
import { decodePageToken, pageOf, pageSizeOf, TIMESTAMP_TEXT } from "../../services/common/paging";
import { APPLICATION_ID_KEY } from "../orchestrator/application-id";
import { ENDED_STEP_SQL, isOpenStep, lightOf } from "../orchestrator/lights";
import type { BoardCase, BoardStep } from "../../proto/gen/tongban/gateway/v1/supervision";
import type { Bundle } from "../catalog/bundles";

export type RedReason = "APPLICATION_OVERDUE" | "STEP_OVERDUE" | "BAD_RATING";

export interface BoardScope {
  department: string;
  bundleCode: string;
}

interface CaseRow {
  application_id: string;
  bundle_code: string;
  bundle: Bundle;
  enterprise_name: string | null;
  credit_code: string | null;
  status: string;
  submitted_at: Date | string;
  committed_deadline: Date | string;
  steps: Array<{ step_key: string; step_id: string; department: string; status: string; ready_at: string | null; deadline: string | null }> | null;
}

const iso = (t: Date | string | null | undefined) => (t ? new Date(t).toISOString() : undefined);
/** A red-list entry within an application: "" (overdue) or a rectification case id. */
const RED_ENTRY = /^(|ZG-[A-Za-z0-9_-]{1,96})$/;

/** The case as this scope sees it at `now` (ms). */
function caseView(r: CaseRow, scope: BoardScope, now: number, yellowAt: number): BoardCase {
  const names = new Map(r.bundle.steps.map((s) => [s.id, s.nameZh]));
  const running = r.status === "RUNNING" || r.status === "FAILED";
  const steps = (r.steps ?? [])
    .filter((s) => scope.department === "" || s.department === scope.department)
    .map((s): BoardStep => {
      const open = running && isOpenStep(s.status);
      return {
        stepKey: s.step_key,
        stepName: names.get(s.step_id) ?? s.step_id,
        department: s.department,
        status: s.status,
        deadline: iso(s.deadline) ?? "",
        light: (open && lightOf(s.ready_at, s.deadline, now, yellowAt)) || "",
        overdue: open && s.deadline !== null && new Date(s.deadline).getTime() <= now,
      };
    })
    .sort((a, b) => a.stepKey.localeCompare(b.stepKey));
  const appOverdue = running && new Date(r.committed_deadline).getTime() <= now;
  const redReasons: RedReason[] = [];
  if (appOverdue && scope.department === "") redReasons.push("APPLICATION_OVERDUE");
  if (steps.some((s) => s.overdue)) redReasons.push("STEP_OVERDUE");
  const passed = [...(appOverdue && scope.department === "" ? [new Date(r.committed_deadline).getTime()] : []), ...steps.filter((s) => s.overdue).map((s) => new Date(s.deadline).getTime())];
  return {
    applicationId: r.application_id,
    bundleCode: r.bundle_code,
    bundleName: r.bundle.nameZh,
    enterpriseName: r.enterprise_name ?? "",
    creditCode: r.credit_code ?? "",
    status: r.status,
    submittedAt: iso(r.submitted_at)!,
    committedDeadline: iso(r.committed_deadline)!,
    light: (running && lightOf(r.submitted_at, r.committed_deadline, now, yellowAt)) || "",
    redReasons,
    redSince: passed.length > 0 ? new Date(Math.min(...passed)).toISOString() : "",
    steps,
    rectificationId: "",
  };
}

const CASE_COLUMNS = `a.application_id, a.bundle_code, a.bundle, a.enterprise_name, a.credit_code, a.status, a.submitted_at, a.committed_deadline,
  (SELECT json_agg(json_build_object('step_key', s.step_key, 'step_id', s.step_id, 'department', s.department, 'status', s.status, 'ready_at', s.ready_at, 'deadline', s.deadline))
     FROM application_steps s WHERE s.application_id = a.application_id) AS steps`;

/**
 * A page of the open cases (running, or being compensated) in scope, the earliest committed
 * deadline first. Errors: INVALID_ARGUMENT naming page_size or page_token.
 */
export async function openCases(q: Queryable, scope: BoardScope, page: { pageSize?: unknown; pageToken?: unknown }, now: number, yellowAt: number) {
  const size = pageSizeOf(page.pageSize);
  const after = decodePageToken(page.pageToken, [TIMESTAMP_TEXT, APPLICATION_ID_KEY]);
  const { rows } = await q.query<CaseRow & { key_text: string }>(
    `SELECT ${CASE_COLUMNS}, a.committed_deadline::text AS key_text
     FROM applications a
     WHERE a.status IN ('RUNNING', 'FAILED') AND ($1 = '' OR a.bundle_code = $1)
       AND ($2 = '' OR EXISTS (SELECT 1 FROM application_steps s WHERE s.application_id = a.application_id AND s.department = $2))
       AND ($3::timestamptz IS NULL OR (a.committed_deadline, a.application_id) > ($3::timestamptz, $4))
     ORDER BY a.committed_deadline, a.application_id LIMIT $5`,
    [scope.bundleCode, scope.department, after?.[0] ?? null, after?.[1] ?? "", size + 1],
  );
  const { page: found, nextPageToken } = pageOf(rows, size, (r) => [r.key_text, r.application_id]);
  return { cases: found.map((r) => caseView(r, scope, now, yellowAt)), nextPageToken };
}

/**
 * A page of the red list in scope, the longest red first: open cases past a deadline (the
 * application's, in the whole view; a step's) and finished cases with an unanswered bad rating
 * (red for the department that must answer it; in the whole view for every department).
 * Errors: INVALID_ARGUMENT naming page_size or page_token.
 */
export async function redCases(q: Queryable, scope: BoardScope, page: { pageSize?: unknown; pageToken?: unknown }, now: number, yellowAt: number) {
  const size = pageSizeOf(page.pageSize);
  // The key: since when red, the application, and which rectification case ("" for an overdue case):
  // an application may be red for several departments' bad ratings at once.
  const after = decodePageToken(page.pageToken, [TIMESTAMP_TEXT, APPLICATION_ID_KEY, RED_ENTRY]);
  const at = new Date(now);
  const [afterSince, afterApp, afterEntry] = [after?.[0] ?? null, after?.[1] ?? "", after?.[2] ?? ""];
  // Since when each open case is red in this scope: the earliest deadline passed.
  const overdue = await q.query<CaseRow & { since: string; since_ms: string }>(
    `SELECT *, (extract(epoch FROM since::timestamptz) * 1000)::float8 AS since_ms FROM (
       SELECT ${CASE_COLUMNS},
         LEAST(CASE WHEN $2 = '' AND a.committed_deadline <= $3 THEN a.committed_deadline END,
               (SELECT min(s.deadline) FROM application_steps s
                 WHERE s.application_id = a.application_id AND s.status NOT IN (${ENDED_STEP_SQL})
                   AND s.deadline <= $3 AND ($2 = '' OR s.department = $2)))::text AS since
       FROM applications a
       WHERE a.status IN ('RUNNING', 'FAILED') AND ($1 = '' OR a.bundle_code = $1)) c
     WHERE since IS NOT NULL AND ($4::timestamptz IS NULL OR (since::timestamptz, application_id, '') > ($4::timestamptz, $5, $6))
     ORDER BY since::timestamptz, application_id LIMIT $7`,
    [scope.bundleCode, scope.department, at, afterSince, afterApp, afterEntry, size + 1],
  );
  const rated = await q.query<CaseRow & { since: string; since_ms: string; rectification_id: string }>(
    `SELECT ${CASE_COLUMNS}, x.opened_at::text AS since, (extract(epoch FROM x.opened_at) * 1000)::float8 AS since_ms, x.rectification_id
     FROM rectifications x JOIN applications a ON a.application_id = x.application_id
     WHERE x.status = 'OPEN' AND ($1 = '' OR a.bundle_code = $1) AND ($2 = '' OR x.department = $2)
       AND ($3::timestamptz IS NULL OR (x.opened_at, x.application_id, x.rectification_id) > ($3::timestamptz, $4, $5))
     ORDER BY x.opened_at, x.application_id, x.rectification_id LIMIT $6`,
    [scope.bundleCode, scope.department, afterSince, afterApp, afterEntry, size + 1],
  );
  const merged = [
    ...overdue.rows.map((r) => ({ row: r, since: r.since, at: Number(r.since_ms), entry: "", view: caseView(r, scope, now, yellowAt) })),
    ...rated.rows.map((r) => {
      const view = caseView(r, scope, now, yellowAt);
      const redSince = new Date(Number(r.since_ms)).toISOString();
      return { row: r, since: r.since, at: Number(r.since_ms), entry: r.rectification_id, view: { ...view, redReasons: [...view.redReasons, "BAD_RATING" as const], redSince, rectificationId: r.rectification_id } };
    }),
  ].sort((a, b) => a.at - b.at || a.row.application_id.localeCompare(b.row.application_id) || a.entry.localeCompare(b.entry));
  const { page: found, nextPageToken } = pageOf(merged, size, (m) => [m.since, m.row.application_id, m.entry]);
  return { cases: found.map((m) => m.view), nextPageToken };
}
