/**
 * The orchestrator: applications move on by the events that unblock their steps. Every event —
 * a submission, a department's answer, an officer's decision, a supplied material, a correction —
 * is applied to the application's state, which is moved on as far as it goes (progress.ts), and
 * written in one statement over the version it was read at (no lock; a replica that was outrun
 * reads again). The rows to call are leased in that write and called at once by the same replica;
 * no transaction is open during a department call, and a crashed replica's lease expires. A
 * safety-net sweep reads only the indexed queue of due rows (due_at: a retry's time, an expired
 * lease), never the applications that wait for people, so waiting cases cost nothing. Every call
 * carries the idempotency key application + step, so a repeated call repeats nothing. */
import type { ServiceBroker } from "moleculer";
import type { Database, Queryable } from "../../services/common/db/database";
import { rootLogger } from "../../services/common/logger";
import { PollingLoop } from "../../services/common/polling-loop";
import { callOutcome, describeError, retryDelaySeconds, shouldRetry } from "./outcomes";
import { CallLimit } from "./call-limit";
import { WakeUps } from "./wake-ups";
import { stepSpan } from "../../services/common/tracing";
import { applicationsFinished, dispatchLag, stepCallDuration } from "../../services/common/metrics";
import { pickOutputs } from "./params";
import { ApplicationState, failApplication, plan, type Lease } from "./progress";
import { ONE_WINDOW } from "../../services/common/caller";
import { readApplication, writeTransition, type ApplicationRow, type StepRow } from "./store";

export { ONE_WINDOW } from "../../services/common/caller";

export interface EngineOptions {
  /** Identifies this replica in leases. */
  owner: string;
  leaseSeconds: number;
  /**
   * Retryable failures (a department down, overloaded, timing out) a step is tried through at
   * least; past them it is still retried until its committed deadline, so an outage or an overload
   * of minutes or hours delays cases instead of failing them. Only after both does the step fail.
   */
  maxAttempts: number;
  /** Interval of the safety-net sweep in ms; 0 turns it off (tests of event-driven progress). */
  sweepIntervalMs?: number;
  /**
   * Department calls this replica makes at once, at most. Work beyond it waits in the due queue and
   * is pulled oldest first as calls finish (back-pressure instead of timeouts and retries). The
   * window in use adapts below it when calls time out (call-limit.ts).
   */
  maxInFlight?: number;
  /**
   * Tells the other replicas that due work was left in the queue here (at most every
   * ANNOUNCE_EVERY_MS), so one with free capacity pulls it now rather than at its next sweep.
   */
  announceQueued?: () => void;
  /** Called before the transition that finishes an application is written (e.g. to sign its receipt into the state). */
  onFinished?: (state: ApplicationState) => Promise<void>;
  /** Called after each transition written here, and after a submission is stored (waiting status reads answer). */
  onWritten?: (applicationId: string) => void;
  /**
   * The NOTIFY payload that tells other gateway replicas a transition of `applicationId` was
   * written (sent in the transition's own statement), or undefined when none may be waiting.
   */
  changePayload?: (applicationId: string) => string | undefined;
}

/** What this replica has done, for tests and operations. */
export interface EngineStats {
  /** Department calls made (runs and compensations). */
  dispatched: number;
  /** Sweep passes run, and applications they moved on (lost events, retries, expired leases). */
  sweeps: number;
  sweptApplications: number;
  /** Transitions written, and writes that met a newer version and were applied again. */
  transitions: number;
  conflicts: number;
  inFlight: number;
  /** Calls this replica allows itself at once now (the adaptive window, ≤ maxInFlight). */
  callLimit: number;
}

/** An event's change of an application's state; `q` reads other tables (nothing is locked). */
export type Mutation<T> = (state: ApplicationState, q: Queryable, now: Date) => Promise<T> | T;

/** How often a replica at capacity tells the others that work waits (ms). */
const ANNOUNCE_EVERY_MS = 200;

/** Applications a sweep moves on at once. */
const SWEEP_GROUP = 8;

/** Open applications whose last written state a replica keeps. */
const KNOWN_KEPT = 20_000;

/**
 * A copy of a state to change (the bundle definition, never changed, is shared). Through JSON:
 * times become ISO text, as a read gives them, which both drivers take as parameters (a Date from
 * structuredClone may come from another realm, which PGlite's serializer refuses).
 */
