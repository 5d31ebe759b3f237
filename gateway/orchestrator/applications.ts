/**
 * Applications as the portal and back-offices see them: submit (idempotent by the portal's client
 * key), status with a per-step timeline and time left, officer decisions, material supplements.
 */
import crypto from "node:crypto";
import type { Database } from "../../services/common/db/database";
import { failedPrecondition, invalidArgument, notFound, permissionDenied } from "../../services/common/errors";
import { hashRequest } from "../../services/common/idempotency";
import { requireText } from "../../services/common/validate";
import type { Person } from "../../proto/gen/tongban/identity/v1/identity";
import { bundleMaterials, criticalPathDays, type Bundle } from "../catalog/bundles";
import { checkForm } from "../catalog/merged-form";
import type { Orchestrator } from "./engine";
import { ApplicationState, failApplication } from "./progress";
import type { ApplicationRow, StepRow } from "./store";

const DAY_MS = 24 * 3600_000;
const CLIENT_KEY = /^[\x21-\x7e]{8,128}$/;

/** A new application id (受理号): date + random, readable over the phone. */
function newApplicationId(now = new Date()): string {
  const date = new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10).replace(/-/g, "");
  return `A${date}-${crypto.randomBytes(5).toString("hex").toUpperCase()}`;
}

/** The query code (查询码) of an application: derived from the hub secret, so it can be shown again. */
export function queryCode(secret: string, applicationId: string): string {
  const digest = crypto.createHmac("sha256", secret).update(`query-code:${applicationId}`).digest();
  return String(digest.readUInt32BE(0) % 100_000_000).padStart(8, "0");
}

export interface Submission {
  applicant: Person;
  bundle: Bundle;
  clientKey: unknown;
  form: unknown;
  /** Material type -> material id, from the material store (checked by the caller). */
  materials: Record<string, string>;
}

/** The rows of a new application: one per step (per item for steps that run per list element). */
function newRows(app: ApplicationRow, now: Date): StepRow[] {
  const rows: StepRow[] = [];
  for (const step of app.bundle.steps) {
    const items = step.each ? (app.form[step.each.slice(6)] as unknown[]).length : 1;
    for (let item = 0; item < items; item++) {
      rows.push({
        application_id: app.application_id,
        step_key: step.each ? `${step.id}#${item}` : step.id,
        step_id: step.id,
        item,
        needs: step.needs,
        department: step.department,
        status: "PENDING",
        attempts: 0,
        undo_attempts: 0,
        revision: 0,
        next_attempt_at: now,
        leased_until: null,
        lease_owner: null,
        due_at: null,
        output: null,
        error: null,
        decision: null,
        waiting_for: null,
        ready_at: null,
        deadline: null,
        started_at: null,
        finished_at: null,
        undo: "NONE",
      });
    }
  }
  return rows;
}

/**
 * Checks and stores an application, and starts the steps that need nothing in the same
 * transaction (their calls are made right after commit). The same client key again returns the
 * first application; with other content it is refused.
 */
