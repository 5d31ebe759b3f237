/**
 * 电子监察 and 好差评 end to end on the embedded hub in this process: an open case on the board with
 * its lights as the hub's clock moves (green → yellow at 90 % → red, on the red list), a finished
 * case rated badly, the rectification round trip (the department answers over gRPC, the applicant
 * is called back through the portal), the statistics over gRPC and as CSV over HTTP, and who may
 * see what (a department its own; the supervision office all).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { bootstrap } from "../../services/bootstrap";
import { setClockOffset } from "../../services/common/clock";
import { loadConfig } from "../../services/common/config";
import { signDepartmentToken } from "../../services/common/department-token";
import { rootLogger } from "../../services/common/logger";
import { todayInChina } from "../../services/common/validate";
import { workingCalendar } from "../../services/common/working-days";
import { startHub, type Hub } from "../../services/hub";
import { generatePopulation } from "../../services/identity/seed/population";
import { eventually } from "../support/eventually";
import { expectStatus, HubClient, readCredential, type Credential } from "../support/grpc-client";
import { startBusinessForm, tradeName, START_BUSINESS_CONSENT } from "../support/start-business";
import { pdfSample } from "../unit/gateway/materials/samples";

const people = generatePopulation(200, 20261122);
const [applicant, employee] = [people[3], people[4]];
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tongban-supervision-"));
let hub: Hub;
let base: string;
let grpcClient: HubClient;
const cred: Record<string, Credential> = {};

async function api(method: string, url: string, o: { token?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = {};
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  if (o.body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${base}${url}`, { method, headers, body: o.body === undefined ? undefined : JSON.stringify(o.body) });
  const text = await res.text();
  const json = (res.headers.get("content-type") ?? "").startsWith("application/json") && text ? JSON.parse(text) : undefined;
  return { status: res.status, body: json, text, headers: res.headers };
}

/** Waits for a probe to answer something (undefined: not yet). */
const until = <T>(_what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000) => eventually(probe, (v) => v !== undefined, timeoutMs, 150) as Promise<T>;

const as = (department: string) => cred[department];
const board = (department: string, request: object = {}) => grpcClient.call("SupervisionService/ListOpenCases", request, as(department));
const red = (department: string, request: object = {}) => grpcClient.call("SupervisionService/ListOverdue", request, as(department));

beforeAll(async () => {
  rootLogger("warn");
  hub = await startHub(loadConfig({ DATA_DIR: dataDir, PORT: "0", GRPC_PORT: "0", SEED_POPULATION: "200", DEV_CREDENTIALS: "true", LOG_LEVEL: "warn" }));
  await bootstrap(hub);
  base = `http://127.0.0.1:${(await hub.broker.call<{ port: number }>("http.port")).port}`;
  grpcClient = new HubClient(`127.0.0.1:${(await hub.broker.call<{ port: number }>("grpc-edge.port")).port}`);
  for (const d of ["data", "samr", "tax", "hrss", "supervision"]) cred[d] = readCredential(dataDir, d);
}, 120_000);