function copyOf(s: { app: ApplicationRow; steps: StepRow[] }): { app: ApplicationRow; steps: StepRow[] } {
  const { bundle, ...rest } = s.app;
  return { app: { ...(JSON.parse(JSON.stringify(rest)) as Omit<ApplicationRow, "bundle">), bundle }, steps: JSON.parse(JSON.stringify(s.steps)) as StepRow[] };
}

/** The durable orchestration of one gateway replica. */
export class Orchestrator {
  private readonly log = rootLogger().child({ mod: "orchestrator" });
  private readonly sweeper = new PollingLoop(
    () => this.sweep(),
    (err) => this.log.warn({ err }, "orchestration sweep failed"),
  );
  /** A retry's time coming kicks a sweep pass here, whatever the sweep interval. */
  private readonly wakeUps = new WakeUps(() => this.sweeper.kick());
  private readonly inFlight = new Set<Promise<void>>();
  /** The end of each application's chain of transitions under way here (see inTurn). */
  private readonly turns = new Map<string, Promise<void>>();
  /** The state this replica wrote last, by application. */
  private readonly known = new Map<string, { app: ApplicationRow; steps: StepRow[] }>();
  /** Calls leased and not yet recorded (reserved when planned, before the write). */
  private slots = 0;
  /** Due work was left in the queue for want of capacity: pull it as calls finish. */
  private backlog = false;
  private announcedAt = 0;
  private readonly counters: Omit<EngineStats, "inFlight" | "callLimit"> = { dispatched: 0, sweeps: 0, sweptApplications: 0, transitions: 0, conflicts: 0 };
  private stopped = false;
  private readonly callLimit: CallLimit;

  constructor(
    private readonly broker: ServiceBroker,
    private readonly db: Database,
    private readonly options: EngineOptions,
  ) {
    this.callLimit = new CallLimit({ max: options.maxInFlight ?? 128 });
  }

  start(): void {
    this.stopped = false;
    this.wakeUps.start();
    // Without an interval the loop still runs on demand: pulling queued work as calls finish.
    this.sweeper.start(this.options.sweepIntervalMs ?? 1000);
  }

  private get capacity(): number {
    return Math.max(0, this.callLimit.limit - this.slots);
  }

  /** Takes slots for leases just planned (synchronously, so concurrent transitions see them). */
  private reserve(state: ApplicationState, leases: Lease[]): void {
    this.slots += leases.length;
    if (state.capped) this.queued();
  }

  /** Due work stays in the queue: pull it here when a call finishes, and tell the other replicas. */
  private queued(): void {
    this.backlog = true;
    const now = Date.now();
    if (this.options.announceQueued && now - this.announcedAt >= ANNOUNCE_EVERY_MS) {
      this.announcedAt = now;
      this.options.announceQueued();
    }
  }

  /** Another replica left due work in the queue: pull it if this one has room. */
  pull(): void {
    if (!this.stopped && this.capacity > 0) this.sweeper.kick();
  }

  /** Stops sweeping and waits for the calls under way to be recorded. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeUps.stop();
    await this.sweeper.stop();
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  stats(): EngineStats {
    return { ...this.counters, inFlight: this.inFlight.size, callLimit: this.callLimit.limit };
  }

  /**
   * One event on an application: apply `mutate` to its state (it may throw to refuse the event:
   * nothing is written), move the application on, write what changed in one statement over the
   * version read, and make the calls that became due. No lock is held and no transaction is open:
   * when another transition wrote first, the state is read again and the event applied again (so
   * `mutate` must decide from the state alone). The state this replica wrote last is kept, so the
   * usual event costs one statement. Returns what `mutate` returned; undefined when the
   * application is unknown.
   */
  transition<T>(applicationId: string, mutate: Mutation<T>): Promise<{ value: T; state: ApplicationState; written: boolean } | undefined> {
    return this.inTurn(applicationId, () => this.transitionNow(applicationId, mutate));
  }

