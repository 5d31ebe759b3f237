/**
 * Bundle throughput through the portal HTTP API: 开办企业 (START_BUSINESS, an officer bot approving
 * over gRPC CaseService) and 员工录用 (HIRE_EMPLOYEE) at several client levels, against the hub
 * started as separate OS processes in each configuration (embedded, pg, multi). Prints figures per
 * phase, two baselines (PostgreSQL INSERT tx/s, moleculer echo req/s) and a markdown table.
 *
 *   npm run bench:bundles -- [--config embedded|pg|multi|all] [--clients 8,32,64] [--seconds 20]
 *                            [--bundle START_BUSINESS|HIRE_EMPLOYEE|both]
 *
 * Needs the machine's PostgreSQL (5432) and Redis (6379) for pg and multi; starts its own
 * nats-server with monitoring on free ports. Everything it starts or creates is removed at the end.
 */
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import os from "node:os";
import { createTestDatabase, dropTestDatabase } from "../support/postgres";
import { requireServers } from "../support/servers";
import { parseArgs, type BenchArgs, type BundleCode, type ConfigName } from "./bundles-args";
import { echoBaseline, pgInsertBaseline, sm2SignBaseline } from "./bundles-baselines";
import { cleanupAll, track } from "./bundles-cleanup";
import { runPhase, type DriveContext } from "./bundles-drive";
import { exitedProcesses, scanLogs, startBenchHub, type BenchHub } from "./bundles-hub";
import { phaseFigures, phaseRowsFromApi, phaseRowsFromDatabase, xactCommit } from "./bundles-measure";
import { startBenchNats, type BenchNats } from "./bundles-nats";
import { startOfficer, type OfficerBot } from "./bundles-officer";
import { people, tradeNames } from "./bundles-people";
import { Portal } from "./bundles-portal";
import { cpuSeconds, cpuSecondsBetween, cpuSecondsOfCommand, machineBusySeconds, mainThreadCpuSeconds, peakRssMb, resetPeakRss } from "./bundles-procstat";
import { finalTables, phaseBlock, type ConfigReport, type PhaseReport } from "./bundles-report";
import { describe, fmt, percentile, retrying, sleep, sortedCopy } from "./bundles-util";

const log = (line: string) => console.log(line);
const runId = `b${Date.now().toString(36)}${crypto.randomBytes(2).toString("hex")}`;
/** Enterprises opened before HIRE_EMPLOYEE when START_BUSINESS is not measured in the run. */
const SETUP_ENTERPRISES = 32;
/** Time for PostgreSQL to publish the counters of backends that went idle (stats flush ≤ 1 s). */
const STATS_SETTLE_MS = 1500;
/** A completed application slower than this gets its hub log lines printed. */
const SLOW_APPLICATION_S = 5;

function gitDescription(): string {
  try {
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { encoding: "utf8" }).trim().split("\n").filter(Boolean).length;
    return `${head}${dirty ? ` + ${dirty} modified file(s)` : ""}`;
  } catch {
    return "unknown";
  }
}

interface Counters {
  xact?: number;
  natsIn?: number;
  natsOut?: number;
}

async function counters(hub: BenchHub, nats: BenchNats): Promise<Counters> {
  const c: Counters = {};
  if (hub.db) {
    const name = hub.db.name;
    c.xact = await retrying(() => xactCommit(name)).catch(() => undefined);
  }
  if (hub.config !== "embedded") {
    const v = await nats.varz();
    c.natsIn = v.inMsgs;
    c.natsOut = v.outMsgs;
  }
  return c;
}

