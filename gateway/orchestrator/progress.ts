/**
 * What an application does next, decided from its state alone: which waiting rows a predecessor,
 * a decision or a material has unblocked, which rows are leased for a department call now, which
 * succeeded rows of a failed application are undone (in reverse order), and whether it finished.
 * Pure: the engine runs it inside the transaction of the event that changed the state, then makes
 * the calls it returns after commit. Waiting rows get no due time, so no sweep meets them again.
 */
import { workingCalendar } from "../../services/common/working-days";
import type { Bundle, BundleStep } from "../catalog/bundles";
import { buildParams, stepKey } from "./params";
import type { ApplicationRow, ApplicationStatus, StateChange, StepRow } from "./store";
import { ONE_WINDOW } from "../../services/common/caller";

/** Rows waiting for a predecessor, a material or an officer. */
const BLOCKED = new Set(["PENDING", "WAITING_MATERIAL", "WAITING_DECISION", "APPROVED"]);
/** Rows that end the application's work when all rows are in them. */
const DONE = new Set(["SUCCEEDED", "DROPPED"]);

/** A department call to make after commit: the row is leased for it. */
export interface Lease {
  applicationId: string;
  stepKey: string;
  kind: "run" | "undo";
  /** attempts (run) or undo_attempts (undo) at leasing: the outcome is recorded only while it still holds. */
  attempt: number;
  action: string;
  department: string;
  params: Record<string, unknown>;
  /** Set when the parameters could not be built (a definition fault): the call is not made. */
  paramsError?: string;
  /** When the row became ready (dispatch lag). */
  readyAt: Date | null;
  /** The application's trace (its submission's request id), when known. */
  traceId?: string;
  /** Why the department uses the applicant's data: the bundle and the step (data-use log), e.g. 开办企业：税务登记. */
  purpose: string;
}

export interface PlanOptions {
  owner: string;
  leaseSeconds: number;
  now: Date;
  /**
   * Calls this replica can take on now. Rows beyond it stay due (READY, or an expired lease) in the
   * queue, and the replica pulls them oldest first as its calls finish: no replica takes on more
   * than it can call within a lease, and no department is flooded.
   */
  capacity: number;
}

/** One application's state inside a transition, with what changed. */
export class ApplicationState {
  readonly changed = new Set<StepRow>();
  appChanged = false;
  /** Set when this transition finished the application. */
  finished: ApplicationStatus | undefined;
  /** Set when a due row was left in the queue for want of capacity. */
  capped = false;

  constructor(
    readonly app: ApplicationRow,
    readonly steps: StepRow[],
  ) {}

  step(key: string): StepRow | undefined {
    return this.steps.find((s) => s.step_key === key);
  }

  def(row: StepRow): BundleStep {
    return stepOf(this.app.bundle, row.step_id);
  }

  /** Status changes of this transition, for the data-use log (written with it; store.ts StateChange). */
  readonly stateChanges: StateChange[] = [];

  setStep(row: StepRow, patch: Partial<StepRow>): void {
    if (patch.status !== undefined && patch.status !== row.status && !MECHANICS.has(patch.status)) {
      const def = this.def(row);
      this.stateChanges.push({ subject_id: this.app.applicant, reader: def.department, action: `step ${row.step_key}: ${patch.status}`, purpose: `${this.app.bundle.nameZh}：${def.nameZh}` });
    }
    Object.assign(row, patch);
    this.changed.add(row);
  }

  /** Logs a change that is no status move (an officer's decision, a supplied material) as made by `department`. */
  note(department: string, action: string, purpose = this.app.bundle.nameZh): void {
    this.stateChanges.push({ subject_id: this.app.applicant, reader: department, action, purpose });
  }

  setApp(patch: Partial<ApplicationRow>): void {
    if (patch.status !== undefined && patch.status !== this.app.status) {
      this.stateChanges.push({ subject_id: this.app.applicant, reader: ONE_WINDOW, action: `application: ${patch.status}`, purpose: this.app.bundle.nameZh });
    }
    Object.assign(this.app, patch);
    this.appChanged = true;
  }
}