afterAll(async () => {
  setClockOffset(0);
  grpcClient?.close();
  await hub?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

describe("supervision", () => {
  let token: string;
  let applicationId: string;
  let rectifications: string[];

  it("shows an open case with its lights, turning yellow at 90 % and red when overdue, through the hub's clock", async () => {
    token = (await api("POST", "/v1/sessions", { token: signDepartmentToken(as("data"), 120), body: { id_number: applicant.idNumber } })).body.token;
    const upload = async (typeCode: string, n: number) =>
      (await api("POST", "/v1/materials", { token, body: { type_code: typeCode, file_name: `${typeCode}.pdf`, content_type: "application/pdf", content_base64: pdfSample(`supervision-${n}`).toString("base64") } })).body.material_id;
    const materials = { ARTICLES_OF_ASSOCIATION: await upload("ARTICLES_OF_ASSOCIATION", 1), PREMISES_PROOF: await upload("PREMISES_PROOF", 2) };
    const form = startBusinessForm({ tradeName: tradeName(7, "监"), applicant: applicant.idNumber, employees: [employee.idNumber], startDate: todayInChina(new Date()) });
    const submitted = await api("POST", "/v1/applications", { token, body: { bundle_code: "START_BUSINESS", consent: START_BUSINESS_CONSENT, client_key: "supervision-0001", form, materials } });
    expect(submitted.status).toBe(201);
    applicationId = submitted.body.application_id;
    const establishment = await until("establishment waiting for the officer", async () => {
      const s = await api("GET", `/v1/applications/${applicationId}`, { token });
      return s.body.steps.find((x: { step_key: string; status: string }) => x.step_key === "establishment" && x.status === "WAITING_DECISION");
    });

    const mine = (r: { cases: Array<{ applicationId: string }> }) => r.cases.find((c) => c.applicationId === applicationId) as any;
    const all = mine(await board("supervision"));
    expect(all).toMatchObject({ bundleCode: "START_BUSINESS", bundleName: "开办企业", light: "GREEN", redReasons: [] });
    expect(all.steps.map((s: { stepKey: string }) => s.stepKey)).toEqual(["enrolment#0", "establishment", "invoices", "name", "seal", "social-insurance", "tax"]);
    expect(all.steps.find((s: { stepKey: string }) => s.stepKey === "establishment")).toMatchObject({ department: "samr", light: "GREEN", overdue: false });
    // A department sees its own steps of the case only, and no other department's board.
    expect(mine(await board("tax")).steps.map((s: { department: string }) => s.department)).toEqual(["tax", "tax"]);
    await expectStatus(board("tax", { department: "samr" }), grpc.status.PERMISSION_DENIED);

    const ready = Date.parse(establishment.ready_at);
    const due = Date.parse(establishment.deadline);
    const lightAt = async (at: number) => {
      setClockOffset(at - Date.now());
      return mine(await board("samr")).steps.find((s: { stepKey: string }) => s.stepKey === "establishment");
    };
    try {
      expect((await lightAt(ready + (due - ready) * 0.89)).light).toBe("GREEN");
      expect((await lightAt(ready + (due - ready) * 0.91)).light).toBe("YELLOW");
      expect(await lightAt(due + 60_000)).toMatchObject({ light: "RED", overdue: true });
      // On the red list of samr (its step), not of tax (its steps have not started).
      const redSamr = mine(await red("samr"));
      expect(redSamr).toMatchObject({ redReasons: ["STEP_OVERDUE"], redSince: new Date(due).toISOString() });
      expect(mine(await red("tax"))).toBeUndefined();
      expect(mine(await red("supervision"))?.redReasons).toContain("STEP_OVERDUE");
    } finally {
      setClockOffset(0);
    }
    expect(mine(await red("samr"))).toBeUndefined();
  }, 120_000);

  it("takes a bad rating once and opens a rectification case per department responsible", async () => {
    await hub.broker.call("bundles.decide", { applicationId, stepKey: "establishment", outcome: "APPROVE", comment: "准予登记" }, { meta: { caller: { department: "samr" } } });
    await until("COMPLETED", async () => ((await api("GET", `/v1/applications/${applicationId}`, { token })).body.status === "COMPLETED" ? true : undefined));
    const rating = { score: 2, comment: "窗口让我跑了两趟", departments: [{ department: "tax", score: 1, comment: "发票核定拖了三天" }, { department: "samr", score: 5 }] };
    const notInCase = await api("POST", `/v1/applications/${applicationId}/rating`, { token, body: { ...rating, departments: [{ department: "civil", score: 5 }] } });
    expect(notInCase).toMatchObject({ status: 400, body: { error: { field: "departments[0].department" } } });
    const rated = await api("POST", `/v1/applications/${applicationId}/rating`, { token, body: rating });
    expect(rated.status).toBe(201);
    expect(rated.body).toMatchObject({ score: 2, level: "DISSATISFIED", departments: [{ department: "samr", score: 5, level: "VERY_SATISFIED" }, { department: "tax", score: 1, level: "VERY_DISSATISFIED" }] });
    rectifications = rated.body.rectifications;
    expect(rectifications).toEqual([`ZG-${applicationId}-data`, `ZG-${applicationId}-tax`]);
    // The same rating again (a retried request) is answered as it is; another is refused.
    expect((await api("POST", `/v1/applications/${applicationId}/rating`, { token, body: rating })).status).toBe(200);
    expect((await api("POST", `/v1/applications/${applicationId}/rating`, { token, body: { score: 5 } })).body.error.code).toBe("ALREADY_RATED");

    // Red for tax (its bad rating is unanswered) and the one window; not for samr.
    const redTax = (await red("tax")).cases.find((c: { applicationId: string }) => c.applicationId === applicationId);
    expect(redTax).toMatchObject({ redReasons: ["BAD_RATING"], rectificationId: `ZG-${applicationId}-tax`, status: "COMPLETED" });
    expect((await red("samr")).cases.find((c: { applicationId: string }) => c.applicationId === applicationId)).toBeUndefined();

    // Paging one entry at a time finds both bad ratings of the one application (data's and tax's).
    const whole = (await red("supervision", { pageSize: 200 })).cases.map((c: { rectificationId: string; applicationId: string }) => c.rectificationId || c.applicationId);
    const paged: string[] = [];
    for (let token = "", i = 0; i === 0 || token !== ""; i++) {
      const page = await red("supervision", { pageSize: 1, pageToken: token });
      paged.push(...page.cases.map((c: { rectificationId: string; applicationId: string }) => c.rectificationId || c.applicationId));
      token = page.nextPageToken;
    }
    expect(paged).toEqual(whole);
    expect(paged).toEqual(expect.arrayContaining([`ZG-${applicationId}-data`, `ZG-${applicationId}-tax`]));

    const list = await grpcClient.call("SupervisionService/ListRectifications", {}, as("tax"));
    expect(list.rectifications).toHaveLength(1);
    const [open] = list.rectifications;
    expect(open).toMatchObject({ department: "tax", score: 1, level: "VERY_DISSATISFIED", reason: "发票核定拖了三天", status: "OPEN", light: "GREEN" });
    expect(open.dueAt).toBe(workingCalendar().deadline(new Date(open.openedAt), 5).toISOString());
    expect((await grpcClient.call("SupervisionService/ListRectifications", {}, as("supervision"))).rectifications.map((r: { department: string }) => r.department)).toEqual(["data", "tax"]);
    await expectStatus(grpcClient.call("SupervisionService/ListRectifications", { department: "data" }, as("tax")), grpc.status.PERMISSION_DENIED);
  }, 120_000);

  it("runs the rectification round trip: the department answers, the applicant is called back", async () => {
    const id = `ZG-${applicationId}-tax`;
    const early = await api("POST", `/v1/rectifications/${id}/revisit`, { token, body: { score: 4 } });
    expect(early).toMatchObject({ status: 422, body: { error: { code: "RECTIFICATION_NOT_ANSWERED" } } });
    // Only the department responsible answers; for any other the case does not exist.
    await expectStatus(grpcClient.call("SupervisionService/AnswerRectification", { rectificationId: id, measures: "已约谈窗口人员" }, as("samr")), grpc.status.NOT_FOUND);
    await expectStatus(grpcClient.call("SupervisionService/AnswerRectification", { rectificationId: id, measures: "" }, as("tax")), grpc.status.INVALID_ARGUMENT);
    const measures = "已核查：发票核定因系统维护延迟，已调整值班安排，承诺次日办结";
    const answered = await grpcClient.call("SupervisionService/AnswerRectification", { rectificationId: id, measures }, as("tax"));
    expect(answered).toMatchObject({ status: "ANSWERED", measures, overdue: false, light: "" });
    expect((await grpcClient.call("SupervisionService/AnswerRectification", { rectificationId: id, measures }, as("tax"))).answeredAt).toBe(answered.answeredAt);
    await expectStatus(grpcClient.call("SupervisionService/AnswerRectification", { rectificationId: id, measures: "另一种说法的整改措施" }, as("tax")), grpc.status.FAILED_PRECONDITION);
    expect((await red("tax")).cases.find((c: { applicationId: string }) => c.applicationId === applicationId)).toBeUndefined();

    const feedback = await api("GET", `/v1/applications/${applicationId}/rating`, { token });
    expect(feedback.body.rectifications.find((r: { department: string }) => r.department === "tax")).toMatchObject({ status: "ANSWERED", measures });
    const other = (await api("POST", "/v1/sessions", { token: signDepartmentToken(as("data"), 120), body: { id_number: people[5].idNumber } })).body.token;
    expect((await api("GET", `/v1/applications/${applicationId}/rating`, { token: other })).status).toBe(404);
    expect((await api("POST", `/v1/rectifications/${id}/revisit`, { token: other, body: { score: 5 } })).status).toBe(404);
    const revisit = await api("POST", `/v1/rectifications/${id}/revisit`, { token, body: { score: 4, comment: "处理及时" } });
    expect(revisit).toMatchObject({ status: 200, body: { status: "CLOSED", revisit_score: 4, revisit_comment: "处理及时" } });
    expect((await api("POST", `/v1/rectifications/${id}/revisit`, { token, body: { score: 4, comment: "处理及时" } })).status).toBe(200);
    expect((await api("POST", `/v1/rectifications/${id}/revisit`, { token, body: { score: 1, comment: "其实不满意" } })).status).toBe(422);
  }, 60_000);

  it("counts the period's statistics per department and bundle, as JSON over gRPC and CSV over HTTP", async () => {
    const today = todayInChina(new Date());
    const stats = await grpcClient.call("SupervisionService/GetStatistics", { from: today, to: today }, as("supervision"));
    const row = (d: string) => stats.rows.find((r: { department: string; bundleCode: string }) => r.department === d && r.bundleCode === "START_BUSINESS");
    expect(row("tax")).toMatchObject({ accepted: 1, completed: 1, ratings: 1, satisfied: 0, badRatings: 1, rectified: 1, rectificationRate: 1, revisited: 1, revisitRate: 1 });
    expect(row("samr")).toMatchObject({ accepted: 1, completed: 1, ratings: 1, satisfied: 1, satisfactionRate: 1, badRatings: 0 });
    expect(row("data")).toMatchObject({ accepted: 1, completed: 1, ratings: 1, badRatings: 1, rectified: 0, rectificationRate: 0 });
    // A department sees its own rows.
    const own = await grpcClient.call("SupervisionService/GetStatistics", { from: today, to: today }, as("tax"));
    expect(new Set(own.rows.map((r: { department: string }) => r.department))).toEqual(new Set(["tax"]));
    await expectStatus(grpcClient.call("SupervisionService/GetStatistics", { from: today, to: "2020-01-01" }, as("tax")), grpc.status.INVALID_ARGUMENT);

    // The pages' HTTP API: an officer token from a department token, then the CSV export.
    expect((await api("GET", `/v1/supervision/statistics?from=${today}&to=${today}`)).status).toBe(401);
    const session = await api("POST", "/v1/supervision/sessions", { token: signDepartmentToken(as("tax"), 120) });
    expect(session).toMatchObject({ status: 201, body: { department: "tax", token_type: "Bearer" } });
    const officer = session.body.token;
    expect((await api("GET", `/v1/supervision/statistics?from=${today}&to=${today}`, { token })).status).toBe(401); // an applicant token is not an officer's
    const csv = await api("GET", `/v1/supervision/statistics?from=${today}&to=${today}&format=csv`, { token: officer });
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    const lines = csv.text.replace(/^\uFEFF/, "").trim().split("\r\n");
    expect(lines[0]).toMatch(/^部门 department,一件事 bundle,受理 accepted/);
    expect(lines.slice(1)).toEqual([expect.stringMatching(/^tax,START_BUSINESS,1,1,/)]);
    expect((await api("GET", `/v1/supervision/statistics?from=${today}&to=${today}&department=samr`, { token: officer })).status).toBe(403);
    const listed = await api("GET", "/v1/supervision/rectifications?status=CLOSED", { token: officer });
    expect(listed.body.rectifications.map((r: { rectification_id: string }) => r.rectification_id)).toEqual([`ZG-${applicationId}-tax`]);
    expect((await api("GET", "/v1/supervision/rectifications?status=GONE", { token: officer })).status).toBe(400);
  }, 60_000);
});
