/**
 * Applications as the portal and back-offices see them: submit (idempotent by the portal's client
 * key), status with a per-step timeline and time left, officer decisions, material supplements.
 */
import { newApplicationId } from "./application-id";
import { rootLogger } from "../../services/common/logger";
import { applicationsSubmitted } from "../../services/common/metrics";
import { workingCalendar } from "../../services/common/working-days";
import { DEFAULT_YELLOW_AT, isOpenStep, lightOf } from "./lights";
import crypto from "node:crypto";
import type { Database } from "../../services/common/db/database";
import { failedPrecondition, invalidArgument, notFound, permissionDenied, renamingField } from "../../services/common/errors";
import { ONE_WINDOW } from "../../services/common/caller";
import { hashRequest } from "../../services/common/idempotency";
import { requireText } from "../../services/common/validate";
import type { Person } from "../../proto/gen/tongban/identity/v1/identity";
import { bundleMaterials, criticalPathDays, type Bundle } from "../catalog/bundles";
import { checkFieldValue, findField } from "../catalog/fields";
import { checkFormInput, completeForm } from "../catalog/merged-form";
import type { Mutation, Orchestrator } from "./engine";
import { ApplicationState, failApplication } from "./progress";
import { insertApplication, type ApplicationRow, type StepRow } from "./store";
import { consentRecord, precheckConsent, requireRefusedTyped } from "../catalog/consent";

const CLIENT_KEY = /^[\x21-\x7e]{8,128}$/;

/** The query code (查询码) of an application: derived from the hub secret, so it can be shown again. */
export function queryCode(secret: string, applicationId: string): string {
  const digest = crypto.createHmac("sha256", secret).update(`query-code:${applicationId}`).digest();
  return String(digest.readUInt32BE(0) % 100_000_000).padStart(8, "0");
}

/** A submission that passed precheckSubmission (the caller ran it before reading anything). */
export interface Submission {
  applicant: Person;
  bundle: Bundle;
  clientKey: string;
  /** The form values as precheckSubmission returned them (canonical, without government data). */
  checkedForm: Record<string, unknown>;
  /** Material type -> material id, from the material store (checked by the caller). */
  materials: Record<string, string>;
  /** The applicant's decisions on government data, as precheckSubmission returned them. */
  decided: { confirmed: string[]; refused: string[]; digest?: string };
  /** The submission's request id: the application's trace. */
  traceId?: string;
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
        undone_at: null,
      });
    }
  }
  return rows;
}

/**
 * What a submission can be checked for before anything is read or written (the client key, every
 * given form value, which materials are given): INVALID_ARGUMENT naming the field at fault.
 * Returns the form values in canonical form (without the applicant's government data).
 */
export function precheckSubmission(
  bundle: Bundle,
  s: { clientKey: unknown; form: unknown; materials: Record<string, string>; consent?: unknown },
): { checked: Record<string, unknown>; decided: ReturnType<typeof precheckConsent> } {
  if (typeof s.clientKey !== "string" || !CLIENT_KEY.test(s.clientKey)) {
    throw invalidArgument("client_key", "is required: 8-128 printable ASCII characters, the same on every retry of this submission");
  }
  const decided = precheckConsent(bundle, s.consent);
  const checked = checkFormInput(bundle, s.form, new Set(decided.refused));
  requireRefusedTyped(decided.refused, checked);
  const needed = bundleMaterials(bundle);
  for (const type of Object.keys(s.materials)) {
    if (!needed.some((m) => m.type === type)) throw invalidArgument(`materials.${type}`, `is not a material of bundle ${bundle.code}`);
  }
  for (const m of needed) {
    if (!s.materials[m.type] && !m.deferrable) throw invalidArgument(`materials.${m.type}`, "is required (upload it once; earlier uploads can be reused)");
  }
  return { checked, decided };
}

/**
 * Stores a prechecked application (precheckSubmission) in one statement, the steps that need nothing already leased
 * (their calls are made once it is stored). The same client key again returns the first
 * application; with other content it is refused.
 */