export async function submit(
  db: Database,
  engine: Orchestrator,
  secret: string,
  s: Submission,
): Promise<{ applicationId: string; queryCode: string; created: boolean }> {
  if (typeof s.clientKey !== "string" || !CLIENT_KEY.test(s.clientKey)) {
    throw invalidArgument("client_key", "is required: 8-128 printable ASCII characters, the same on every retry of this submission");
  }
  const form = checkForm(s.bundle, s.form, s.applicant);
  const needed = bundleMaterials(s.bundle);
  for (const type of Object.keys(s.materials)) {
    if (!needed.some((m) => m.type === type)) throw invalidArgument(`materials.${type}`, `is not a material of bundle ${s.bundle.code}`);
  }
  for (const m of needed) {
    if (!s.materials[m.type] && !m.deferrable) throw invalidArgument(`materials.${m.type}`, "is required (upload it once; earlier uploads can be reused)");
  }
  const deferred = needed.some((m) => !s.materials[m.type]);
  const requestHash = hashRequest({ bundle: s.bundle.code, form, materials: s.materials });
  const applicationId = newApplicationId();
  const creditCode = typeof form["enterprise.credit_code"] === "string" ? form["enterprise.credit_code"] : null;
  const result = await db.transaction(async (tx) => {
    const now = new Date();
    const inserted = await tx.query<ApplicationRow>(
      `INSERT INTO applications (application_id, bundle_code, bundle, applicant, client_key, request_hash, form, materials, status,
         query_code_hash, submitted_at, committed_deadline, supplement_deadline, credit_code)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'RUNNING', $9, $10, $10::timestamptz + ($11 || ' milliseconds')::interval,
         CASE WHEN $12 THEN $10::timestamptz + ($13 || ' days')::interval END, $14)
       ON CONFLICT (applicant, client_key) DO NOTHING RETURNING *`,
      [
        applicationId,
        s.bundle.code,
        JSON.stringify(s.bundle),
        s.applicant.idNumber,
        s.clientKey,
        requestHash,
        JSON.stringify(form),
        JSON.stringify(s.materials),
        hashRequest(queryCode(secret, applicationId)),
        now,
        String(Math.round(criticalPathDays(s.bundle) * DAY_MS)),
        deferred,
        String(s.bundle.supplementDays),
        creditCode,
      ],
    );
    if (inserted.rows.length === 0) {
      const { rows } = await tx.query<{ application_id: string; request_hash: string }>(
        "SELECT application_id, request_hash FROM applications WHERE applicant = $1 AND client_key = $2",
        [s.applicant.idNumber, s.clientKey],
      );
      if (rows[0].request_hash !== requestHash) {
        throw failedPrecondition("IDEMPOTENCY_KEY_REUSED", `client_key ${String(s.clientKey)} was already used for a different application`);
      }
      return { applicationId: rows[0].application_id, created: false, leases: [] };
    }
    const app = inserted.rows[0];
    const leases = await engine.admit(new ApplicationState(app, newRows(app, now)), tx, now);
    return { applicationId, created: true, leases };
  });
  engine.dispatch(result.leases);
  return { applicationId: result.applicationId, queryCode: queryCode(secret, result.applicationId), created: result.created };
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : undefined);

/** The status of an application with a per-step timeline; `personal` false hides form data (query-code lookups). */
export function statusView(app: ApplicationRow, steps: StepRow[], personal: boolean, now = Date.now()) {
  const defs = new Map(app.bundle.steps.map((s) => [s.id, s]));
  const open = (s: StepRow) => !["SUCCEEDED", "COMPENSATED", "CANCELLED", "FAILED", "REJECTED"].includes(s.status);
  return {
    applicationId: app.application_id,
    bundle: { code: app.bundle.code, nameZh: app.bundle.nameZh, nameEn: app.bundle.nameEn },
    status: app.status,
    submittedAt: iso(app.submitted_at),
    committedDeadline: iso(app.committed_deadline),
    msLeft: app.finished_at ? undefined : new Date(app.committed_deadline).getTime() - now,
    overdue: !app.finished_at && new Date(app.committed_deadline).getTime() < now,
    supplementDeadline: iso(app.supplement_deadline),
    supplementOverdue: Boolean(app.supplement_deadline && steps.some((s) => s.status === "WAITING_MATERIAL") && new Date(app.supplement_deadline).getTime() < now),
    finishedAt: iso(app.finished_at),
    failure: app.failure ? { step: app.failure.step, reasonCode: app.failure.reasonCode, message: personal ? app.failure.message : undefined } : undefined,
    steps: steps.map((s) => ({
      stepKey: s.step_key,
      nameZh: defs.get(s.step_id)!.nameZh,
      nameEn: defs.get(s.step_id)!.nameEn,
      department: defs.get(s.step_id)!.department,
      status: s.status,
      attempts: s.attempts,
      waitingFor: s.waiting_for ?? undefined,
      decision: personal && s.decision ? s.decision : undefined,
      readyAt: iso(s.ready_at),
      startedAt: iso(s.started_at),
      finishedAt: iso(s.finished_at),
      deadline: iso(s.deadline),
      overdue: Boolean(s.deadline && open(s) && new Date(s.deadline).getTime() < now),
      output: personal ? (s.output ?? undefined) : undefined,
      error: personal && s.error ? { reasonCode: s.error.reasonCode, message: s.error.message } : undefined,
    })),
    receipt: personal ? (app.receipt ?? undefined) : undefined,
  };
}

