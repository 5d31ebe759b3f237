/**
 * The orchestrator: advances applications step by step from their durable state in PostgreSQL.
 * A step is dispatched once the steps it needs have succeeded (independent steps in parallel);
 * rows are leased while a department is called, never locked across a call, so any number of
 * gateway replicas can run this loop and a crashed replica's lease simply expires. Every call
 * carries the idempotency key application + step, so a redispatch repeats no side effect.
 */
import type { ServiceBroker } from "moleculer";
import type { Database, Queryable } from "../../services/common/db/database";
import { rootLogger } from "../../services/common/logger";
import { PollingLoop } from "../../services/common/polling-loop";
import type { Bundle, BundleStep } from "../catalog/bundles";
import { backoffSeconds, describeError, isRetryable } from "./outcomes";
import { buildParams, pickOutputs, stepKey } from "./params";
import { loadApplication, type ApplicationRow, type StepRow } from "./store";

/** The department code the hub's one window acts as when it calls departments (一窗受理). */
export const ONE_WINDOW = "data";
const DAY_MS = 24 * 3600_000;

export interface EngineOptions {
  /** Identifies this replica in leases. */
  owner: string;
  leaseSeconds: number;
  /** Retryable failures of one step before the application fails. */
  maxAttempts: number;
  /** Called when an application finishes (completed or compensated). */
  onFinished?: (applicationId: string, tx: Queryable) => Promise<void>;
}

const stepOf = (bundle: Bundle, id: string): BundleStep => bundle.steps.find((s) => s.id === id)!;

/** The durable orchestration loop of one gateway replica. */
export class Orchestrator {
  private readonly log = rootLogger().child({ mod: "orchestrator" });
  private readonly loop = new PollingLoop(
    () => this.tick(),
    (err) => this.log.warn({ err }, "orchestration pass failed"),
  );

  constructor(
    private readonly broker: ServiceBroker,
    private readonly db: Database,
    private readonly options: EngineOptions,
  ) {}

  start(intervalMs = 250): void {
    this.loop.start(intervalMs);
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }

  /** Runs a pass now (or right after the current one). */
  kick(): void {
    this.loop.kick();
  }

  /** One pass: promote steps whose needs are met, dispatch what is due, undo what must be undone. */
  async tick(): Promise<void> {
    await this.advance();
    await Promise.all([this.dispatch(), this.compensate()]);
  }

  /** PENDING or waiting rows of running applications move on when their needs, materials and decisions allow. */
  private async advance(): Promise<void> {
    // Safety net: a running application whose rows all succeeded is complete.
    const { rows: finished } = await this.db.query<{ application_id: string }>(
      `SELECT a.application_id FROM applications a WHERE a.status = 'RUNNING' AND NOT EXISTS (
         SELECT 1 FROM application_steps s WHERE s.application_id = a.application_id AND s.status <> 'SUCCEEDED') LIMIT 50`,
    );
    for (const { application_id } of finished) await this.db.transaction((tx) => this.completeIfDone(tx, application_id));
    const { rows } = await this.db.query<{ application_id: string }>(
      `SELECT a.application_id FROM applications a WHERE a.status = 'RUNNING' AND EXISTS (
         SELECT 1 FROM application_steps s WHERE s.application_id = a.application_id AND s.status IN ('PENDING', 'WAITING_MATERIAL', 'APPROVED'))
       ORDER BY a.submitted_at LIMIT 50`,
    );
    for (const { application_id } of rows) {
      await this.db.transaction(async (tx) => {
        const locked = await tx.query("SELECT 1 FROM applications WHERE application_id = $1 AND status = 'RUNNING' FOR UPDATE SKIP LOCKED", [application_id]);
        if (locked.rowCount === 0) return;
        const { app, steps } = await loadApplication(tx, application_id);
        const done = (stepId: string) => steps.filter((s) => s.step_id === stepId).every((s) => s.status === "SUCCEEDED");
        for (const row of steps) {
          if (!["PENDING", "WAITING_MATERIAL", "APPROVED"].includes(row.status) || !row.needs.every(done)) continue;
          const def = stepOf(app.bundle, row.step_id);
          const missing = (def.materials ?? []).map((m) => m.type).filter((t) => !app.materials[t]);
          const approved = !def.officerDecision || row.decision?.outcome === "APPROVE";
          const next = missing.length > 0 ? "WAITING_MATERIAL" : approved ? "READY" : "WAITING_DECISION";
          if (next === row.status) continue;
          await tx.query(
            `UPDATE application_steps SET status = $3, waiting_for = $4, ready_at = COALESCE(ready_at, now()),
               deadline = COALESCE(deadline, now() + ($5 || ' milliseconds')::interval)
             WHERE application_id = $1 AND step_key = $2`,
            [application_id, row.step_key, next, missing.join(",") || null, String(Math.round(def.committedDays * DAY_MS))],
          );
        }
      });
    }
  }

