/** Printing of the bundle benchmark: one block per phase while it runs, markdown tables at the end. */
import os from "node:os";
import type { BundleCode, ConfigName } from "./bundles-args";
import type { Baseline } from "./bundles-baselines";
import type { PhaseFigures } from "./bundles-measure";
import { fmt } from "./bundles-util";

export interface PhaseReport {
  config: ConfigName;
  bundle: BundleCode;
  clients: number;
  seconds: number;
  figures: PhaseFigures;
  commitsPerBundle?: number;
  natsInPerBundle?: number;
  natsOutPerBundle?: number;
  /** Peak RSS during the phase per process (MB); `sincePhase` false when only the lifetime peak was readable. */
  rss: Array<{ name: string; mb?: number }>;
  rssSincePhase: boolean;
  /** CPU cores used on average over the phase: hub processes (sum) and this benchmark process. */
  hubCores?: number;
  /** Of hubCores, the processes' main threads (their event loops); the rest is signing threads, GC helpers and libuv's pool. */
  hubMainThreadCores?: number;
  benchCores?: number;
  /** PostgreSQL's processes (the whole server: other users of it count too), when the hub uses it. */
  postgresCores?: number;
  /** The whole machine, summed over its cores. */
  machineCores?: number;
  logErrors: number;
  logWarnings: number;
  /** The officer bot over the phase: approvals and call latencies (ms). */
  officer?: { approved: number; listP50Ms?: number; listP95Ms?: number; decideP50Ms?: number; decideP95Ms?: number };
  /** 1-minute load average of the machine when the phase started and ended. */
  loadBefore: number;
  loadAfter: number;
  notes: string[];
}

export interface ConfigReport {
  config: ConfigName;
  phases: PhaseReport[];
  pgInsert?: Baseline;
  echo?: Baseline;
  /** SM2 signatures on one thread of the benchmark's process. */
  sm2Sign?: Baseline;
  /** Background load of the idle hub, per second. */
  idleCommitsPerS?: number;
  idleNatsMsgsPerS?: number;
  startupS?: number;
  error?: string;
  hubLogSamples: string[];
}

const short = (b: BundleCode) => (b === "START_BUSINESS" ? "START_BUSINESS" : "HIRE_EMPLOYEE");
const pct = (part?: number, whole?: number) => (part !== undefined && whole ? `${((100 * part) / whole).toFixed(2)} %` : "–");
const rssText = (r: PhaseReport) => r.rss.map((p) => `${p.name} ${fmt(p.mb, 0)}`).join(", ");
/** One process: its peak; several: the sum of the peaks and the largest. */
const rssCompact = (r: PhaseReport) => {
  const mbs = r.rss.map((p) => p.mb ?? NaN);
  if (mbs.length === 1) return fmt(mbs[0], 0);
  const max = r.rss.reduce((a, b) => ((b.mb ?? 0) > (a.mb ?? 0) ? b : a));
  return `${fmt(mbs.reduce((a, b) => a + b, 0), 0)} (${mbs.length} processes, max ${max.name} ${fmt(max.mb, 0)})`;
};

/** CPU ms of one completed bundle (cores × phase ÷ bundles), for `cores` used on average over the phase. */
const msPerBundle = (r: PhaseReport, cores?: number) =>
  cores !== undefined && r.figures.bundlesPerS ? (1000 * cores) / r.figures.bundlesPerS : undefined;

/**
 * Where a bundle's CPU went, and the rate the machine's cores could carry at that cost: the
 * throughput a CPU-bound machine reaches is cores ÷ (CPU per bundle), so this is the figure a
 * faster hub must lower.
 */