export type Decision = "APPROVE" | "REJECT" | "SUPPLEMENT";

/** An officer's decision on a waiting step, by the step's own department; an approved step runs at once. */
export async function decide(
  engine: Orchestrator,
  department: string,
  p: { applicationId: string; stepKey: string; outcome: Decision; comment: string; materialType?: string },
): Promise<ApplicationState> {
  const comment = requireText(p.comment, "comment", 2, 500);
  if (!["APPROVE", "REJECT", "SUPPLEMENT"].includes(p.outcome)) throw invalidArgument("outcome", "must be APPROVE, REJECT or SUPPLEMENT");
  const applicationId = requireText(p.applicationId, "application_id", 4, 64);
  const stepKey = requireText(p.stepKey, "step_key", 1, 64);
  const done = await engine.transition(applicationId, (state, _tx, now) => {
    const row = state.step(stepKey);
    if (!row) throw notFound("step", `${applicationId}/${stepKey}`);
    const def = state.def(row);
    if (def.department !== department) throw permissionDenied(`step ${stepKey} is decided by ${def.department}`);
    if (row.status !== "WAITING_DECISION") {
      throw failedPrecondition("STEP_NOT_AWAITING_DECISION", `步骤 ${stepKey} 当前状态为 ${row.status}，无需审批 (the step is not waiting for a decision)`);
    }
    const decision = { outcome: p.outcome, by: department, comment, at: now.toISOString(), materialType: p.materialType };
    if (p.outcome === "APPROVE") state.setStep(row, { decision });
    else if (p.outcome === "REJECT") {
      state.setStep(row, { decision, status: "REJECTED", finished_at: now });
      failApplication(state, { step: stepKey, reasonCode: "REJECTED_BY_OFFICER", message: `${department}: ${comment}` }, now);
    } else {
      const type = requireText(p.materialType, "material_type", 2, 60);
      if (!(def.materials ?? []).some((m) => m.type === type)) throw invalidArgument("material_type", `step ${stepKey} takes no material ${type}`);
      state.setStep(row, { decision, status: "WAITING_MATERIAL", waiting_for: type });
      const materials = { ...state.app.materials };
      delete materials[type];
      state.setApp({ materials, supplement_deadline: new Date(now.getTime() + state.app.bundle.supplementDays * DAY_MS) });
    }
  });
  if (!done) throw notFound("application", applicationId);
  return done.state;
}

/**
 * The applicant supplies a material the application waits for (容缺, or asked again by an
 * officer); the steps it unblocks move on at once. A material the application does not wait for
 * is refused: a supplement never replaces what was already accepted.
 */
export async function supplement(engine: Orchestrator, applicationId: string, applicant: string, type: string, materialId: string): Promise<ApplicationState> {
  const done = await engine.transition(applicationId, (state) => {
    const { app } = state;
    if (app.applicant !== applicant) throw notFound("application", applicationId);
    if (app.status !== "RUNNING") throw failedPrecondition("APPLICATION_CLOSED", `申请 ${applicationId} 已结束 (the application is ${app.status})`);
    if (!bundleMaterials(app.bundle).some((m) => m.type === type)) throw invalidArgument("material_type", `is not a material of bundle ${app.bundle.code}`);
    if (app.materials[type]) {
      throw failedPrecondition("MATERIAL_NOT_AWAITED", `material_type: 申请 ${applicationId} 未在等待补正 ${type} (the application does not wait for this material)`);
    }
    state.setApp({ materials: { ...app.materials, [type]: materialId } });
  });
  if (!done) throw notFound("application", applicationId);
  return done.state;
}
