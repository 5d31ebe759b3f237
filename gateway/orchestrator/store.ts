/**
 * Applications and their step rows in the gateway schema: read one application (for a status view
 * or a transition), store a new one, and write a transition's changes in one statement over the
 * version read.
 */
import type { Queryable } from "../../services/common/db/database";
import { levelOf } from "../supervision/levels";
import { notFound } from "../../services/common/errors";
import type { ConsentRecord } from "../catalog/consent";
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
  /**
   * The trace of the application: its submission's request id. Its department calls are made in
   * this trace, so one trace follows the bundle from the portal to every department (tracing.ts).
   */
  trace_id?: string | null;
  /** The applicant's decisions on government data (consent.ts); null for applications filed before consent was asked. */
  consent?: ConsentRecord | null;
  /** Bumped by every transition: a write is applied only over the version it read. */
  version: number;
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


const APP_FIELDS = `status = $3, failure = $4, materials = $5, form = $6, supplement_deadline = $7, finished_at = $8,
  enterprise_name = $9, credit_code = $10, receipt = $11, version = version + 1`;
const appParams = (app: ApplicationRow) => [
  app.status,
  app.failure === null ? null : JSON.stringify(app.failure),
  JSON.stringify(app.materials),
  JSON.stringify(app.form),
  app.supplement_deadline,
  app.finished_at,
  app.enterprise_name,
  app.credit_code,
  app.receipt === null ? null : JSON.stringify(app.receipt),
];

/**
 * A change of an application's or a step's state, as the data-use log keeps it (kind 'change',
 * what 'application', item and case the application): whose (the applicant), which department made
 * it, what (e.g. "step tax: SUCCEEDED"), why (the bundle).
 */
export interface StateChange {
  subject_id: string;
  reader: string;
  action: string;
  purpose: string;
}

/** The data-use log entries of a transition's changes, written with it (only if it is written). */
const logChanges = (applicationParam: string, usesParam: number, guard: string) => `u AS (
    INSERT INTO data_uses (subject_id, reader, case_id, action, what, item, purpose, kind)
    SELECT v.subject_id, v.reader, ${applicationParam}, v.action, 'application', ${applicationParam}, v.purpose, 'change'
    FROM jsonb_to_recordset($${usesParam}::jsonb) AS v(subject_id text, reader text, action text, purpose text) WHERE ${guard})`;

/**
 * The channel on which a transition tells the other gateway replicas that an application changed
 * (PostgreSQL NOTIFY, sent at commit; payload "<writer>\t<application id>"): their waiting status
 * reads answer then (status-watch.ts, change-feed.ts).
 */
export const CHANGE_CHANNEL = "gateway_application_changed";

const writeTransitionSql = (appFields: string, stepsParam: number, notify = false) => `WITH a AS (
    UPDATE applications SET ${appFields} WHERE application_id = $1 AND version = $2 RETURNING version),
  s AS (
    UPDATE application_steps s SET ${MUTABLE.map(([c]) => `${c} = v.${c}`).join(", ")}
    FROM jsonb_to_recordset($${stepsParam}::jsonb) AS v(step_key text, ${recordType(MUTABLE)})
    WHERE s.application_id = $1 AND s.step_key = v.step_key AND EXISTS (SELECT 1 FROM a)),
  ${logChanges("$1", stepsParam + 1, "EXISTS (SELECT 1 FROM a)")}
  SELECT version${notify ? `, pg_notify('${CHANGE_CHANNEL}', $${stepsParam + 2})` : ""} FROM a`;
/** With the application's own fields, or (only rows changed) with its version alone; each also telling other replicas. */
const WRITE_TRANSITION = writeTransitionSql(APP_FIELDS, 12);
const WRITE_STEPS_ONLY = writeTransitionSql("version = version + 1", 3);
const WRITE_TRANSITION_NOTIFY = writeTransitionSql(APP_FIELDS, 12, true);
const WRITE_STEPS_ONLY_NOTIFY = writeTransitionSql("version = version + 1", 3, true);

/**
 * Writes a transition in one statement (no lock held, no transaction open): the application's
 * fields and the changed rows, applied only if the application is still at `version`. False when
 * another transition came first: the caller reads again and re-applies its event. With `notify`
 * (the NOTIFY payload, PostgreSQL only) a written transition is told on CHANGE_CHANNEL at commit.
 */
export async function writeTransition(
  q: Queryable,
  app: ApplicationRow,
  version: number,
  rows: StepRow[],
  appChanged = true,
  changes: StateChange[] = [],
  notify?: string,
): Promise<boolean> {
  const steps = JSON.stringify(rows.map((r) => ({ step_key: r.step_key, ...pick(r, MUTABLE) })));
  const log = JSON.stringify(changes);
  const told = notify === undefined ? [] : [notify];
  const { rows: written } = appChanged
    ? await q.query(notify === undefined ? WRITE_TRANSITION : WRITE_TRANSITION_NOTIFY, [app.application_id, version, ...appParams(app), steps, log, ...told])
    : await q.query(notify === undefined ? WRITE_STEPS_ONLY : WRITE_STEPS_ONLY_NOTIFY, [app.application_id, version, steps, log, ...told]);
  return written.length === 1;
}