async function measurePhase(args: BenchArgs, hub: BenchHub, nats: BenchNats, ctx: DriveContext, officer: OfficerBot, bundle: BundleCode, clients: number): Promise<PhaseReport> {
  const keyPrefix = `${runId}-${hub.config}-${bundle === "START_BUSINESS" ? "sb" : "he"}-c${clients}`;
  await sleep(STATS_SETTLE_MS);
  const before = await counters(hub, nats);
  const rssSincePhase = hub.procs.map((p) => resetPeakRss(p.proc.pid!)).every(Boolean);
  const cpuBefore = hub.procs.map((p) => cpuSeconds(p.proc.pid!) ?? 0);
  const mainBefore = hub.procs.map((p) => mainThreadCpuSeconds(p.proc.pid!) ?? 0);
  const benchCpuBefore = process.cpuUsage();
  const pgCpuBefore = hub.db ? cpuSecondsOfCommand("postgres") : undefined;
  const machineBefore = machineBusySeconds();
  const logOffsets = hub.procs.map((p) => p.logs().length);
  officer.takeLatencies();
  const loadBefore = os.loadavg()[0];
  const run = await runPhase(ctx, { bundle, clients, seconds: args.seconds, keyPrefix });
  const elapsedS = (run.endMs - run.startMs) / 1000;
  const hubCpu = hub.procs.reduce((sum, p, i) => sum + ((cpuSeconds(p.proc.pid!) ?? cpuBefore[i]) - cpuBefore[i]), 0);
  const hubMainCpu = hub.procs.reduce((sum, p, i) => sum + ((mainThreadCpuSeconds(p.proc.pid!) ?? mainBefore[i]) - mainBefore[i]), 0);
  const benchCpu = process.cpuUsage(benchCpuBefore);
  const pgCpu = pgCpuBefore === undefined ? undefined : cpuSecondsBetween(pgCpuBefore, cpuSecondsOfCommand("postgres"));
  const machineCpu = machineBusySeconds() - machineBefore;
  const rss = hub.procs.map((p) => ({ name: p.name.replace(/^bench-/, ""), mb: peakRssMb(p.proc.pid!) }));
  const o = officer.takeLatencies();
  const listMs = sortedCopy(o.listMs);
  const decideMs = sortedCopy(o.decideMs);
  await sleep(STATS_SETTLE_MS);
  const after = await counters(hub, nats);

  let rows = phaseRowsFromApi(run.records);
  let source = "portal API status (hub timestamps)";
  if (hub.db) {
    const url = hub.db.url;
    try {
      rows = await retrying(() => phaseRowsFromDatabase(url, keyPrefix));
      source = "gateway database";
    } catch (err) {
      source = `portal API status (hub timestamps; the gateway database was not reachable: ${describe(err, 100)})`;
    }
  }
  const figures = phaseFigures(run, rows, source);
  const per = (a?: number, b?: number) => (a !== undefined && b !== undefined && figures.completed > 0 ? (b - a) / figures.completed : undefined);
  const scans = hub.procs.map((p, i) => scanLogs(p, logOffsets[i]));
  const notes = [...run.notes];
  if (run.sessionErrors) notes.push(`${run.sessionErrors} sign-in failure(s); first: ${run.firstSessionError}`);
  for (const [i, s] of scans.entries()) for (const sample of s.samples) notes.push(`hub log (${hub.procs[i].name}): ${sample}`);
  // The hub's own log lines about the first application that did not complete, and about the
  // slowest one when it took long, for diagnosis.
  const logAbout = (applicationId: string, max: number) => {
    for (const p of hub.procs) {
      const lines = p.logs().split("\n").filter((l) => l.includes(applicationId));
      for (const l of lines.slice(-max)) notes.push(`hub log about ${applicationId} (${p.name}): ${l.slice(0, 500)}`);
    }
  };
  const firstBad = run.records.find((r) => r.outcome !== "COMPLETED" && r.applicationId);
  if (firstBad) logAbout(firstBad.applicationId!, 4);
  if (figures.slowestId && (figures.slowestS ?? 0) > SLOW_APPLICATION_S) logAbout(figures.slowestId, 8);
  // A client waits at least one poll interval per application: the closed loop cannot exceed this.
  const ceiling = clients / (args.pollMs / 1000);
  if ((figures.bundlesPerS ?? 0) > 0.8 * ceiling) {
    notes.push(`near the ceiling of ${ceiling.toFixed(0)} bundles/s that ${clients} clients polling every ${args.pollMs} ms can reach: this level measures the clients more than the hub`);
  }
  const followed = run.records.filter((r) => r.outcome === "COMPLETED" && r.statusReads !== undefined);
  if (followed.length > 0) {
    const reads = followed.reduce((n, r) => n + r.statusReads!, 0);
    const unchanged = followed.reduce((n, r) => n + (r.notModified ?? 0), 0);
    notes.push(
      `status reads per completed bundle: ${(reads / followed.length).toFixed(1)}, ${(unchanged / followed.length).toFixed(1)} of them 304 ` +
        (args.statusWaitS > 0 ? `(each read after the first waits up to ${args.statusWaitS} s for a change; at most one per ${args.pollMs} ms)` : `(polled every ${args.pollMs} ms)`),
    );
  }
  const gone = exitedProcesses(hub);
  if (gone) notes.push(`hub process gone: ${gone}`);
  const report: PhaseReport = {
    config: hub.config,
    bundle,
    clients,
    seconds: args.seconds,
    figures,
    commitsPerBundle: per(before.xact, after.xact),
    natsInPerBundle: per(before.natsIn, after.natsIn),
    natsOutPerBundle: per(before.natsOut, after.natsOut),
    rss,
    rssSincePhase,
    hubCores: hubCpu / elapsedS,
    hubMainThreadCores: hubMainCpu / elapsedS,
    benchCores: (benchCpu.user + benchCpu.system) / 1e6 / elapsedS,
    postgresCores: pgCpu === undefined ? undefined : pgCpu / elapsedS,
    machineCores: machineCpu / elapsedS,
    logErrors: scans.reduce((n, s) => n + s.errors, 0),
    logWarnings: scans.reduce((n, s) => n + s.warnings, 0),
    officer: { approved: o.approved, listP50Ms: percentile(listMs, 50), listP95Ms: percentile(listMs, 95), decideP50Ms: percentile(decideMs, 50), decideP95Ms: percentile(decideMs, 95) },
    loadBefore,
    loadAfter: os.loadavg()[0],
    notes,
  };
  log(phaseBlock(report));
  if (gone) throw new Error(`a hub process exited during the phase: ${gone}`);
  return report;
}