function cpuPerBundle(r: PhaseReport): string {
  const machine = msPerBundle(r, r.machineCores);
  const parts = [
    `hub ${fmt(msPerBundle(r, r.hubCores), 1)} ms (event loop ${fmt(msPerBundle(r, r.hubMainThreadCores), 1)} ms, other threads ${fmt(
      msPerBundle(r, r.hubCores !== undefined && r.hubMainThreadCores !== undefined ? r.hubCores - r.hubMainThreadCores : undefined),
      1,
    )} ms)`,
    ...(r.postgresCores !== undefined ? [`PostgreSQL ${fmt(msPerBundle(r, r.postgresCores), 1)} ms`] : []),
    `benchmark clients ${fmt(msPerBundle(r, r.benchCores), 1)} ms`,
    `whole machine ${fmt(machine, 1)} ms`,
  ];
  const cores = os.availableParallelism();
  const ceiling = machine ? `; at that cost ${cores} cores carry at most ${fmt((cores * 1000) / machine, 1)} bundles/s` : "";
  return `${parts.join(", ")} (busy ${fmt(r.machineCores, 2)} of ${cores} cores)${ceiling}`;
}

export function phaseBlock(r: PhaseReport): string {
  const f = r.figures;
  const kinds = Object.entries(f.failureKinds).map(([k, n]) => `${k} ${n}`).join(", ");
  return [
    `── ${r.config} · ${short(r.bundle)} · ${r.clients} clients · ${r.seconds} s`,
    `   submitted ${f.submitted}, completed ${f.completed} (server-side: ${f.source}); window ${fmt(f.windowS, 1)} s${f.windowHeldOpen ? " (held open to the end of the phase by unfinished applications)" : ""} → ${fmt(f.bundlesPerS, 2)} bundles/s`,
    `   submit→COMPLETED (server) p50 ${fmt(f.p50S, 2)} s, p95 ${fmt(f.p95S, 2)} s, p99 ${fmt(f.p99S, 2)} s; client-side: ${fmt(f.clientBundlesPerS, 2)} bundles/s, submit→seen p95 ${fmt(f.clientP95S, 2)} s`,
    `   failures ${f.failures}${kinds ? ` (${kinds})` : ""}${f.firstFailure ? `; first: ${f.firstFailure}` : ""}${f.serverNotFinished ? `; ${f.serverNotFinished} still unfinished on the server` : ""}`,
    `   HTTP submit p50 ${fmt(f.submitP50Ms, 0)} ms, p95 ${fmt(f.submitP95Ms, 0)} ms; PG commits/bundle ${fmt(r.commitsPerBundle, 1)}; NATS msgs/bundle in ${fmt(r.natsInPerBundle, 1)} out ${fmt(r.natsOutPerBundle, 1)}`,
    `   peak RSS MB ${r.rssSincePhase ? "(this phase)" : "(since start)"}: ${rssText(r)}; CPU cores: hub ${fmt(r.hubCores, 2)}, benchmark client ${fmt(r.benchCores, 2)}; hub log: ${r.logErrors} errors, ${r.logWarnings} warnings`,
    ...(r.officer && r.officer.approved > 0
      ? [`   officer bot: ${r.officer.approved} approvals; ListPendingDecisions p50 ${fmt(r.officer.listP50Ms, 0)} ms, p95 ${fmt(r.officer.listP95Ms, 0)} ms; Decide p50 ${fmt(r.officer.decideP50Ms, 0)} ms, p95 ${fmt(r.officer.decideP95Ms, 0)} ms; step waited for the decision (server) p50 ${fmt(f.decisionWaitP50S, 2)} s, p95 ${fmt(f.decisionWaitP95S, 2)} s`]
      : []),
    `   CPU per completed bundle: ${cpuPerBundle(r)}`,
    `   machine load (1 min) ${r.loadBefore.toFixed(1)} → ${r.loadAfter.toFixed(1)}${f.slowest ? `; slowest: ${f.slowest}` : ""}`,
    ...r.notes.map((n) => `   note: ${n}`),
  ].join("\n");
}

