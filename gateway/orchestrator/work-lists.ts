/**
 * An officer's work list (待办): one department's steps waiting for a decision, oldest deadline
 * first and, within a deadline (a working day's cases share one: deadlines fall at its end), in the
 * order the steps became ready, so a case arriving while an officer pages comes after what was read;
 * a page at a time, answered from the partial index application_steps_decisions (one index
 * range, whatever the number of open cases). Each entry shows what the officer needs to decide —
 * the bundle, the enterprise's name as reserved, the deadline — and only the fields and materials
 * of that step (minimisation).
 */
import type { Queryable } from "../../services/common/db/database";
import { decodePageToken, pageOf, pageSizeOf, TIMESTAMP_TEXT } from "../../services/common/paging";
import type { BundleStep } from "../catalog/bundles";
import { APPLICATION_ID_KEY } from "./application-id";

/** A page token's sort key: deadline and ready time (as PostgreSQL prints them), application id, step key. */
const KEY_SHAPE = [TIMESTAMP_TEXT, TIMESTAMP_TEXT, APPLICATION_ID_KEY, /^[A-Za-z0-9_#-]{1,64}$/];

interface Row {
  application_id: string;
  step_key: string;
  deadline: Date;
  deadline_text: string;
  ready_text: string;
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
  const size = pageSizeOf(request.pageSize);
  const token = decodePageToken(request.pageToken, KEY_SHAPE);
  const params: unknown[] = [department, size + 1];
  let after = "";
  if (token) {
    params.push(...token);
    after = "AND (s.deadline, s.ready_at, s.application_id, s.step_key) > ($3::timestamptz, $4::timestamptz, $5, $6)";
  }
  const { rows } = await q.query<Row>(
    `SELECT s.application_id, s.step_key, s.deadline, s.deadline::text AS deadline_text, s.ready_at::text AS ready_text, a.bundle_code, a.bundle ->> 'nameZh' AS bundle_name,
       (SELECT st FROM jsonb_array_elements(a.bundle -> 'steps') st WHERE st ->> 'id' = s.step_id) AS step,
       a.form, a.materials, a.enterprise_name, a.credit_code, a.submitted_at
     FROM application_steps s JOIN applications a ON a.application_id = s.application_id
     WHERE s.status = 'WAITING_DECISION' AND s.department = $1 ${after}
     ORDER BY s.deadline, s.ready_at, s.application_id, s.step_key LIMIT $2`,
    params,
  );
  const { page, nextPageToken } = pageOf(rows, size, (r) => [r.deadline_text, r.ready_text, r.application_id, r.step_key]);
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
    nextPageToken,
  };
}
