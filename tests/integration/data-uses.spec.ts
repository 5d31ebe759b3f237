/**
 * The data-use log on PostgreSQL, as a citizen and as an auditor meet it: a department's back-office
 * read over gRPC appears in the applicant's GET /v1/me/data-uses with its case and purpose (and a
 * company's in its legal representative's), another applicant sees none of it, pages hold together;
 * a bundle's changes are logged; the hash chain and the signed checkpoints hold, and the verify
 * command (a separate process) names an edited, a deleted and a swapped entry, and a chain
 * rewritten with fresh hashes.
 */
import crypto from "node:crypto";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { bootstrap } from "../../services/bootstrap";
import { loadConfig } from "../../services/common/config";
import { signDepartmentToken } from "../../services/common/department-token";
import { entryHash, verifyChain } from "../../services/common/data-use-chain";
import { rootLogger } from "../../services/common/logger";
import { generateSigningKey } from "../../services/licenses/signing/signer";
import { projectPath } from "../../services/common/paths";
import { chainDataUsesNow } from "../../services/common/runtime";
import { startHub, type Hub } from "../../services/hub";
import { generatePopulation } from "../../services/identity/seed/population";
import { HubClient, readCredential, type Credential } from "../support/grpc-client";
import { createTestDatabase, dropTestDatabase, queryDatabase } from "../support/postgres";
import { requireServers } from "../support/servers";
import { eventually } from "../support/eventually";
import { startBusinessForm, tradeName, START_BUSINESS_CONSENT } from "../support/start-business";

const run = promisify(execFile);
const people = generatePopulation(200, 20261122);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tongban-uses-"));
let hub: Hub;
let database: { name: string; url: string };
let base: string;
let client: HubClient;
let tax: Credential;
let data: Credential;
const as = (department: string) => ({ meta: { caller: { department } } });

async function api(method: string, url: string, token?: string, body?: unknown): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${base}${url}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}
const session = async (idNumber: string) => (await api("POST", "/v1/sessions", signDepartmentToken(data, 120), { id_number: idNumber })).body.token as string;

/** Every use on every page of the applicant's list. */
async function allUses(token: string, pageSize: number): Promise<any[]> {
  const out: any[] = [];
  let pageToken = "";
  do {
    const r = await api("GET", `/v1/me/data-uses?page_size=${pageSize}${pageToken ? `&page_token=${pageToken}` : ""}`, token);
    expect(r.status).toBe(200);
    expect(r.body.uses.length).toBeLessThanOrEqual(pageSize);
    out.push(...r.body.uses);
    pageToken = r.body.next_page_token;
  } while (pageToken);
  return out;
}

/** The verify command, in its own process, on this database: its exit code and what it printed. */
async function verifyCommand(...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await run("node", [projectPath("dist/bin/verify-data-uses.js"), ...args], { env: { ...process.env, DATABASE_URL: database.url, LOG_LEVEL: "warn" }, encoding: "utf8", timeout: 60_000 });
    return { code: 0, out: stdout };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, out: `${e.stdout ?? ""}${e.stderr ?? ""}` };
  }
}

const identityLog = (sql: string, params: unknown[] = []) => queryDatabase(database.url, sql.replace(/\bLOG\b/g, "identity.data_uses"), params);

beforeAll(async () => {
  rootLogger("warn");
  await requireServers();
  database = await createTestDatabase();
  hub = await startHub(loadConfig({
    DATA_DIR: dataDir, DATABASE_URL: database.url, PORT: "0", GRPC_PORT: "0", SEED_POPULATION: "200", DEV_CREDENTIALS: "true", LOG_LEVEL: "warn",
    // Chaining and checkpoints when the test asks (a pass every second would race the edits below).
    DATA_USE_CHAIN_MS: "0", DATA_USE_CHECKPOINT_MS: "0",
    HUB_SECRET: crypto.randomBytes(32).toString("hex"), LICENSE_KEY_SECRET: crypto.randomBytes(32).toString("hex"),
  }));
  await bootstrap(hub);
  base = `http://127.0.0.1:${(await hub.broker.call<{ port: number }>("http.port")).port}`;
  client = new HubClient(`127.0.0.1:${(await hub.broker.call<{ port: number }>("grpc-edge.port")).port}`);
  tax = readCredential(dataDir, "tax");
  data = readCredential(dataDir, "data");
}, 120_000);