export async function submit(
  db: Database,
  engine: Orchestrator,
  secret: string,
  s: Submission,
): Promise<{ applicationId: string; queryCode: string; created: boolean }> {
  const form = completeForm(s.bundle, s.checkedForm, s.applicant);
  const needed = bundleMaterials(s.bundle);
  const deferred = needed.some((m) => !s.materials[m.type]);
  const now = new Date();
  // Every item of government data is confirmed, or refused and typed (INVALID_ARGUMENT naming consent otherwise).
  const consent = consentRecord(s.bundle, s.applicant, s.checkedForm, s.decided, now);
  // The decisions are part of the request: the same client key with other decisions is another request.
  const requestHash = hashRequest({ bundle: s.bundle.code, form, materials: s.materials, consent: consent.items });
  const applicationId = newApplicationId();
  const creditCode = typeof form["enterprise.credit_code"] === "string" ? form["enterprise.credit_code"] : null;
  const app: ApplicationRow = {
    application_id: applicationId,
    bundle_code: s.bundle.code,
    bundle: s.bundle,
    applicant: s.applicant.idNumber,
    client_key: s.clientKey,
    request_hash: requestHash,
    form,
    materials: s.materials,
    status: "RUNNING",
    failure: null,
    query_code_hash: hashRequest(queryCode(secret, applicationId)),
    submitted_at: now,
    // 承诺时限 and the supplement term in working days (national holidays and 调休, the centre's own days).
    committed_deadline: workingCalendar().deadline(now, criticalPathDays(s.bundle)),
    supplement_deadline: deferred ? workingCalendar().deadline(now, s.bundle.supplementDays) : null,
    finished_at: null,
    receipt: null,
    trace_id: s.traceId ?? null,
    consent,
    enterprise_name: null,
    credit_code: creditCode,
    version: 0,
  };
  // The steps that need nothing are leased before the application is stored, in the same statement.
  const state = new ApplicationState(app, newRows(app, now));
  const leases = engine.admit(state, now);
  let created: boolean;
  try {
    // The submission is the first change of the case in the data-use log, then what planning moved.
    const submitted = { subject_id: app.applicant, reader: ONE_WINDOW, action: "application: SUBMITTED", purpose: s.bundle.nameZh };
    created = await insertApplication(db, app, state.steps, [submitted, ...state.stateChanges]);
  } catch (err) {
    engine.abandon(leases);
    throw err;
  }
  if (created) {
    engine.admitted(state, leases);
    log.info({ applicationId, requestId: s.traceId, bundle: s.bundle.code, steps: state.steps.length, deferredMaterials: deferred }, "application submitted");
    applicationsSubmitted.inc({ bundle: s.bundle.code });
    return { applicationId, queryCode: queryCode(secret, applicationId), created: true };
  }
  engine.abandon(leases);
  const { rows } = await db.query<{ application_id: string; request_hash: string }>(
    "SELECT application_id, request_hash FROM applications WHERE applicant = $1 AND client_key = $2",
    [s.applicant.idNumber, s.clientKey],
  );
  if (rows[0]?.request_hash !== requestHash) {
    throw failedPrecondition("IDEMPOTENCY_KEY_REUSED", `client_key ${String(s.clientKey)} was already used for a different application`);
  }
  return { applicationId: rows[0].application_id, queryCode: queryCode(secret, rows[0].application_id), created: false };
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : undefined);