  /** Leases due rows (READY, or RUNNING with an expired lease) matching `where`, returning them. */
  private async lease(where: string, status: string): Promise<StepRow[]> {
    const { rows } = await this.db.query<StepRow>(
      `UPDATE application_steps s SET status = $2, leased_until = now() + ($3 || ' seconds')::interval, lease_owner = $1,
         attempts = CASE WHEN $2 = 'RUNNING' THEN attempts + 1 ELSE attempts END,
         undo_attempts = CASE WHEN $2 = 'UNDOING' THEN undo_attempts + 1 ELSE undo_attempts END,
         started_at = COALESCE(started_at, now())
       WHERE (s.application_id, s.step_key) IN (
         SELECT s2.application_id, s2.step_key FROM application_steps s2 JOIN applications a ON a.application_id = s2.application_id
         WHERE ${where} ORDER BY s2.next_attempt_at LIMIT 25 FOR UPDATE OF s2 SKIP LOCKED)
       RETURNING *`,
      [this.options.owner, status, String(this.options.leaseSeconds)],
    );
    return rows;
  }

  private async dispatch(): Promise<void> {
    // In a failed application, a step that was in flight when it failed is still called again (same
    // key) until its outcome is known, so that a step which did happen is undone.
    const rows = await this.lease(
      `s2.next_attempt_at <= now() AND (
         (a.status = 'RUNNING' AND s2.status = 'READY')
         OR (a.status = 'FAILED' AND s2.status = 'READY' AND s2.undo = 'PENDING')
         OR (a.status IN ('RUNNING', 'FAILED') AND s2.status = 'RUNNING' AND s2.leased_until < now()))`,
      "RUNNING",
    );
    await Promise.all(rows.map((row) => this.runStep(row)));
    if (rows.length > 0) this.kick();
  }

  /** Calls the department for one row and records the outcome, if this replica still holds the lease. */
  private async runStep(row: StepRow): Promise<void> {
    const { app, steps } = await loadApplication(this.db, row.application_id);
    const def = stepOf(app.bundle, row.step_id);
    const params = buildParams(def.params, def, this.paramContext(app, steps, row));
    params.idempotencyKey = stepKey(app.application_id, row.step_key);
    const mine = "application_id = $1 AND step_key = $2 AND lease_owner = $3 AND status = 'RUNNING'";
    const key = [row.application_id, row.step_key, this.options.owner];
    try {
      const result = await this.broker.call<Record<string, unknown>, object>(def.action, params, {
        meta: { caller: { department: ONE_WINDOW } },
      });
      await this.db.transaction(async (tx) => {
        const updated = await tx.query(
          `UPDATE application_steps SET status = 'SUCCEEDED', output = $4, error = NULL, leased_until = NULL, finished_at = now() WHERE ${mine}`,
          [...key, JSON.stringify(pickOutputs(def, result))],
        );
        if (updated.rowCount > 0) await this.completeIfDone(tx, row.application_id);
      });
    } catch (err) {
      const error = describeError(err);
      if (isRetryable(err) && row.attempts < this.options.maxAttempts) {
        await this.db.query(
          `UPDATE application_steps SET status = 'READY', error = $4, leased_until = NULL,
             next_attempt_at = now() + ($5 || ' seconds')::interval WHERE ${mine}`,
          [...key, JSON.stringify(error), String(backoffSeconds(row.attempts))],
        );
        return;
      }
      this.log.info({ applicationId: row.application_id, step: row.step_key, error }, "step failed; the application stops");
      await this.db.transaction(async (tx) => {
        const updated = await tx.query(`UPDATE application_steps SET status = 'FAILED', error = $4, leased_until = NULL, finished_at = now() WHERE ${mine}`, [
          ...key,
          JSON.stringify(error),
        ]);
        if (updated.rowCount > 0) await failApplication(tx, row.application_id, { step: row.step_key, ...error });
      });
    }
  }

  private paramContext(app: ApplicationRow, steps: StepRow[], row: StepRow) {
    const outputs: Record<string, Record<string, unknown>> = {};
    for (const s of steps) if (s.output && s.item === 0) outputs[s.step_id] = s.output;
    const def = stepOf(app.bundle, row.step_id);
    const list = def.each ? (app.form[def.each.slice(6)] as Array<Record<string, unknown>>) : undefined;
    return { form: app.form, applicant: app.applicant, caseId: app.application_id, outputs, ownOutput: row.output ?? undefined, item: list?.[row.item] };
  }

