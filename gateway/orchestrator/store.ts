/** Applications and their step rows in the gateway schema. */
import type { Queryable } from "../../services/common/db/database";
import { notFound } from "../../services/common/errors";
import type { Bundle } from "../catalog/bundles";

export interface ApplicationRow {
  application_id: string;
  bundle_code: string;
  bundle: Bundle;
  applicant: string;
  client_key: string;
  request_hash: string;
  form: Record<string, unknown>;
  materials: Record<string, string>;
  status: "RUNNING" | "COMPLETED" | "FAILED" | "COMPENSATED";
  failure: Record<string, unknown> | null;
  query_code_hash: string;
  submitted_at: Date;
  committed_deadline: Date;
  supplement_deadline: Date | null;
  finished_at: Date | null;
  receipt: Record<string, unknown> | null;
}

export interface StepRow {
  application_id: string;
  step_key: string;
  step_id: string;
  item: number;
  needs: string[];
  status: string;
  attempts: number;
  undo_attempts: number;
  output: Record<string, unknown> | null;
  error: Record<string, unknown> | null;
  decision: { outcome: string; by: string; comment: string; at: string } | null;
  waiting_for: string | null;
  ready_at: Date | null;
  deadline: Date | null;
  started_at: Date | null;
  finished_at: Date | null;
  undo: string;
}

/** An application with its rows in definition order; NOT_FOUND when unknown. */
export async function loadApplication(q: Queryable, applicationId: string): Promise<{ app: ApplicationRow; steps: StepRow[] }> {
  const { rows } = await q.query<ApplicationRow>("SELECT * FROM applications WHERE application_id = $1", [applicationId]);
  if (rows.length === 0) throw notFound("application", applicationId);
  const app = rows[0];
  const order = new Map(app.bundle.steps.map((s, i) => [s.id, i]));
  const steps = (await q.query<StepRow>("SELECT * FROM application_steps WHERE application_id = $1", [applicationId])).rows.sort(
    (a, b) => order.get(a.step_id)! - order.get(b.step_id)! || a.item - b.item,
  );
  return { app, steps };
}