/**
 * Step statuses of the orchestration's own mechanics (waiting its turn, leased for a call, being
 * undone): not changes of the case a person would look for in the data-use log; their outcomes are.
 */
const MECHANICS = new Set(["PENDING", "READY", "RUNNING", "UNDOING"]);

export const stepOf = (bundle: Bundle, id: string): BundleStep => bundle.steps.find((s) => s.id === id)!;

const time = (d: Date | string | null | undefined) => (d ? new Date(d).getTime() : undefined);

/** The parameters of a row's department call (or of its compensation), from the state in hand. */
export function callParams(state: ApplicationState, row: StepRow, kind: "run" | "undo"): Record<string, unknown> {
  const { app, steps } = state;
  const def = state.def(row);
  const outputs: Record<string, Record<string, unknown>> = {};
  for (const s of steps) if (s.output && s.item === 0) outputs[s.step_id] = s.output;
  const list = def.each ? (app.form[def.each.slice(6)] as Array<Record<string, unknown>> | undefined) : undefined;
  const ctx = { form: app.form, applicant: app.applicant, caseId: app.application_id, outputs, ownOutput: row.output ?? undefined, item: list?.[row.item] };
  const params = buildParams(kind === "run" ? def.params : def.compensation!.params, def, ctx);
  // A corrected row is a new request to the department: a new key (its first try keeps the plain one).
  const rowKey = row.revision > 0 ? `${row.step_key}:r${row.revision}` : row.step_key;
  params.idempotencyKey = stepKey(app.application_id, rowKey, kind === "undo");
  return params;
}

/** Leases a row for a call now and describes the call. */
function lease(state: ApplicationState, row: StepRow, kind: "run" | "undo", o: PlanOptions): Lease {
  const until = new Date(o.now.getTime() + o.leaseSeconds * 1000);
  const attempt = kind === "run" ? row.attempts + 1 : row.undo_attempts + 1;
  state.setStep(row, {
    status: kind === "run" ? "RUNNING" : "UNDOING",
    ...(kind === "run" ? { attempts: attempt } : { undo_attempts: attempt }),
    leased_until: until,
    lease_owner: o.owner,
    started_at: row.started_at ?? o.now,
    due_at: until,
  });
  const def = state.def(row);
  const out: Lease = {
    applicationId: state.app.application_id,
    stepKey: row.step_key,
    kind,
    attempt,
    action: kind === "run" ? def.action : def.compensation!.action,
    department: def.department,
    params: {},
    readyAt: row.ready_at,
    traceId: state.app.trace_id ?? undefined,
    purpose: `${state.app.bundle.nameZh}：${def.nameZh}${kind === "undo" ? "（撤销）" : ""}`,
  };
  try {
    out.params = callParams(state, row, kind);
  } catch (err) {
    out.paramsError = (err as Error).message;
  }
  return out;
}

/** Whether a row of a failed application still stands in the way of undoing what it needs. */
const standing = (r: StepRow) => r.status === "RUNNING" || r.status === "UNDOING" || ((r.status === "SUCCEEDED" || r.status === "READY") && r.undo === "PENDING");

/** When a replica must look at the row again; null while it waits for an event (people, a predecessor). */
function dueAt(app: ApplicationRow, row: StepRow, undoable: boolean): Date | null {
  if (row.status === "RUNNING" || row.status === "UNDOING") return row.leased_until;
  if (row.status === "READY") return row.next_attempt_at;
  // A compensation that may run (now, or after its backoff).
  if (app.status === "FAILED" && row.status === "SUCCEEDED" && row.undo === "PENDING" && undoable) return row.next_attempt_at;
  return null;
}

/**
 * Moves the application on as far as its state allows now; returns the calls to make. Rows it
 * changes are marked in `state`; the caller writes them with the event, in one statement.
 */