async function runConfig(args: BenchArgs, config: ConfigName, nats: BenchNats, nextTradeName: () => string): Promise<ConfigReport> {
  const report: ConfigReport = { config, phases: [], hubLogSamples: [] };
  const maxClients = Math.max(...args.clients);
  log(`\n=== ${config}: starting the hub (population ${args.population}) ===`);
  const started = Date.now();
  let hub: BenchHub | undefined;
  try {
    hub = await startBenchHub({ config, natsUrl: nats.url, population: args.population, onResource: track, log });
    report.startupS = (Date.now() - started) / 1000;
    if (config !== "embedded") log(`${config}: ${(await nats.varz()).connections} connection(s) on the benchmark's nats-server`);
    const officer = startOfficer(hub.client, hub.samr);
    track(`${config} officer bot`, () => officer.stop());
    const ctx: DriveContext = {
      portal: new Portal(hub.httpBase, hub.data),
      people: people(args.population, maxClients),
      nextTradeName,
      enterprises: [],
      appTimeoutMs: args.appTimeoutSeconds * 1000,
      pollMs: args.pollMs,
      statusWaitS: args.statusWaitS,
    };
    try {
      // Warm-up (not measured): the whole path once, so a broken hub stops here with its reason.
      const warm = await runPhase(ctx, { bundle: "START_BUSINESS", clients: 2, count: 2, keyPrefix: `${runId}-${config}-warmup` });
      const bad = warm.records.filter((r) => r.outcome !== "COMPLETED");
      log(`${config}: warm-up: ${warm.records.length - bad.length}/${warm.records.length} START_BUSINESS completed${bad[0] ? `; first failure: ${bad[0].reason}` : ""}`);
      if (bad.length === warm.records.length) throw new Error(`warm-up failed: ${bad[0]?.reason ?? warm.firstSessionError ?? "nothing submitted"}`);

      const idleBefore = await counters(hub, nats);
      const idleStart = Date.now();
      await sleep(3000);
      const idleAfter = await counters(hub, nats);
      const idleS = (Date.now() - idleStart) / 1000;
      if (idleBefore.xact !== undefined) report.idleCommitsPerS = (idleAfter.xact! - idleBefore.xact) / idleS;
      if (idleBefore.natsIn !== undefined) report.idleNatsMsgsPerS = (idleAfter.natsIn! - idleBefore.natsIn) / idleS;

      for (const bundle of args.bundles) {
        if (bundle === "HIRE_EMPLOYEE" && ctx.enterprises.length < Math.min(maxClients, SETUP_ENTERPRISES)) {
          const want = Math.min(maxClients, SETUP_ENTERPRISES) - ctx.enterprises.length;
          log(`${config}: opening ${want} enterprises for HIRE_EMPLOYEE (not measured)`);
          await runPhase(ctx, { bundle: "START_BUSINESS", clients: Math.min(16, want), count: want, keyPrefix: `${runId}-${config}-setup` });
          if (ctx.enterprises.length === 0) throw new Error("no enterprise could be opened for HIRE_EMPLOYEE");
        }
        for (const clients of args.clients) report.phases.push(await measurePhase(args, hub, nats, ctx, officer, bundle, clients));
      }
    } finally {
      ctx.portal.close();
      await officer.stop();
      log(`${config}: officer bot approved ${officer.stats.approved} step(s) in ${officer.stats.listCalls} list calls; ${officer.stats.errors} error(s)${officer.stats.firstError ? `, first: ${officer.stats.firstError}` : ""}`);
      for (const p of hub.procs) {
        const s = scanLogs(p);
        if (s.errors || s.warnings) log(`${config}: ${p.name} log: ${s.errors} error line(s), ${s.warnings} warning(s) in total`);
        report.hubLogSamples.push(...s.samples.map((x) => `${p.name}: ${x}`));
      }
    }
  } catch (err) {
    report.error = describe(err, 2000);
    log(`${config}: FAILED: ${report.error}`);
  } finally {
    await hub?.stopProcesses();
  }

  // Baselines on the same machine state, with the hub stopped.
  try {
    let scratch: { name: string; url: string } | undefined;
    const dbUrl = hub?.db?.url ?? (scratch = await retrying(() => createTestDatabase("tongban_bench_scratch"), 5)).url;
    if (scratch) track(`${config} scratch database`, () => retrying(() => dropTestDatabase(scratch!.name), 5));
    try {
      report.pgInsert = await retrying(() => pgInsertBaseline(dbUrl, args.baselineSeconds), 3);
      log(`${config}: baseline PostgreSQL INSERT: ${report.pgInsert.perSecond.toFixed(0)} tx/s (16 clients, ${report.pgInsert.count} in ${report.pgInsert.seconds.toFixed(1)} s, ${report.pgInsert.errors} errors), ${fmt(report.pgInsert.machineMsPerOp, 3)} ms of the machine's CPU each`);
    } finally {
      if (scratch) await retrying(() => dropTestDatabase(scratch!.name), 5);
    }
    report.echo = await echoBaseline(nats.url, args.baselineSeconds);
    log(`${config}: baseline moleculer echo over NATS: ${report.echo.perSecond.toFixed(0)} req/s (64 callers, ${report.echo.count} in ${report.echo.seconds.toFixed(1)} s, ${report.echo.errors} errors), ${fmt(report.echo.machineMsPerOp, 3)} ms of the machine's CPU each`);
    report.sm2Sign = await sm2SignBaseline(Math.min(args.baselineSeconds, 3));
    log(`${config}: baseline SM2 signature (sm-crypto-v2, one thread): ${report.sm2Sign.perSecond.toFixed(0)} signatures/s, ${fmt(report.sm2Sign.machineMsPerOp, 2)} ms of the machine's CPU each`);
  } catch (err) {
    log(`${config}: baseline failed: ${describe(err)}`);
  }
  await hub?.removeData().catch((err) => log(`${config}: cleanup: ${describe(err)}`));
  return report;
}