  /**
   * Marks the application completed once every row has succeeded. The application row is locked
   * first: two parallel steps finishing at once would otherwise each still see the other running.
   */
  private async completeIfDone(tx: Queryable, applicationId: string): Promise<void> {
    await tx.query("SELECT 1 FROM applications WHERE application_id = $1 FOR UPDATE", [applicationId]);
    const { rows } = await tx.query<{ open: number }>("SELECT count(*)::int AS open FROM application_steps WHERE application_id = $1 AND status <> 'SUCCEEDED'", [
      applicationId,
    ]);
    if (rows[0].open > 0) return;
    const done = await tx.query("UPDATE applications SET status = 'COMPLETED', finished_at = now() WHERE application_id = $1 AND status = 'RUNNING'", [applicationId]);
    if (done.rowCount > 0) await this.options.onFinished?.(applicationId, tx);
  }

  /**
   * Undoes the succeeded steps of failed applications in reverse order: a step is compensated once
   * no step that needs it is still standing. Compensation retries until the department answers.
   */
  private async compensate(): Promise<void> {
    const rows = await this.lease(
      `a.status = 'FAILED' AND s2.next_attempt_at <= now() AND (
         (s2.status = 'SUCCEEDED' AND s2.undo = 'PENDING') OR (s2.status = 'UNDOING' AND s2.leased_until < now()))
       AND NOT EXISTS (SELECT 1 FROM application_steps d WHERE d.application_id = s2.application_id AND s2.step_id = ANY (d.needs)
         AND (d.status IN ('RUNNING', 'UNDOING') OR (d.status IN ('SUCCEEDED', 'READY') AND d.undo = 'PENDING')))`,
      "UNDOING",
    );
    await Promise.all(rows.map((row) => this.undoStep(row)));
    await this.finishCompensated();
    if (rows.length > 0) this.kick();
  }

  private async undoStep(row: StepRow): Promise<void> {
    const { app, steps } = await loadApplication(this.db, row.application_id);
    const def = stepOf(app.bundle, row.step_id);
    const mine = "application_id = $1 AND step_key = $2 AND lease_owner = $3 AND status = 'UNDOING'";
    const key = [row.application_id, row.step_key, this.options.owner];
    try {
      const params = buildParams(def.compensation!.params, def, this.paramContext(app, steps, row));
      params.idempotencyKey = stepKey(app.application_id, row.step_key, true);
      await this.broker.call(def.compensation!.action, params, { meta: { caller: { department: ONE_WINDOW } } });
      await this.db.query(`UPDATE application_steps SET status = 'COMPENSATED', undo = 'DONE', leased_until = NULL WHERE ${mine}`, key);
    } catch (err) {
      this.log.warn({ applicationId: row.application_id, step: row.step_key, err: describeError(err) }, "compensation failed; will retry");
      await this.db.query(
        `UPDATE application_steps SET status = 'SUCCEEDED', leased_until = NULL, error = $4,
           next_attempt_at = now() + ($5 || ' seconds')::interval WHERE ${mine}`,
        [...key, JSON.stringify(describeError(err)), String(backoffSeconds(row.undo_attempts))],
      );
    }
  }

  /** Failed applications with nothing left to undo or in flight become COMPENSATED. */
  private async finishCompensated(): Promise<void> {
    const { rows } = await this.db.query<{ application_id: string }>(
      `UPDATE applications a SET status = 'COMPENSATED', finished_at = now() WHERE a.status = 'FAILED' AND NOT EXISTS (
         SELECT 1 FROM application_steps s WHERE s.application_id = a.application_id
         AND (s.status IN ('RUNNING', 'UNDOING') OR (s.status IN ('SUCCEEDED', 'READY') AND s.undo = 'PENDING')))
       RETURNING application_id`,
    );
    for (const r of rows) await this.db.transaction((tx) => this.options.onFinished?.(r.application_id, tx) ?? Promise.resolve());
  }
}

/**
 * Stops an application: it becomes FAILED with the reason, steps not started are cancelled, and
 * succeeded steps that have a compensation are marked for undoing.
 */
export async function failApplication(tx: Queryable, applicationId: string, failure: Record<string, unknown>): Promise<void> {
  const updated = await tx.query("UPDATE applications SET status = 'FAILED', failure = $2 WHERE application_id = $1 AND status = 'RUNNING'", [
    applicationId,
    JSON.stringify(failure),
  ]);
  if (updated.rowCount === 0) return;
  await tx.query(
    `UPDATE application_steps SET status = 'CANCELLED', finished_at = now()
     WHERE application_id = $1 AND status IN ('PENDING', 'READY', 'WAITING_MATERIAL', 'WAITING_DECISION', 'APPROVED')`,
    [applicationId],
  );
  const { app } = await loadApplication(tx, applicationId);
  const undoable = app.bundle.steps.filter((s) => s.compensation).map((s) => s.id);
  await tx.query(
    "UPDATE application_steps SET undo = 'PENDING' WHERE application_id = $1 AND step_id = ANY ($2) AND status IN ('SUCCEEDED', 'RUNNING')",
    [applicationId, undoable],
  );
}