/** The status of an application with a per-step timeline; `personal` false hides form data (query-code lookups). */
export function statusView(app: ApplicationRow, steps: StepRow[], personal: boolean, now = Date.now(), yellowAt = DEFAULT_YELLOW_AT) {
  const defs = new Map(app.bundle.steps.map((s) => [s.id, s]));
  const open = (s: StepRow) => isOpenStep(s.status);
  return {
    applicationId: app.application_id,
    bundle: { code: app.bundle.code, nameZh: app.bundle.nameZh, nameEn: app.bundle.nameEn },
    status: app.status,
    submittedAt: iso(app.submitted_at),
    committedDeadline: iso(app.committed_deadline),
    msLeft: app.finished_at ? undefined : new Date(app.committed_deadline).getTime() - now,
    overdue: !app.finished_at && new Date(app.committed_deadline).getTime() < now,
    // 红黄灯 of the open application (its committed time from submission); none once it ended.
    light: app.finished_at ? undefined : lightOf(app.submitted_at, app.committed_deadline, now, yellowAt),
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
      undoneAt: iso(s.undone_at),
      deadline: iso(s.deadline),
      overdue: Boolean(s.deadline && open(s) && new Date(s.deadline).getTime() < now),
      light: open(s) ? lightOf(s.ready_at, s.deadline, now, yellowAt) : undefined,
      output: personal ? (s.output ?? undefined) : undefined,
      error: personal && s.error ? { reasonCode: s.error.reasonCode, message: s.error.message } : undefined,
    })),
    receipt: personal ? (app.receipt ?? undefined) : undefined,
    consent: personal ? (app.consent ?? undefined) : undefined,
  };
}

export type Decision = "APPROVE" | "REJECT" | "SUPPLEMENT";

/**
 * An event on one application (engine.transition), NOT_FOUND when it is unknown — or, with
 * `applicant`, when it is another applicant's: it answers exactly like a missing one.
 */
async function onApplication(engine: Orchestrator, applicationId: string, applicant: string | undefined, mutate: Mutation<void>): Promise<ApplicationState> {
  const done = await engine.transition(applicationId, (state, q, now) => {
    if (applicant !== undefined && state.app.applicant !== applicant) throw notFound("application", applicationId);
    return mutate(state, q, now);
  });
  if (!done) throw notFound("application", applicationId);
  return done.state;
}

/** APPLICATION_CLOSED unless the application still runs; `refusal` says what it refuses (e.g. "，不能撤回"). */
function requireRunning(app: ApplicationRow, refusal = ""): void {
  if (app.status !== "RUNNING") throw failedPrecondition("APPLICATION_CLOSED", `申请 ${app.application_id} 已结束${refusal} (the application is ${app.status})`);
}

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
  // A material is asked for only with SUPPLEMENT; with another outcome it would be stored and shown
  // to the applicant unchecked, so it is refused (proto3's "" for "not given" is none).
  const given = p.materialType !== undefined && p.materialType !== null && p.materialType !== "";
  if (given && p.outcome !== "SUPPLEMENT") throw invalidArgument("material_type", `is given only with outcome SUPPLEMENT (the outcome is ${p.outcome})`);
  const materialType = p.outcome === "SUPPLEMENT" ? requireText(p.materialType, "material_type", 2, 60) : undefined;
  const decided = await onApplication(engine, applicationId, undefined, (state, _q, now) => {
    const row = state.step(stepKey);
    if (!row) throw notFound("step", `${applicationId}/${stepKey}`);
    const def = state.def(row);
    if (def.department !== department) throw permissionDenied(`step ${stepKey} is decided by ${def.department}`);
    if (row.status !== "WAITING_DECISION") {
      throw failedPrecondition("STEP_NOT_AWAITING_DECISION", `步骤 ${stepKey} 当前状态为 ${row.status}，无需审批 (the step is not waiting for a decision)`);
    }
    const decision = { outcome: p.outcome, by: department, comment, at: now.toISOString(), ...(materialType ? { materialType } : {}) };
    state.note(department, `step ${stepKey}: decided ${p.outcome}`, `${state.app.bundle.nameZh}：${def.nameZh}`);
    if (p.outcome === "APPROVE") state.setStep(row, { decision });
    else if (p.outcome === "REJECT") {
      state.setStep(row, { decision, status: "REJECTED", finished_at: now });
      failApplication(state, { step: stepKey, reasonCode: "REJECTED_BY_OFFICER", message: `${department}: ${comment}` }, now);
    } else {
      const type = materialType!;
      if (!(def.materials ?? []).some((m) => m.type === type)) throw invalidArgument("material_type", `step ${stepKey} takes no material ${type}`);
      state.setStep(row, { decision, status: "WAITING_MATERIAL", waiting_for: type });
      const materials = { ...state.app.materials };
      delete materials[type];
      state.setApp({ materials, supplement_deadline: workingCalendar().deadline(now, state.app.bundle.supplementDays) });
    }
  });
  log.info({ applicationId, bundle: decided.app.bundle_code, step: stepKey, department, outcome: p.outcome }, "decision taken");
  return decided;
}