afterAll(async () => {
  client?.close();
  await hub?.stop();
  if (database) await dropTestDatabase(database.name);
  fs.rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

describe("who used my data", () => {
  it("shows a tax officer's read for a case with its purpose, an enterprise's uses to its legal representative, and nothing to another applicant", async () => {
    const [a, b] = [people[20], people[21]];
    // The tax back-office reads A's base data over gRPC for its case, saying why.
    await client.call("IdentityService/GetPerson", { idNumber: a.idNumber, caseId: "SW-2026-0042" }, tax, { "x-purpose": encodeURIComponent("个体工商户税务登记核验") });
    // ...and once without saying: the method stands for the purpose.
    await client.call("IdentityService/VerifyPerson", { idNumber: a.idNumber, name: a.name, caseId: "SW-2026-0043" }, tax);
    // A company A represents, read by tax.
    const { creditCode } = await hub.broker.call<{ creditCode: string }, object>("identity.registerEntity", {
      idempotencyKey: "uses-entity-1", name: `成都${tradeName(5, "用")}科技有限公司`, entityType: "ENTITY_TYPE_ENTERPRISE", regionCode: "510104",
      legalRepresentativeIdNumber: a.idNumber, legalRepresentativeName: a.name, address: "四川省成都市锦江区人民南路330号", caseId: "uses-1",
    }, as("samr"));
    await client.call("IdentityService/GetEntity", { creditCode, caseId: "SW-2026-0044" }, tax);

    const mine = await allUses(await session(a.idNumber), 50);
    expect(mine).toEqual(expect.arrayContaining([
      expect.objectContaining({ department: "tax", kind: "read", what: "person", action: "get", case_id: "SW-2026-0042", purpose: "部门后台办件 (IdentityService/GetPerson)：个体工商户税务登记核验", whose: "self", log: "identity" }),
      expect.objectContaining({ department: "tax", what: "person", action: "verify", case_id: "SW-2026-0043", purpose: "部门后台办件 (IdentityService/VerifyPerson)", whose: "self" }),
      expect.objectContaining({ department: "tax", what: "entity", action: "get", case_id: "SW-2026-0044", whose: creditCode }),
    ]));
    // Newest first.
    const times = mine.map((u) => u.at);
    expect(times).toEqual([...times].sort().reverse());

    // Another applicant sees none of it, whatever they ask for.
    const theirs = await allUses(await session(b.idNumber), 50);
    expect(theirs.filter((u) => ["SW-2026-0042", "SW-2026-0043", "SW-2026-0044"].includes(u.case_id))).toEqual([]);
    expect(theirs.every((u) => u.whose === "self")).toBe(true);
    const tokenB = await session(b.idNumber);
    expect((await api("GET", `/v1/me/data-uses?applicant=${a.idNumber}`, tokenB)).status).toBe(400);
    expect((await api("GET", "/v1/me/data-uses")).status).toBe(401);
    expect((await api("GET", "/v1/me/data-uses?page_token=bm90LWEtdG9rZW4", tokenB)).body.error.field).toBe("page_token");
  });

  it("pages through uses from several logs without losing or repeating one, and logs a bundle's changes", async () => {
    const a = people[30];
    const token = await session(a.idNumber);
    // Uses in several logs: identity reads, material fetches (gateway), a bundle's changes.
    for (let i = 0; i < 4; i++) await client.call("IdentityService/GetPerson", { idNumber: a.idNumber, caseId: `SW-PAGE-${i}` }, tax);
    const pdf = (n: number) => Buffer.from(`%PDF-1.4\n% ${n}\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n`).toString("base64");
    const upload = async (type: string, n: number) => (await api("POST", "/v1/materials", token, { type_code: type, file_name: `${type}.pdf`, content_type: "application/pdf", content_base64: pdf(n) })).body.material_id as string;
    const submitted = await api("POST", "/v1/applications", token, {
      bundle_code: "START_BUSINESS", consent: START_BUSINESS_CONSENT, client_key: `uses-${crypto.randomUUID()}`,
      form: startBusinessForm({ tradeName: tradeName(31, "页"), applicant: a.idNumber, employees: [people[31].idNumber] }),
      materials: { ARTICLES_OF_ASSOCIATION: await upload("ARTICLES_OF_ASSOCIATION", 1), PREMISES_PROOF: await upload("PREMISES_PROOF", 2) },
    });
    const id = submitted.body.application_id as string;
    const view = () => api("GET", `/v1/applications/${id}`, token).then((r) => r.body);
    await eventually(view, (s) => s.steps.some((x: { step_key: string; status: string }) => x.step_key === "establishment" && x.status === "WAITING_DECISION"), 60_000, 50);
    await hub.broker.call("bundles.decide", { applicationId: id, stepKey: "establishment", outcome: "APPROVE", comment: "准予登记" }, as("samr"));
    expect((await eventually(view, (s) => s.status !== "RUNNING", 60_000, 50)).status).toBe("COMPLETED");

    // A back-office citing the application as its case: only a department with a step in it may.
    await client.call("IdentityService/GetPerson", { idNumber: a.idNumber, caseId: id }, tax, { "x-purpose": encodeURIComponent("核对税务登记") });
    await expect(client.call("IdentityService/GetPerson", { idNumber: a.idNumber, caseId: id }, readCredential(dataDir, "psb"))).rejects.toMatchObject({ code: 7, details: expect.stringMatching(/^case_id: .* is a hub application with no step of psb/) });

    const whole = await allUses(token, 200);
    const key = (u: any) => `${u.log}/${u.at}/${u.department}/${u.action}/${u.case_id}/${u.item}`;
    // The bundle's changes, with the department that made each and the bundle as purpose.
    const changes = whole.filter((u) => u.kind === "change" && u.case_id === id);
    expect(changes.map((u) => u.action)).toEqual(expect.arrayContaining(["application: SUBMITTED", "step establishment: WAITING_DECISION", "step establishment: decided APPROVE", "step establishment: SUCCEEDED", "application: COMPLETED"]));
    expect(changes.find((u) => u.action === "step establishment: SUCCEEDED")).toMatchObject({ department: "samr", what: "application", item: id, purpose: "开办企业：设立登记" });
    // Departments' reads for the bundle's steps name the case and the step as purpose.
    expect(whole.some((u) => u.kind === "read" && u.case_id === id && u.department !== "data" && /^开办企业：/.test(u.purpose))).toBe(true);
    expect(whole.filter((u) => u.case_id.startsWith("SW-PAGE-"))).toHaveLength(4);
    // Pages of 3 give the same list, in the same order, nothing twice.
    const paged = await allUses(token, 3);
    expect(paged.map(key)).toEqual(whole.map(key));
    expect(new Set(paged.map(key)).size).toBe(paged.length);

    // A page token made up: an impossible date, an id beyond bigint, another shape — 400 naming it, never 500.
    const forged = (key: unknown[]) => Buffer.from(JSON.stringify(key)).toString("base64url");
    for (const t of [forged(["2026-02-30T00:00:00.000000Z", 0, "1"]), forged(["2026-11-30T25:00:00.000000Z", 0, "1"]), forged(["2026-11-30T00:00:00.000000Z", 0, "9999999999999999999"]), forged(["x", 0, "1"]), "%%%"]) {
      const r = await api("GET", `/v1/me/data-uses?page_token=${encodeURIComponent(t)}`, token);
      expect(r.status).toBe(400);
      expect(r.body.error.field).toBe("page_token");
    }
    // The department's own cursor check is the same (a caller on the bus, no portal before it).
    await expect(hub.broker.call("identity.dataUses", { subjects: [a.idNumber], limit: 5, before: { at: "2026-02-30T00:00:00.000000Z", id: "1" } }, as("data"))).rejects.toMatchObject({ code: 400, data: { field: "before" } });
  }, 120_000);
});

describe("the tamper-evident log", () => {
  it("holds when untouched, and the verify command names an edited, a deleted and a swapped entry and a rewritten chain", async () => {
    for (let i = 0; i < 6; i++) await client.call("IdentityService/GetPerson", { idNumber: people[40 + i].idNumber, caseId: `SW-CHAIN-${i}` }, tax);
    await chainDataUsesNow(hub.runtime);
    expect((await hub.broker.call<{ signed: string[] }>("data-uses.checkpoint")).signed).toEqual(expect.arrayContaining(["gateway", "identity"]));

    const clean = await verifyCommand();
    expect(clean.out).toMatch(/every data-use chain holds/);
    expect(clean.out).toMatch(/identity: ok — \d+ entries chained/);
    expect(clean.code).toBe(0);
    const identity = await hub.runtime.databases.get("identity")!;
    expect((await verifyChain(identity)).problem).toBeUndefined();

    // Edited: who read it.
    const [row] = await identityLog("SELECT reader FROM LOG WHERE seq = 2");
    await identityLog("UPDATE LOG SET reader = 'psb' WHERE seq = 2");
    const edited = await verifyCommand();
    expect(edited.code).toBe(1);
    expect(edited.out).toMatch(/identity: FAILED/);
    expect(edited.out).toMatch(/first fault: entry seq 2 \(id \d+\) was altered/);
    await identityLog("UPDATE LOG SET reader = $1 WHERE seq = 2", [(row as { reader: string }).reader]);
    expect((await verifyChain(identity)).problem).toBeUndefined();

    // Deleted (and put back).
    const [gone] = await identityLog("SELECT *, at::text AS at_exact FROM LOG WHERE seq = 3");
    await identityLog("DELETE FROM LOG WHERE seq = 3");
    expect((await verifyCommand()).out).toMatch(/first fault: entry seq 3 is missing .*removed/);
    const g = gone as Record<string, unknown>;
    await identityLog(
      "INSERT INTO LOG (id, subject_id, reader, case_id, action, at, kind, what, item, purpose, seq, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6::timestamptz, $7, $8, $9, $10, $11, $12, $13)",
      [g.id, g.subject_id, g.reader, g.case_id, g.action, g.at_exact, g.kind, g.what, g.item, g.purpose, g.seq, g.prev_hash, g.hash],
    );
    expect((await verifyChain(identity)).problem).toBeUndefined();

    // Swapped: entries 4 and 5 change places.
    await identityLog("UPDATE LOG SET seq = -4 WHERE seq = 4");
    await identityLog("UPDATE LOG SET seq = 4 WHERE seq = 5");
    await identityLog("UPDATE LOG SET seq = 5 WHERE seq = -4");
    const swapped = await verifyCommand();
    expect(swapped.code).toBe(1);
    expect(swapped.out).toMatch(/first fault: entry seq 4 \(id \d+\) was moved: it follows seq 5/);
    await identityLog("UPDATE LOG SET seq = -5 WHERE seq = 5");
    await identityLog("UPDATE LOG SET seq = 5 WHERE seq = 4");
    await identityLog("UPDATE LOG SET seq = 4 WHERE seq = -5");
    expect((await verifyChain(identity)).problem).toBeUndefined();

    // Rewritten from seq 2 on with fresh hashes (an insider who knows the recipe): the chain itself
    // holds, the hub-signed checkpoint does not.
    const rows = (await identityLog(
      `SELECT id::text AS id, seq::text AS seq, subject_id, reader, case_id, purpose, action, what, item, kind,
              to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at_text, prev_hash FROM LOG WHERE seq >= 2 ORDER BY LOG.seq`,
    )) as Array<Record<string, string>>;
    let prev = rows[0].prev_hash;
    for (const r of rows) {
      const forged = { ...r, reader: r.seq === "2" ? "civil" : r.reader };
      const hash = entryHash(prev, r.seq, forged as never);
      await identityLog("UPDATE LOG SET reader = $2, prev_hash = $3, hash = $4 WHERE seq = $1", [r.seq, forged.reader, prev, hash]);
      prev = hash;
    }
    expect((await verifyChain(identity)).problem).toBeUndefined();
    const rewritten = await verifyCommand();
    expect(rewritten.code).toBe(1);
    expect(rewritten.out).toMatch(/checkpoint: checkpoint at seq \d+ .*the chain's hash there is not the one signed/);
  }, 180_000);
});

/** What the verify command printed about one schema (its line and the indented lines under it). */
function schemaBlock(out: string, schema: string): string {
  const lines = out.split("\n");
  const start = lines.findIndex((l) => l.startsWith(`${schema}: `));
  if (start < 0) return "";
  let end = start + 1;
  while (end < lines.length && lines[end].startsWith("  ")) end++;
  return lines.slice(start, end).join("\n");
}

describe("checkpoints vouch for the whole chain", () => {
  const taxLog = (sql: string, params: unknown[] = []) => queryDatabase<Record<string, any>>(database.url, sql.replace(/\bLOG\b/g, "tax.data_uses").replace(/\bCHECKPOINTS\b/g, "gateway.data_use_checkpoints"), params);
  /** A use of the tax log as a department's read writes it. */
  const writeUse = () => taxLog("INSERT INTO LOG (subject_id, reader, case_id, action, what, purpose, item) VALUES ($1, 'registration', 'SW-CP', 'get', 'taxpayer', '开办企业：税务登记', '')", [people[60].idNumber]);
  /** Chains what is pending and signs checkpoints; the tax log's newest checkpoint seq. */
  const checkpoint = async () => {
    await chainDataUsesNow(hub.runtime);
    expect((await hub.broker.call<{ signed: string[] }>("data-uses.checkpoint")).signed).toContain("tax");
    return (await taxLog("SELECT max(seq)::text AS seq FROM CHECKPOINTS WHERE schema_name = 'tax'"))[0].seq as string;
  };
  const savedCheckpoint = async (seq: string) => (await taxLog("SELECT *, at::text AS at_exact FROM CHECKPOINTS WHERE schema_name = 'tax' AND seq = $1", [seq]))[0];
  const putBack = (c: Record<string, any>) =>
    taxLog(
      "INSERT INTO CHECKPOINTS (schema_name, seq, hash, at, key_id, algorithm, signer_id, signature, prev_seq, prev_hash) VALUES ($1, $2, $3, $4::timestamptz, $5, $6, $7, $8, $9, $10)",
      [c.schema_name, c.seq, c.hash, c.at_exact, c.key_id, c.algorithm, c.signer_id, c.signature, c.prev_seq, c.prev_hash],
    );
  const entriesAfter = (seq: string) =>
    taxLog(
      `SELECT id::text AS id, seq::text AS seq, subject_id, reader, case_id, purpose, action, what, item, kind, hash, at::text AS at_exact,
              to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at_text, prev_hash FROM LOG WHERE seq > $1 ORDER BY LOG.seq`,
      [seq],
    );
  const tax = async (...args: string[]) => schemaBlock((await verifyCommand(...args)).out, "tax");
  /** What a block says beyond its first line (the rules broken), for runs with a short grace. */
  const findings = (block: string) => block.split("\n").slice(1).join("\n");

  it("names removed newest checkpoints with a rewritten chain after them, a checkpoint removed from between others, a log cut back after a saved checkpoint, an entry never chained or dated back, a dropped log, and a key the hub never published", async () => {
    await writeUse();
    const first = await checkpoint();
    // Entries written over more than the grace the run below is given (2 s), then checkpointed.
    await writeUse();
    await new Promise((resolve) => setTimeout(resolve, 2500));
    await writeUse();
    const second = await checkpoint();
    expect(await tax()).toMatch(/^tax: ok/);
    expect(findings(await tax("--grace-seconds", "2"))).not.toMatch(/coverage|checkpoint/);

    // The newest checkpoint removed, the entries after the one left rewritten with fresh hashes:
    // chain and remaining checkpoint hold, but entries written over more than the grace are covered by none.
    const saved2 = await savedCheckpoint(second);
    await taxLog("DELETE FROM CHECKPOINTS WHERE schema_name = 'tax' AND seq = $1", [second]);
    const entries = await entriesAfter(first);
    let prev = entries[0].prev_hash as string;
    for (const e of entries) {
      const hash = entryHash(prev, e.seq, { ...e, reader: "civil" } as never);
      await taxLog("UPDATE LOG SET reader = 'civil', prev_hash = $2, hash = $3 WHERE seq = $1", [e.seq, prev, hash]);
      prev = hash;
    }
    expect(await tax("--grace-seconds", "2")).toMatch(new RegExp(`^tax: FAILED[^]*coverage: entries seq ${BigInt(first) + 1n}\\.\\.${second}, written from .* are covered by no checkpoint \\(the last is at seq ${first}`));
    for (const e of entries) await taxLog("UPDATE LOG SET reader = $2, prev_hash = $3, hash = $4 WHERE seq = $1", [e.seq, e.reader, e.prev_hash, e.hash]);
    await putBack(saved2);
    expect(await tax()).toMatch(/^tax: ok/);

    // A checkpoint removed from between two others: the next one names it.
    await writeUse();
    const third = await checkpoint();
    await taxLog("DELETE FROM CHECKPOINTS WHERE schema_name = 'tax' AND seq = $1", [second]);
    expect(await tax()).toMatch(new RegExp(`checkpoint: checkpoint at seq ${third} \\(.*\\) follows the checkpoint at seq ${second}, which is missing: a checkpoint was removed`));
    await putBack(saved2);
    expect(await tax()).toMatch(/^tax: ok/);

    // Cut back after a checkpoint, the checkpoints after it with it: nothing in the database shows it;
    // a checkpoint saved earlier from GET /v1/data-use-checkpoints does.
    const anchors = path.join(dataDir, "anchors.json");
    const published = await api("GET", "/v1/data-use-checkpoints");
    expect(published.body.checkpoints.find((c: { schema: string }) => c.schema === "tax")).toMatchObject({ seq: third, prev_seq: second, key_id: expect.any(String) });
    fs.writeFileSync(anchors, JSON.stringify(published.body));
    expect(await tax("--anchors", anchors)).toMatch(/^tax: ok/);
    const saved3 = await savedCheckpoint(third);
    const cut = await entriesAfter(second);
    await taxLog("DELETE FROM LOG WHERE seq > $1", [second]);
    await taxLog("DELETE FROM CHECKPOINTS WHERE schema_name = 'tax' AND seq = $1", [third]);
    expect(await tax()).toMatch(/^tax: ok/);
    expect(await tax("--anchors", anchors)).toMatch(new RegExp(`anchor: the saved checkpoint at seq ${third} \\(.*\\) is not among the checkpoints any more: the log was cut back`));
    for (const e of cut) {
      await taxLog(
        "INSERT INTO LOG (id, subject_id, reader, case_id, action, at, kind, what, item, purpose, seq, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6::timestamptz, $7, $8, $9, $10, $11, $12, $13)",
        [e.id, e.subject_id, e.reader, e.case_id, e.action, e.at_exact, e.kind, e.what, e.item, e.purpose, e.seq, e.prev_hash, e.hash],
      );
    }
    await putBack(saved3);
    expect(await tax("--anchors", anchors)).toMatch(/^tax: ok/);

    // An entry put in afterwards, without a place in the chain, dated an hour ago: never chained;
    // once the chaining pass took it, dated back.
    await taxLog("INSERT INTO LOG (subject_id, reader, case_id, action, what, purpose, at) VALUES ($1, 'psb', 'X', 'get', 'taxpayer', '核查', now() - interval '1 hour')", [people[60].idNumber]);
    expect(await tax()).toMatch(/never chained: 1 entries written since .* were never chained: they were written outside the hub/);
    await chainDataUsesNow(hub.runtime);
    expect(await tax()).toMatch(/dated back: entry seq \d+ \(id \d+\) is dated .*, before an entry ahead of it in the chain/);
    // (the head of the chain, not yet checkpointed: removing it leaves the chain whole)
    await taxLog("DELETE FROM LOG WHERE seq = (SELECT max(seq) FROM LOG)");
    expect(await tax()).toMatch(/^tax: ok/);

    // The log dropped (here renamed) while checkpoints vouch for it.
    await taxLog("ALTER TABLE LOG RENAME TO data_uses_gone");
    expect(await tax()).toMatch(/^tax: FAILED[^]*missing log: the log table tax.data_uses is gone, though \d+ signed checkpoints vouch for it/);
    await taxLog("ALTER TABLE tax.data_uses_gone RENAME TO data_uses");

    // Checkpoints signed with the hub's published keys only (a saved GET /v1/keys), checked with the published key itself.
    const keysFile = path.join(dataDir, "keys.json");
    const keys = (await api("GET", "/v1/keys")).body;
    fs.writeFileSync(keysFile, JSON.stringify(keys));
    expect(await tax("--trusted-keys", keysFile)).toMatch(/^tax: ok/);
    const impostor = generateSigningKey("SM2-SM3");
    fs.writeFileSync(keysFile, JSON.stringify({ receipt_keys: keys.receipt_keys.map((k: Record<string, unknown>) => ({ ...k, public_key_pem: impostor.publicKeyPem })) }));
    expect(await tax("--trusted-keys", keysFile)).toMatch(/checkpoint: checkpoint at seq \d+ .* does not carry the signature of the published key/);
    fs.writeFileSync(keysFile, JSON.stringify({ receipt_keys: [{ key_id: "sm2:0123456789abcdef", algorithm: "SM2-SM3", public_key_pem: impostor.publicKeyPem }] }));
    expect(await tax("--trusted-keys", keysFile)).toMatch(/checkpoint: checkpoint at seq \d+ .* is signed by key .*, which is not among the hub's published keys/);
  }, 180_000);
});
