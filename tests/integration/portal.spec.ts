/**
 * The portal API over HTTP against the embedded hub in this process: sign-in of an applicant by
 * the portal system, the merged form, materials, a START_BUSINESS application from submission to
 * completion (容缺 material supplied later, the officer's approval), 好差评, the public look-up,
 * and the refusals (bad input names the field and writes nothing; others' applications are 404).
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { bootstrap } from "../../services/bootstrap";
import { loadConfig } from "../../services/common/config";
import { signDepartmentToken } from "../../services/common/department-token";
import { rootLogger } from "../../services/common/logger";
import { startHub, type Hub } from "../../services/hub";
import { ROUTES } from "../../gateway/http/portal/portal";
import { WorkingCalendar } from "../../services/common/working-days";
import { todayInChina } from "../../services/common/validate";
import { generatePopulation } from "../../services/identity/seed/population";
import { readCredential, type Credential } from "../support/grpc-client";
import { jpegSample, pdfSample, pngSample } from "../unit/gateway/materials/samples";
import { START_BUSINESS_CONSENT } from "../support/start-business";

const people = generatePopulation(200, 20261122);
const [applicant, other, employee] = [people[0], people[1], people[2]];

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tongban-portal-"));
let hub: Hub;
let base: string;
let data: Credential;
let samr: Credential;

interface Res<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

async function api<T = any>(method: string, url: string, o: { token?: string; body?: unknown; raw?: string | Buffer; type?: string; headers?: Record<string, string> } = {}): Promise<Res<T>> {
  const headers: Record<string, string> = { ...o.headers };
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  const payload = o.raw ?? (o.body === undefined ? undefined : JSON.stringify(o.body));
  if (payload !== undefined) headers["content-type"] = o.type ?? "application/json";
  const res = await fetch(`${base}${url}`, { method, headers, body: payload });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

const deptToken = (c: Credential) => signDepartmentToken(c, 120);
const session = async (idNumber: string) => (await api("POST", "/v1/sessions", { token: deptToken(data), body: { id_number: idNumber } })).body.token as string;
const upload = (token: string, typeCode: string, bytes: Buffer, contentType = "application/pdf", fileName = "file.pdf") =>
  api("POST", "/v1/materials", { token, body: { type_code: typeCode, file_name: fileName, content_type: contentType, content_base64: bytes.toString("base64") } });

/** An ID number with a wrong check character. */
const badCheck = (id: string) => id.slice(0, 17) + (id[17] === "0" ? "1" : "0");