const INSERT_APPLICATION = `WITH a AS (
    INSERT INTO applications (application_id, bundle_code, bundle, applicant, client_key, request_hash, form, materials, status,
      failure, query_code_hash, submitted_at, committed_deadline, supplement_deadline, finished_at, enterprise_name, credit_code, trace_id, consent)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $19, $21)
    ON CONFLICT (applicant, client_key) DO NOTHING RETURNING application_id),
  s AS (
    INSERT INTO application_steps (application_id, ${[...FIXED, ...MUTABLE].map(([c]) => c).join(", ")})
    SELECT $1, ${[...FIXED, ...MUTABLE].map(([c]) => `v.${c}`).join(", ")}
    FROM jsonb_to_recordset($18::jsonb) AS v(${recordType([...FIXED, ...MUTABLE])}) WHERE EXISTS (SELECT 1 FROM a)),
  ${logChanges("$1", 20, "EXISTS (SELECT 1 FROM a)")}
  SELECT application_id FROM a`;

/** Inserts a new application with its rows in one statement; false when its client key was used already. */
export async function insertApplication(q: Queryable, app: ApplicationRow, rows: StepRow[], changes: StateChange[] = []): Promise<boolean> {
  const { rows: inserted } = await q.query(INSERT_APPLICATION, [
    app.application_id,
    app.bundle_code,
    JSON.stringify(app.bundle),
    app.applicant,
    app.client_key,
    app.request_hash,
    JSON.stringify(app.form),
    JSON.stringify(app.materials),
    app.status,
    app.failure === null ? null : JSON.stringify(app.failure),
    app.query_code_hash,
    app.submitted_at,
    app.committed_deadline,
    app.supplement_deadline,
    app.finished_at,
    app.enterprise_name,
    app.credit_code,
    JSON.stringify(rows.map((r) => pick(r, [...FIXED, ...MUTABLE]))),
    app.trace_id ?? null,
    JSON.stringify(changes),
    app.consent ? JSON.stringify(app.consent) : null,
  ]);
  return inserted.length === 1;
}

/** Sorts rows in definition order (then by item). */
export function inDefinitionOrder(bundle: Bundle, steps: StepRow[]): StepRow[] {
  const order = new Map(bundle.steps.map((s, i) => [s.id, i]));
  return steps.sort((a, b) => order.get(a.step_id)! - order.get(b.step_id)! || a.item - b.item);
}

/** An application with its rows in definition order; NOT_FOUND when unknown. */
export async function loadApplication(q: Queryable, applicationId: string): Promise<{ app: ApplicationRow; steps: StepRow[] }> {
  const found = await readApplication(q, applicationId);
  if (!found) throw notFound("application", applicationId);
  return found;
}

/** The rating (好差评) of an application as a status view shows it. */
export interface StatusRating {
  applicationId: string;
  score: number;
  /** The level of the score (VERY_SATISFIED … VERY_DISSATISFIED). */
  level: string;
  comment?: string;
  ratedAt: string;
}

type RatingJson = { score: number; comment: string | null; rated_at: string };

/**
 * Reads an application, its rows and (`withRating`) its rating in one statement. Times of the rows
 * come as ISO text, which every user of a row reads with new Date().
 */
async function readOne(q: Queryable, applicationId: string, withRating: boolean) {
  const rating = withRating
    ? `, (SELECT json_build_object('score', r.score, 'comment', r.comment, 'rated_at', r.rated_at) FROM application_ratings r
         WHERE r.application_id = a.application_id) AS rating`
    : "";
  const { rows } = await q.query<ApplicationRow & { steps: StepRow[] | null; rating?: RatingJson | null }>(
    `SELECT a.*, (SELECT json_agg(s) FROM application_steps s WHERE s.application_id = a.application_id) AS steps${rating}
     FROM applications a WHERE a.application_id = $1`,
    [applicationId],
  );
  if (rows.length === 0) return undefined;
  const { steps, rating: rated, ...app } = rows[0];
  return { app, steps: inDefinitionOrder(app.bundle, steps ?? []), rated };
}

/** The stored version of an application (an indexed read of one column); undefined when unknown. */
export async function storedVersion(q: Queryable, applicationId: string): Promise<number | undefined> {
  const { rows } = await q.query<{ version: number }>("SELECT version FROM applications WHERE application_id = $1", [applicationId]);
  return rows[0]?.version;
}

/**
 * Reads an application and its rows in one statement (no lock: transitions are written over the
 * version read). Undefined when unknown.
 */
export async function readApplication(q: Queryable, applicationId: string): Promise<{ app: ApplicationRow; steps: StepRow[] } | undefined> {
  const found = await readOne(q, applicationId, false);
  return found && { app: found.app, steps: found.steps };
}

/**
 * What a status view needs, in one indexed read and no write: the application, its rows and its
 * rating (好差评) once given. Undefined when unknown.
 */
export async function readStatus(q: Queryable, applicationId: string): Promise<{ app: ApplicationRow; steps: StepRow[]; rating: StatusRating | undefined } | undefined> {
  const found = await readOne(q, applicationId, true);
  if (!found) return undefined;
  const r = found.rated;
  return {
    app: found.app,
    steps: found.steps,
    rating: r ? { applicationId, score: Number(r.score), level: levelOf(Number(r.score)).code, ...(r.comment ? { comment: r.comment } : {}), ratedAt: new Date(r.rated_at).toISOString() } : undefined,
  };
}
