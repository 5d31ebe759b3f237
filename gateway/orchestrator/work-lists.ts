/**
 * An officer's work list (待办): one department's steps waiting for a decision, oldest deadline
 * first, a page at a time, answered from the partial index application_steps_decisions (one index
 * range, whatever the number of open cases). Each entry shows what the officer needs to decide —
 * the bundle, the enterprise's name as reserved, the deadline — and only the fields and materials
 * of that step (minimisation).
 */
import type { Queryable } from "../../services/common/db/database";
import { invalidArgument } from "../../services/common/errors";
import type { BundleStep } from "../catalog/bundles";

const DEFAULT_PAGE = 50;
const MAX_PAGE = 200;
/** A timestamp as PostgreSQL prints it (kept as text: a JS Date would cut microseconds and repeat a row). */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}(:?\d{2})?|Z)?$/;

interface Cursor {
  deadline: string;
  applicationId: string;
  stepKey: string;
}

/** The opaque token of the entry a page ended with. */
function encodeToken(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.deadline, c.applicationId, c.stepKey])).toString("base64url");
}

function decodeToken(token: string): Cursor {
  try {
    const [deadline, applicationId, stepKey] = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as unknown[];
    if (typeof deadline === "string" && TIMESTAMP.test(deadline) && typeof applicationId === "string" && typeof stepKey === "string") {
      return { deadline, applicationId, stepKey };
    }
  } catch {
    // fall through
  }
  throw invalidArgument("page_token", "is not a token this list gave (pass next_page_token unchanged, or nothing for the first page)");
}

/** Checks page_size: 1-200, 0 or absent for the default 50. */
function pageSize(value: unknown): number {
  if (value === undefined || value === null || value === 0) return DEFAULT_PAGE;
  if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > MAX_PAGE) throw invalidArgument("page_size", `must be a whole number from 1 to ${MAX_PAGE}`);
  return value as number;
}

interface Row {
  application_id: string;
  step_key: string;
  deadline: Date;
  deadline_text: string;
  bundle_code: string;
  bundle_name: string;
  step: BundleStep;
  form: Record<string, unknown>;
  materials: Record<string, string>;
  enterprise_name: string | null;
  credit_code: string | null;
  submitted_at: Date;
}

/** One page of a department's pending decisions (shapes of tongban.gateway.v1.ListPendingDecisionsResponse). */
export async function pendingDecisions(q: Queryable, department: string, request: { pageSize?: unknown; pageToken?: unknown }) {
  const size = pageSize(request.pageSize);
  const token = typeof request.pageToken === "string" && request.pageToken !== "" ? decodeToken(request.pageToken) : undefined;
  if (request.pageToken !== undefined && request.pageToken !== null && typeof request.pageToken !== "string") throw invalidArgument("page_token", "must be text");
  const params: unknown[] = [department, size + 1];
  let after = "";
  if (token) {
    params.push(token.deadline, token.applicationId, token.stepKey);
    after = "AND (s.deadline, s.application_id, s.step_key) > ($3::timestamptz, $4, $5)";
  }
  const { rows } = await q.query<Row>(
    `SELECT s.application_id, s.step_key, s.deadline, s.deadline::text AS deadline_text, a.bundle_code, a.bundle ->> 'nameZh' AS bundle_name,
       (SELECT st FROM jsonb_array_elements(a.bundle -> 'steps') st WHERE st ->> 'id' = s.step_id) AS step,
       a.form, a.materials, a.enterprise_name, a.credit_code, a.submitted_at
     FROM application_steps s JOIN applications a ON a.application_id = s.application_id
     WHERE s.status = 'WAITING_DECISION' AND s.department = $1 ${after}
     ORDER BY s.deadline, s.application_id, s.step_key LIMIT $2`,
    params,
  );
  const page = rows.slice(0, size);
  const last = page[page.length - 1];
  return {
    pending: page.map((r) => ({
      applicationId: r.application_id,
      stepKey: r.step_key,
      stepName: r.step.nameZh,
      bundleCode: r.bundle_code,
      bundleName: r.bundle_name,
      enterpriseName: r.enterprise_name ?? "",
      creditCode: r.credit_code ?? "",
      submittedAt: new Date(r.submitted_at).toISOString(),
      deadline: new Date(r.deadline).toISOString(),
      fields: r.step.fields.filter((f) => r.form[f] !== undefined).map((f) => ({ name: f, valueJson: JSON.stringify(r.form[f]) })),
      materials: (r.step.materials ?? []).filter((m) => r.materials[m.type]).map((m) => ({ type: m.type, materialId: r.materials[m.type] })),
    })),
    nextPageToken:
      rows.length > size && last ? encodeToken({ deadline: last.deadline_text, applicationId: last.application_id, stepKey: last.step_key }) : "",
  };
}
