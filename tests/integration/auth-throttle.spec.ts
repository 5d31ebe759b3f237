/**
 * Failed department authentications behind the centre's reverse proxy (TRUSTED_PROXIES): the portal
 * counts them per client (the nearest X-Forwarded-For address that is no trusted proxy), so one
 * client sending junk tokens through the proxy locks out itself, not everyone behind it; a client
 * that forges X-Forwarded-For is still counted as itself; and each edge counts its own, so junk
 * sent to the portal does not lock the same address out of the officers' gRPC edge. The embedded
 * hub in this process, with 5 failures a minute allowed.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { bootstrap } from "../../services/bootstrap";
import { loadConfig } from "../../services/common/config";
import { signDepartmentToken } from "../../services/common/department-token";
import { rootLogger } from "../../services/common/logger";
import { startHub, type Hub } from "../../services/hub";
import { generatePopulation } from "../../services/identity/seed/population";
import { HubClient, readCredential, waitUntilServing, type Credential } from "../support/grpc-client";

const FAILURES = 5;
const people = generatePopulation(50, 20261122);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tongban-throttle-"));
let hub: Hub;
let base: string;
let data: Credential;
let grpc: HubClient;

/** A sign-in through the proxy for the client at `client` (as the proxy forwards it). */
async function signIn(token: string, forwardedFor?: string): Promise<number> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  if (forwardedFor) headers["x-forwarded-for"] = forwardedFor;
  const res = await fetch(`${base}/v1/sessions`, { method: "POST", headers, body: JSON.stringify({ id_number: people[0].idNumber }) });
  await res.arrayBuffer();
  return res.status;
}
const forged = () => signDepartmentToken({ ...data, keyId: "unknown-key" }, 60);
const good = () => signDepartmentToken(data, 60);

beforeAll(async () => {
  rootLogger("error");
  hub = await startHub(
    loadConfig({
      DATA_DIR: dataDir, PORT: "0", GRPC_PORT: "0", SEED_POPULATION: "50", DEV_CREDENTIALS: "true", LOG_LEVEL: "error",
      AUTH_FAILURES_PER_MINUTE: String(FAILURES),
      // The test talks to the portal over loopback, as a reverse proxy on the same host would.
      TRUSTED_PROXIES: "127.0.0.1,::1",
    }),
  );
  await bootstrap(hub);
  base = `http://127.0.0.1:${(await hub.broker.call<{ port: number }>("http.port")).port}`;
  data = readCredential(dataDir, "data");
  grpc = new HubClient(`127.0.0.1:${(await hub.broker.call<{ port: number }>("grpc-edge.port")).port}`);
  await waitUntilServing(grpc);
}, 120_000);

afterAll(async () => {
  grpc?.close();
  await hub?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

describe("failed authentications behind a trusted proxy", () => {
  it("refuse the client that failed, not the others behind the proxy, nor the same address at the gRPC edge", async () => {
    // Within one minute's window, or the count starts again: wait for the next minute if this one is nearly over.
    const leftS = 60 - (Date.now() / 1000) % 60;
    if (leftS < 20) await new Promise((r) => setTimeout(r, leftS * 1000 + 100));

    const attacker = "203.0.113.7";
    const statuses: number[] = [];
    for (let i = 0; i < FAILURES + 1; i++) statuses.push(await signIn(forged(), attacker));
    expect(statuses).toEqual([...Array(FAILURES).fill(401), 429]);
    // Refused before its token is looked at, a good one too.
    expect(await signIn(good(), attacker)).toBe(429);
    // Forging an address in front of its own changes nothing: the proxy appends the real one.
    expect(await signIn(good(), `198.51.100.1, ${attacker}`)).toBe(429);
    // Another client behind the same proxy signs in.
    expect(await signIn(good(), "203.0.113.8")).toBe(201);
    // The proxy's own address (no X-Forwarded-For) has failed nothing yet.
    expect(await signIn(good())).toBe(201);
    // Locked out of the portal, the loopback address is still served at the officers' gRPC edge,
    // which counts its own failures.
    for (let i = 0; i < FAILURES; i++) expect(await signIn(forged())).toBe(401);
    expect(await signIn(good())).toBe(429);
    const pending = await grpc.call<{ pending: unknown[] }>("CaseService/ListPendingDecisions", {}, readCredential(dataDir, "samr"));
    expect(pending.pending).toEqual([]);
  }, 120_000);
});
