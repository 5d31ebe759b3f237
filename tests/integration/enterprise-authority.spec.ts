/**
 * Authority over an enterprise, through the portal API of the embedded hub in this process: a
 * stranger's 员工录用, 企业变更 or 企业注销 for an enterprise is refused with 403 naming
 * enterprise.credit_code and leaves every table of every schema as it was; an agent (经办人) the
 * legal representative authorised is accepted for the bundles named, until the authorisation is
 * revoked or expires; only the legal representative manages agents.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { bootstrap } from "../../services/bootstrap";
import { loadConfig } from "../../services/common/config";
import { signDepartmentToken } from "../../services/common/department-token";
import { rootLogger } from "../../services/common/logger";
import { todayInChina } from "../../services/common/validate";
import { startHub, type Hub } from "../../services/hub";
import { generatePopulation } from "../../services/identity/seed/population";
import { generateCreditCode } from "../../services/identity/rules/credit-code";
import { readCredential, type Credential } from "../support/grpc-client";
import { changedTables, settled, snapshotTables } from "../support/snapshot";
import { startBusinessForm, tradeName, START_BUSINESS_CONSENT } from "../support/start-business";
import { eventually } from "../support/eventually";
import { pdfSample } from "../unit/gateway/materials/samples";

const people = generatePopulation(200, 20261122);
const [owner, stranger, employee, employee2] = [people[0], people[1], people[2], people[3]];

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tongban-authority-"));
let hub: Hub;
let base: string;
let data: Credential;

async function api(method: string, url: string, o: { token?: string; body?: unknown } = {}): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = {};
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  if (o.body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${base}${url}`, { method, headers, body: o.body === undefined ? undefined : JSON.stringify(o.body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const session = async (idNumber: string) => (await api("POST", "/v1/sessions", { token: signDepartmentToken(data, 120), body: { id_number: idNumber } })).body.token as string;
const upload = async (token: string, typeCode: string, n: number) =>
  (await api("POST", "/v1/materials", { token, body: { type_code: typeCode, file_name: `${typeCode}.pdf`, content_type: "application/pdf", content_base64: pdfSample(`${typeCode} ${n}`).toString("base64") } })).body
    .material_id as string;

/** Waits until the hub's background work has settled; the snapshot then. */
const quiet = () => settled(hub);

beforeAll(async () => {
  rootLogger("warn");
  // No timed checkpoint of the data-use chains (written every 60 s by default, whatever the requests):
  // this suite compares every table before and after each refused request.
  hub = await startHub(loadConfig({ DATA_DIR: dataDir, PORT: "0", GRPC_PORT: "0", SEED_POPULATION: "200", DEV_CREDENTIALS: "true", LOG_LEVEL: "warn", DATA_USE_CHECKPOINT_MS: "0" }));
  await bootstrap(hub);
  base = `http://127.0.0.1:${(await hub.broker.call<{ port: number }>("http.port")).port}`;
  data = readCredential(dataDir, "data");
}, 120_000);