  /**
   * Runs fn after the transitions of the application this replica has under way (in the order
   * asked), so a replica never races itself: the answers of parallel steps (seal, tax, social
   * insurance finish together) are applied one after the other to the state kept from the last
   * write, instead of meeting each other's version and reading the application again. Replicas
   * still race each other, and the version check settles that.
   */
  private inTurn<T>(applicationId: string, fn: () => Promise<T>): Promise<T> {
    const before = this.turns.get(applicationId);
    const mine = before ? before.then(fn, fn) : fn();
    const tail = mine.then(
      () => undefined,
      () => undefined,
    );
    this.turns.set(applicationId, tail);
    void tail.then(() => {
      if (this.turns.get(applicationId) === tail) this.turns.delete(applicationId);
    });
    return mine;
  }

  private async transitionNow<T>(applicationId: string, mutate: Mutation<T>): Promise<{ value: T; state: ApplicationState; written: boolean } | undefined> {
    for (let attempt = 0; ; attempt++) {
      const known = attempt === 0 ? this.known.get(applicationId) : undefined;
      const found = known ? copyOf(known) : await readApplication(this.db, applicationId);
      if (!found) return undefined;
      const state = new ApplicationState(found.app, found.steps);
      const version = state.app.version;
      const now = new Date();
      let value: T;
      try {
        value = await mutate(state, this.db, now);
      } catch (err) {
        // A refusal is decided on the stored state, never on a kept copy another replica may have outrun.
        if (known) continue;
        throw err;
      }
      // The event changed nothing in a kept copy (a sweep, a lease no longer held): decide on the stored state.
      if (known && state.changed.size === 0 && !state.appChanged) continue;
      const leases = plan(state, this.planOptions(now));
      this.reserve(state, leases);
      try {
        if (state.changed.size === 0 && !state.appChanged) return { value, state, written: false };
        if (state.finished) await this.options.onFinished?.(state);
        const told = this.options.changePayload?.(applicationId);
        if (!(await writeTransition(this.db, state.app, version, [...state.changed], state.appChanged, state.stateChanges, told))) {
          // Another transition came first (a parallel step, another replica): read again, apply again.
          this.release(leases.length);
          this.known.delete(applicationId);
          this.counters.conflicts++;
          continue;
        }
      } catch (err) {
        this.release(leases.length);
        this.known.delete(applicationId);
        throw err;
      }
      state.app.version = version + 1;
      state.changed.clear();
      state.appChanged = false;
      this.remember(state);
      this.counters.transitions++;
      this.dispatch(leases);
      if (state.finished) this.logFinished(state);
      this.options.onWritten?.(applicationId);
      return { value, state, written: true };
    }
  }

  private planOptions(now: Date) {
    return { owner: this.options.owner, leaseSeconds: this.options.leaseSeconds, now, capacity: this.capacity };
  }

  /**
   * Keeps the state this replica wrote last (open applications only, the oldest forgotten first).
   * Kept as it is: the next transition changes a copy of it (copyOf), and callers only read it.
   */
  private remember(state: ApplicationState): void {
    const id = state.app.application_id;
    this.known.delete(id);
    if (state.app.status === "COMPLETED" || state.app.status === "COMPENSATED") return;
    if (this.known.size >= KNOWN_KEPT) this.known.delete(this.known.keys().next().value!);
    this.known.set(id, { app: state.app, steps: state.steps });
  }

  /**
   * The state this replica wrote last of an open application (its version in `app.version`), or
   * undefined (finished, forgotten, never written here). It is the stored state unless another
   * replica has written since: a caller that may meet other replicas compares the stored version.
   * Read only: never change it.
   */
  latest(applicationId: string): { app: ApplicationRow; steps: StepRow[] } | undefined {
    return this.known.get(applicationId);
  }

  /**
   * The first rows of a new application, moved on as far as they go before it is stored; returns
   * the calls to make once it is (or to give back with `abandon` when it is not).
   */
  admit(state: ApplicationState, now: Date): Lease[] {
    const leases = plan(state, this.planOptions(now));
    this.reserve(state, leases);
    return leases;
  }

  /** A new application was stored: its state is known, its first calls are made. */
  admitted(state: ApplicationState, leases: Lease[]): void {
    state.changed.clear();
    state.appChanged = false;
    this.remember(state);
    this.counters.transitions++;
    this.dispatch(leases);
    this.options.onWritten?.(state.app.application_id);
  }

