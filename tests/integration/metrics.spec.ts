/**
 * /metrics as Prometheus reads it: the embedded hub in this process (with moleculer's metrics on)
 * runs a 开办企业 to the end and leaves another waiting; its exposition is parsed with a
 * Prometheus text-format parser, every name docs/metrics.md documents is there with its type, and
 * the values follow what happened. The Grafana dashboard uses only names the hub serves, and the
 * scrape configuration parses.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import YAML from "yaml";
import { bootstrap } from "../../services/bootstrap";
import { loadConfig } from "../../services/common/config";
import { signDepartmentToken } from "../../services/common/department-token";
import { rootLogger } from "../../services/common/logger";
import { projectPath } from "../../services/common/paths";
import { todayInChina } from "../../services/common/validate";
import { startHub, type Hub } from "../../services/hub";
import { generatePopulation } from "../../services/identity/seed/population";
import { eventually } from "../support/eventually";
import { NATS_URL, requireServers } from "../support/servers";
import { readCredential } from "../support/grpc-client";
import { startBusinessForm, tradeName, START_BUSINESS_CONSENT } from "../support/start-business";
import { pdfSample } from "../unit/gateway/materials/samples";

interface Family {
  name: string;
  type: string;
  metrics: Array<{ value?: string; labels?: Record<string, string>; count?: string; buckets?: Record<string, string> }>;
}

const people = generatePopulation(200, 20261122);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tongban-metrics-"));
let hub: Hub;
let base: string;

const docs = fs.readFileSync(projectPath("docs", "metrics.md"), "utf8");
/** [name, type] of every row of docs/metrics.md's tables. */
const documented: Array<[string, string]> = [...docs.matchAll(/^\| `([a-z_]+)` \| (counter|gauge|histogram) \|/gm)].map((m) => [m[1], m[2]]);

/**
 * The value of a sample line `name{labels} value` (all given labels present), or NaN. The parser
 * flattens a histogram's label sets into one (it follows an old client_python), so a histogram's
 * _count per label set is read from its line.
 */
function lineValue(text: string, name: string, labels: Record<string, string>): number {
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return NaN;
}

let lastText = "";

async function scrape(): Promise<Map<string, Family>> {
  const res = await fetch(`${base}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  lastText = text;
  const families = parsePrometheusTextFormat(text) as Family[];
  const names = families.map((f) => f.name);
  expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]); // no name twice (the hub's, Node's and moleculer's)
  return new Map(families.map((f) => [f.name, f]));
}

const sample = (f: Family | undefined, labels: Record<string, string>) =>
  f?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));

beforeAll(async () => {
  rootLogger("warn");
  await requireServers();
  // On the bus (moleculer's transporter metrics), with the embedded database.
  hub = await startHub(
    loadConfig({
      DATA_DIR: dataDir, PORT: "0", GRPC_PORT: "0", SEED_POPULATION: "200", DEV_CREDENTIALS: "true", LOG_LEVEL: "warn", METRICS: "true",
      NATS_URL, TONGBAN_NAMESPACE: `met-${crypto.randomBytes(3).toString("hex")}`,
    }),
  );
  await bootstrap(hub);
  base = `http://127.0.0.1:${(await hub.broker.call<{ port: number }>("http.port")).port}`;
}, 120_000);

