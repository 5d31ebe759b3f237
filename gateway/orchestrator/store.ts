/**
 * Applications and their step rows in the gateway schema: read one application (for a status view
 * or, locked, for a transition), and write the rows a transition changed in one statement.
 */
import type { Queryable } from "../../services/common/db/database";
import { notFound } from "../../services/common/errors";
import type { Bundle } from "../catalog/bundles";

export type ApplicationStatus = "RUNNING" | "COMPLETED" | "FAILED" | "COMPENSATED";

export interface ApplicationRow {
  application_id: string;
  bundle_code: string;
  bundle: Bundle;
  applicant: string;
  client_key: string;
  request_hash: string;
  form: Record<string, unknown>;
  materials: Record<string, string>;
  status: ApplicationStatus;
  failure: Record<string, unknown> | null;
  query_code_hash: string;
  submitted_at: Date;
  committed_deadline: Date;
  supplement_deadline: Date | null;
  finished_at: Date | null;
  receipt: Record<string, unknown> | null;
  enterprise_name: string | null;
  credit_code: string | null;
}

export interface StepRow {
  application_id: string;
  step_key: string;
  step_id: string;
  item: number;
  needs: string[];
  department: string;
  /**
   * PENDING (a predecessor has not succeeded), WAITING_MATERIAL, WAITING_DECISION, READY, RUNNING,
   * SUCCEEDED, HELD (refused; the applicant corrects or drops it), DROPPED, FAILED, REJECTED,
   * CANCELLED, UNDOING, COMPENSATED.
   */
  status: string;
  attempts: number;
  undo_attempts: number;
  revision: number;
  next_attempt_at: Date;
  leased_until: Date | null;
  lease_owner: string | null;
  due_at: Date | null;
  output: Record<string, unknown> | null;
  error: Record<string, unknown> | null;
  decision: { outcome: string; by: string; comment: string; at: string; materialType?: string } | null;
  waiting_for: string | null;
  ready_at: Date | null;
  deadline: Date | null;
  started_at: Date | null;
  finished_at: Date | null;
  undo: string;
  undone_at: Date | null;
}

/** Columns a transition may change, with their SQL types (for jsonb_to_recordset). */
const MUTABLE: Array<[keyof StepRow, string]> = [
  ["status", "text"],
  ["attempts", "integer"],
  ["undo_attempts", "integer"],
  ["revision", "integer"],
  ["next_attempt_at", "timestamptz"],
  ["leased_until", "timestamptz"],
  ["lease_owner", "text"],
  ["due_at", "timestamptz"],
  ["output", "jsonb"],
  ["error", "jsonb"],
  ["decision", "jsonb"],
  ["waiting_for", "text"],
  ["ready_at", "timestamptz"],
  ["deadline", "timestamptz"],
  ["started_at", "timestamptz"],
  ["finished_at", "timestamptz"],
  ["undo", "text"],
  ["undone_at", "timestamptz"],
];
const FIXED: Array<[keyof StepRow, string]> = [
  ["step_key", "text"],
  ["step_id", "text"],
  ["item", "integer"],
  ["needs", "text[]"],
  ["department", "text"],
];

const recordType = (cols: Array<[keyof StepRow, string]>) => cols.map(([c, t]) => `${c} ${t}`).join(", ");
const pick = (row: StepRow, cols: Array<[keyof StepRow, string]>) => Object.fromEntries(cols.map(([c]) => [c, row[c] ?? null]));

const UPDATE_STEPS = `UPDATE application_steps s SET ${MUTABLE.map(([c]) => `${c} = v.${c}`).join(", ")}
  FROM jsonb_to_recordset($2::jsonb) AS v(step_key text, ${recordType(MUTABLE)})
  WHERE s.application_id = $1 AND s.step_key = v.step_key`;
