/**
 * Applications as the portal and back-offices see them: submit (idempotent by the portal's client
 * key), status with a per-step timeline and time left, officer decisions, material supplements.
 */
import crypto from "node:crypto";
import type { Database, Queryable } from "../../services/common/db/database";
import { failedPrecondition, invalidArgument, notFound, permissionDenied } from "../../services/common/errors";
import { hashRequest } from "../../services/common/idempotency";
import { requireText } from "../../services/common/validate";
import type { Person } from "../../proto/gen/tongban/identity/v1/identity";
import { bundleMaterials, criticalPathDays, type Bundle } from "../catalog/bundles";
import { checkForm } from "../catalog/merged-form";
import { failApplication } from "./engine";
import { loadApplication, type ApplicationRow, type StepRow } from "./store";

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

/**
 * Checks and stores an application with one row per step (per item for steps that run per list
 * element). The same client key again returns the first application; with other content it is refused.
 */
export async function submit(db: Database, secret: string, s: Submission): Promise<{ applicationId: string; queryCode: string; created: boolean }> {
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
  return db.transaction(async (tx) => {
    const inserted = await tx.query(
      `INSERT INTO applications (application_id, bundle_code, bundle, applicant, client_key, request_hash, form, materials, status,
         query_code_hash, committed_deadline, supplement_deadline)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'RUNNING', $9, now() + ($10 || ' milliseconds')::interval,
         CASE WHEN $11 THEN now() + ($12 || ' days')::interval END)
       ON CONFLICT (applicant, client_key) DO NOTHING`,
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
        String(Math.round(criticalPathDays(s.bundle) * DAY_MS)),
        deferred,
        String(s.bundle.supplementDays),
      ],
    );
    if (inserted.rowCount === 0) {
      const { rows } = await tx.query<{ application_id: string; request_hash: string }>(
        "SELECT application_id, request_hash FROM applications WHERE applicant = $1 AND client_key = $2",
        [s.applicant.idNumber, s.clientKey],
      );
      if (rows[0].request_hash !== requestHash) {
        throw failedPrecondition("IDEMPOTENCY_KEY_REUSED", `client_key ${String(s.clientKey)} was already used for a different application`);
      }
      return { applicationId: rows[0].application_id, queryCode: queryCode(secret, rows[0].application_id), created: false };
    }
    for (const step of s.bundle.steps) {
      const items = step.each ? (form[step.each.slice(6)] as unknown[]).length : 1;
      for (let item = 0; item < items; item++) {
        await tx.query("INSERT INTO application_steps (application_id, step_key, step_id, item, needs, status) VALUES ($1, $2, $3, $4, $5, 'PENDING')", [
          applicationId,
          step.each ? `${step.id}#${item}` : step.id,
          step.id,
          item,
          step.needs,
        ]);
      }
    }
    return { applicationId, queryCode: queryCode(secret, applicationId), created: true };
  });
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

/** An officer's decision on a waiting step, by the step's own department. */
export async function decide(
  db: Database,
  department: string,
  p: { applicationId: string; stepKey: string; outcome: Decision; comment: string; materialType?: string },
): Promise<void> {
  const comment = requireText(p.comment, "comment", 2, 500);
  if (!["APPROVE", "REJECT", "SUPPLEMENT"].includes(p.outcome)) throw invalidArgument("outcome", "must be APPROVE, REJECT or SUPPLEMENT");
  await db.transaction(async (tx) => {
    const { app, steps } = await loadApplication(tx, p.applicationId);
    await tx.query("SELECT 1 FROM applications WHERE application_id = $1 FOR UPDATE", [p.applicationId]);
    const row = steps.find((s) => s.step_key === p.stepKey);
    if (!row) throw notFound("step", `${p.applicationId}/${p.stepKey}`);
    const def = app.bundle.steps.find((s) => s.id === row.step_id)!;
    if (def.department !== department) throw permissionDenied(`step ${p.stepKey} is decided by ${def.department}`);
    if (row.status !== "WAITING_DECISION") {
      throw failedPrecondition("STEP_NOT_AWAITING_DECISION", `步骤 ${p.stepKey} 当前状态为 ${row.status}，无需审批 (the step is not waiting for a decision)`);
    }
    const decision = JSON.stringify({ outcome: p.outcome, by: department, comment, at: new Date().toISOString(), materialType: p.materialType });
    const set = (status: string, waiting: string | null) =>
      tx.query("UPDATE application_steps SET status = $3, decision = $4, waiting_for = $5 WHERE application_id = $1 AND step_key = $2", [
        p.applicationId,
        p.stepKey,
        status,
        decision,
        waiting,
      ]);
    if (p.outcome === "APPROVE") await set("APPROVED", null);
    else if (p.outcome === "REJECT") {
      await set("REJECTED", null);
      await failApplication(tx, p.applicationId, { step: p.stepKey, reasonCode: "REJECTED_BY_OFFICER", message: `${department}: ${comment}` });
    } else {
      const type = requireText(p.materialType, "material_type", 2, 60);
      if (!(def.materials ?? []).some((m) => m.type === type)) throw invalidArgument("material_type", `step ${p.stepKey} takes no material ${type}`);
      await set("WAITING_MATERIAL", type);
      const materials = { ...app.materials };
      delete materials[type];
      await tx.query(
        "UPDATE applications SET materials = $2, supplement_deadline = now() + ($3 || ' days')::interval WHERE application_id = $1",
        [p.applicationId, JSON.stringify(materials), String(app.bundle.supplementDays)],
      );
    }
  });
}

/** The applicant supplies a material the application waits for (容缺, or asked by an officer). */
export async function supplement(tx: Queryable, applicationId: string, applicant: string, type: string, materialId: string): Promise<void> {
  const { app } = await loadApplication(tx, applicationId);
  if (app.applicant !== applicant) throw notFound("application", applicationId);
  if (app.status !== "RUNNING") throw failedPrecondition("APPLICATION_CLOSED", `申请 ${applicationId} 已结束 (the application is ${app.status})`);
  if (!bundleMaterials(app.bundle).some((m) => m.type === type)) throw invalidArgument("material_type", `is not a material of bundle ${app.bundle.code}`);
  await tx.query("UPDATE applications SET materials = materials || $2::jsonb WHERE application_id = $1", [applicationId, JSON.stringify({ [type]: materialId })]);
}
