/**
 * identity, licences and the gRPC edge as three separate processes talking over the machine's
 * NATS, each department on PostgreSQL, Redis for cache and rate limits. A test broker joins the
 * bus to watch the licence events.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { ServiceBroker } from "moleculer";
import { projectPath } from "../../services/common/paths";
import { HubClient, waitUntilServing, FOUNDATION_SERVICES } from "../support/grpc-client";
import { spawnHub, reportedPort, type HubProcess } from "../support/hub-process";
import { createTestDatabase, dropTestDatabase, queryDatabase } from "../support/postgres";
import { NATS_URL, REDIS_URL, requireServers } from "../support/servers";
import { defineHubFlows, people, registerEntity, SEED_COUNT, type HubUnderTest } from "./hub-flows";
import { readCredential } from "../support/grpc-client";

const namespace = `it-${crypto.randomBytes(4).toString("hex")}`;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tongban-it-"));
let db: { name: string; url: string };
let processes: HubProcess[] = [];
let observer: ServiceBroker;
const events: Array<{ name: string; payload: any }> = [];
let under: HubUnderTest;
let common: Record<string, string>;

/** Runs `tongban <args>` as an administration process joining the hub over NATS. */
async function admin(...args: string[]) {
  const { stdout } = await promisify(execFile)(process.execPath, [projectPath("dist", "bin", "tongban.js"), ...args], {
    env: { PATH: process.env.PATH ?? "", ...common, LOG_LEVEL: "warn" },
  });
  return stdout.trim();
}

beforeAll(async () => {
  await requireServers();
  db = await createTestDatabase();
  common = {
    NATS_URL,
    REDIS_URL,
    DATABASE_URL: db.url,
    TONGBAN_NAMESPACE: namespace,
    DATA_DIR: dataDir,
    LICENSE_KEY_SECRET: crypto.randomBytes(32).toString("hex"),
    HUB_SECRET: crypto.randomBytes(32).toString("hex"),
    // The edge logs each successful call at debug level.
    LOG_LEVEL: "debug",
  };
  observer = new ServiceBroker({ namespace, nodeID: `observer-${process.pid}`, transporter: NATS_URL, logger: false });
  observer.createService({
    name: "test-observer",
    events: {
      "licenses.*"(ctx: any) {
        events.push({ name: ctx.eventName, payload: ctx.params });
      },
    },
  });
  await observer.start();
  processes = [
    spawnHub("identity", { ...common, SERVICES: "identity", SEED_POPULATION: String(SEED_COUNT), DEV_CREDENTIALS: "true", HEALTH_PORT: "0" }),
    spawnHub("licenses", { ...common, SERVICES: "licenses" }),
    spawnHub("gateway", { ...common, SERVICES: "gateway", GRPC_PORT: "0", PORT: "0" }),
  ];
  await Promise.all(processes.map((p) => p.waitFor(/Tongban ready/)));
  const [grpcPort, httpPort] = await Promise.all([reportedPort(processes[2], "gRPC edge"), reportedPort(processes[2], "HTTP")]);
  under = { client: new HubClient(`127.0.0.1:${grpcPort}`), httpPort, dataDir };
  await waitUntilServing(under.client, FOUNDATION_SERVICES);
}, 120_000);