async function main() {
  let args: BenchArgs;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
  const phases = args.bundles.length * args.clients.length;
  const budgetS = args.configs.length * (420 + 2 * args.baselineSeconds + 60 + phases * (args.seconds + args.appTimeoutSeconds + 15) + args.appTimeoutSeconds * 2);
  const header =
    `Tongban bundle benchmark ${new Date().toISOString()} · ${gitDescription()} · ${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), ` +
    `${(os.totalmem() / 2 ** 30).toFixed(0)} GiB · node ${process.version} · configs ${args.configs.join(",")} · clients ${args.clients.join(",")} · ${args.seconds} s per level · ${args.bundles.join(", ")}`;
  log(header);
  log(`run ${runId}; time budget ${budgetS} s (the benchmark stops itself beyond it); machine load (1/5/15 min) ${os.loadavg().map((l) => l.toFixed(1)).join("/")}`);

  let finished = false;
  const finish = async (code: number, why?: string) => {
    if (finished) return;
    finished = true;
    if (why) log(why);
    await cleanupAll(log);
    process.exit(code);
  };
  const watchdog = setTimeout(() => void finish(3, `watchdog: the run exceeded its ${budgetS} s budget; cleaning up`), budgetS * 1000);
  process.on("SIGINT", () => void finish(130, "interrupted; cleaning up"));
  process.on("SIGTERM", () => void finish(143, "terminated; cleaning up"));

  const reports: ConfigReport[] = [];
  try {
    if (args.configs.some((c) => c !== "embedded")) await requireServers();
    const nats = await startBenchNats();
    track("nats-server", () => nats.stop());
    log(`benchmark nats-server ${nats.url} (pid ${nats.pid})`);
    const nextTradeName = tradeNames();
    for (const config of args.configs) reports.push(await runConfig(args, config, nats, nextTradeName));
  } catch (err) {
    log(`benchmark failed: ${describe(err, 2000)}`);
    clearTimeout(watchdog);
    await finish(1);
  }
  clearTimeout(watchdog);
  log("\n" + finalTables(reports, `Bundles through the portal API (${header})`));
  const samples = reports.flatMap((r) => r.hubLogSamples.map((s) => `${r.config} ${s}`));
  if (samples.length) log(`\nHub error lines (first of each process):\n${samples.join("\n")}`);
  await finish(reports.some((r) => r.error) ? 1 : 0);
}

void main();