  /** Gives back slots of calls recorded (or of leases whose write did not happen), pulling queued work. */
  private release(n: number): void {
    if (n === 0) return;
    this.slots -= n;
    if (this.backlog && !this.stopped) {
      this.backlog = false;
      this.sweeper.kick();
    }
  }

  /**
   * Makes the calls of leased rows (after the write that leased them). A submission that was not
   * stored after admit() passes its leases to `abandon` instead.
   */
  dispatch(leases: Lease[]): void {
    for (const lease of leases) {
      this.counters.dispatched++;
      const lagMs = lease.readyAt ? Date.now() - new Date(lease.readyAt).getTime() : undefined;
      if (lagMs !== undefined) dispatchLag.observe({ department: lease.department }, Math.max(0, lagMs) / 1000);
      this.log.info(
        { applicationId: lease.applicationId, requestId: lease.traceId, step: lease.stepKey, department: lease.department, kind: lease.kind, attempt: lease.attempt, lagMs },
        lease.kind === "run" ? "step dispatched" : "step compensation dispatched",
      );
      const call = (lease.kind === "run" ? this.run(lease) : this.undo(lease))
        .catch((err) => this.log.warn({ err, applicationId: lease.applicationId, step: lease.stepKey }, "recording a step outcome failed; the sweep retries it"))
        .finally(() => {
          this.inFlight.delete(call);
          this.release(1);
        });
      this.inFlight.add(call);
    }
  }

  /** Gives back the slots of leases that will not be dispatched (their write did not happen). */
  abandon(leases: Lease[]): void {
    this.release(leases.length);
  }

  private async call(lease: Lease): Promise<Record<string, unknown>> {
    if (lease.paramsError) throw Object.assign(new Error(lease.paramsError), { type: "BUNDLE_DEFINITION" });
    // In the application's trace (its submission's), when tracing is on: one trace per bundle.
    const span = stepSpan(this.broker, lease.traceId, `step ${lease.stepKey}${lease.kind === "undo" ? " (undo)" : ""}`, {
      applicationId: lease.applicationId, step: lease.stepKey, department: lease.department, attempt: lease.attempt,
    });
    try {
      // No retries by the broker: a timed-out call may still be running at the department, and the
      // engine retries (same key, after a backoff) itself.
      return await this.broker.call<Record<string, unknown>, object>(lease.action, lease.params, {
        retries: 0,
        meta: { caller: { department: ONE_WINDOW }, purpose: lease.purpose },
        ...(span ? { parentSpan: span } : lease.traceId ? { requestID: lease.traceId } : {}),
      } as object);
    } catch (err) {
      span?.setError(err as Error);
      throw err;
    } finally {
      span?.finish();
    }
  }

  /** The lease still held: the row is as this replica leased it. */
  private held(state: ApplicationState, lease: Lease) {
    const row = state.step(lease.stepKey);
    const status = lease.kind === "run" ? "RUNNING" : "UNDOING";
    const attempt = lease.kind === "run" ? row?.attempts : row?.undo_attempts;
    return row && row.status === status && attempt === lease.attempt && row.lease_owner === this.options.owner ? row : undefined;
  }

