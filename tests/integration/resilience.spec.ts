/**
 * Failure behaviour, on private NATS and Redis instances this test may stop: /healthz names what is
 * down, the hub recovers when it returns, and a killed licences replica does not fail callers.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { status } from "@grpc/grpc-js";
import { expectStatus, HubClient, readCredential, waitUntilServing, FOUNDATION_SERVICES } from "../support/grpc-client";
import { spawnHub, reportedPort, type HubProcess } from "../support/hub-process";
import { ownNats, ownRedis, type OwnServer } from "../support/own-servers";
import { createTestDatabase, dropTestDatabase } from "../support/postgres";
import { requireServers } from "../support/servers";
import { people } from "./hub-flows";
import { eventually } from "../support/eventually";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tongban-res-"));
let nats: OwnServer;
let redis: OwnServer;
let db: { name: string; url: string };
let identity: HubProcess;
let licences: HubProcess[] = [];
let gateway: HubProcess;
let client: HubClient;
let httpPort: number;

const health = async () => {
  const res = await fetch(`http://127.0.0.1:${httpPort}/healthz`);
  return { code: res.status, body: (await res.json()) as { down: string[]; checks: Record<string, string> } };
};


beforeAll(async () => {
  await requireServers();
  [nats, redis] = await Promise.all([ownNats(), ownRedis()]);
  await Promise.all([nats.start(), redis.start()]);
  db = await createTestDatabase();
  const env = {
    NATS_URL: nats.url,
    REDIS_URL: redis.url,
    DATABASE_URL: db.url,
    DATA_DIR: dataDir,
    TONGBAN_NAMESPACE: `res-${crypto.randomBytes(3).toString("hex")}`,
    LICENSE_KEY_SECRET: crypto.randomBytes(32).toString("hex"),
    HUB_SECRET: crypto.randomBytes(32).toString("hex"),
    REQUEST_TIMEOUT_MS: "2000",
  };
  identity = spawnHub("identity", { ...env, SERVICES: "identity", SEED_POPULATION: "50", DEV_CREDENTIALS: "true" });
  licences = [spawnHub("licenses-a", { ...env, SERVICES: "licenses" }), spawnHub("licenses-b", { ...env, SERVICES: "licenses" })];
  gateway = spawnHub("gateway", { ...env, SERVICES: "gateway", GRPC_PORT: "0", PORT: "0" });
  await Promise.all([identity, ...licences, gateway].map((p) => p.waitFor(/Tongban ready/)));
  httpPort = await reportedPort(gateway, "HTTP");
  client = new HubClient(`127.0.0.1:${await reportedPort(gateway, "gRPC edge")}`);
  await waitUntilServing(client, FOUNDATION_SERVICES);
}, 120_000);

afterAll(async () => {
  client?.close();
  await Promise.all([identity, ...licences, gateway].filter(Boolean).map((p) => p.stop()));
  await Promise.all([nats?.stop(), redis?.stop()]);
  if (db) await dropTestDatabase(db.name);
  fs.rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

describe("failures", () => {
  it("answers 503 naming Redis while it is down, and 200 again when it is back", async () => {
    expect((await health()).code).toBe(200);
    await redis.stop();
    const down = await eventually(health, (h) => h.code === 503);
    expect(down.body.down).toEqual(["redis"]);
    await redis.start();
    await eventually(health, (h) => h.code === 200);
  }, 60_000);

  it("answers 503 naming NATS while the bus is down, and serves calls again after it returns", async () => {
    const tax = readCredential(dataDir, "tax");
    const call = () => client.call("IdentityService/VerifyPerson", { idNumber: people[0].idNumber, name: people[0].name }, tax);
    expect((await call()).match).toBe(true);
    await nats.stop();
    const down = await eventually(health, (h) => h.code === 503);
    expect(down.body.down).toContain("nats");
    await nats.start();
    await eventually(health, (h) => h.code === 200, 45_000);
    const back = await eventually(call, (r) => r?.match === true, 45_000);
    expect(back.match).toBe(true);
  }, 120_000);

  it("keeps serving when one of two licences replicas is killed", async () => {
    const data = readCredential(dataDir, "data");
    const list = () => client.call("LicenceService/ListLicenceTypes", {}, data);
    await eventually(list, (r) => r?.types?.length > 0);
    licences[0].proc.kill("SIGKILL");
    // Calls that land on the dead node time out and are retried on the live one.
    const results = await Promise.all(Array.from({ length: 6 }, () => list()));
    expect(results.every((r) => r.types.some((t: { code: string }) => t.code === "BL"))).toBe(true);
    const samr = readCredential(dataDir, "samr");
    await expectStatus(client.call("LicenceService/GetLicence", { number: "BL-20261122-0000000000-0", caseId: "c" }, samr), status.NOT_FOUND);
  }, 60_000);
});