export function finalTables(configs: ConfigReport[], header: string): string {
  const lines: string[] = [header, ""];
  lines.push(
    "| config | bundle | clients | completed | bundles/s | p50 s | p95 s | p99 s | failures | PG commits/bundle | NATS msgs/bundle | peak RSS MB | HTTP submit p95 ms | CPU ms/bundle: hub (event loop), PG, machine | of PG INSERT tx/s | of moleculer echo req/s |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---|---:|---:|",
  );
  for (const c of configs) {
    for (const r of c.phases) {
      const f = r.figures;
      lines.push(
        `| ${r.config} | ${short(r.bundle)} | ${r.clients} | ${f.completed} | ${fmt(f.bundlesPerS, 2)}${f.windowHeldOpen ? "*" : ""} | ${fmt(f.p50S, 2)} | ${fmt(f.p95S, 2)} | ${fmt(f.p99S, 2)} | ${f.failures} | ${fmt(r.commitsPerBundle, 0)} | ${fmt(r.natsInPerBundle, 0)} | ${rssCompact(r)} | ${fmt(f.submitP95Ms, 0)} | ${fmt(msPerBundle(r, r.hubCores), 0)} (${fmt(msPerBundle(r, r.hubMainThreadCores), 0)}), ${fmt(msPerBundle(r, r.postgresCores), 0)}, ${fmt(msPerBundle(r, r.machineCores), 0)} | ${pct(f.bundlesPerS, c.pgInsert?.perSecond)} | ${pct(f.bundlesPerS, c.echo?.perSecond)} |`,
      );
    }
    if (c.error) lines.push(`| ${c.config} | – | – | – | – | – | – | – | – | – | – | – | – | – | – | – |`);
  }
  lines.push("", "| config | PostgreSQL single-row INSERT tx/s (16 clients) | moleculer echo req/s over NATS (64 callers) | SM2 signatures/s (one thread) | machine CPU ms per INSERT, echo, signature | idle hub: PG commits/s, NATS msgs/s | hub start s |", "|---|---:|---:|---:|---|---|---:|");
  for (const c of configs) {
    const perOp = [c.pgInsert, c.echo, c.sm2Sign].map((b) => fmt(b?.machineMsPerOp, 3)).join(", ");
    lines.push(`| ${c.config} | ${fmt(c.pgInsert?.perSecond, 0)} | ${fmt(c.echo?.perSecond, 0)} | ${fmt(c.sm2Sign?.perSecond, 0)} | ${perOp} | ${fmt(c.idleCommitsPerS, 1)}, ${fmt(c.idleNatsMsgsPerS, 1)} | ${fmt(c.startupS, 1)} |`);
  }
  const sources = [...new Set(configs.flatMap((c) => c.phases.map((p) => `${p.config}: ${p.figures.source}`)))];
  lines.push(
    "",
    "bundles/s = COMPLETED applications of the phase / (last finished_at − first submitted_at), server-side timestamps " +
      "(* = some applications never finished: the window then runs to the end of the phase, when the clients gave up waiting) " +
      `(${sources.join("; ") || "–"}); p50/p95/p99 = server finished_at − submitted_at of COMPLETED applications; ` +
      "PG commits = xact_commit delta of the hub's database over the phase (includes background work); NATS msgs = in_msgs delta of the benchmark's nats-server /varz; " +
      "pg hosts every service in one process, so its service calls stay in memory (NATS carries heartbeats only); " +
      "peak RSS = VmHWM during the phase (multi: sum over the processes); CPU ms/bundle = CPU time over the phase ÷ completed bundles: the hub's processes (signing threads included; in brackets their main threads, the event loops, alone), PostgreSQL's processes (the whole server; a backend that exits during the phase is not counted), the whole machine (/proc/stat, every process and the kernel; its cores ÷ this is the most bundles/s the machine carries at this cost); HTTP submit p95 = client-side POST /v1/applications latency; an embedded hub uses neither PostgreSQL nor NATS (–), its baselines are measured on a scratch database and the benchmark's NATS; machine CPU ms per INSERT, echo, signature = the whole machine's CPU over each baseline ÷ its operations (the INSERT's includes PostgreSQL's commit and the clients, the echo's both brokers and nats-server), what one commit, one bus request and one SM2 signature cost this machine.",
  );
  const loads = configs.flatMap((c) => c.phases.flatMap((p) => [p.loadBefore, p.loadAfter]));
  if (loads.length) lines.push(`Machine 1-min load average during the phases: ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} (anything else running on the machine skews the figures).`);
  for (const c of configs) if (c.error) lines.push(`${c.config}: stopped early: ${c.error}`);
  return lines.join("\n");
}