afterAll(async () => {
  under?.client.close();
  await Promise.all(processes.map((p) => p.stop()));
  await observer?.stop();
  if (db) await dropTestDatabase(db.name);
  fs.rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

describe("three processes over NATS, PostgreSQL and Redis", () => {
  defineHubFlows(() => under);

  it("reports nats and redis in /healthz", async () => {
    const body = (await (await fetch(`http://127.0.0.1:${under.httpPort}/healthz`)).json()) as { checks: Record<string, string> };
    expect(body.checks).toMatchObject({ nats: "up", redis: "up", broker: "up" });
  });

  it("serves /healthz on HEALTH_PORT in a process without the gateway", async () => {
    const port = Number((await processes[0].waitFor(/health listening on port (\d+)/))[1]);
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { checks: Record<string, string> }).checks).toEqual({
      broker: "up",
      nats: "up",
      redis: "up",
      "database:identity": "up",
    });
    expect((await fetch(`http://127.0.0.1:${port}/livez`)).status).toBe(200);
    // Prometheus metrics beside health: Node's, and this process's own schema's outbox.
    const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(metrics.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await metrics.text();
    expect(text).toMatch(/^process_cpu_seconds_total \d/m);
    expect(text).toMatch(/^tongban_outbox_pending\{schema="identity"\} \d+$/m);
    expect(text).not.toMatch(/tongban_applications_open\{/);
  });

  it("keeps each department in its own schema with its migrations recorded", async () => {
    const schemas = await queryDatabase<{ table_schema: string; table_name: string }>(
      db.url,
      "SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema IN ('identity', 'licenses') ORDER BY 1, 2",
    );
    const tables = schemas.map((r) => `${r.table_schema}.${r.table_name}`);
    expect(tables).toEqual(expect.arrayContaining(["identity.persons", "identity.schema_migrations", "licenses.licences", "licenses.schema_migrations"]));
    const applied = await queryDatabase<{ name: string }>(db.url, "SELECT name FROM licenses.schema_migrations");
    // The service's own migrations and the common ones every schema gets, each once.
    const names = applied.map((r) => r.name);
    expect(names).toEqual(expect.arrayContaining(["001_licences.sql", "002_superseded_by.sql", "common-001_idempotency_keys.sql", "common-002_outbox.sql"]));
    expect(new Set(names).size).toBe(names.length);
    const sealed = await queryDatabase<{ sealed_private_key: string }>(db.url, "SELECT sealed_private_key FROM licenses.signing_keys LIMIT 1");
    expect(sealed[0].sealed_private_key).toMatch(/^v1:/);
    expect(sealed[0].sealed_private_key).not.toContain("PRIVATE KEY");
  });

  it("emits issued and revoked events on the bus, carries the request id across processes and redacts personal data in logs", async () => {
    const samr = readCredential(dataDir, "samr");
    const entity = await registerEntity(under.client, samr, 10, `古田县菌业${crypto.randomInt(1e6)}有限公司`);
    const requestId = `it-${crypto.randomUUID()}`;
    const licence = await under.client.call(
      "LicenceService/IssueLicence",
      {
        idempotencyKey: `ev-${crypto.randomUUID()}`,
        typeCode: "BL",
        holderId: entity.creditCode,
        caseId: "case-ev",
        fields: {
          name: entity.name, entity_type: "有限责任公司", legal_representative: people[10].name,
          established_on: "2026-11-02", address: "福建省宁德市古田县六一四路1号", business_scope: "食用菌种植",
        },
      },
      samr,
      { "x-request-id": requestId },
    );
    await under.client.call("LicenceService/RevokeLicence", { number: licence.number, reason: "测试", idempotencyKey: `rv-${crypto.randomUUID()}` }, samr);
    for (let i = 0; i < 50 && !events.some((e) => e.name === "licenses.revoked" && e.payload.number === licence.number); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(events.filter((e) => e.payload.number === licence.number).map((e) => e.name)).toEqual(["licenses.issued", "licenses.revoked"]);
    expect(events.find((e) => e.name === "licenses.issued" && e.payload.number === licence.number)!.payload).toMatchObject({ number: licence.number, issuer: "samr", caseId: "case-ev" });

    const [identityLogs, licensesLogs, gatewayLogs] = processes.map((p) => p.logs());
    expect(gatewayLogs).toContain(requestId);
    expect(licensesLogs).toContain(requestId);
    const all = identityLogs + licensesLogs + gatewayLogs;
    expect(all).not.toContain(people[10].idNumber);
    expect(all).not.toContain(people[10].name);
    expect(all).not.toContain(people[10].phone);
  });
});

describe("administration commands over the bus", () => {
  it("seeds more of the synthetic population, repeatably", async () => {
    expect(await admin("seed", "--count", String(SEED_COUNT + 25))).toBe(`seeded 25 new persons (seed 20261122); the registry holds ${SEED_COUNT + 25}`);
    expect(await admin("seed", "--count", String(SEED_COUNT + 25))).toBe(`seeded 0 new persons (seed 20261122); the registry holds ${SEED_COUNT + 25}`);
  });

  it("registers a department credential that the edge then accepts", async () => {
    const out = path.join(dataDir, "housing-prod.json");
    expect(await admin("credentials", "create", "--dept", "housing", "--algorithm", "SM2-SM3", "--out", out)).toMatch(/^registered key sm2:[0-9a-f]{16} for housing/);
    const housing = JSON.parse(fs.readFileSync(out, "utf8"));
    const v = await under.client.call("IdentityService/VerifyPerson", { idNumber: people[0].idNumber, name: people[0].name }, housing);
    expect(v.match).toBe(true);
  });
});
