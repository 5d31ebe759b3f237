/**
 * 差评整改: the rectification case a bad rating opens for the department responsible. The
 * department lists its cases and answers what it did (over gRPC, SupervisionService); the
 * applicant is called back (回访) through the portal, sees the answer and rates the rectification,
 * which closes the case. OPEN → ANSWERED → CLOSED; an answer or a callback given again with the
 * same words answers the case as it is (a retried request), with other words it is refused.
 */
import type { Database, Queryable } from "../../services/common/db/database";
import { failedPrecondition, invalidArgument, notFound } from "../../services/common/errors";
import { rootLogger } from "../../services/common/logger";
import { canonicalText } from "../../services/common/validate";
import { lightOf } from "../orchestrator/lights";
import type { Rectification } from "../../proto/gen/tongban/gateway/v1/supervision";
import { checkScore, levelOf } from "./levels";
import { decodePageToken, pageOf, pageSizeOf, TIMESTAMP_TEXT } from "../../services/common/paging";

export type RectificationStatus = "OPEN" | "ANSWERED" | "CLOSED";
export const RECTIFICATION_STATUSES: readonly RectificationStatus[] = ["OPEN", "ANSWERED", "CLOSED"];

interface Row {
  rectification_id: string;
  application_id: string;
  department: string;
  bundle_code: string;
  score: number;
  reason: string;
  opened_at: Date | string;
  due_at: Date | string;
  status: RectificationStatus;
  measures: string | null;
  answered_at: Date | string | null;
  revisit_score: number | null;
  revisit_comment: string | null;
  revisited_at: Date | string | null;
}

const iso = (t: Date | string | null) => (t === null ? undefined : new Date(t).toISOString());

/** The view of a stored case at `now` (ms). `withReason` false leaves out the applicant's words. */
export function rectificationView(r: Row, now: number, yellowAt: number, withReason = true): Rectification {
  const due = new Date(r.due_at).getTime();
  const answered = r.answered_at === null ? undefined : new Date(r.answered_at).getTime();
  return {
    rectificationId: r.rectification_id,
    applicationId: r.application_id,
    department: r.department,
    bundleCode: r.bundle_code,
    score: Number(r.score),
    level: levelOf(Number(r.score)).code,
    reason: withReason ? r.reason : "",
    openedAt: iso(r.opened_at)!,
    dueAt: iso(r.due_at)!,
    status: r.status,
    // Every field present (empty or 0 before it is known), as the gRPC contract has them.
    measures: r.measures ?? "",
    answeredAt: iso(r.answered_at) ?? "",
    revisitScore: r.revisit_score === null ? 0 : Number(r.revisit_score),
    revisitComment: r.revisit_comment ?? "",
    revisitedAt: iso(r.revisited_at) ?? "",
    light: r.status === "OPEN" ? (lightOf(r.opened_at, r.due_at, now, yellowAt) ?? "") : "",
    overdue: answered === undefined ? now >= due : answered > due,
  };
}

const COLUMNS = `rectification_id, application_id, department, bundle_code, score, reason, opened_at, due_at, status,
  measures, answered_at, revisit_score, revisit_comment, revisited_at`;

/**
 * A page of rectification cases, oldest deadline first: of one department (or all with
 * department ""), of one status (or all with ""). Page tokens are opaque (the last due time and id).
 */
export async function listRectifications(
  q: Queryable,
  f: { department: string; status: string; pageSize?: number; pageToken?: string },
): Promise<{ rows: Row[]; nextPageToken: string }> {
  if (f.status !== "" && !(RECTIFICATION_STATUSES as readonly string[]).includes(f.status)) {
    throw invalidArgument("status", `must be one of ${RECTIFICATION_STATUSES.join(", ")} (or empty for all)`);
  }
  const size = pageSizeOf(f.pageSize);
  const after = decodePageToken(f.pageToken, [TIMESTAMP_TEXT, /^ZG-[A-Za-z0-9_-]{1,96}$/]);
  const { rows } = await q.query<Row & { due_text: string }>(
    `SELECT ${COLUMNS}, due_at::text AS due_text FROM rectifications
     WHERE ($1 = '' OR department = $1) AND ($2 = '' OR status = $2)
       AND ($3::timestamptz IS NULL OR (due_at, rectification_id) > ($3::timestamptz, $4))
     ORDER BY due_at, rectification_id LIMIT $5`,
    [f.department, f.status, after?.[0] ?? null, after?.[1] ?? "", size + 1],
  );
  const { page, nextPageToken } = pageOf(rows, size, (r) => [r.due_text, r.rectification_id]);
  return { rows: page, nextPageToken };
}

