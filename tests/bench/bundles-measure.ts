/**
 * Figures of one phase (configuration × bundle × client level): throughput over the server-side
 * window, latency percentiles, failures, PostgreSQL commits and NATS messages per bundle, peak RSS.
 */
import { Client } from "pg";
import { POSTGRES_URL } from "../support/servers";
import type { AppRecord, PhaseRun } from "./bundles-drive";
import { percentile, sortedCopy } from "./bundles-util";

/** xact_commit of a database, read from the admin database (so the read adds no commit to it). */
export async function xactCommit(dbName: string): Promise<number> {
  const c = new Client({ connectionString: POSTGRES_URL });
  await c.connect();
  try {
    const { rows } = await c.query<{ n: string }>("SELECT xact_commit::text AS n FROM pg_stat_database WHERE datname = $1", [dbName]);
    return Number(rows[0]?.n ?? NaN);
  } finally {
    await c.end();
  }
}

export interface ServerRow {
  applicationId?: string;
  status: string;
  submittedMs: number;
  finishedMs?: number;
}

/** The phase's applications as the gateway database has them (client_key = `${prefix}-<n>`). */
export async function phaseRowsFromDatabase(url: string, keyPrefix: string): Promise<ServerRow[]> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query<{ application_id: string; status: string; submitted_at: Date; finished_at: Date | null }>(
      "SELECT application_id, status, submitted_at, finished_at FROM gateway.applications WHERE left(client_key, length($1) + 1) = $1 || '-'",
      [keyPrefix],
    );
    return rows.map((r) => ({ applicationId: r.application_id, status: r.status, submittedMs: r.submitted_at.getTime(), finishedMs: r.finished_at?.getTime() }));
  } finally {
    await c.end();
  }
}

/** The phase's applications from the timestamps the hub returned in the final status (portal API). */
export function phaseRowsFromApi(records: AppRecord[]): ServerRow[] {
  return records
    .filter((r) => r.serverSubmittedMs !== undefined)
    .map((r) => ({ applicationId: r.applicationId, status: r.outcome === "COMPLETED" ? "COMPLETED" : r.outcome, submittedMs: r.serverSubmittedMs!, finishedMs: r.serverFinishedMs }));
}

export interface PhaseFigures {
  source: string;
  submitted: number;
  completed: number;
  windowS?: number;
  bundlesPerS?: number;
  p50S?: number;
  p95S?: number;
  p99S?: number;
  failures: number;
  firstFailure?: string;
  failureKinds: Record<string, number>;
  submitP50Ms?: number;
  submitP95Ms?: number;
  /** Client clock: completions seen / (last completion seen − first submission sent). */
  clientBundlesPerS?: number;
  clientP95S?: number;
  /** Applications the server finished only after the client stopped waiting (or still running). */
  serverNotFinished: number;
  /** True when unfinished applications held the window open until the end of the phase. */
  windowHeldOpen: boolean;
  /** The slowest completed application as the client saw it: id, seconds, step timeline. */
  slowest?: string;
  slowestId?: string;
  slowestS?: number;
  /** Server-side wait for the officer's decision (decision.at − ready_at), seconds. */
  decisionWaitP50S?: number;
  decisionWaitP95S?: number;
}

export function phaseFigures(run: PhaseRun, rows: ServerRow[], source: string): PhaseFigures {
  const done = rows.filter((r) => r.status === "COMPLETED" && r.finishedMs !== undefined);
  const firstSubmit = rows.length ? Math.min(...rows.map((r) => r.submittedMs)) : undefined;
  // The window ends when the phase's last application finished. An application that never
  // finished (or that the client gave up on) holds the window open until the phase ended, so
  // that stuck applications lower the throughput instead of shrinking the window.
  const known = new Set(rows.map((r) => r.applicationId));
  const unseen = run.records.filter((r) => r.outcome === "TIMEOUT" && r.applicationId && !known.has(r.applicationId)).length;
  const unfinished = rows.filter((r) => r.finishedMs === undefined).length + unseen;
  const ends = [...rows.filter((r) => r.finishedMs !== undefined).map((r) => r.finishedMs!), ...(unfinished > 0 ? [run.endMs] : [])];
  const lastFinish = done.length && ends.length ? Math.max(...ends) : undefined;
  const windowS = firstSubmit !== undefined && lastFinish !== undefined ? (lastFinish - firstSubmit) / 1000 : undefined;
  const lat = sortedCopy(done.map((r) => (r.finishedMs! - r.submittedMs) / 1000));

  const failed = run.records.filter((r) => r.outcome !== "COMPLETED").sort((a, b) => a.submitStartMs - b.submitStartMs);
  const failureKinds: Record<string, number> = {};
  for (const f of failed) failureKinds[f.outcome] = (failureKinds[f.outcome] ?? 0) + 1;
  const submits = sortedCopy(run.records.filter((r) => r.submitLatencyMs !== undefined).map((r) => r.submitLatencyMs!));
  const seen = run.records.filter((r) => r.outcome === "COMPLETED" && r.doneMs !== undefined);
  const firstSent = run.records.filter((r) => r.submitStartMs > 0).map((r) => r.submitStartMs);
  const clientWindow = seen.length && firstSent.length ? (Math.max(...seen.map((r) => r.doneMs!)) - Math.min(...firstSent)) / 1000 : undefined;
  return {
    source,
    submitted: rows.length + unseen,
    completed: done.length,
    windowS,
    bundlesPerS: windowS ? done.length / windowS : undefined,
    p50S: percentile(lat, 50),
    p95S: percentile(lat, 95),
    p99S: percentile(lat, 99),
    failures: failed.length,
    firstFailure: failed[0]?.reason,
    failureKinds,
    submitP50Ms: percentile(submits, 50),
    submitP95Ms: percentile(submits, 95),
    clientBundlesPerS: clientWindow ? seen.length / clientWindow : undefined,
    clientP95S: percentile(sortedCopy(seen.map((r) => (r.doneMs! - r.submitStartMs) / 1000)), 95),
    serverNotFinished: unfinished,
    windowHeldOpen: unfinished > 0,
    ...slowestOf(run.records),
    ...decisionWaits(run.records),
  };
}

function slowestOf(records: AppRecord[]): { slowest?: string; slowestId?: string; slowestS?: number } {
  let worst: AppRecord | undefined;
  const took = (r: AppRecord) => r.serverFinishedMs! - r.serverSubmittedMs!;
  for (const r of records) {
    if (r.outcome !== "COMPLETED" || r.serverFinishedMs === undefined || r.serverSubmittedMs === undefined) continue;
    if (!worst || took(r) > took(worst)) worst = r;
  }
  if (!worst) return {};
  return { slowest: `${worst.applicationId} ${(took(worst) / 1000).toFixed(2)} s: ${worst.timeline}`, slowestId: worst.applicationId, slowestS: took(worst) / 1000 };
}

function decisionWaits(records: AppRecord[]) {
  const w = sortedCopy(records.filter((r) => r.decisionWaitMs !== undefined).map((r) => r.decisionWaitMs! / 1000));
  return { decisionWaitP50S: percentile(w, 50), decisionWaitP95S: percentile(w, 95) };
}
