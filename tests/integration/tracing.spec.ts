/**
 * Traces on the multi-process setup: the gateway and the departments as two processes over NATS
 * on PostgreSQL, TRACING_ZIPKIN_URL pointing at a Zipkin-format receiver this test runs. One
 * 开办企业 submitted through the portal with an x-request-id is followed in one trace from the
 * portal's submission (gateway) through the orchestrator's step calls to each department and its
 * database statements, and the request id is in the gateway's log lines.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { signDepartmentToken } from "../../services/common/department-token";
import { zipkinId } from "../../services/common/tracing";
import { todayInChina } from "../../services/common/validate";
import { generatePopulation } from "../../services/identity/seed/population";
import { eventually } from "../support/eventually";
import { readCredential } from "../support/grpc-client";
import { reportedPort, spawnHub, type HubProcess } from "../support/hub-process";
import { createTestDatabase, dropTestDatabase } from "../support/postgres";
import { NATS_URL, REDIS_URL, requireServers } from "../support/servers";
import { startBusinessForm, tradeName, START_BUSINESS_CONSENT } from "../support/start-business";
import { pdfSample } from "../unit/gateway/materials/samples";

interface ZipkinSpan {
  traceId: string;
  id: string;
  parentId?: string;
  name: string;
  localEndpoint: { serviceName: string };
  tags: Record<string, string>;
}

const people = generatePopulation(300, 20261122);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tongban-trace-"));
const spans: ZipkinSpan[] = [];
let collector: http.Server;
let db: { name: string; url: string };
let processes: HubProcess[] = [];
let base: string;

beforeAll(async () => {
  await requireServers();
  // A Zipkin v2 receiver: POST /api/v2/spans with a JSON list of spans.
  collector = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString("utf8")));
    req.on("end", () => {
      if (req.method === "POST" && req.url === "/api/v2/spans") spans.push(...(JSON.parse(body) as ZipkinSpan[]));
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, "127.0.0.1", resolve));
  db = await createTestDatabase();
  const common = {
    NATS_URL, REDIS_URL, DATABASE_URL: db.url, DATA_DIR: dataDir,
    TONGBAN_NAMESPACE: `tr-${crypto.randomBytes(4).toString("hex")}`,
    LICENSE_KEY_SECRET: crypto.randomBytes(32).toString("hex"), HUB_SECRET: crypto.randomBytes(32).toString("hex"),
    TRACING_ZIPKIN_URL: `http://127.0.0.1:${(collector.address() as { port: number }).port}`,
  };
  processes = [
    spawnHub("departments", { ...common, SERVICES: "identity,licenses,business-registration,tax,social-insurance", SEED_POPULATION: "300", DEV_CREDENTIALS: "true" }),
    spawnHub("gateway", { ...common, SERVICES: "gateway", GRPC_PORT: "0", PORT: "0" }),
  ];
  await Promise.all(processes.map((p) => p.waitFor(/Tongban ready/)));
  base = `http://127.0.0.1:${await reportedPort(processes[1], "HTTP")}`;
}, 120_000);

afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop()));
  await new Promise((resolve) => collector?.close(resolve));
  if (db) await dropTestDatabase(db.name);
  fs.rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

it("follows a bundle in one trace from the portal through the orchestrator to each department and its database", async () => {
  const api = async (method: string, url: string, o: { token?: string; body?: unknown; requestId?: string } = {}) => {
    const headers: Record<string, string> = { ...(o.token ? { authorization: `Bearer ${o.token}` } : {}), ...(o.body ? { "content-type": "application/json" } : {}), ...(o.requestId ? { "x-request-id": o.requestId } : {}) };
    const res = await fetch(`${base}${url}`, { method, headers, body: o.body ? JSON.stringify(o.body) : undefined });
    return { status: res.status, body: (await res.json()) as any };
  };
  const [applicant, employee] = [people[20], people[21]];
  const session = await eventually(() => api("POST", "/v1/sessions", { token: signDepartmentToken(readCredential(dataDir, "data"), 120), body: { id_number: applicant.idNumber } }), (r) => r.status === 201);
  const token = session.body.token as string;
  const upload = async (typeCode: string) =>
    (await api("POST", "/v1/materials", { token, body: { type_code: typeCode, file_name: "x.pdf", content_type: "application/pdf", content_base64: pdfSample(`trace-${typeCode}`).toString("base64") } })).body.material_id as string;
  const materials = { ARTICLES_OF_ASSOCIATION: await upload("ARTICLES_OF_ASSOCIATION"), PREMISES_PROOF: await upload("PREMISES_PROOF") };
  const requestId = crypto.randomUUID();
  const form = startBusinessForm({ tradeName: tradeName(77, "迹"), applicant: applicant.idNumber, employees: [employee.idNumber], startDate: todayInChina(new Date()) });
  const submitted = await api("POST", "/v1/applications", { token, requestId, body: { bundle_code: "START_BUSINESS", consent: START_BUSINESS_CONSENT, client_key: "trace-0000-0001", form, materials } });
  expect(submitted.status).toBe(201);
  const applicationId = submitted.body.application_id as string;
  await eventually(() => api("GET", `/v1/applications/${applicationId}`, { token }), (s) => s.body.steps[1].status === "WAITING_DECISION", 60_000);
  const samr = readCredential(dataDir, "samr");
  const { HubClient } = await import("../support/grpc-client");
  const client = new HubClient(`127.0.0.1:${await reportedPort(processes[1], "gRPC edge")}`);
  try {
    await client.call("CaseService/Decide", { applicationId, stepKey: "establishment", outcome: "OUTCOME_APPROVE", comment: "准予登记" }, samr);
  } finally {
    client.close();
  }
  await eventually(() => api("GET", `/v1/applications/${applicationId}`, { token }), (s) => s.body.status === "COMPLETED", 60_000);

  const traceId = zipkinId(requestId)!;
  // Spans are sent every second by each process.
  const trace = await eventually(
    async () => spans.filter((s) => s.traceId === traceId),
    (found) => found.some((s) => s.name === "step enrolment#0") && found.some((s) => s.tags["action.name"] === "social-insurance.enrolEmployee"),
    30_000,
  ).catch((err: Error) => {
    throw new Error(`${err.message.slice(0, 200)}\nspan names in the trace: ${[...new Set(spans.filter((s) => s.traceId === traceId).map((s) => s.name))].join(", ")}`);
  });
  const byId = new Map(trace.map((s) => [s.id, s]));
  const names = trace.map((s) => s.name);
  // The submission on the gateway, the person read in the department process under it.
  const action = (name: string) => trace.find((s) => s.tags["action.name"] === name)!;
  const submit = action("bundles.submit");
  expect(submit.localEndpoint.serviceName).toBe("bundles");
  expect(submit.parentId).toBeUndefined(); // the root: the portal's request
  expect(byId.get(action("identity.getPerson").parentId!)).toBe(submit);
  expect(action("identity.getPerson").tags["nodeID"]).not.toBe(submit.tags["nodeID"]); // another process, over the bus
  const services = new Set(trace.map((s) => s.localEndpoint.serviceName));
  for (const service of ["bundles", "orchestrator", "identity", "registration", "tax", "social-insurance", "licenses"]) expect(services).toContain(service);
  // Every step of the bundle, each a span in the trace, with its department's action under it and the database under that.
  for (const step of ["name", "establishment", "seal", "tax", "invoices", "social-insurance", "enrolment#0"]) expect(names).toContain(`step ${step}`);
  const register = action("registration.registerEnterprise");
  expect(byId.get(register.parentId!)?.name).toBe("step establishment");
  const statements = trace.filter((s) => s.parentId === register.id && s.tags["db.schema"] === "registration");
  expect(statements.length).toBeGreaterThan(0);
  // Statements, never values; no span carries an action's parameters (personal data).
  for (const s of statements) expect(s.tags["db.statement"] ?? "").not.toMatch(/\d{17}[\dX]/);
  expect(JSON.stringify(trace)).not.toContain(applicant.idNumber);
  // The request id is in the gateway's logs (the trace id's companion).
  expect(processes[1].logs()).toContain(requestId);
}, 180_000);