/** One case; NOT_FOUND when there is none. */
export async function readRectification(q: Queryable, id: string): Promise<Row> {
  const { rows } = await q.query<Row>(`SELECT ${COLUMNS} FROM rectifications WHERE rectification_id = $1`, [id]);
  if (!rows[0]) throw notFound("rectification", id);
  return rows[0];
}

/** The cases of one application (the applicant's callback view). */
export async function rectificationsOf(q: Queryable, applicationId: string): Promise<Row[]> {
  const { rows } = await q.query<Row>(`SELECT ${COLUMNS} FROM rectifications WHERE application_id = $1 ORDER BY department`, [applicationId]);
  return rows;
}

/** Checked measures text: 4-2000 characters, canonical. INVALID_ARGUMENT naming `measures`. */
export function checkMeasures(measures: unknown): string {
  if (typeof measures !== "string") throw invalidArgument("measures", "must be text: what the department did about the complaint");
  const text = canonicalText(measures.trim(), "measures", { multiline: true });
  const n = [...text].length;
  if (n < 4) throw invalidArgument("measures", "must say what was done (at least 4 characters)");
  if (n > 2000) throw invalidArgument("measures", `must be at most 2000 characters (got ${n})`);
  return text;
}

/**
 * A department answers its case with the measures taken: OPEN → ANSWERED. Only the department the
 * case is for: for any other it does not exist. Errors: NOT_FOUND; RECTIFICATION_ANSWERED (422) when
 * answered before with other words.
 */
export async function answerRectification(db: Database, a: { id: string; department: string; measures: string; now: Date }): Promise<Row> {
  const before = await readRectification(db, a.id);
  if (before.department !== a.department) throw notFound("rectification", a.id);
  const { rows } = await db.query<Row>(
    `UPDATE rectifications SET status = 'ANSWERED', measures = $2, answered_at = $3
     WHERE rectification_id = $1 AND status = 'OPEN' RETURNING ${COLUMNS}`,
    [a.id, a.measures, a.now],
  );
  if (rows[0]) {
    rootLogger().info({ mod: "supervision", rectificationId: a.id, applicationId: rows[0].application_id, department: a.department }, "rectification answered");
    return rows[0];
  }
  const now = await readRectification(db, a.id);
  if (now.measures === a.measures) return now;
  throw failedPrecondition("RECTIFICATION_ANSWERED", `整改已答复 (the case was answered at ${iso(now.answered_at)}; it is ${now.status})`);
}

/** Checked callback: the applicant's score of the rectification and an optional comment. */
export function checkRevisit(body: Record<string, unknown>): { score: number; comment?: string } {
  return checkScore(body.score, body.comment);
}

/**
 * 回访: the applicant rates how their complaint was handled: ANSWERED → CLOSED. Only the applicant
 * of the case (NOT_FOUND otherwise, as for a case that does not exist). Errors:
 * RECTIFICATION_NOT_ANSWERED (422) while the department has not answered; RECTIFICATION_CLOSED
 * (422) when called back before with other values.
 */
export async function revisitRectification(db: Database, v: { id: string; applicant: string; score: number; comment?: string; now: Date }): Promise<Row> {
  const { rows } = await db.query<Row & { applicant: string }>(
    `SELECT ${COLUMNS.replace(/(\w+)/g, "x.$1")}, a.applicant FROM rectifications x JOIN applications a USING (application_id) WHERE x.rectification_id = $1`,
    [v.id],
  );
  const found = rows[0];
  if (!found || found.applicant !== v.applicant) throw notFound("rectification", v.id);
  if (found.status === "OPEN") throw failedPrecondition("RECTIFICATION_NOT_ANSWERED", "部门尚未答复整改情况 (the department has not answered yet)");
  const updated = await db.query<Row>(
    `UPDATE rectifications SET status = 'CLOSED', revisit_score = $2, revisit_comment = $3, revisited_at = $4
     WHERE rectification_id = $1 AND status = 'ANSWERED' RETURNING ${COLUMNS}`,
    [v.id, v.score, v.comment ?? null, v.now],
  );
  if (updated.rows[0]) {
    rootLogger().info({ mod: "supervision", rectificationId: v.id, applicationId: found.application_id, department: found.department, score: v.score }, "rectification revisited");
    return updated.rows[0];
  }
  const now = await readRectification(db, v.id);
  if (Number(now.revisit_score) === v.score && (now.revisit_comment ?? "") === (v.comment ?? "")) return now;
  throw failedPrecondition("RECTIFICATION_CLOSED", "已回访 (the applicant was called back already)");
}