afterAll(async () => {
  await hub?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

it("documents at least the metrics the issue asks for", () => {
  const names = documented.map(([n]) => n);
  for (const n of ["tongban_applications_open", "tongban_steps_open", "tongban_step_dispatch_lag_seconds", "tongban_step_call_seconds", "tongban_outbox_pending", "tongban_outbox_oldest_undelivered_age_seconds", "tongban_edge_calls_total", "tongban_rate_limited_total", "tongban_material_bytes_stored_total", "moleculer_request_total", "moleculer_transporter_packets_sent_total"]) {
    expect(names).toContain(n);
  }
});

it("serves every documented metric, with its type, and values that follow the work done", async () => {
  const data = readCredential(dataDir, "data");
  const api = async (method: string, url: string, token?: string, body?: unknown) => {
    const res = await fetch(`${base}${url}`, { method, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { "content-type": "application/json" } : {}) }, body: body ? JSON.stringify(body) : undefined });
    return { status: res.status, body: (await res.json()) as any };
  };
  const [applicant, employee, other] = [people[10], people[11], people[12]];
  const token = (await api("POST", "/v1/sessions", signDepartmentToken(data, 120), { id_number: applicant.idNumber })).body.token;
  const upload = async (typeCode: string, note: string) =>
    (await api("POST", "/v1/materials", token, { type_code: typeCode, file_name: "x.pdf", content_type: "application/pdf", content_base64: pdfSample(note).toString("base64") })).body.material_id;
  const articles = await upload("ARTICLES_OF_ASSOCIATION", "metrics-1");
  const premises = await upload("PREMISES_PROOF", "metrics-2");
  const submit = async (i: number, materials: Record<string, string>, employees: string[]) =>
    (await api("POST", "/v1/applications", token, { bundle_code: "START_BUSINESS", consent: START_BUSINESS_CONSENT, client_key: `metrics-${i}-0000`, form: startBusinessForm({ tradeName: tradeName(40 + i, "量"), applicant: applicant.idNumber, employees, startDate: todayInChina(new Date()) }), materials })).body.application_id as string;
  const done = await submit(1, { ARTICLES_OF_ASSOCIATION: articles, PREMISES_PROOF: premises }, [employee.idNumber]);
  const waiting = await submit(2, { ARTICLES_OF_ASSOCIATION: articles }, [other.idNumber]);
  await eventually(() => api("GET", `/v1/applications/${done}`, token), (s) => s.body.steps[1].status === "WAITING_DECISION", 60_000);
  await hub.broker.call("bundles.decide", { applicationId: done, stepKey: "establishment", outcome: "APPROVE", comment: "准予登记" }, { meta: { caller: { department: "samr" } } });
  await eventually(() => api("GET", `/v1/applications/${done}`, token), (s) => s.body.status === "COMPLETED", 60_000);
  await eventually(() => api("GET", `/v1/applications/${waiting}`, token), (s) => s.body.steps[1].status === "WAITING_MATERIAL", 60_000);
  expect((await api("GET", "/v1/lookup?application_id=A20261130-0000000000&query_code=00000000")).status).toBe(404);

  const families = await scrape();
  for (const [name, type] of documented) {
    expect({ name, type: families.get(name)?.type.toLowerCase() }).toEqual({ name, type });
  }
  const value = (name: string, labels: Record<string, string> = {}) => Number(sample(families.get(name), labels)?.value ?? NaN);
  expect(value("tongban_applications_submitted_total", { bundle: "START_BUSINESS" })).toBe(2);
  expect(value("tongban_applications_finished_total", { bundle: "START_BUSINESS", status: "COMPLETED" })).toBe(1);
  expect(value("tongban_applications_open", { bundle: "START_BUSINESS", status: "RUNNING" })).toBe(1);
  // The waiting application's name step is done; its establishment waits for the material, its clock running.
  expect(value("tongban_steps_open", { department: "samr", light: "GREEN" })).toBeGreaterThanOrEqual(1);
  expect(value("tongban_material_bytes_stored_total")).toBe(pdfSample("metrics-1").length + pdfSample("metrics-2").length);
  expect(value("tongban_edge_calls_total", { edge: "portal", method: "GET /v1/lookup", status: "404" })).toBe(1);
  expect(value("tongban_edge_calls_total", { edge: "portal", method: "POST /v1/sessions", department: "data", status: "201" })).toBe(1);
  expect(lineValue(lastText, "tongban_step_dispatch_lag_seconds_count", { department: "tax" })).toBe(2); // tax and invoices of the completed application
  expect(lineValue(lastText, "tongban_step_dispatch_lag_seconds_count", { department: "samr" })).toBe(4); // name ×2, establishment, seal
  expect(lineValue(lastText, "tongban_step_call_seconds_count", { action: "registration.registerEnterprise", outcome: "ok" })).toBe(1);
  expect(value("tongban_outbox_pending", { schema: "gateway" })).toBeGreaterThanOrEqual(0);
  // moleculer's own (on by default): the bundles service's actions were called.
  expect(families.get("moleculer_request_total")?.metrics.some((m) => m.labels?.action === "bundles.submit")).toBe(true);
}, 180_000);

it("has a dashboard that uses only metrics the hub serves and documents, and a scrape configuration that parses", () => {
  const dashboard = JSON.parse(fs.readFileSync(projectPath("deploy", "monitoring", "grafana", "tongban-hub.json"), "utf8")) as { panels: Array<{ targets: Array<{ expr: string }> }> };
  const used = new Set(dashboard.panels.flatMap((p) => p.targets.flatMap((t) => [...t.expr.matchAll(/\b((?:tongban|moleculer|process|nodejs)_[a-z_]+)/g)].map((m) => m[1]))));
  expect(used.size).toBeGreaterThan(10);
  const names = new Set(documented.map(([n]) => n));
  for (const name of used) expect([name, names.has(name.replace(/_(bucket|count|sum)$/, ""))]).toEqual([name, true]);
  const scrapeConfig = YAML.parse(fs.readFileSync(projectPath("deploy", "monitoring", "prometheus.yml"), "utf8")) as { scrape_configs: Array<{ job_name: string; metrics_path?: string }> };
  expect(scrapeConfig.scrape_configs.map((c) => c.job_name)).toEqual(expect.arrayContaining(["tongban-gateway", "tongban-departments", "nats"]));
});
