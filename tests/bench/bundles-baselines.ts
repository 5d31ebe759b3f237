/**
 * Baselines measured in the same run as the bundles, to put their throughput in proportion:
 *   PostgreSQL: single-row INSERT transactions/s (autocommit, 16 clients) into a scratch table;
 *   moleculer: request/reply echo over the benchmark's NATS (64 callers), requests/s;
 *   SM2: signatures/s of sm-crypto-v2 on this process's thread (what one licence's seal costs).
 * Each also says what one operation cost the whole machine in CPU (all processes and the kernel),
 * so that a bundle's CPU can be set against the commits and signatures it cannot do without.
 */
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import path from "node:path";
import { ServiceBroker } from "moleculer";
import { Client } from "pg";
import { brokerOptions } from "../../services/common/broker";
import { sm2SignHere } from "../../services/licenses/signing/signing-threads";
import type { Config } from "../../services/common/config";
import { stopChild } from "../support/hub-process";
import { trackChild } from "./bundles-cleanup";
import { machineBusySeconds } from "./bundles-procstat";
import { sleep, withTimeout } from "./bundles-util";

export interface Baseline {
  perSecond: number;
  count: number;
  seconds: number;
  errors: number;
  /** CPU the whole machine spent per successful operation (ms; /proc/stat over the run, every process and the kernel). */
  machineMsPerOp?: number;
}

/**
 * Runs each worker's operation over and over, each waiting for its last, for `seconds`; counts the
 * operations that succeeded and failed per second of the run.
 */
async function countFor(seconds: number, workers: Array<() => Promise<unknown>>): Promise<Baseline> {
  let count = 0;
  let errors = 0;
  const busyBefore = machineBusySeconds();
  const started = process.hrtime.bigint();
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    workers.map(async (op) => {
      while (Date.now() < end) {
        try {
          await op();
          count++;
        } catch {
          errors++;
        }
      }
    }),
  );
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  const machineMsPerOp = count > 0 ? ((machineBusySeconds() - busyBefore) * 1000) / count : undefined;
  return { perSecond: count / elapsed, count, seconds: elapsed, errors, machineMsPerOp };
}

/** INSERT transactions/s with `clients` connections, one row per autocommit transaction. */
export async function pgInsertBaseline(databaseUrl: string, seconds: number, clients = 16): Promise<Baseline> {
  const table = `bench_scratch_${crypto.randomBytes(3).toString("hex")}`;
  const admin = new Client({ connectionString: databaseUrl });
  await admin.connect();
  const conns: Client[] = [];
  try {
    await admin.query(`CREATE TABLE ${table} (id bigserial PRIMARY KEY, payload text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`);
    for (let i = 0; i < clients; i++) {
      const c = new Client({ connectionString: databaseUrl });
      await c.connect();
      conns.push(c);
    }
    return await countFor(seconds, conns.map((c, i) => {
      const payload = `client ${i} ${"x".repeat(100)}`;
      return () => c.query(`INSERT INTO ${table} (payload) VALUES ($1)`, [payload]);
    }));
  } finally {
    await Promise.all(conns.map((c) => c.end().catch(() => undefined)));
    await admin.query(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
    await admin.end().catch(() => undefined);
  }
}

/** moleculer request/reply through NATS: an echo node in a child process, `callers` in flight from here. */
export async function echoBaseline(natsUrl: string, seconds: number, callers = 64): Promise<Baseline> {
  const namespace = `bench-echo-${crypto.randomBytes(3).toString("hex")}`;
  const child = spawn(process.execPath, [path.join(__dirname, "bundles-echo-node.js")], {
    env: { PATH: process.env.PATH ?? "", NATS_URL: natsUrl, BENCH_NAMESPACE: namespace },
    stdio: ["ignore", "pipe", "pipe"],
  });
  trackChild(child);
  let output = "";
  child.stdout!.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (output += c.toString()));
  const config = { namespace, nodeId: `bench-echo-caller-${process.pid}`, natsUrl, redisUrl: undefined, logLevel: "warn", requestTimeoutMs: 10_000 } as unknown as Config;
  const broker = new ServiceBroker({ ...brokerOptions(config), logger: false, cacher: undefined });
  try {
    await withTimeout(
      (async () => {
        while (!output.includes("echo ready")) {
          if (child.exitCode !== null) throw new Error(`echo node exited: ${output}`);
          await sleep(50);
        }
      })(),
      30_000,
      "echo node start",
    );
    await broker.start();
    await broker.waitForServices(["echo"], 30_000);
    const payload = { text: "x".repeat(200), n: 1 };
    for (let i = 0; i < 200; i++) await broker.call("echo.echo", payload); // warm-up
    return await countFor(seconds, Array.from({ length: callers }, () => () => broker.call("echo.echo", payload)));
  } finally {
    await broker.stop().catch(() => undefined);
    await stopChild(child, 5000);
  }
}

/**
 * SM2 signatures/s on this process's one thread (sm-crypto-v2, GM/T 0003.2 with the GM/T 0009
 * signer ID, DER: the call the licence service's signing threads make), over `seconds`, of a
 * 2 KB document (a licence's canonical content is 1–2 KB). A 开办企业 signs six times: five
 * licences and the receipt.
 */
export async function sm2SignBaseline(seconds: number): Promise<Baseline> {
  const { sm2 } = await import("sm-crypto-v2");
  const keys = sm2.generateKeyPairHex();
  const data = new TextEncoder().encode(JSON.stringify({ content: "营业执照".repeat(170) }));
  const request = { data, privateHex: keys.privateKey, publicHex: keys.publicKey, userId: "1234567812345678" };
  for (let i = 0; i < 20; i++) sm2SignHere(request); // warm-up: the curve's precomputed points
  // One signature at a time, yielding between them so that the run's timers still fire.
  return countFor(seconds, [
    async () => {
      sm2SignHere(request);
      await new Promise((resolve) => setImmediate(resolve));
    },
  ]);
}
