/**
 * Starts the hub for one benchmark configuration as separate OS processes (dist/bin/tongban.js):
 *   embedded  one process, PGlite under a fresh DATA_DIR, in-process bus and cache;
 *   pg        one process hosting every service on a fresh PostgreSQL database, NATS, Redis;
 *   multi     one process per service on a fresh database, NATS, Redis.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { HubClient, readCredential, waitUntilServing, type Credential } from "../support/grpc-client";
import { reportedPort, spawnHub, type HubProcess } from "../support/hub-process";
import { createTestDatabase, dropTestDatabase } from "../support/postgres";
import { REDIS_URL } from "../support/servers";
import type { ConfigName } from "./bundles-args";
import { trackChild } from "./bundles-cleanup";
import { describe, retrying, withTimeout } from "./bundles-util";

export const ALL_SERVICES = ["identity", "licenses", "business-registration", "tax", "social-insurance", "gateway"] as const;

export interface BenchHub {
  config: ConfigName;
  procs: HubProcess[];
  httpBase: string;
  grpcAddress: string;
  dataDir: string;
  /** The hub's PostgreSQL database (pg, multi). */
  db?: { name: string; url: string };
  client: HubClient;
  data: Credential;
  samr: Credential;
  /** Stops the processes (idempotent). */
  stopProcesses(): Promise<void>;
  /** Drops the database and removes the data directory (idempotent). */
  removeData(): Promise<void>;
}

export interface HubStartOptions {
  config: ConfigName;
  natsUrl: string;
  population: number;
  /** Called with each piece that must be cleaned up, as soon as it exists. */
  onResource(name: string, undo: () => Promise<void>): void;
  log(line: string): void;
}

const READY_TIMEOUT_MS = 300_000;

export async function startBenchHub(o: HubStartOptions): Promise<BenchHub> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `tongban-bench-${o.config}-`));
  let removed = false;
  let db: { name: string; url: string } | undefined;
  const removeData = async () => {
    if (removed) return;
    removed = true;
    const name = db?.name;
    if (name) await retrying(() => dropTestDatabase(name), 5);
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  o.onResource(`${o.config} data`, removeData);
  if (o.config !== "embedded") db = await retrying(() => createTestDatabase("tongban_bench"), 5);

  const common: Record<string, string> = {
    DATA_DIR: dataDir,
    LOG_LEVEL: "info",
    // The officer bot calls CaseService as samr far more often than a person would.
    GRPC_RATE_LIMIT_PER_MINUTE: "1000000",
    TONGBAN_NAMESPACE: `bench-${o.config}-${crypto.randomBytes(3).toString("hex")}`,
  };
  // Observability and pool settings as the bench's own environment asks (to measure what they cost).
  for (const k of ["METRICS", "TRACING_ZIPKIN_URL", "TRACING_SAMPLE_RATE", "DATA_USE_CHAIN_MS", "DATA_USE_CHECKPOINT_MS", "DATABASE_POOL_SIZE"]) if (process.env[k]) common[k] = process.env[k]!;
  const seeding = { SEED_POPULATION: String(o.population), DEV_CREDENTIALS: "true" };
  const ports = { GRPC_PORT: "0", PORT: "0" };
  if (db) {
    Object.assign(common, {
      DATABASE_URL: db.url,
      NATS_URL: o.natsUrl,
      REDIS_URL,
      LICENSE_KEY_SECRET: crypto.randomBytes(32).toString("hex"),
      HUB_SECRET: crypto.randomBytes(32).toString("hex"),
    });
  }

  const plan: Array<{ name: string; env: Record<string, string> }> =
    o.config === "multi"
      ? ALL_SERVICES.map((s) => ({
          name: s,
          env: { ...common, SERVICES: s, ...(s === "identity" ? seeding : {}), ...(s === "gateway" ? ports : {}) },
        }))
      : [{ name: o.config === "pg" ? "hub" : "embedded", env: { ...common, ...(db ? { SERVICES: ALL_SERVICES.join(",") } : {}), ...seeding, ...ports } }];

  const procs: HubProcess[] = [];
  let stopped = false;
  const stopProcesses = async () => {
    if (stopped) return;
    stopped = true;
    await Promise.all(procs.map((p) => withTimeout(p.stop(), 25_000, `stopping ${p.name}`).catch(() => p.proc.kill("SIGKILL"))));
  };
  o.onResource(`${o.config} processes`, stopProcesses);
  for (const p of plan) {
    const hp = spawnHub(`bench-${p.name}`, { ...p.env, NODE_ID: `bench-${p.name}-${crypto.randomBytes(2).toString("hex")}` });
    procs.push(hp);
    trackChild(hp.proc);
  }

  const started = Date.now();
  await Promise.all(procs.map((p) => p.waitFor(/Tongban ready/, READY_TIMEOUT_MS)));
  const gateway = procs[procs.length - 1];
  const [grpcPort, httpPort] = await Promise.all([reportedPort(gateway, "gRPC edge"), reportedPort(gateway, "HTTP")]);
  const grpcAddress = `127.0.0.1:${grpcPort}`;
  const client = new HubClient(grpcAddress);
  o.onResource(`${o.config} gRPC client`, async () => client.close());
  await waitUntilServing(client, undefined, 60_000);
  o.log(`${o.config}: ${procs.length} process(es) ready in ${((Date.now() - started) / 1000).toFixed(1)} s (pids ${procs.map((p) => `${p.name}=${p.proc.pid}`).join(", ")})`);
  return {
    config: o.config,
    procs,
    httpBase: `http://127.0.0.1:${httpPort}`,
    grpcAddress,
    dataDir,
    db,
    client,
    data: readCredential(dataDir, "data"),
    samr: readCredential(dataDir, "samr"),
    stopProcesses,
    removeData,
  };
}

export interface LogScan {
  errors: number;
  warnings: number;
  /** The first few error (and fatal) lines. */
  samples: string[];
}

/** Error and warning lines (pino levels ≥ 50 and 40) a process printed after `from` characters. */
export function scanLogs(p: HubProcess, from = 0, maxSamples = 3): LogScan {
  const text = p.logs().slice(from);
  const scan: LogScan = { errors: 0, warnings: 0, samples: [] };
  for (const line of text.split("\n")) {
    if (/"level":(50|60)\b/.test(line)) {
      scan.errors++;
      if (scan.samples.length < maxSamples) scan.samples.push(line.slice(0, 800));
    } else if (/"level":40\b/.test(line)) scan.warnings++;
    else if (line.trim() && !line.startsWith("{") && /error|Error|ERR/.test(line)) {
      // Not pino JSON (a crash trace, a message on stderr).
      scan.errors++;
      if (scan.samples.length < maxSamples) scan.samples.push(line.slice(0, 800));
    }
  }
  return scan;
}

/** Describes a process that exited while it should be running, or undefined. */
export function exitedProcesses(hub: BenchHub): string | undefined {
  const gone = hub.procs.filter((p) => p.proc.exitCode !== null || p.proc.signalCode !== null);
  if (gone.length === 0) return undefined;
  return gone
    .map((p) => {
      // The last lines that are not routine info logs (a crash trace, errors), else nothing.
      const tail = p.logs().slice(-20_000).split("\n").filter((l) => l.trim() && !/"level":(10|20|30)\b/.test(l)).slice(-3);
      return `${p.name} exited (${p.proc.exitCode !== null ? `code ${p.proc.exitCode}` : p.proc.signalCode})${tail.length ? `: ${describe(tail.join(" | "), 1500)}` : ""}`;
    })
    .join("; ");
}