/**
 * The applicant supplies a material the application waits for (容缺, or asked again by an
 * officer); the steps it unblocks move on at once. A material the application does not wait for
 * is refused: a supplement never replaces what was already accepted.
 */
export async function supplement(engine: Orchestrator, applicationId: string, applicant: string, type: string, materialId: string): Promise<ApplicationState> {
  return logged({ applicationId, materialType: type }, "supplement received", onApplication(engine, applicationId, applicant, (state) => {
    const { app } = state;
    requireRunning(app);
    if (!bundleMaterials(app.bundle).some((m) => m.type === type)) throw invalidArgument("material_type", `is not a material of bundle ${app.bundle.code}`);
    if (app.materials[type]) {
      throw failedPrecondition("MATERIAL_NOT_AWAITED", `material_type: 申请 ${applicationId} 未在等待补正 ${type} (the application does not wait for this material)`);
    }
    state.setApp({ materials: { ...app.materials, [type]: materialId } });
    state.note(ONE_WINDOW, `material supplied: ${type}`);
  }));
}

/**
 * The applicant withdraws (撤回) a running application: it stops, and what its steps did is undone
 * in reverse order. Withdrawing again answers the same; a finished application cannot be withdrawn.
 */
export async function withdraw(engine: Orchestrator, applicationId: string, applicant: string, reason: unknown): Promise<ApplicationState> {
  const why = requireText(reason, "reason", 2, 500);
  return logged({ applicationId }, "application withdrawn", onApplication(engine, applicationId, applicant, (state, _q, now) => {
    if (state.app.failure?.reasonCode === "WITHDRAWN_BY_APPLICANT") return;
    requireRunning(state.app, "，不能撤回");
    failApplication(state, { reasonCode: "WITHDRAWN_BY_APPLICANT", message: why }, now);
  }));
}

/** A correction of a held step: new values of its own fields (or of its list item), or dropping it. */
export interface Correction {
  /** Canonical field name -> new value, for a step that runs once. */
  fields?: unknown;
  /** The corrected list element, for a step that runs per element (e.g. one employee). */
  item?: unknown;
  /** Gives the item up: the rest of the application completes without it. */
  drop?: unknown;
}

/**
 * The applicant corrects a step held after a department refused it (e.g. an employee already
 * insured elsewhere, an invoice credit line above the limit): the step runs again at once with the
 * corrected values (a new idempotency key), or is dropped. Only the step's own fields change, and
 * only while no other step has used them.
 */
