/**
 * The embedded default: one process, no NATS, no Redis, no PostgreSQL server — PGlite under
 * DATA_DIR — running the same flows as the multi-process topology.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { HubClient } from "../support/grpc-client";
import { spawnHub, reportedPort, type HubProcess } from "../support/hub-process";
import { defineHubFlows, SEED_COUNT, type HubUnderTest } from "./hub-flows";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tongban-embedded-"));
let hub: HubProcess;
let under: HubUnderTest;

beforeAll(async () => {
  hub = spawnHub("embedded", { DATA_DIR: dataDir, GRPC_PORT: "0", PORT: "0", SEED_POPULATION: String(SEED_COUNT) });
  await hub.waitFor(/Tongban ready/, 90_000);
  const [grpcPort, httpPort] = await Promise.all([reportedPort(hub, "gRPC edge"), reportedPort(hub, "HTTP")]);
  under = { client: new HubClient(`127.0.0.1:${grpcPort}`), httpPort, dataDir };
}, 120_000);

afterAll(async () => {
  under?.client.close();
  await hub?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

describe("embedded default (one process, PGlite, in-process transport)", () => {
  defineHubFlows(() => under);

  it("runs without any server configured and keeps its data under DATA_DIR", async () => {
    const body = (await (await fetch(`http://127.0.0.1:${under.httpPort}/healthz`)).json()) as { checks: Record<string, string> };
    const schemas = ["gateway", "identity", "licenses", "registration", "social_insurance", "tax"];
    expect(Object.keys(body.checks).sort()).toEqual(["broker", ...schemas.map((s) => `database:${s}`), "grpc-edge"]);
    // One PGlite database holds every schema of the process.
    expect(fs.existsSync(path.join(dataDir, "pglite", "PG_VERSION"))).toBe(true);
    for (const schema of schemas) expect(fs.existsSync(path.join(dataDir, "pglite", schema))).toBe(false);
  });

  it("refuses a second process on the same embedded database", async () => {
    const second = spawnHub("second", { DATA_DIR: dataDir, GRPC_PORT: "0", PORT: "0", SERVICES: "identity" });
    await second.waitFor(/in use by process \d+/, 60_000);
    await second.stop();
  });
});
