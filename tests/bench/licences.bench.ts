/**
 * Licence throughput through the gRPC edge: issue N business licences and verify each, C calls in
 * flight, printing calls/s, latency percentiles and memory. Runs the hub in this process on the
 * configuration the environment gives (embedded default with none; set NATS_URL, DATABASE_URL,
 * REDIS_URL to measure the server setup).
 *
 *   npm run bench -- [count=2000] [concurrency=32]
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadConfig } from "../../services/common/config";
import { bootstrap } from "../../services/bootstrap";
import { startHub } from "../../services/hub";
import { generatePopulation } from "../../services/identity/seed/population";
import { HubClient, readCredential } from "../support/grpc-client";

const count = Number(process.argv[2] ?? 2000);
const concurrency = Number(process.argv[3] ?? 32);

function percentile(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function run(label: string, n: number, fn: (i: number) => Promise<unknown>) {
  const latencies: number[] = [];
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        const t = process.hrtime.bigint();
        await fn(i);
        latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  console.log(
    `${label.padEnd(8)} ${n} calls in ${seconds.toFixed(2)} s = ${(n / seconds).toFixed(0)} calls/s; ` +
      `latency p50 ${percentile(latencies, 50).toFixed(1)} ms, p95 ${percentile(latencies, 95).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms`,
  );
}

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tongban-bench-"));
  const config = loadConfig({
    ...process.env,
    DATA_DIR: dataDir,
    GRPC_PORT: "0",
    PORT: "0",
    LOG_LEVEL: "warn",
    SEED_POPULATION: "1000",
    DEV_CREDENTIALS: "true",
    GRPC_RATE_LIMIT_PER_MINUTE: "1000000",
    TONGBAN_NAMESPACE: `bench-${process.pid}`,
  });
  const hub = await startHub(config);
  await bootstrap(hub);
  const { port } = await hub.broker.call<{ port: number }>("grpc-edge.port");
  const client = new HubClient(`127.0.0.1:${port}`);
  const samr = readCredential(dataDir, "samr");
  const tax = readCredential(dataDir, "tax");
  const rep = generatePopulation(1, 20261122)[0];
  const entity = await client.call("IdentityService/RegisterEntity", {
    idempotencyKey: crypto.randomUUID(), name: "基准测试有限公司", entityType: "ENTITY_TYPE_ENTERPRISE", regionCode: rep.regionCode,
    legalRepresentativeIdNumber: rep.idNumber, legalRepresentativeName: rep.name, address: rep.address, caseId: "bench",
  }, samr);

  console.log(`Tongban licence benchmark: ${count} licences, ${concurrency} in flight, ${config.natsUrl ? "NATS" : "in-process"} bus, ${config.databaseUrl ? "PostgreSQL" : "PGlite"}, algorithm ${config.licenseSigningAlgorithm}`);
  const numbers: string[] = [];
  await run("issue", count, async (i) => {
    const l = await client.call("LicenceService/IssueLicence", {
      idempotencyKey: `bench-${process.pid}-${i}`, typeCode: "BL", holderId: entity.creditCode, caseId: "bench",
      fields: { name: entity.name, entity_type: "有限责任公司", legal_representative: rep.name, established_on: "2026-11-22", address: rep.address, business_scope: "软件开发" },
    }, samr);
    numbers[i] = l.number;
  });
  await run("verify", count, (i) => client.call("LicenceService/VerifyLicence", { number: numbers[i], caseId: "bench" }, tax));
  await run("get", count, (i) => client.call("LicenceService/GetLicence", { number: numbers[i], caseId: "bench" }, tax));
  const m = process.memoryUsage();
  console.log(`memory   rss ${(m.rss / 2 ** 20).toFixed(0)} MiB, heap used ${(m.heapUsed / 2 ** 20).toFixed(0)} MiB`);
  client.close();
  await hub.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