  /** Calls the department for a leased row and records the outcome. */
  private async run(lease: Lease): Promise<void> {
    let result: Record<string, unknown> | undefined;
    let failure: unknown;
    const started = Date.now();
    try {
      result = await this.call(lease);
    } catch (err) {
      failure = err;
    }
    this.callLimit.record(failure);
    const callMs = Date.now() - started;
    stepCallDuration.observe({ action: lease.action, outcome: callOutcome(failure) }, callMs / 1000);
    await this.transition(lease.applicationId, (state, _tx, now) => {
      const row = this.held(state, lease);
      if (!row) return;
      const def = state.def(row);
      if (failure === undefined) {
        const output = pickOutputs(def, result!);
        state.setStep(row, { status: "SUCCEEDED", output, error: null, leased_until: null, finished_at: now });
        if (typeof output.enterpriseName === "string") state.setApp({ enterprise_name: output.enterpriseName });
        if (typeof output.creditCode === "string") state.setApp({ credit_code: output.creditCode });
        this.log.info({ applicationId: lease.applicationId, step: lease.stepKey, department: lease.department, attempt: lease.attempt, callMs }, "step succeeded");
        return;
      }
      const error = describeError(failure);
      if (shouldRetry(failure, row.attempts, this.options.maxAttempts, row.deadline, now)) {
        const next = new Date(now.getTime() + retryDelaySeconds(failure, row.attempts) * 1000);
        state.setStep(row, { status: "READY", error: { ...error }, leased_until: null, next_attempt_at: next });
        this.wakeUps.at(next);
        return;
      }
      if (def.onFailure === "hold" && state.app.status === "RUNNING") {
        // A sub-item the applicant can correct or drop: the rest of the application goes on.
        state.setStep(row, { status: "HELD", error: { ...error }, leased_until: null });
        this.log.info({ applicationId: lease.applicationId, step: lease.stepKey, department: lease.department, reasonCode: error.reasonCode, callMs }, "step held for correction");
        return;
      }
      state.setStep(row, { status: "FAILED", error: { ...error }, leased_until: null, finished_at: now });
      this.log.info({ applicationId: lease.applicationId, step: lease.stepKey, department: lease.department, reasonCode: error.reasonCode, callMs }, "step failed; the application stops");
      failApplication(state, { step: lease.stepKey, ...error }, now);
    });
  }

  /** Calls a step's compensation for a leased row and records the outcome; retried until it answers. */
  private async undo(lease: Lease): Promise<void> {
    let failure: unknown;
    try {
      await this.call(lease);
    } catch (err) {
      failure = err;
    }
    this.callLimit.record(failure);
    await this.transition(lease.applicationId, (state, _tx, now) => {
      const row = this.held(state, lease);
      if (!row) return;
      if (failure === undefined) {
        state.setStep(row, { status: "COMPENSATED", undo: "DONE", leased_until: null, undone_at: now });
        this.log.info({ applicationId: lease.applicationId, step: lease.stepKey, department: lease.department }, "step compensated");
        return;
      }
      this.log.warn({ applicationId: lease.applicationId, step: lease.stepKey, err: describeError(failure) }, "compensation failed; will retry");
      const next = new Date(now.getTime() + retryDelaySeconds(failure, row.undo_attempts) * 1000);
      state.setStep(row, { status: "SUCCEEDED", leased_until: null, error: { ...describeError(failure) }, next_attempt_at: next });
      this.wakeUps.at(next);
    });
  }

  /**
   * Safety net: moves on the applications that have a due row (a retry's time came, a lease expired,
   * an event was lost in a crash). Reads the due index only; returns how many it moved on.
   */
  async sweep(limit = 100): Promise<number> {
    if (this.stopped) return 0;
    this.counters.sweeps++;
    let moved = 0;
    // Oldest due first, a page at a time while capacity lasts (a bounded number of pages a pass).
    for (let page = 0; page < 20 && !this.stopped; page++) {
      // Due times are written from this clock (plan()), so they are compared with it, not the server's.
      const { rows } = await this.db.query<{ application_id: string }>(
        `SELECT application_id FROM (
           SELECT application_id, due_at FROM application_steps WHERE due_at <= $2 ORDER BY due_at LIMIT $1) due
         GROUP BY application_id ORDER BY min(due_at)`,
        [limit, new Date()],
      );
      for (let i = 0; i < rows.length; i += SWEEP_GROUP) {
        if (this.capacity === 0) {
          this.queued();
          break;
        }
        const done = await Promise.all(
          rows.slice(i, i + SWEEP_GROUP).map((r) =>
            this.transition(r.application_id, () => undefined).catch((err: unknown) => {
              this.log.warn({ err, applicationId: r.application_id }, "sweep could not move an application on");
              return undefined;
            }),
          ),
        );
        moved += done.filter((d) => d?.written).length;
      }
      if (rows.length < limit / 2 || this.capacity === 0) break;
    }
    this.counters.sweptApplications += moved;
    return moved;
  }

  private logFinished(state: ApplicationState): void {
    const { app } = state;
    this.log.info(
      { applicationId: app.application_id, bundle: app.bundle_code, status: state.finished, durationMs: Date.now() - new Date(app.submitted_at).getTime() },
      "application finished",
    );
    applicationsFinished.inc({ bundle: app.bundle_code, status: state.finished ?? "" });
  }
}