afterAll(async () => {
  await hub?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

describe("authority over an enterprise", () => {
  let ownerToken: string;
  let strangerToken: string;
  let creditCode: string;
  /** A complete, well-formed submission of each bundle for the enterprise, with the filer's own uploads. */
  const submissions: Record<string, (token: string, n: number) => Promise<object>> = {
    HIRE_EMPLOYEE: async (token, n) => ({
      bundle_code: "HIRE_EMPLOYEE",
      client_key: `hire-${n}-${Date.now()}`,
      form: { "enterprise.credit_code": creditCode, employees: [{ id_number: employee2.idNumber, monthly_wage: "8000", start_date: todayInChina() }] },
      materials: { LABOUR_CONTRACT: await upload(token, "LABOUR_CONTRACT", n) },
    }),
    CHANGE_REGISTRATION: async (token, n) => ({
      bundle_code: "CHANGE_REGISTRATION",
      client_key: `change-${n}-${Date.now()}`,
      form: { "enterprise.credit_code": creditCode, "enterprise.new_address": "四川省成都市锦江区东大街99号" },
      materials: { SHAREHOLDER_RESOLUTION: await upload(token, "SHAREHOLDER_RESOLUTION", n) },
    }),
    CLOSE_BUSINESS: async (token, n) => ({
      bundle_code: "CLOSE_BUSINESS",
      client_key: `close-${n}-${Date.now()}`,
      form: { "enterprise.credit_code": creditCode, "enterprise.deregistration_reason": "股东会决议解散" },
      materials: { DEREGISTRATION_RESOLUTION: await upload(token, "DEREGISTRATION_RESOLUTION", n), LIQUIDATION_REPORT: await upload(token, "LIQUIDATION_REPORT", n + 1) },
    }),
  };

  it("opens an enterprise whose legal representative is the applicant", async () => {
    ownerToken = await session(owner.idNumber);
    strangerToken = await session(stranger.idNumber);
    const body = {
      bundle_code: "START_BUSINESS",
      consent: START_BUSINESS_CONSENT,
      client_key: "authority-start-0001",
      form: startBusinessForm({ tradeName: tradeName(7, "苑"), applicant: owner.idNumber, employees: [employee.idNumber], startDate: todayInChina() }),
      materials: { ARTICLES_OF_ASSOCIATION: await upload(ownerToken, "ARTICLES_OF_ASSOCIATION", 1), PREMISES_PROOF: await upload(ownerToken, "PREMISES_PROOF", 2) },
    };
    const created = await api("POST", "/v1/applications", { token: ownerToken, body });
    expect(created.status).toBe(201);
    const id = created.body.application_id;
    const status = () => api("GET", `/v1/applications/${id}`, { token: ownerToken });
    const establishment = (s: { body: any }) => s.body.steps.find((x: { step_key: string }) => x.step_key === "establishment");
    await eventually(status, (s) => establishment(s).status === "WAITING_DECISION", 60_000, 100);
    await hub.broker.call("bundles.decide", { applicationId: id, stepKey: "establishment", outcome: "APPROVE", comment: "准予登记" }, { meta: { caller: { department: "samr" } } });
    const done = await eventually(status, (s) => s.body.status !== "RUNNING", 60_000, 100);
    expect(done.body.status).toBe("COMPLETED");
    creditCode = establishment(done).output.credit_code;
  }, 120_000);

  it.each(["HIRE_EMPLOYEE", "CHANGE_REGISTRATION", "CLOSE_BUSINESS"])("refuses a stranger's %s with 403 naming enterprise.credit_code, and nothing is read or written", async (bundle) => {
    const body = await submissions[bundle](strangerToken, 100);
    const before = await quiet();
    const refused = await api("POST", "/v1/applications", { token: strangerToken, body });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: "NOT_AUTHORISED_FOR_ENTERPRISE", field: "enterprise.credit_code" });
    // Not even the applicant's own record was read (a read would leave an access-log row).
    expect(changedTables(before, await snapshotTables(hub))).toEqual([]);
    // An enterprise that does not exist answers the same (the refusal tells nothing about it).
    const nobody = generateCreditCode({ authority: "9", entityType: "1", regionCode: "510104", random: Math.random });
    const unknown = await api("POST", "/v1/applications", { token: strangerToken, body: { ...body, form: { ...(body as any).form, "enterprise.credit_code": nobody } } });
    expect([unknown.status, unknown.body.error.code, unknown.body.error.field]).toEqual([403, "NOT_AUTHORISED_FOR_ENTERPRISE", "enterprise.credit_code"]);
    expect(changedTables(before, await snapshotTables(hub))).toEqual([]);
    expect((await api("GET", "/healthz")).status).toBe(200);
  }, 90_000);

  it("lets only the legal representative manage agents, and checks the grant", async () => {
    const grant = (token: string, body: object) => api("POST", `/v1/enterprises/${creditCode}/agents`, { token, body });
    const ok = { agent_id_number: stranger.idNumber, bundle_codes: ["HIRE_EMPLOYEE"], valid_through: todayInChina(new Date(Date.now() + 30 * 86_400_000)) };
    const before = await quiet();
    const byStranger = await grant(strangerToken, { ...ok, agent_id_number: people[5].idNumber });
    expect(byStranger.status).toBe(403);
    expect(byStranger.body.error.code).toBe("NOT_LEGAL_REPRESENTATIVE");
    expect((await api("GET", `/v1/enterprises/${creditCode}/agents`, { token: strangerToken })).status).toBe(403);
    const bad: Array<[object, string]> = [
      [{ ...ok, valid_through: "2020-01-01" }, "valid_through"],
      [{ ...ok, valid_through: todayInChina(new Date(Date.now() + 400 * 86_400_000)) }, "valid_through"],
      [{ ...ok, valid_through: "2026-02-30" }, "valid_through"],
      [{ ...ok, bundle_codes: ["START_BUSINESS"] }, "bundle_codes[0]"],
      [{ ...ok, bundle_codes: [] }, "bundle_codes"],
      [{ ...ok, bundle_codes: ["HIRE_EMPLOYEE", "HIRE_EMPLOYEE"] }, "bundle_codes"],
      [{ ...ok, agent_id_number: owner.idNumber }, "agent_id_number"],
      [{ ...ok, agent_id_number: stranger.idNumber.slice(0, 17) + (stranger.idNumber[17] === "0" ? "1" : "0") }, "agent_id_number"],
      [{ ...ok, extra: 1 }, "extra"],
    ];
    for (const [body, field] of bad) {
      const r = await grant(ownerToken, body);
      expect([r.status, r.body.error.field]).toEqual([400, field]);
    }
    expect(changedTables(before, await snapshotTables(hub))).toEqual([]);
  });

  it("accepts an authorised agent for the bundles named, until revoked or expired", async () => {
    const grant = (body: object) => api("POST", `/v1/enterprises/${creditCode}/agents`, { token: ownerToken, body });
    const until = todayInChina(new Date(Date.now() + 30 * 86_400_000));
    const first = await grant({ agent_id_number: stranger.idNumber, bundle_codes: ["HIRE_EMPLOYEE"], valid_through: until });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ credit_code: creditCode, agent_id_number: stranger.idNumber, bundle_codes: ["HIRE_EMPLOYEE"], valid_through: until, granted_by: owner.idNumber, state: "OPEN" });
    // Authorised for 员工录用 only: 企业变更 is still refused.
    const change = await api("POST", "/v1/applications", { token: strangerToken, body: await submissions.CHANGE_REGISTRATION(strangerToken, 200) });
    expect([change.status, change.body.error.field]).toEqual([403, "enterprise.credit_code"]);
    const hired = await api("POST", "/v1/applications", { token: strangerToken, body: await submissions.HIRE_EMPLOYEE(strangerToken, 210) });
    expect(hired.status).toBe(201);

    // A wider grant replaces the first; the same grant again is answered, not repeated.
    const wider = { agent_id_number: stranger.idNumber, bundle_codes: ["CLOSE_BUSINESS", "CHANGE_REGISTRATION", "HIRE_EMPLOYEE"], valid_through: until };
    const second = await grant(wider);
    expect(second.status).toBe(201);
    expect(second.body.bundle_codes).toEqual(["CHANGE_REGISTRATION", "CLOSE_BUSINESS", "HIRE_EMPLOYEE"]);
    const again = await grant(wider);
    expect(again.status).toBe(200);
    expect(again.body.authorisation_id).toBe(second.body.authorisation_id);
    const listed = await api("GET", `/v1/enterprises/${creditCode}/agents`, { token: ownerToken });
    expect(listed.body.authorisations.map((a: { state: string }) => a.state)).toEqual(["OPEN", "REVOKED"]);
    const held = await api("GET", "/v1/authorisations", { token: strangerToken });
    expect(held.body.authorisations).toEqual([expect.objectContaining({ credit_code: creditCode, state: "OPEN" })]);

    const changed = await api("POST", "/v1/applications", { token: strangerToken, body: await submissions.CHANGE_REGISTRATION(strangerToken, 220) });
    expect(changed.status).toBe(201);

    // Revoked (twice: safe to retry): refused again.
    const revoke = () => api("POST", `/v1/enterprises/${creditCode}/agents/${stranger.idNumber}/revocation`, { token: ownerToken, body: { reason: "项目结束" } });
    const revoked = await revoke();
    expect(revoked.body).toMatchObject({ state: "REVOKED", revoke_reason: "项目结束" });
    expect((await revoke()).body.authorisation_id).toBe(revoked.body.authorisation_id);
    const after = await api("POST", "/v1/applications", { token: strangerToken, body: await submissions.CLOSE_BUSINESS(strangerToken, 230) });
    expect([after.status, after.body.error.field]).toEqual([403, "enterprise.credit_code"]);
    expect((await api("GET", "/v1/authorisations", { token: strangerToken })).body.authorisations).toEqual([]);
    const never = await api("POST", `/v1/enterprises/${creditCode}/agents/${people[6].idNumber}/revocation`, { token: ownerToken, body: {} });
    expect(never.status).toBe(404);

    // Granted again, then expired (its day passed): refused.
    expect((await grant({ ...wider, bundle_codes: ["CLOSE_BUSINESS"] })).status).toBe(201);
    const gateway = await hub.runtime.databases.get("gateway")!;
    await gateway.query("UPDATE enterprise_agents SET expires_at = now() - interval '1 minute' WHERE agent_id_number = $1 AND revoked_at IS NULL", [stranger.idNumber]);
    const expired = await api("POST", "/v1/applications", { token: strangerToken, body: await submissions.CLOSE_BUSINESS(strangerToken, 240) });
    expect([expired.status, expired.body.error.field]).toEqual([403, "enterprise.credit_code"]);
    const states = (await api("GET", `/v1/enterprises/${creditCode}/agents`, { token: ownerToken })).body.authorisations.map((a: { state: string }) => a.state);
    expect(states).toEqual(["EXPIRED", "REVOKED", "REVOKED"]);

    // The legal representative needs no authorisation.
    const own = await api("POST", "/v1/applications", { token: ownerToken, body: await submissions.CLOSE_BUSINESS(ownerToken, 250) });
    expect(own.status).toBe(201);
  }, 90_000);
});