export function plan(state: ApplicationState, o: PlanOptions): Lease[] {
  const { app, steps } = state;
  const now = o.now.getTime();
  // A succeeded row is undone once nothing that needs it still stands (reverse order).
  const undoable = (row: StepRow) => !steps.some((d) => d.needs.includes(row.step_id) && standing(d));
  const leases: Lease[] = [];
  const due = (d: Date | null) => time(d) !== undefined && time(d)! <= now;
  const take = (row: StepRow, kind: "run" | "undo") => {
    if (leases.length < o.capacity) leases.push(lease(state, row, kind, o));
    else state.capped = true;
  };
  if (app.status === "RUNNING") {
    const succeeded = (id: string) => steps.filter((s) => s.step_id === id).every((s) => s.status === "SUCCEEDED");
    for (const row of steps) {
      if (BLOCKED.has(row.status) && row.needs.every(succeeded)) {
        const def = state.def(row);
        const missing = (def.materials ?? []).map((m) => m.type).filter((t) => !app.materials[t]);
        const approved = !def.officerDecision || row.decision?.outcome === "APPROVE";
        const next = missing.length > 0 ? "WAITING_MATERIAL" : approved ? "READY" : "WAITING_DECISION";
        const waitingFor = missing.join(",") || null;
        if (next !== row.status || waitingFor !== row.waiting_for) {
          state.setStep(row, {
            status: next,
            waiting_for: waitingFor,
            ready_at: row.ready_at ?? o.now,
            // 承诺时限 in working days, from the day the step became ready; due at the end of a working day.
            deadline: row.deadline ?? workingCalendar().deadline(o.now, def.committedDays),
            ...(next === "READY" ? { next_attempt_at: o.now } : {}),
          });
        }
      }
      if ((row.status === "READY" && due(row.next_attempt_at)) || (row.status === "RUNNING" && due(row.leased_until))) take(row, "run");
    }
    if (steps.every((s) => DONE.has(s.status))) {
      state.setApp({ status: "COMPLETED", finished_at: o.now });
      state.finished = "COMPLETED";
    }
  } else if (app.status === "FAILED") {
    // A call in flight when the application failed is made again (same key) until its outcome is
    // known, so that a step which did happen is undone.
    for (const row of steps) {
      if ((row.status === "RUNNING" && due(row.leased_until)) || (row.status === "READY" && row.undo === "PENDING" && due(row.next_attempt_at))) take(row, "run");
    }
    for (const row of [...steps].reverse()) {
      if (row.status === "SUCCEEDED" && row.undo === "PENDING" && due(row.next_attempt_at) && undoable(row)) take(row, "undo");
      else if (row.status === "UNDOING" && due(row.leased_until)) take(row, "undo");
    }
    if (!steps.some(standing)) {
      state.setApp({ status: "COMPENSATED", finished_at: o.now });
      state.finished = "COMPENSATED";
    }
  }
  for (const row of steps) {
    const want = dueAt(app, row, undoable(row));
    if (time(want) !== time(row.due_at)) state.setStep(row, { due_at: want });
  }
  return leases;
}

/**
 * Stops an application: it becomes FAILED with the reason, rows not started are cancelled, and
 * succeeded or in-flight rows that have a compensation are marked for undoing.
 */
export function failApplication(state: ApplicationState, failure: Record<string, unknown>, now: Date): void {
  if (state.app.status !== "RUNNING") return;
  state.setApp({ status: "FAILED", failure });
  for (const row of state.steps) {
    const undoable = Boolean(state.def(row).compensation);
    // A row waiting out a retry may have happened at the department (a timeout): it is called again
    // (same key) to learn its outcome, and undone if it did.
    const triedBefore = row.status === "READY" && row.attempts > 0 && undoable;
    if (BLOCKED.has(row.status) || (row.status === "READY" && !triedBefore) || row.status === "HELD") {
      state.setStep(row, { status: "CANCELLED", finished_at: now, due_at: null });
    } else if ((row.status === "SUCCEEDED" || row.status === "RUNNING" || triedBefore) && undoable) {
      state.setStep(row, { undo: "PENDING", next_attempt_at: now });
    }
  }
}