const INSERT_STEPS = `INSERT INTO application_steps (application_id, ${[...FIXED, ...MUTABLE].map(([c]) => c).join(", ")})
  SELECT $1, ${[...FIXED, ...MUTABLE].map(([c]) => `v.${c}`).join(", ")}
  FROM jsonb_to_recordset($2::jsonb) AS v(${recordType([...FIXED, ...MUTABLE])})`;

/** Writes the changed rows of one application in one statement. */
export async function updateSteps(q: Queryable, applicationId: string, rows: StepRow[]): Promise<void> {
  if (rows.length === 0) return;
  await q.query(UPDATE_STEPS, [applicationId, JSON.stringify(rows.map((r) => ({ step_key: r.step_key, ...pick(r, MUTABLE) })))]);
}

/** Inserts the rows of a new application in one statement. */
export async function insertSteps(q: Queryable, applicationId: string, rows: StepRow[]): Promise<void> {
  await q.query(INSERT_STEPS, [applicationId, JSON.stringify(rows.map((r) => pick(r, [...FIXED, ...MUTABLE])))]);
}

/** Writes the fields of an application a transition may change. */
export async function updateApplication(q: Queryable, app: ApplicationRow): Promise<void> {
  await q.query(
    `UPDATE applications SET status = $2, failure = $3, materials = $4, form = $5, supplement_deadline = $6, finished_at = $7,
       enterprise_name = $8, credit_code = $9 WHERE application_id = $1`,
    [
      app.application_id,
      app.status,
      app.failure === null ? null : JSON.stringify(app.failure),
      JSON.stringify(app.materials),
      JSON.stringify(app.form),
      app.supplement_deadline,
      app.finished_at,
      app.enterprise_name,
      app.credit_code,
    ],
  );
}

/** Sorts rows in definition order (then by item). */
export function inDefinitionOrder(bundle: Bundle, steps: StepRow[]): StepRow[] {
  const order = new Map(bundle.steps.map((s, i) => [s.id, i]));
  return steps.sort((a, b) => order.get(a.step_id)! - order.get(b.step_id)! || a.item - b.item);
}

/** An application with its rows in definition order; NOT_FOUND when unknown. */
export async function loadApplication(q: Queryable, applicationId: string): Promise<{ app: ApplicationRow; steps: StepRow[] }> {
  const found = await readApplication(q, applicationId, "");
  if (!found) throw notFound("application", applicationId);
  return found;
}

/**
 * Reads an application and its rows; `lock` "FOR UPDATE" serialises transitions of one application
 * (two parallel steps finishing at once), "FOR UPDATE SKIP LOCKED" lets a sweep pass one by.
 * Undefined when unknown (or locked, with SKIP LOCKED). Unlocked (a status view) it is one
 * statement; locked, the rows are read by a second statement after the lock is held, since a
 * statement that waited for the lock still sees the rows as they were when it began. Times of rows
 * read in one statement come as ISO text, which every user of a row reads with new Date().
 */
export async function readApplication(
  q: Queryable,
  applicationId: string,
  lock: "" | "FOR UPDATE" | "FOR UPDATE SKIP LOCKED",
): Promise<{ app: ApplicationRow; steps: StepRow[] } | undefined> {
  if (lock === "") {
    const { rows } = await q.query<ApplicationRow & { steps: StepRow[] | null }>(
      `SELECT a.*, (SELECT json_agg(s) FROM application_steps s WHERE s.application_id = a.application_id) AS steps
       FROM applications a WHERE a.application_id = $1`,
      [applicationId],
    );
    if (rows.length === 0) return undefined;
    const { steps, ...app } = rows[0];
    return { app, steps: inDefinitionOrder(app.bundle, steps ?? []) };
  }
  const { rows } = await q.query<ApplicationRow>(`SELECT * FROM applications WHERE application_id = $1 ${lock}`, [applicationId]);
  if (rows.length === 0) return undefined;
  const steps = (await q.query<StepRow>("SELECT * FROM application_steps WHERE application_id = $1", [applicationId])).rows;
  return { app: rows[0], steps: inDefinitionOrder(rows[0].bundle, steps) };
}