export async function correct(engine: Orchestrator, applicationId: string, applicant: string, stepKey: string, c: Correction): Promise<ApplicationState> {
  const keys = ["fields", "item", "drop"].filter((k) => (c as Record<string, unknown>)[k] !== undefined);
  if (keys.length !== 1) throw invalidArgument("correction", "give exactly one of fields, item or drop");
  if (c.drop !== undefined && c.drop !== true) throw invalidArgument("drop", "must be true to give the item up");
  return logged({ applicationId, step: stepKey, dropped: c.drop === true }, "held step corrected", onApplication(engine, applicationId, applicant, (state, _q, now) => {
    const { app } = state;
    const row = state.step(stepKey);
    if (!row) throw notFound("step", `${applicationId}/${stepKey}`);
    requireRunning(app);
    if (row.status !== "HELD") throw failedPrecondition("STEP_NOT_HELD", `步骤 ${stepKey} 当前状态为 ${row.status}，无需补正 (the step is not held for correction)`);
    const def = state.def(row);
    if (c.drop === true) {
      state.setStep(row, { status: "DROPPED", finished_at: now });
      return;
    }
    const form = { ...app.form };
    const changed: string[] = [];
    if (def.each) {
      const list = def.each.slice(6);
      if (c.item === undefined) throw invalidArgument("item", `step ${stepKey} runs per element of ${list}: give the corrected element as item`);
      // Checked as a list of one, its problems named as the request gives it: item.id_number.
      const checked = asNamed(() => checkFieldValue(findField(list)!, [c.item]) as unknown[], `${list}[0]`, "item");
      const items = [...(form[list] as unknown[])];
      items[row.item] = checked[0];
      // Not a person the list already holds (their enrolment could only be refused after the other).
      const person = (checked[0] as { idNumber?: string }).idNumber;
      const same = person === undefined ? -1 : items.findIndex((e, i) => i !== row.item && (e as { idNumber?: string }).idNumber === person);
      if (same >= 0) throw invalidArgument("item.id_number", `is the same person as ${list}[${same}]`);
      form[list] = items;
      changed.push(list);
    } else {
      if (c.fields === undefined) throw invalidArgument("fields", `give new values of the step's own fields (${def.fields.join(", ") || "none"})`);
      if (!c.fields || typeof c.fields !== "object" || Array.isArray(c.fields)) throw invalidArgument("fields", "must be an object of field values");
      const given = c.fields as Record<string, unknown>;
      if (Object.keys(given).length === 0) throw invalidArgument("fields", "give at least one corrected value");
      for (const [name, value] of Object.entries(given)) {
        const field = findField(name);
        if (!def.fields.includes(name) || !field) throw invalidArgument(`fields.${name}`, `is not a field of step ${stepKey} (${def.fields.join(", ")})`);
        if (field.source) throw invalidArgument(`fields.${name}`, "is filled from a government source; it cannot be corrected here");
        form[name] = asNamed(() => checkFieldValue(field, value), name, `fields.${name}`);
        changed.push(name);
      }
    }
    // A value another step already used stays as it was: correcting it would split the case.
    for (const other of state.steps) {
      if (other === row || ["PENDING", "WAITING_MATERIAL", "WAITING_DECISION", "CANCELLED", "DROPPED"].includes(other.status)) continue;
      const odef = state.def(other);
      const shared = changed.find((f) => odef.fields.includes(f) && (!def.each || !odef.each || other.item === row.item));
      if (shared) throw failedPrecondition("FIELD_ALREADY_USED", `${shared}: 已被步骤 ${other.step_key} 使用，不能在此补正 (already used by another step)`);
    }
    state.setApp({ form });
    state.setStep(row, { status: "READY", revision: row.revision + 1, attempts: 0, error: null, next_attempt_at: now, finished_at: null });
  }));
}

/**
 * Runs a check of a corrected value, naming what it refuses as the request gave it: a form field
 * under `fields.` (fields.tax.monthly_credit_line), a list element as `item` (not employees[0]).
 * `from` is the name the check uses, `to` the request's.
 */
function asNamed<T>(check: () => T, from: string, to: string): T {
  return renamingField(check, (field) =>
    field === from || field.startsWith(`${from}.`) || field.startsWith(`${from}[`) ? `${to}${field.slice(from.length)}` : undefined,
  );
}

/**
 * Lifecycle log lines (ids, bundle, step, department; never personal data), one per event taken;
 * a child of the root logger as it is at the time (its level may change after start).
 */
const log = { info: (fields: Record<string, unknown>, msg: string) => rootLogger().info({ mod: "applications", ...fields }, msg) };

/** Logs `msg` with `fields` once the event was taken (a refusal logs nothing here). */
async function logged(fields: Record<string, unknown>, msg: string, taken: Promise<ApplicationState>): Promise<ApplicationState> {
  const state = await taken;
  log.info({ ...fields, bundle: state.app.bundle_code }, msg);
  return state;
}