function startBusinessForm() {
  return {
    "enterprise.region_code": "510104",
    "enterprise.trade_name": "蓉创",
    "enterprise.industry": "科技",
    "enterprise.organisation_form": "有限公司",
    "enterprise.enterprise_type": "ENTERPRISE_TYPE_COMPANY",
    "enterprise.registered_capital": "100",
    "enterprise.address": "四川省成都市锦江区人民南路330号",
    "enterprise.business_scope_codes": ["I6510"],
    "enterprise.investors": [{ id: applicant.idNumber, contribution: "100" }],
    "seal.types": ["公章", "财务专用章"],
    "seal.engraver": "成都市锦江区诚信印章有限公司",
    "tax.monthly_credit_line": "50000",
    employees: [{ id_number: employee.idNumber, monthly_wage: "8000.00", start_date: new Date().toISOString().slice(0, 10) }],
  };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

beforeAll(async () => {
  rootLogger("warn");
  hub = await startHub(loadConfig({ DATA_DIR: dataDir, PORT: "0", GRPC_PORT: "0", SEED_POPULATION: "200", DEV_CREDENTIALS: "true", LOG_LEVEL: "warn" }));
  await bootstrap(hub);
  const { port } = await hub.broker.call<{ port: number }>("http.port");
  base = `http://127.0.0.1:${port}`;
  data = readCredential(dataDir, "data");
  samr = readCredential(dataDir, "samr");
}, 120_000);

afterAll(async () => {
  await hub?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

describe("portal API", () => {
  let token: string;
  let otherToken: string;
  let articlesId: string;
  let applicationId: string;
  let queryCode: string;

  it("serves health and the OpenAPI document beside the API", async () => {
    expect((await api("GET", "/livez")).status).toBe(200);
    expect((await api("GET", "/healthz")).status).toBe(200);
    const doc = await api("GET", "/openapi.json");
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe("3.1.0");
    // Generated from the routes' own schemas: every route, with its operation id, security, body and errors.
    const documented = Object.entries(doc.body.paths as Record<string, Record<string, any>>).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    expect(documented.sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.path}`).sort());
    const ids = new Set<string>();
    for (const r of ROUTES) {
      const op = doc.body.paths[r.path][r.method.toLowerCase()];
      expect(op.operationId).toEqual(expect.any(String));
      ids.add(op.operationId);
      const scheme = { public: undefined, department: "departmentToken", member: "departmentToken", applicant: "applicantToken", officer: "officerToken" }[r.audience];
      expect(op.security).toEqual(scheme ? [{ [scheme]: [] }] : []);
      expect(Boolean(op.requestBody)).toBe(Boolean(r.schema.body));
      // Every POST takes a body but the officer session (its department token is all it needs).
      if (r.method === "POST" && !r.schema.body) expect(r.path).toBe("/v1/supervision/sessions");
      if (r.audience !== "public") expect(op.responses["401"]).toBeDefined();
      if (r.schema.body) expect(op.responses["400"]).toBeDefined();
      if (r.path.includes("{")) expect(op.parameters.filter((p: { in: string }) => p.in === "path").length).toBe(r.path.split("{").length - 1);
    }
    expect(ids.size).toBe(ROUTES.length);
    const schemas = doc.body.components.schemas as Record<string, any>;
    const refs = [...JSON.stringify(doc.body).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(10);
    for (const name of refs) expect(schemas[name]).toBeDefined();
    // What a client sends is closed: no property beyond those listed, and every string bounded.
    for (const name of ["SessionRequest", "MaterialUpload", "ApplicationSubmit", "Supplement", "Withdrawal", "Correction", "RatingRequest", "AgentGrant", "AgentRevocation", "Revisit", "RectificationAnswer"]) {
      expect(schemas[name].additionalProperties).toBe(false);
      for (const prop of Object.values(schemas[name].properties as Record<string, any>)) {
        if (prop.type === "string") expect(prop.maxLength).toEqual(expect.any(Number));
        if (prop.type === "array") expect(prop.maxItems).toEqual(expect.any(Number));
        if (prop.type === "object") expect(prop.maxProperties).toEqual(expect.any(Number));
      }
    }
  });

  it("issues an applicant token only to a portal department, for a person in the registry", async () => {
    const none = await api("POST", "/v1/sessions", { body: { id_number: applicant.idNumber } });
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe("TOKEN_MISSING");
    expect(none.headers.get("www-authenticate")).toMatch(/^Bearer/);
    const forged = await api("POST", "/v1/sessions", { token: "abc.def.ghi", body: { id_number: applicant.idNumber } });
    expect(forged.body.error.code).toBe("DEPARTMENT_TOKEN_INVALID");
    // A department token is taken once: the same token again (a replay) is refused.
    const once = deptToken(data);
    expect((await api("POST", "/v1/sessions", { token: once, body: { id_number: applicant.idNumber } })).status).toBe(201);
    const replayed = await api("POST", "/v1/sessions", { token: once, body: { id_number: applicant.idNumber } });
    expect([replayed.status, replayed.body.error.code]).toEqual([401, "DEPARTMENT_TOKEN_INVALID"]);
    expect(replayed.body.error.message).toMatch(/used before/);
    const notPortal = await api("POST", "/v1/sessions", { token: deptToken(samr), body: { id_number: applicant.idNumber } });
    expect(notPortal.status).toBe(403);
    const bad = await api("POST", "/v1/sessions", { token: deptToken(data), body: { id_number: badCheck(applicant.idNumber) } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: "INVALID_ARGUMENT", field: "id_number" });
    const nobody = generatePopulation(201, 20261122)[200].idNumber;
    expect((await api("POST", "/v1/sessions", { token: deptToken(data), body: { id_number: nobody } })).status).toBe(404);

    const ok = await api("POST", "/v1/sessions", { token: deptToken(data), body: { id_number: applicant.idNumber } });
    expect(ok.status).toBe(201);
    const expires = Date.parse(ok.body.expires_at);
    expect(expires).toBeGreaterThan(Date.now());
    expect(expires).toBeLessThanOrEqual(Date.now() + 3600_000);
    const claims = JSON.parse(Buffer.from(ok.body.token.split(".")[1], "base64url").toString());
    expect(claims).toMatchObject({ sub: applicant.idNumber, aud: "tongban-portal" });
    token = ok.body.token;
    otherToken = await session(other.idNumber);
  });

  it("refuses applicant routes without a valid applicant token", async () => {
    const none = await api("GET", "/v1/bundles");
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe("TOKEN_MISSING");
    const [h, p, s] = token.split(".");
    const forgedClaims = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, "base64url").toString()), sub: other.idNumber })).toString("base64url");
    expect((await api("GET", "/v1/bundles", { token: `${h}.${forgedClaims}.${s}` })).body.error.code).toBe("TOKEN_SIGNATURE_INVALID");
    // A department token is not an applicant token.
    expect((await api("GET", "/v1/bundles", { token: deptToken(data) })).status).toBe(401);
  });

  it("lists bundles and gives the merged START_BUSINESS form: each field once, applicant data prefilled and locked", async () => {
    const list = await api("GET", "/v1/bundles", { token });
    expect(list.status).toBe(200);
    expect(list.body.bundles.map((b: { code: string }) => b.code)).toContain("START_BUSINESS");
    const form = await api("GET", "/v1/bundles/START_BUSINESS/form", { token });
    expect(form.status).toBe(200);
    const names = form.body.fields.map((f: { name: string }) => f.name);
    expect(new Set(names).size).toBe(names.length);
    const field = (n: string) => form.body.fields.find((f: { name: string }) => f.name === n);
    // What the government holds about the applicant is prefilled from the registry, never asked blank;
    // held values are locked, suggestions (the applicant as legal representative) may be changed.
    expect(field("enterprise.legal_representative_id_number")).toMatchObject({ value: applicant.idNumber, editable: true, source: expect.any(String) });
    for (const f of form.body.fields.filter((x: { editable: boolean }) => !x.editable)) expect(f).toMatchObject({ value: expect.anything(), source: expect.any(String) });
    expect(form.body.fields.filter((x: { name: string; editable: boolean }) => x.name.startsWith("applicant.") && x.editable)).toEqual([]);
    expect(field("enterprise.address")).toMatchObject({ required: true, editable: true });
    expect(field("enterprise.address").value).toBeUndefined();
    expect(form.body.materials).toEqual(expect.arrayContaining([expect.objectContaining({ type: "PREMISES_PROOF", deferrable: true })]));
    expect((await api("GET", "/v1/bundles/NO_SUCH_BUNDLE/form", { token })).status).toBe(404);
  });

  it("stores an uploaded PDF for the signed-in applicant and refuses oversize and wrong-type uploads", async () => {
    const up = await upload(token, "ARTICLES_OF_ASSOCIATION", pdfSample("章程"), "application/pdf", "公司章程.pdf");
    expect(up.status).toBe(201);
    expect(up.body).toMatchObject({ owner: applicant.idNumber, type_code: "ARTICLES_OF_ASSOCIATION", content_type: "application/pdf" });
    articlesId = up.body.material_id;
    const mine = await api("GET", "/v1/materials", { token });
    expect(mine.body.materials.map((m: { material_id: string }) => m.material_id)).toEqual([articlesId]);
    expect((await api("GET", "/v1/materials", { token: otherToken })).body.materials).toEqual([]);

    // The largest type's limit, end to end: a 20 MiB articles of association is stored.
    const atLimit = Buffer.concat([pdfSample("large"), Buffer.alloc(20 * 1024 * 1024 - pdfSample("large").length, 0x20)]);
    expect(atLimit.length).toBe(20 * 1024 * 1024);
    const large = await upload(token, "ARTICLES_OF_ASSOCIATION", atLimit, "application/pdf", "章程全文.pdf");
    expect(large.status).toBe(201);
    expect(large.body.size).toBe(20 * 1024 * 1024);
    const overLimit = await upload(token, "ARTICLES_OF_ASSOCIATION", Buffer.concat([atLimit, Buffer.from(" ")]));
    expect([overLimit.status, overLimit.body.error.field]).toEqual([400, "content"]);
    // Base64 of 22 MiB is beyond the 28 MiB body limit.
    const huge = await upload(token, "PREMISES_PROOF", Buffer.concat([pdfSample(), Buffer.alloc(22 * 1024 * 1024)]));
    expect(huge.status).toBe(413);
    expect(huge.body.error).toMatchObject({ code: "PAYLOAD_TOO_LARGE", field: "body" });
    const overType = await upload(token, "PREMISES_PROOF", Buffer.concat([pdfSample(), Buffer.alloc(10 * 1024 * 1024)]));
    expect(overType.status).toBe(400);
    expect(overType.body.error.field).toBe("content");
    const spoofed = await upload(token, "PREMISES_PROOF", pngSample(), "application/pdf");
    expect(spoofed.body.error).toMatchObject({ code: "INVALID_ARGUMENT", field: "content_type" });
    const photo = await upload(token, "ARTICLES_OF_ASSOCIATION", jpegSample(), "image/jpeg", "章程.jpg");
    expect(photo.status).toBe(400);
    expect((await api("GET", "/v1/materials", { token })).body.materials).toHaveLength(2);
  });

  it("refuses bad submissions naming the field, and stores nothing", async () => {
    const submit = (over: Record<string, unknown>, form: Record<string, unknown> = startBusinessForm()) =>
      api("POST", "/v1/applications", { token, body: { bundle_code: "START_BUSINESS", consent: START_BUSINESS_CONSENT, client_key: "bad-input-0001", form, materials: { ARTICLES_OF_ASSOCIATION: articlesId }, ...over } });
    const badId = await submit({}, { ...startBusinessForm(), "enterprise.legal_representative_id_number": badCheck(applicant.idNumber) });
    expect(badId.status).toBe(400);
    expect(badId.body.error).toMatchObject({ code: "INVALID_ARGUMENT", field: "enterprise.legal_representative_id_number" });
    const { ["enterprise.address"]: _dropped, ...missing } = startBusinessForm();
    expect((await submit({}, missing)).body.error).toMatchObject({ code: "INVALID_ARGUMENT", field: "enterprise.address" });
    expect((await submit({ bundle_code: "OPEN_A_CASINO" })).body.error).toMatchObject({ code: "INVALID_ARGUMENT", field: "bundle_code" });
    expect((await submit({ materials: {} })).body.error.field).toBe("materials.ARTICLES_OF_ASSOCIATION");
    expect((await submit({}, { ...startBusinessForm(), "applicant.name": "张三" })).body.error.field).toBe("applicant.name");
    expect((await submit({ bundleCode: "START_BUSINESS" })).body.error.field).toBe("bundleCode");
    const malformed = await api("POST", "/v1/applications", { token, raw: '{"bundle_code": "START_BUSINESS",' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.field).toBe("body");
    expect((await api("POST", "/v1/applications", { token, raw: "bundle_code=START_BUSINESS", type: "application/x-www-form-urlencoded" })).status).toBe(415);
    // JSON is UTF-8: a body declared in GBK is refused, not decoded as UTF-8 and stored garbled.
    const gbk = await api("POST", "/v1/applications", { token, raw: '{"bundle_code":"START_BUSINESS"}', type: "application/json; charset=GBK" });
    expect(gbk.status).toBe(415);
    expect(gbk.body.error).toMatchObject({ code: "UNSUPPORTED_MEDIA_TYPE", field: "body" });
    // Declared UTF-8 is read; every problem of the body is reported at once.
    const incomplete = await api("POST", "/v1/applications", { token, raw: '{"bundle_code":"OPEN_A_CASINO","extra":1}', type: "application/json; charset=UTF-8" });
    expect(incomplete.status).toBe(400);
    expect(incomplete.body.error.problems).toEqual([
      { field: "client_key", reason: "is required" },
      { field: "form", reason: "is required" },
      { field: "extra", reason: "is not a property of this request" },
    ]);
    // The same key twice: refused, not "the last one wins".
    const twice = await api("POST", "/v1/applications", { token, raw: '{"bundle_code":"START_BUSINESS","bundle_code":"CLOSE_BUSINESS","client_key":"twice-0001","form":{}}' });
    expect([twice.status, twice.body.error.field]).toEqual([400, "bundle_code"]);
    const twiceInForm = await api("POST", "/v1/applications", { token, raw: '{"bundle_code":"START_BUSINESS","client_key":"twice-0002","form":{"enterprise.address":"a","enterprise.address":"b"}}' });
    expect(twiceInForm.body.error.field).toBe("form.enterprise.address");
    // Prototype poisoning is refused, not merged.
    const poisoned = await api("POST", "/v1/applications", { token, raw: '{"bundle_code":"START_BUSINESS","client_key":"proto-0001","form":{"__proto__":{"admin":true}}}' });
    expect([poisoned.status, poisoned.body.error.field]).toEqual([400, "body"]);
    // Bounds on strings, lists and names.
    const long = await submit({ client_key: "k".repeat(129) });
    expect([long.status, long.body.error.field]).toEqual([400, "client_key"]);
    const badName = await submit({}, { ...startBusinessForm(), "Enterprise.Address<script>": "x" });
    expect(badName.body.error.field).toBe("form.Enterprise.Address<script>");
    const badMaterial = await submit({ materials: { ARTICLES_OF_ASSOCIATION: "x".repeat(81) } });
    expect(badMaterial.body.error.field).toBe("materials.ARTICLES_OF_ASSOCIATION");
    // Nested 10,000 levels deep (it answered 500): refused naming the body; 32 levels are fine to parse.
    const deep = (n: number) =>
      `{"bundle_code":"START_BUSINESS","client_key":"deep-0001","form":{"enterprise.trade_name":${'{"a":'.repeat(n)}1${"}".repeat(n)}}}`;
    const tooDeep = await api("POST", "/v1/applications", { token, raw: deep(10_000) });
    expect(tooDeep.status).toBe(400);
    expect(tooDeep.body.error).toMatchObject({ code: "INVALID_ARGUMENT", field: "body" });
    expect((await api("POST", "/v1/applications", { token, raw: deep(30) })).body.error.field).not.toBe("body");
    expect((await api("GET", "/healthz")).status).toBe(200);
    expect((await api("GET", "/v1/applications", { token })).body.applications).toEqual([]);
  });

  it("previews the government data the bundle would use and takes the applicant's decision on each: confirmed, or refused and typed", async () => {
    const who = people[5];
    const t = await session(who.idNumber);
    const form = await api("GET", "/v1/bundles/START_BUSINESS/form", { token: t });
    expect(form.body.government_data).toEqual([
      { field: "enterprise.legal_representative_id_number", label_zh: "法定代表人身份证号码", label_en: "Legal representative's ID number", source: "人口基础库 (identity: population registry)", value: who.idNumber },
      expect.objectContaining({ field: "enterprise.liaison_name", value: who.name }),
      expect.objectContaining({ field: "enterprise.liaison_phone", value: who.phone }),
    ]);
    expect(form.body.preview_digest).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const articles = (await upload(t, "ARTICLES_OF_ASSOCIATION", pdfSample("consent articles"))).body.material_id;
    const f = { ...startBusinessForm(), "enterprise.investors": [{ id: who.idNumber, contribution: "100" }], "enterprise.trade_name": "允诺" };
    const post = (over: Record<string, unknown>) => api("POST", "/v1/applications", { token: t, body: { bundle_code: "START_BUSINESS", client_key: `consent-${crypto.randomUUID()}`, form: f, materials: { ARTICLES_OF_ASSOCIATION: articles }, ...over } });
    // No decision: refused, naming consent and the item.
    const none = await post({});
    expect(none.status).toBe(400);
    expect(none.body.error).toMatchObject({ field: "consent" });
    expect(none.body.error.message).toMatch(/enterprise\.legal_representative_id_number/);
    // A refusal without a value of one's own; an item that is no government data; one named twice.
    expect((await post({ consent: { confirmed: ["enterprise.legal_representative_id_number", "enterprise.liaison_name"], refused: ["enterprise.liaison_phone"] } })).body.error.field).toBe("enterprise.liaison_phone");
    expect((await post({ consent: { confirmed: ["enterprise.address"] } })).body.error.field).toBe("consent.confirmed");
    expect((await post({ consent: { confirmed: ["enterprise.liaison_name"], refused: ["enterprise.liaison_name"] } })).body.error.field).toBe("consent.refused");
    // A preview that is not the data now.
    const stale = await post({ consent: { ...START_BUSINESS_CONSENT, preview_digest: "A".repeat(43) } });
    expect(stale.status).toBe(422);
    expect(stale.body.error.code).toBe("PREVIEW_CHANGED");
    const gateway = await hub.runtime.databases.get("gateway")!;
    expect((await gateway.query<{ n: number }>("SELECT count(*)::int AS n FROM applications WHERE applicant = $1", [who.idNumber])).rows[0].n).toBe(0);
    // Confirmed two, refused the phone and typed another: stored with the application.
    const ok = await post({
      form: { ...f, "enterprise.liaison_phone": "13980012345" },
      consent: { confirmed: ["enterprise.legal_representative_id_number", "enterprise.liaison_name"], refused: ["enterprise.liaison_phone"], preview_digest: form.body.preview_digest },
    });
    expect(ok.status).toBe(201);
    const view = await api("GET", `/v1/applications/${ok.body.application_id}`, { token: t });
    expect(view.body.consent.items).toEqual([
      { field: "enterprise.legal_representative_id_number", source: "人口基础库 (identity: population registry)", decision: "CONFIRMED" },
      { field: "enterprise.liaison_name", source: "人口基础库 (identity: population registry)", decision: "CONFIRMED" },
      { field: "enterprise.liaison_phone", source: "人口基础库 (identity: population registry)", decision: "REFUSED" },
    ]);
    // Decisions are a set: a retry listing the same ones in another order is the same request.
    const key = `consent-order-${crypto.randomUUID()}`;
    const typed = { ...f, "enterprise.trade_name": "允序", "enterprise.liaison_name": "王五", "enterprise.liaison_phone": "13980012346" };
    const first = await post({ client_key: key, form: typed, consent: { confirmed: ["enterprise.legal_representative_id_number"], refused: ["enterprise.liaison_name", "enterprise.liaison_phone"] } });
    expect(first.status).toBe(201);
    const retry = await post({ client_key: key, form: typed, consent: { confirmed: ["enterprise.legal_representative_id_number"], refused: ["enterprise.liaison_phone", "enterprise.liaison_name"] } });
    expect(retry.status).toBe(200);
    expect(retry.body.application_id).toBe(first.body.application_id);
  });

  it("submits START_BUSINESS once per client key", async () => {
    const body = { bundle_code: "START_BUSINESS", consent: START_BUSINESS_CONSENT, client_key: "portal-start-0001", form: startBusinessForm(), materials: { ARTICLES_OF_ASSOCIATION: articlesId } };
    const created = await api("POST", "/v1/applications", { token, body });
    expect(created.status).toBe(201);
    expect(created.body.query_code).toMatch(/^\d{8}$/);
    applicationId = created.body.application_id;
    queryCode = created.body.query_code;
    expect(created.headers.get("location")).toBe(`/v1/applications/${applicationId}`);
    const again = await api("POST", "/v1/applications", { token, body });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(created.body);
    const mine = await api("GET", "/v1/applications", { token });
    expect(mine.body.applications).toEqual([expect.objectContaining({ application_id: applicationId, bundle_code: "START_BUSINESS", status: "RUNNING" })]);
    expect(mine.body.next_page_token).toBe("");
    expect((await api("GET", "/v1/applications", { token: otherToken })).body.applications).toEqual([]);
  });

  it("hides the application from another applicant", async () => {
    expect((await api("GET", `/v1/applications/${applicationId}`, { token: otherToken })).status).toBe(404);
    const otherPdf = await upload(otherToken, "PREMISES_PROOF", pdfSample("other premises"));
    const sup = await api("POST", `/v1/applications/${applicationId}/materials`, { token: otherToken, body: { material_type: "PREMISES_PROOF", material_id: otherPdf.body.material_id } });
    expect(sup.status).toBe(404);
    expect((await api("POST", `/v1/applications/${applicationId}/rating`, { token: otherToken, body: { score: 5 } })).status).toBe(404);
  });

  it("runs to COMPLETED: the deferred material supplied, the officer's approval, every step with its timeline", async () => {
    const status = () => api("GET", `/v1/applications/${applicationId}`, { token });
    const step = (s: Res, key: string) => s.body.steps.find((x: { step_key: string }) => x.step_key === key);
    await until("establishment waiting for PREMISES_PROOF", async () => {
      const s = await status();
      return step(s, "establishment").status === "WAITING_MATERIAL" ? s : undefined;
    });
    const s1 = await status();
    expect(step(s1, "name").status).toBe("SUCCEEDED");
    // 红黄灯: a fresh application and its waiting step are green; a finished step has none.
    expect(s1.body.light).toBe("GREEN");
    expect(step(s1, "establishment").light).toBe("GREEN");
    expect(step(s1, "name").light).toBeUndefined();
    // Deadlines fall at the end of a working day in China time (24:00 CST), counted in working days.
    for (const at of [s1.body.supplement_deadline, s1.body.committed_deadline, step(s1, "establishment").deadline]) {
      const end = new Date(at);
      expect(end.getUTCHours() * 60 + end.getUTCMinutes()).toBe(16 * 60);
      expect(new WorkingCalendar().isWorkingDay(todayInChina(new Date(end.getTime() - 1)))).toBe(true);
    }
    expect(step(s1, "establishment").waiting_for).toBe("PREMISES_PROOF");
    // Not finished: no rating yet.
    const early = await api("POST", `/v1/applications/${applicationId}/rating`, { token, body: { score: 5 } });
    expect(early.status).toBe(422);
    expect(early.body.error.code).toBe("APPLICATION_NOT_FINISHED");

    // The view's ETag: 304 while unchanged (no wait asked, none applied); another tag gets the view.
    const etag = s1.headers.get("etag")!;
    expect(etag).toMatch(/^W\/"[A-Za-z0-9_-]+"$/);
    const conditional = (headers: Record<string, string>) => api("GET", `/v1/applications/${applicationId}`, { token, headers });
    const same = await conditional({ "if-none-match": etag });
    expect(same.status).toBe(304);
    expect(same.headers.get("etag")).toBe(etag);
    expect(same.headers.get("preference-applied")).toBeNull();
    const other = await conditional({ "if-none-match": 'W/"not-this-one"' });
    expect(other.status).toBe(200);
    expect(other.headers.get("etag")).toBe(etag);
    const badWait = await conditional({ "if-none-match": etag, prefer: "wait=soon" });
    expect(badWait.status).toBe(400);
    expect(badWait.body.error).toMatchObject({ code: "INVALID_ARGUMENT", field: "prefer" });
    // A read waiting for a change (asked for an hour, applied as 30 s) is answered by the supplement below.
    const watchStats = async () => (await hub.broker.call<{ statusWatch: { waiting: number; woken: number } }>("bundles.engineStats")).statusWatch;
    const before = await watchStats();
    // A client that goes away while its read waits gives its place back at once.
    const abandoned = new AbortController();
    const gone = fetch(`${base}/v1/applications/${applicationId}`, {
      headers: { authorization: `Bearer ${token}`, "if-none-match": etag, prefer: "wait=30" },
      signal: abandoned.signal,
    }).catch(() => undefined);
    await until("the abandoned read waiting", async () => ((await watchStats()).waiting > before.waiting ? true : undefined));
    abandoned.abort();
    await gone;
    await until("its place given back", async () => ((await watchStats()).waiting === before.waiting ? true : undefined));
    // At the bound (8 waiting reads of one applicant) a further wait is refused at once: a 304 that
    // says when to ask again, and no wait applied.
    const holders = Array.from({ length: 8 }, () => new AbortController());
    const holding = holders.map((a) =>
      fetch(`${base}/v1/applications/${applicationId}`, { headers: { authorization: `Bearer ${token}`, "if-none-match": etag, prefer: "wait=30" }, signal: a.signal }).catch(() => undefined),
    );
    await until("eight reads waiting", async () => ((await watchStats()).waiting === before.waiting + 8 ? true : undefined));
    const refusedWait = await conditional({ "if-none-match": etag, prefer: "wait=30" });
    expect([refusedWait.status, refusedWait.headers.get("retry-after"), refusedWait.headers.get("preference-applied")]).toEqual([304, "5", null]);
    holders.forEach((a) => a.abort());
    await Promise.all(holding);
    await until("their places given back", async () => ((await watchStats()).waiting === before.waiting ? true : undefined));
    const waiting = conditional({ "if-none-match": etag, prefer: "wait=3600" });
    await until("the status read waiting", async () => ((await watchStats()).waiting > before.waiting ? true : undefined));

    const premises = await upload(token, "PREMISES_PROOF", pdfSample("租赁合同及产权证明"), "application/pdf", "住所证明.pdf");
    const wrongType = await api("POST", `/v1/applications/${applicationId}/materials`, { token, body: { material_type: "PREMISES_PROOF", material_id: articlesId } });
    expect(wrongType.body.error.field).toBe("material_id");
    const sup = await api("POST", `/v1/applications/${applicationId}/materials`, { token, body: { material_type: "PREMISES_PROOF", material_id: premises.body.material_id } });
    expect(sup.status).toBe(200);
    const changed = await waiting;
    expect(changed.status).toBe(200);
    expect(changed.headers.get("preference-applied")).toBe("wait=30");
    expect(changed.headers.get("etag")).not.toBe(etag);
    expect(step(changed, "establishment").status).not.toBe("WAITING_MATERIAL");
    // Woken by the change, not by its time.
    expect((await watchStats()).woken).toBeGreaterThan(before.woken);

    await until("establishment waiting for the officer", async () => ((await status()).body.steps[1].status === "WAITING_DECISION" ? true : undefined));
    const samr = { meta: { caller: { department: "samr" } } };
    // A material named with an outcome other than SUPPLEMENT is refused, and the step still waits.
    await expect(
      hub.broker.call("bundles.decide", { applicationId, stepKey: "establishment", outcome: "APPROVE", comment: "准予登记", materialType: "PREMISES_PROOF" }, samr),
    ).rejects.toMatchObject({ type: "INVALID_ARGUMENT", data: { field: "material_type" } });
    const still = step(await status(), "establishment");
    expect([still.status, still.decision ?? null]).toEqual(["WAITING_DECISION", null]);
    // The officer asks for the premises proof again (补正): the step waits for it, the applicant
    // sees which material and why, supplies a new one, and the step is back with the officer.
    await hub.broker.call("bundles.decide", { applicationId, stepKey: "establishment", outcome: "SUPPLEMENT", comment: "租赁合同未盖章，请补正", materialType: "PREMISES_PROOF" }, samr);
    const asked = step(await status(), "establishment");
    expect(asked).toMatchObject({ status: "WAITING_MATERIAL", waiting_for: "PREMISES_PROOF", decision: { outcome: "SUPPLEMENT", by: "samr", comment: "租赁合同未盖章，请补正", material_type: "PREMISES_PROOF" } });
    const again = await upload(token, "PREMISES_PROOF", pdfSample("盖章的租赁合同"), "application/pdf", "住所证明（补正）.pdf");
    expect((await api("POST", `/v1/applications/${applicationId}/materials`, { token, body: { material_type: "PREMISES_PROOF", material_id: again.body.material_id } })).status).toBe(200);
    await until("establishment back with the officer", async () => ((await status()).body.steps[1].status === "WAITING_DECISION" ? true : undefined));
    await hub.broker.call("bundles.decide", { applicationId, stepKey: "establishment", outcome: "APPROVE", comment: "准予登记" }, samr);
    const done = await until("COMPLETED", async () => {
      const s = await status();
      if (s.body.status === "FAILED" || s.body.status === "COMPENSATED") throw new Error(`application ${s.body.status}: ${JSON.stringify(s.body.failure)}`);
      return s.body.status === "COMPLETED" ? s : undefined;
    }, 60_000);
    expect(done.body.steps.map((s: { step_key: string }) => s.step_key)).toEqual(["name", "establishment", "seal", "tax", "invoices", "social-insurance", "enrolment#0"]);
    for (const s of done.body.steps) {
      expect(s.status).toBe("SUCCEEDED");
      expect(s.finished_at).toEqual(expect.any(String));
    }
    expect(step(done, "establishment").decision).toMatchObject({ outcome: "APPROVE", by: "samr" });
    expect(step(done, "establishment").decision.material_type).toBeUndefined();
    expect(step(done, "establishment").output.credit_code).toMatch(/^91510104/);
    expect(done.body.finished_at).toEqual(expect.any(String));
    expect(done.body.rating).toBeNull();
    // A finished application is not waited on: 304 at once, no wait applied.
    const finished = await conditional({ "if-none-match": done.headers.get("etag")!, prefer: "wait=30" });
    expect(finished.status).toBe(304);
    expect(finished.headers.get("preference-applied")).toBeNull();
  }, 90_000);

  it("takes one rating (好差评) of the finished application", async () => {
    expect((await api("POST", `/v1/applications/${applicationId}/rating`, { token, body: { score: 6 } })).body.error.field).toBe("score");
    expect((await api("POST", `/v1/applications/${applicationId}/rating`, { token, body: { score: 1 } })).body.error.field).toBe("comment");
    const rated = await api("POST", `/v1/applications/${applicationId}/rating`, { token, body: { score: 5, comment: "一次办好，非常满意" } });
    expect(rated.status).toBe(201);
    expect(rated.body).toMatchObject({ application_id: applicationId, score: 5, comment: "一次办好，非常满意" });
    const second = await api("POST", `/v1/applications/${applicationId}/rating`, { token, body: { score: 1, comment: "改成差评" } });
    expect(second.status).toBe(409);
    expect(second.body.error).toMatchObject({ code: "ALREADY_RATED", field: "score" });
    expect((await api("GET", `/v1/applications/${applicationId}`, { token })).body.rating).toMatchObject({ score: 5 });
  });

  it("shows progress by query code without sign-in and without personal data", async () => {
    const found = await api("GET", `/v1/lookup?application_id=${applicationId}&query_code=${queryCode}`);
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({ application_id: applicationId, status: "COMPLETED" });
    const text = JSON.stringify(found.body);
    for (const personal of [applicant.idNumber, applicant.name, employee.idNumber, "credit_code", "蓉创"]) expect(text).not.toContain(personal);
    for (const s of found.body.steps) expect(s.output).toBeUndefined();
    const wrong = String((Number(queryCode) + 1) % 100_000_000).padStart(8, "0");
    const miss = await api("GET", `/v1/lookup?application_id=${applicationId}&query_code=${wrong}`);
    expect(miss.status).toBe(404);
    expect(miss.body.error.code).toBe("NOT_FOUND");
  });

  it("answers unknown routes 404 and wrong methods 405, in the error shape", async () => {
    const unknown = await api("GET", "/v1/nothing-here", { token });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe("NOT_FOUND");
    const method = await api("GET", `/v1/applications/${applicationId}/withdrawal`, { token });
    expect(method.status).toBe(405);
    expect(method.headers.get("allow")).toBe("POST");
    expect(method.body.error.code).toBe("METHOD_NOT_ALLOWED");
  });

  it("limits failed look-ups per address", async () => {
    const guesses: number[] = [];
    for (let i = 0; i < 25; i++) guesses.push((await api("GET", `/v1/lookup?application_id=${applicationId}&query_code=0000000${i % 10}`)).status);
    expect(guesses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(guesses.slice(-1)[0]).toBe(429);
    // Blocked for a while, the right code included.
    const blocked = await api("GET", `/v1/lookup?application_id=${applicationId}&query_code=${queryCode}`);
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get("retry-after")).toBe("600");
  });

  it("refuses an address after too many failed department authentications, before looking at its tokens", async () => {
    // Last in this file: the address (127.0.0.1) stays refused for the rest of the minute.
    const forged = () => api("POST", "/v1/sessions", { token: deptToken({ ...data, keyId: "unknown-key" }), body: { id_number: applicant.idNumber } });
    // Earlier tests of this file spent part of this minute's 30 failures (forged and replayed tokens).
    const statuses: number[] = [];
    for (let i = 0; i < 40 && statuses[statuses.length - 1] !== 429; i++) statuses.push((await forged()).status);
    const refused = statuses.indexOf(429);
    expect(refused).toBeGreaterThan(0);
    expect(refused).toBeLessThanOrEqual(30);
    expect(statuses.slice(0, refused).every((s) => s === 401)).toBe(true);
    expect((await forged()).status).toBe(429);
    // A good token is refused too while the address is blocked; the token is not spent.
    const good = deptToken(data);
    const blocked = await api("POST", "/v1/sessions", { token: good, body: { id_number: applicant.idNumber } });
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get("retry-after")).toMatch(/^\d+$/);
    expect((await api("GET", "/healthz")).status).toBe(200);
  });
});
