/**
 * One-thing-once bundles over the real NATS, PostgreSQL and Redis, each department in its own
 * process and two gateway replicas orchestrating: 开办企业 end to end with 容缺 and an officer's
 * approval, parallel steps, rejection-free failure with compensation in reverse order, a gateway
 * killed mid-application, and concurrent duplicate submissions.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ServiceBroker } from "moleculer";
import { connect as natsConnect } from "nats";
import { status as grpcStatus } from "@grpc/grpc-js";
import { expectStatus, HubClient, readCredential, tokenFor } from "../support/grpc-client";
import { reportedPort, spawnHub, type HubProcess } from "../support/hub-process";
import { createTestDatabase, dropTestDatabase, queryDatabase } from "../support/postgres";
import { NATS_URL, REDIS_URL, requireServers } from "../support/servers";
import { people } from "./hub-flows";
import { eventually } from "../support/eventually";
import { inPool, startBusinessForm as formFor, tradeName, START_BUSINESS_CONSENT } from "../support/start-business";

const until = <T>(probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 60_000) => eventually(probe, ok, timeoutMs, 200);

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tongban-bundles-"));
let db: { name: string; url: string };
let env: Record<string, string>;
const procs = new Map<string, HubProcess>();
/** The bus node id of each process started, by name (to call one gateway replica in particular). */
const nodeIds = new Map<string, string>();
let bus: ServiceBroker;
const pdf = (n: number) => Buffer.from(`%PDF-1.4\n% material ${n}\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n`).toString("base64");
const key = (label: string) => `${label}-${crypto.randomUUID()}`;
const samr = { meta: { caller: { department: "samr" } } };

function start(name: string, services: string, extra: Record<string, string> = {}) {
  const nodeId = `${name}-${crypto.randomBytes(2).toString("hex")}`;
  const p = spawnHub(name, { ...env, SERVICES: services, NODE_ID: nodeId, ...extra });
  procs.set(name, p);
  nodeIds.set(name, nodeId);
  return p.waitFor(/Tongban ready/);
}


beforeAll(async () => {
  await requireServers();
  db = await createTestDatabase();
  env = {
    NATS_URL,
    REDIS_URL,
    DATABASE_URL: db.url,
    DATA_DIR: dataDir,
    TONGBAN_NAMESPACE: `bnd-${crypto.randomBytes(3).toString("hex")}`,
    LICENSE_KEY_SECRET: crypto.randomBytes(32).toString("hex"),
    HUB_SECRET: crypto.randomBytes(32).toString("hex"),
    ORCHESTRATOR_LEASE_SECONDS: "3",
    REQUEST_TIMEOUT_MS: "5000",
    GRPC_PORT: "0",
    PORT: "0",
  };
  await Promise.all([
    start("identity", "identity", { SEED_POPULATION: "2000", DEV_CREDENTIALS: "true" }),
    start("licenses", "licenses"),
    start("business-registration", "business-registration"),
    start("tax", "tax"),
    start("social-insurance", "social-insurance"),
    start("gateway-a", "gateway"),
    start("gateway-b", "gateway"),
  ]);
  // Like the hub's own brokers, the test retries a call that reached a gateway replica killed by a test.
  bus = new ServiceBroker({
    namespace: env.TONGBAN_NAMESPACE, nodeID: `bundles-test-${process.pid}`, transporter: NATS_URL, logger: false,
    requestTimeout: 5000, retryPolicy: { enabled: true, retries: 5, delay: 200, maxDelay: 2000, factor: 2 },
  });
  await bus.start();
  await bus.waitForServices(["bundles", "materials", "registration", "tax", "social-insurance"], 30_000);
  // Both gateway replicas must see the departments too: ask each (calls are balanced) a few times.
  for (let ok = 0; ok < 6; ) {
    await until(() => bus.call("bundles.form", { applicant: people[0].idNumber, bundleCode: "START_BUSINESS" }), () => true, 30_000);
    ok++;
  }
}, 180_000);

afterAll(async () => {
  await bus?.stop();
  await Promise.all([...procs.values()].map((p) => p.stop()));
  if (db) await dropTestDatabase(db.name);
  fs.rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

let tradeCounter = 0;
/** A START_BUSINESS form for an applicant, with a trade name unique in this run and two seals. */
function startBusinessForm(applicant: (typeof people)[number], employees: Array<(typeof people)[number]>, creditLine = "50000") {
  return formFor({
    tradeName: tradeName(tradeCounter++, "海"),
    applicant: applicant.idNumber,
    employees: employees.map((e) => e.idNumber),
    creditLine,
    sealTypes: ["公章", "发票专用章"],
  });
}

/** Uploads the articles of association and submits START_BUSINESS; returns the application id. */
async function submitStartBusiness(applicant: (typeof people)[number], form: Record<string, unknown>, clientKey = key("client")) {
  const articles = await bus.call<{ materialId: string }, object>("materials.upload", {
    owner: applicant.idNumber, typeCode: "ARTICLES_OF_ASSOCIATION", fileName: "公司章程.pdf", contentType: "application/pdf", contentBase64: pdf(tradeCounter),
  });
  const result = await bus.call<{ applicationId: string; queryCode: string }, object>("bundles.submit", {
    applicant: applicant.idNumber, bundleCode: "START_BUSINESS", consent: START_BUSINESS_CONSENT, clientKey, form, materials: { ARTICLES_OF_ASSOCIATION: articles.materialId },
  });
  return result.applicationId;
}

const status = (applicationId: string, applicant: string) => bus.call<any, object>("bundles.status", { applicationId, applicant });
const stepOf = (s: any, k: string) => s.steps.find((x: { stepKey: string }) => x.stepKey === k);

async function approveEstablishment(applicationId: string, applicant: string) {
  await until(() => status(applicationId, applicant), (s) => stepOf(s, "establishment").status === "WAITING_DECISION");
  await bus.call("bundles.decide", { applicationId, stepKey: "establishment", outcome: "APPROVE", comment: "材料齐全，准予登记" }, samr);
}

async function supplyPremises(applicationId: string, applicant: (typeof people)[number]) {
  const premises = await bus.call<{ materialId: string }, object>("materials.upload", {
    owner: applicant.idNumber, typeCode: "PREMISES_PROOF", fileName: "租赁合同.pdf", contentType: "application/pdf", contentBase64: pdf(1000 + tradeCounter),
  });
  await bus.call("bundles.supplement", { applicationId, applicant: applicant.idNumber, materialType: "PREMISES_PROOF", materialId: premises.materialId });
}

describe("bundles across processes", () => {
  it("runs 开办企业 end to end: 容缺 supplied later, an officer approves, departments run in parallel, each step once", async () => {
    const applicant = people[20];
    const applicationId = await submitStartBusiness(applicant, startBusinessForm(applicant, [people[21], people[22]]));
    const waiting = await until(() => status(applicationId, applicant.idNumber), (s) => stepOf(s, "establishment").status === "WAITING_MATERIAL");
    expect(waiting.supplementDeadline).toBeDefined();
    expect(stepOf(waiting, "establishment").waitingFor).toBe("PREMISES_PROOF");
    await supplyPremises(applicationId, applicant);
    await approveEstablishment(applicationId, applicant.idNumber);
    const done = await until(() => status(applicationId, applicant.idNumber), (s) => s.status !== "RUNNING");
    expect(done.status).toBe("COMPLETED");
    const creditCode = stepOf(done, "establishment").output.creditCode;

    // 并联审批: seal, tax and social insurance all started before any of them finished.
    const parallel = ["seal", "tax", "social-insurance"].map((k) => stepOf(done, k));
    const lastStart = Math.max(...parallel.map((s) => Date.parse(s.startedAt)));
    const firstFinish = Math.min(...parallel.map((s) => Date.parse(s.finishedAt)));
    expect(lastStart).toBeLessThanOrEqual(firstFinish);

    // Each department step ran exactly once: one licence of each kind, two seals, two enrolments.
    const licences = await queryDatabase<{ type_code: string; n: number }>(
      db.url, "SELECT type_code, count(*)::int AS n FROM licenses.licences WHERE holder_id = $1 GROUP BY type_code ORDER BY type_code", [creditCode],
    );
    expect(licences).toEqual([{ type_code: "BL", n: 1 }, { type_code: "SEAL", n: 2 }, { type_code: "SIREG", n: 1 }, { type_code: "TAXREG", n: 1 }]);
    const enrolled = await queryDatabase<{ n: number }>(db.url, "SELECT count(*)::int AS n FROM social_insurance.employments WHERE employer_credit_code = $1", [creditCode]);
    expect(enrolled[0].n).toBe(2);

    // The hub's signed receipt: what was issued, where each datum came from; tampering is detected.
    const receipt = done.receipt;
    expect(receipt.steps.find((s: { step: string }) => s.step === "establishment").issued.creditCode).toBe(creditCode);
    const sourceOf = (f: string) => receipt.data.find((d: { field: string }) => d.field === f).source;
    expect(sourceOf("enterprise.legal_representative_id_number")).toMatch(/identity/);
    expect(sourceOf("enterprise.address")).toBe("typed once by the applicant");
    expect(receipt.materials.map((m: { type: string }) => m.type).sort()).toEqual(["ARTICLES_OF_ASSOCIATION", "PREMISES_PROOF"]);
    expect((await bus.call<{ valid: boolean }, object>("bundles.verifyReceipt", { receipt })).valid).toBe(true);
    const forged = { ...receipt, steps: receipt.steps.slice(1) };
    expect((await bus.call<{ valid: boolean }, object>("bundles.verifyReceipt", { receipt: forged })).valid).toBe(false);

    // Its life in the gateways' logs: one info line per event, with ids and durations, no personal data.
    const lines = () =>
      ["gateway-a", "gateway-b"].flatMap((g) => procs.get(g)!.logs().split("\n")).filter((l) => l.includes(applicationId)).map((l) => JSON.parse(l) as Record<string, unknown>);
    const events = await until(async () => lines().map((l) => l.msg), (m) => m.includes("application finished"), 30_000);
    for (const msg of ["application submitted", "step dispatched", "supplement received", "decision taken", "step succeeded", "application finished"]) expect(events).toContain(msg);
    const finished = lines().find((l) => l.msg === "application finished")!;
    expect(finished).toMatchObject({ bundle: "START_BUSINESS", status: "COMPLETED", durationMs: expect.any(Number) });
    expect(lines().find((l) => l.msg === "step succeeded")).toMatchObject({ department: expect.any(String), callMs: expect.any(Number) });
    const text = lines().map((l) => JSON.stringify(l)).join("\n");
    for (const personal of [applicant.idNumber, applicant.name, people[21].idNumber]) expect(text).not.toContain(personal);
  }, 120_000);

  it("asks each service what it needs once: a 开办企业 takes at most 20 requests between the services (40 bus messages with their replies)", async () => {
    // Every request packet on this hub's bus, but the test's own (submit, status, decide).
    const nc = await natsConnect({ servers: NATS_URL });
    const requests: string[] = [];
    const sub = nc.subscribe(`MOL-${env.TONGBAN_NAMESPACE}.>`);
    const counting = (async () => {
      for await (const m of sub) {
        if (!/\.REQB?\./.test(m.subject)) continue;
        const packet = JSON.parse(new TextDecoder().decode(m.data)) as { action: string; sender: string };
        if (!packet.sender.startsWith("bundles-test-")) requests.push(packet.action);
      }
    })();
    try {
      await nc.flush();
      // People no other case here uses (a person is insured by one employer at a time).
      const applicant = people[61];
      const premises = await bus.call<{ materialId: string }, object>("materials.upload", {
        owner: applicant.idNumber, typeCode: "PREMISES_PROOF", fileName: "租赁合同.pdf", contentType: "application/pdf", contentBase64: pdf(2000),
      });
      const articles = await bus.call<{ materialId: string }, object>("materials.upload", {
        owner: applicant.idNumber, typeCode: "ARTICLES_OF_ASSOCIATION", fileName: "公司章程.pdf", contentType: "application/pdf", contentBase64: pdf(2001),
      });
      const { applicationId } = await bus.call<{ applicationId: string }, object>("bundles.submit", {
        applicant: applicant.idNumber, bundleCode: "START_BUSINESS", consent: START_BUSINESS_CONSENT, clientKey: key("client"),
        form: startBusinessForm(applicant, [people[62]]), materials: { ARTICLES_OF_ASSOCIATION: articles.materialId, PREMISES_PROOF: premises.materialId },
      });
      await approveEstablishment(applicationId, applicant.idNumber);
      const done = await until(() => status(applicationId, applicant.idNumber), (s) => s.status !== "RUNNING");
      expect(done.status).toBe("COMPLETED");
      await nc.flush();
    } finally {
      sub.unsubscribe();
      await counting;
      await nc.close();
    }
    const byAction = requests.reduce<Record<string, number>>((m, a) => ({ ...m, [a]: (m[a] ?? 0) + 1 }), {});
    // 7 steps; the applicant, the legal representative and the employee read once each; the entity
    // registered and read once for its business licence; 5 licences (with 2 seals); the enterprise
    // read by tax and social insurance, whose licences check the business licence where they are issued.
    if (requests.length > 20) throw new Error(`${requests.length} requests between the services: ${JSON.stringify(byAction)}`);
    expect(byAction["bundles.submit"]).toBeUndefined();
    expect(byAction["licenses.verifyLicence"]).toBeUndefined();
    expect(byAction["identity.getEntity"]).toBe(1);
  }, 120_000);

  it("runs 员工录用, 企业变更 and 企业注销 for a registered enterprise", async () => {
    const applicant = people[33];
    const started = await submitStartBusiness(applicant, startBusinessForm(applicant, [people[34]]));
    await supplyPremises(started, applicant);
    await approveEstablishment(started, applicant.idNumber);
    const opened = await until(() => status(started, applicant.idNumber), (s) => s.status !== "RUNNING");
    expect(opened.status).toBe("COMPLETED");
    const creditCode = stepOf(opened, "establishment").output.creditCode;
    const submitBundle = async (bundleCode: string, form: Record<string, unknown>, materials: Record<string, string> = {}) =>
      (await bus.call<{ applicationId: string }, object>("bundles.submit", { applicant: applicant.idNumber, bundleCode, clientKey: key(bundleCode), form, materials })).applicationId;
    const upload = async (typeCode: string, n: number) =>
      (await bus.call<{ materialId: string }, object>("materials.upload", { owner: applicant.idNumber, typeCode, fileName: `${typeCode}.pdf`, contentType: "application/pdf", contentBase64: pdf(n) })).materialId;

    // 员工录用: social insurance and income-tax withholding in parallel, once per employee.
    const hired = await submitBundle("HIRE_EMPLOYEE", {
      "enterprise.credit_code": creditCode,
      employees: [people[35], people[36]].map((p) => ({ id_number: p.idNumber, monthly_wage: "8000", start_date: "2026-11-21" })),
    }, { LABOUR_CONTRACT: await upload("LABOUR_CONTRACT", 6999) });
    const hiring = await until(() => status(hired, applicant.idNumber), (s) => s.status !== "RUNNING");
    expect(hiring.status).toBe("COMPLETED");
    expect(hiring.steps.map((s: { stepKey: string }) => s.stepKey)).toEqual(["enrolment#0", "enrolment#1", "withholding#0", "withholding#1"]);

    // 企业变更: one application; the proof of premises uploaded for 开办企业 is reused, not asked again;
    // the licence is reissued and tax and social insurance follow.
    const form = await bus.call<{ materials: Array<{ type: string; reuse?: { materialId: string } }> }, object>("bundles.form", { applicant: applicant.idNumber, bundleCode: "CHANGE_REGISTRATION" });
    const premises = form.materials.find((m) => m.type === "PREMISES_PROOF")!.reuse!.materialId;
    const change = await submitBundle("CHANGE_REGISTRATION", { "enterprise.credit_code": creditCode, "enterprise.new_address": "四川省成都市锦江区东大街99号" }, {
      SHAREHOLDER_RESOLUTION: await upload("SHAREHOLDER_RESOLUTION", 7000),
      PREMISES_PROOF: premises,
    });
    await until(() => status(change, applicant.idNumber), (s) => stepOf(s, "change").status === "WAITING_DECISION");
    await bus.call("bundles.decide", { applicationId: change, stepKey: "change", outcome: "APPROVE", comment: "准予变更" }, samr);
    expect((await until(() => status(change, applicant.idNumber), (s) => s.status !== "RUNNING")).status).toBe("COMPLETED");
    // The reissued business licence is the next version of the same national identifier (GB/T 36904).
    const { licences } = await bus.call<{ licences: Array<{ number: string; typeCode: string; status: string; supersededBy: string }> }, object>(
      "licenses.listLicencesByHolder", { holderId: creditCode, caseId: "c" }, samr);
    const bls = licences.filter((l) => l.typeCode === "BL");
    const current = bls.find((l) => l.status === "LICENCE_STATUS_VALID")!;
    const previous = bls.find((l) => l.status === "LICENCE_STATUS_SUPERSEDED")!;
    expect(previous.supersededBy).toBe(current.number);
    expect(current.number.split(".").slice(0, -2)).toEqual(previous.number.split(".").slice(0, -2));
    expect([previous.number.split(".").at(-2), current.number.split(".").at(-2)]).toEqual(["001", "002"]);
    const hrss = { meta: { caller: { department: "hrss" } } };
    await until(() => bus.call<{ address: string }, object>("tax.getTaxpayer", { creditCode, caseId: "c" }, { meta: { caller: { department: "tax" } } }), (t) => t.address === "四川省成都市锦江区东大街99号");
    await until(() => bus.call<{ address: string }, object>("social-insurance.getEmployer", { creditCode, caseId: "c" }, hrss), (e) => e.address === "四川省成都市锦江区东大街99号");

    // 企业注销: the employees leave first (社保减员); then clearances in parallel, deregistration, licence revoked.
    const employments = await queryDatabase<{ employment_id: string }>(db.url, "SELECT employment_id FROM social_insurance.employments WHERE employer_credit_code = $1 AND status = 'EMPLOYMENT_STATUS_ACTIVE'", [creditCode]);
    for (const e of employments) await bus.call("social-insurance.endEmployment", { idempotencyKey: key("end"), employmentId: e.employment_id, reason: "解除劳动合同" }, hrss);
    const close = await submitBundle("CLOSE_BUSINESS", { "enterprise.credit_code": creditCode, "enterprise.deregistration_reason": "股东会决议解散" }, {
      DEREGISTRATION_RESOLUTION: await upload("DEREGISTRATION_RESOLUTION", 7001),
      LIQUIDATION_REPORT: await upload("LIQUIDATION_REPORT", 7002),
    });
    await until(() => status(close, applicant.idNumber), (s) => stepOf(s, "deregistration").status === "WAITING_DECISION");
    await bus.call("bundles.decide", { applicationId: close, stepKey: "deregistration", outcome: "APPROVE", comment: "准予注销" }, samr);
    const closed = await until(() => status(close, applicant.idNumber), (s) => s.status !== "RUNNING");
    expect(closed.status).toBe("COMPLETED");
    const enterprise = await queryDatabase<{ status: string }>(db.url, "SELECT status FROM registration.enterprises WHERE credit_code = $1", [creditCode]);
    expect(enterprise[0].status).toBe("ENTERPRISE_STATUS_DEREGISTERED");
  }, 150_000);

  it("holds a refused sub-item for correction while the rest goes on; corrected, it runs again and the application completes", async () => {
    const applicant = people[40];
    // A credit line far above a small-scale taxpayer's limit: the invoice grant is refused, and held.
    const applicationId = await submitStartBusiness(applicant, startBusinessForm(applicant, [people[41]], "9000000"));
    await supplyPremises(applicationId, applicant);
    await approveEstablishment(applicationId, applicant.idNumber);
    const held = await until(
      () => status(applicationId, applicant.idNumber),
      (s) => stepOf(s, "invoices").status === "HELD" && stepOf(s, "enrolment#0").status === "SUCCEEDED",
    );
    expect(held.status).toBe("RUNNING");
    expect(stepOf(held, "invoices").error.reasonCode).toBe("INVOICE_LIMIT_EXCEEDED");
    for (const k of ["name", "establishment", "seal", "tax", "social-insurance"]) expect(stepOf(held, k).status).toBe("SUCCEEDED");

    // Only the held step's own fields can be corrected, and only while it is held.
    await expect(bus.call("bundles.correct", { applicationId, applicant: applicant.idNumber, stepKey: "invoices", fields: { "enterprise.address": "x" } }))
      .rejects.toMatchObject({ type: "INVALID_ARGUMENT", data: { field: "fields.enterprise.address" } });
    // A bad value is named as the request gives it, under fields.
    await expect(bus.call("bundles.correct", { applicationId, applicant: applicant.idNumber, stepKey: "invoices", fields: { "tax.monthly_credit_line": "-5" } }))
      .rejects.toMatchObject({ type: "INVALID_ARGUMENT", data: { field: "fields.tax.monthly_credit_line" } });
    await expect(bus.call("bundles.correct", { applicationId, applicant: applicant.idNumber, stepKey: "invoices", fields: { "tax.monthly_credit_line": 50000 } }))
      .rejects.toMatchObject({ type: "INVALID_ARGUMENT", data: { field: "fields.tax.monthly_credit_line", reason: expect.stringContaining("written as text") } });
    await expect(bus.call("bundles.correct", { applicationId, applicant: applicant.idNumber, stepKey: "seal", drop: true }))
      .rejects.toMatchObject({ data: { reasonCode: "STEP_NOT_HELD" } });
    await expect(bus.call("bundles.correct", { applicationId, applicant: people[42].idNumber, stepKey: "invoices", drop: true }))
      .rejects.toMatchObject({ type: "NOT_FOUND" });
    await bus.call("bundles.correct", { applicationId, applicant: applicant.idNumber, stepKey: "invoices", fields: { "tax.monthly_credit_line": "50000" } });
    const done = await until(() => status(applicationId, applicant.idNumber), (s) => s.status !== "RUNNING");
    expect(done.status).toBe("COMPLETED");
    expect(stepOf(done, "invoices").status).toBe("SUCCEEDED");
    const creditCode = stepOf(done, "establishment").output.creditCode;
    const grants = await queryDatabase<{ n: number }>(db.url, "SELECT count(*)::int AS n FROM tax.invoice_grants WHERE credit_code = $1 AND status = 'GRANT_STATUS_ACTIVE'", [creditCode]);
    expect(grants[0].n).toBe(1);
    expect(done.receipt.steps.find((x: { step: string }) => x.step === "invoices").status).toBe("SUCCEEDED");
  }, 120_000);

  it("drops a held employee at the applicant's word: the company and the other employee stay, the receipt says so", async () => {
    const applicant = people[43];
    // people[44] is already insured by an earlier application: their enrolment is refused and held.
    const first = await submitStartBusiness(applicant, startBusinessForm(applicant, [people[44]]));
    await supplyPremises(first, applicant);
    await approveEstablishment(first, applicant.idNumber);
    expect((await until(() => status(first, applicant.idNumber), (s) => s.status !== "RUNNING")).status).toBe("COMPLETED");

    const second = await submitStartBusiness(applicant, startBusinessForm(applicant, [people[45], people[44]]));
    await supplyPremises(second, applicant);
    await approveEstablishment(second, applicant.idNumber);
    // Wait for a state that holds in every interleaving: the other employee's enrolment runs beside the held one.
    const held = await until(
      () => status(second, applicant.idNumber),
      (s) => stepOf(s, "enrolment#1").status === "HELD" && stepOf(s, "invoices").status === "SUCCEEDED" && stepOf(s, "enrolment#0").status === "SUCCEEDED",
    );
    expect(held.status).toBe("RUNNING");
    expect(stepOf(held, "enrolment#1").error.reasonCode).toBeDefined();
    // A corrected employee is checked as the request gives it (item.…), and may not be one the list already holds.
    const correctItem = (id_number: string) =>
      bus.call("bundles.correct", { applicationId: second, applicant: applicant.idNumber, stepKey: "enrolment#1", item: { id_number, monthly_wage: "8000", start_date: "2026-11-20" } });
    await expect(correctItem("123")).rejects.toMatchObject({ type: "INVALID_ARGUMENT", data: { field: "item.id_number" } });
    await expect(correctItem(people[45].idNumber)).rejects.toMatchObject({ type: "INVALID_ARGUMENT", data: { field: "item.id_number", reason: "is the same person as employees[0]" } });
    expect(stepOf(await status(second, applicant.idNumber), "enrolment#1").status).toBe("HELD");
    await bus.call("bundles.correct", { applicationId: second, applicant: applicant.idNumber, stepKey: "enrolment#1", drop: true });
    const done = await until(() => status(second, applicant.idNumber), (s) => s.status !== "RUNNING");
    expect(done.status).toBe("COMPLETED");
    expect(stepOf(done, "enrolment#1").status).toBe("DROPPED");
    expect(done.receipt.steps.find((x: { step: string }) => x.step === "enrolment#1").status).toBe("DROPPED");
    const creditCode = stepOf(done, "establishment").output.creditCode;
    const employed = await queryDatabase<{ id_number: string }>(db.url, "SELECT id_number FROM social_insurance.employments WHERE employer_credit_code = $1", [creditCode]);
    expect(employed.map((e) => e.id_number)).toEqual([people[45].idNumber]);
    const enterprise = await queryDatabase<{ status: string }>(db.url, "SELECT status FROM registration.enterprises WHERE credit_code = $1", [creditCode]);
    expect(enterprise[0].status).toBe("ENTERPRISE_STATUS_ACTIVE");
  }, 150_000);

  it("withdraws (撤回) a running application: everything done is undone, dependants before what they need", async () => {
    const applicant = people[23];
    const applicationId = await submitStartBusiness(applicant, startBusinessForm(applicant, [people[24]], "9000000"));
    await supplyPremises(applicationId, applicant);
    await approveEstablishment(applicationId, applicant.idNumber);
    // Wait for a state that holds in every interleaving: the invoice grant held, every other step done.
    await until(() => status(applicationId, applicant.idNumber), (s) => stepOf(s, "invoices").status === "HELD" && stepOf(s, "enrolment#0").status === "SUCCEEDED");
    await expect(bus.call("bundles.withdraw", { applicationId, applicant: applicant.idNumber })).rejects.toMatchObject({ data: { field: "reason" } });
    await bus.call("bundles.withdraw", { applicationId, applicant: applicant.idNumber, reason: "不再开办" });
    // Withdrawing again is answered the same.
    await bus.call("bundles.withdraw", { applicationId, applicant: applicant.idNumber, reason: "不再开办" });
    const end = await until(() => status(applicationId, applicant.idNumber), (s) => s.status === "COMPENSATED", 90_000);
    expect(end.failure).toMatchObject({ reasonCode: "WITHDRAWN_BY_APPLICANT" });
    expect(stepOf(end, "invoices").status).toBe("CANCELLED");
    for (const k of ["name", "establishment", "seal", "tax", "social-insurance", "enrolment#0"]) expect(stepOf(end, k).status).toBe("COMPENSATED");
    // Reverse order: a step is undone only after every step that needed it.
    const undoneAt = (k: string) => Date.parse(stepOf(end, k).undoneAt);
    for (const k of ["seal", "tax", "social-insurance"]) expect(undoneAt("establishment")).toBeGreaterThanOrEqual(undoneAt(k));
    expect(undoneAt("social-insurance")).toBeGreaterThanOrEqual(undoneAt("enrolment#0"));
    expect(undoneAt("name")).toBeGreaterThanOrEqual(undoneAt("establishment"));
    const creditCode = stepOf(end, "establishment").output.creditCode;
    const live = await queryDatabase(db.url, "SELECT number FROM licenses.licences WHERE holder_id = $1 AND status NOT IN ('LICENCE_STATUS_REVOKED')", [creditCode]);
    expect(live).toEqual([]);
    const enterprise = await queryDatabase<{ status: string }>(db.url, "SELECT status FROM registration.enterprises WHERE credit_code = $1", [creditCode]);
    expect(enterprise[0].status).toBe("ENTERPRISE_STATUS_CANCELLED");
    const employments = await queryDatabase<{ status: string }>(db.url, "SELECT status FROM social_insurance.employments WHERE employer_credit_code = $1", [creditCode]);
    expect(employments.map((e) => e.status)).not.toContain("EMPLOYMENT_STATUS_ACTIVE");
    const taxpayer = await queryDatabase<{ status: string }>(db.url, "SELECT status FROM tax.taxpayers WHERE credit_code = $1", [creditCode]);
    expect(taxpayer[0].status).not.toBe("TAXPAYER_STATUS_ACTIVE");
    await expect(bus.call("bundles.withdraw", { applicationId, applicant: applicant.idNumber, reason: "再撤一次" })).resolves.toBeDefined();
  }, 120_000);

  it("answers a status view on one replica with what another replica wrote just before", async () => {
    const applicant = people[36];
    const on = (name: string) => ({ nodeID: nodeIds.get(name)! });
    const statusOn = (name: string, applicationId: string) => bus.call<any, object>("bundles.status", { applicationId, applicant: applicant.idNumber }, on(name));
    // Submitted on replica a, which keeps the state it wrote (and answers status views from it while no one else writes).
    const articles = await bus.call<{ materialId: string }, object>("materials.upload", {
      owner: applicant.idNumber, typeCode: "ARTICLES_OF_ASSOCIATION", fileName: "公司章程.pdf", contentType: "application/pdf", contentBase64: pdf(3600),
    });
    const premises = await bus.call<{ materialId: string }, object>("materials.upload", {
      owner: applicant.idNumber, typeCode: "PREMISES_PROOF", fileName: "租赁合同.pdf", contentType: "application/pdf", contentBase64: pdf(3601),
    });
    const { applicationId } = await bus.call<{ applicationId: string }, object>("bundles.submit", {
      applicant: applicant.idNumber, bundleCode: "START_BUSINESS", consent: START_BUSINESS_CONSENT, clientKey: key("replicas"), form: startBusinessForm(applicant, [people[37]]),
      materials: { ARTICLES_OF_ASSOCIATION: articles.materialId, PREMISES_PROOF: premises.materialId },
    }, on("gateway-a"));
    const waitingForOfficer = await until(() => statusOn("gateway-a", applicationId), (s) => stepOf(s, "establishment").status === "WAITING_DECISION");
    // A portal page following the case through replica a's HTTP: a status read waiting for a change of the view it has...
    const http = `http://127.0.0.1:${await reportedPort(procs.get("gateway-a")!, "HTTP")}`;
    const session = await fetch(`${http}/v1/sessions`, {
      method: "POST",
      headers: { authorization: `Bearer ${tokenFor(readCredential(dataDir, "data"))}`, "content-type": "application/json" },
      body: JSON.stringify({ id_number: applicant.idNumber }),
    });
    const { token } = (await session.json()) as { token: string };
    const watchOnA = async () => (await bus.call<{ statusWatch: { waiting: number; woken: number; remoteChanges: number; listening: boolean } }, object>("bundles.engineStats", {}, on("gateway-a"))).statusWatch;
    await until(watchOnA, (w) => w.listening);
    const before = await watchOnA();
    const waiting = fetch(`${http}/v1/applications/${applicationId}`, {
      headers: { authorization: `Bearer ${token}`, "if-none-match": waitingForOfficer.etag, prefer: "wait=30" },
    });
    await until(watchOnA, (w) => w.waiting > before.waiting);
    // The officer's decision is written by replica b; replica a's next status view must show it at once.
    const decided = await bus.call<any, object>("bundles.decide", { applicationId, stepKey: "establishment", outcome: "APPROVE", comment: "准予登记" }, { ...samr, ...on("gateway-b") });
    expect(stepOf(decided, "establishment").decision).toMatchObject({ outcome: "APPROVE" });
    // ...is answered by that change, told by replica b through PostgreSQL NOTIFY, not by its time.
    const answered = await waiting;
    expect(answered.status).toBe(200);
    expect(answered.headers.get("preference-applied")).toBe("wait=30");
    expect(answered.headers.get("etag")).not.toBe(waitingForOfficer.etag);
    const view = (await answered.json()) as { steps: Array<{ step_key: string; decision?: unknown }> };
    expect(view.steps.find((s) => s.step_key === "establishment")?.decision).toMatchObject({ outcome: "APPROVE" });
    const after = await watchOnA();
    expect(after.woken).toBeGreaterThan(before.woken);
    expect(after.remoteChanges).toBeGreaterThan(before.remoteChanges);
    const seenOnA = await statusOn("gateway-a", applicationId);
    expect(stepOf(seenOnA, "establishment").status).not.toBe("WAITING_DECISION");
    expect(stepOf(seenOnA, "establishment").decision).toMatchObject({ outcome: "APPROVE" });
    const done = await until(() => statusOn("gateway-a", applicationId), (s) => s.status !== "RUNNING");
    expect(done.status).toBe("COMPLETED");
  }, 120_000);

  it("finishes an application whose gateway was killed in the middle, every step executed once", async () => {
    const applicant = people[25];
    const applicationId = await submitStartBusiness(applicant, startBusinessForm(applicant, [people[26], people[27], people[28]]));
    await supplyPremises(applicationId, applicant);
    await approveEstablishment(applicationId, applicant.idNumber);
    // Kill one replica at once, mid-dispatch of the parallel steps; the other takes the leases over.
    procs.get("gateway-a")!.proc.kill("SIGKILL");
    await start("gateway-a", "gateway");
    const done = await until(() => status(applicationId, applicant.idNumber), (s) => s.status !== "RUNNING", 90_000);
    expect(done.status).toBe("COMPLETED");
    const creditCode = stepOf(done, "establishment").output.creditCode;
    const counts = await queryDatabase<{ type_code: string; n: number }>(
      db.url, "SELECT type_code, count(*)::int AS n FROM licenses.licences WHERE holder_id = $1 GROUP BY type_code ORDER BY type_code", [creditCode],
    );
    expect(counts).toEqual([{ type_code: "BL", n: 1 }, { type_code: "SEAL", n: 2 }, { type_code: "SIREG", n: 1 }, { type_code: "TAXREG", n: 1 }]);
    const enrolled = await queryDatabase<{ n: number }>(db.url, "SELECT count(*)::int AS n FROM social_insurance.employments WHERE employer_credit_code = $1", [creditCode]);
    expect(enrolled[0].n).toBe(3);
  }, 150_000);

  it("lets a back-office officer see, fetch and reject a step over gRPC; the application stops and is compensated", async () => {
    const applicant = people[31];
    const applicationId = await submitStartBusiness(applicant, startBusinessForm(applicant, [people[32]]));
    await supplyPremises(applicationId, applicant);
    await until(() => status(applicationId, applicant.idNumber), (s) => stepOf(s, "establishment").status === "WAITING_DECISION");
    const client = new HubClient(`127.0.0.1:${await reportedPort(procs.get("gateway-b")!, "gRPC edge")}`);
    try {
      const samrCred = readCredential(dataDir, "samr");
      const { pending } = await client.call("CaseService/ListPendingDecisions", {}, samrCred);
      const mine = pending.find((p: { applicationId: string }) => p.applicationId === applicationId);
      // The officer sees this step's fields and materials only.
      expect(mine.fields.map((f: { name: string }) => f.name).sort()).toEqual(
        ["enterprise.address", "enterprise.business_scope_codes", "enterprise.investors", "enterprise.legal_representative_id_number", "enterprise.liaison_name", "enterprise.liaison_phone", "enterprise.registered_capital"],
      );
      const premises = mine.materials.find((m: { type: string }) => m.type === "PREMISES_PROOF");
      const file = await client.call("CaseService/FetchMaterial", { applicationId, materialId: premises.materialId }, samrCred);
      expect(Buffer.from(file.content).subarray(0, 5).toString()).toBe("%PDF-");
      const taxCred = readCredential(dataDir, "tax");
      await expectStatus(client.call("CaseService/Decide", { applicationId, stepKey: "establishment", outcome: "OUTCOME_APPROVE", comment: "不是我的" }, taxCred), grpcStatus.PERMISSION_DENIED);
      const decided = await client.call("CaseService/Decide", { applicationId, stepKey: "establishment", outcome: "OUTCOME_REJECT", comment: "住所证明与登记住所不符" }, samrCred);
      expect(decided.applicationId).toBe(applicationId);
    } finally {
      client.close();
    }
    const end = await until(() => status(applicationId, applicant.idNumber), (s) => s.status === "COMPENSATED");
    expect(end.failure).toMatchObject({ step: "establishment", reasonCode: "REJECTED_BY_OFFICER" });
    expect(stepOf(end, "name").status).toBe("COMPENSATED");
    expect(stepOf(end, "seal").status).toBe("CANCELLED");
    const accesses = await queryDatabase<{ reader: string; case_id: string }>(db.url, "SELECT reader, case_id FROM gateway.data_uses WHERE subject_id = $1", [applicant.idNumber]);
    expect(accesses).toContainEqual({ reader: "samr", case_id: applicationId });
  }, 90_000);

  it("accepts concurrent duplicate submissions as one application", async () => {
    const applicant = people[29];
    const form = startBusinessForm(applicant, [people[30]]);
    const clientKey = key("dup");
    const articles = await bus.call<{ materialId: string }, object>("materials.upload", {
      owner: applicant.idNumber, typeCode: "ARTICLES_OF_ASSOCIATION", fileName: "公司章程.pdf", contentType: "application/pdf", contentBase64: pdf(5000),
    });
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        bus.call<{ applicationId: string; queryCode: string }, object>("bundles.submit", {
          applicant: applicant.idNumber, bundleCode: "START_BUSINESS", consent: START_BUSINESS_CONSENT, clientKey, form, materials: { ARTICLES_OF_ASSOCIATION: articles.materialId },
        }),
      ),
    );
    expect(new Set(results.map((r) => r.applicationId)).size).toBe(1);
    expect(new Set(results.map((r) => r.queryCode)).size).toBe(1);
    const rows = await queryDatabase<{ n: number }>(db.url, "SELECT count(*)::int AS n FROM gateway.applications WHERE applicant = $1", [applicant.idNumber]);
    expect(rows[0].n).toBe(1);
    const lookup = await bus.call<any, object>("bundles.lookup", { applicationId: results[0].applicationId, queryCode: results[0].queryCode });
    expect(lookup.steps[0].output).toBeUndefined();
    await expect(bus.call("bundles.lookup", { applicationId: results[0].applicationId, queryCode: "00000000" })).rejects.toMatchObject({ type: "NOT_FOUND" });
  }, 60_000);

  it("runs 1,000 waiting applications to the end on two replicas, each department step exactly once", async () => {
    const N = 1000;
    const applicant = people[50].idNumber;
    const upload = async (typeCode: string, n: number) =>
      (await bus.call<{ materialId: string }, object>("materials.upload", { owner: applicant, typeCode, fileName: `${typeCode}.pdf`, contentType: "application/pdf", contentBase64: pdf(n) })).materialId;
    const articles = await upload("ARTICLES_OF_ASSOCIATION", 9001);
    const premises = await upload("PREMISES_PROOF", 9002);
    // Half wait for an officer, half for the proof of premises (容缺); each with an employee of its own.
    // Employees of working age, none used by another test.
    const employees = people.slice(300).filter((p) => Number(p.idNumber.slice(6, 10)) <= 2004 && Number(p.idNumber.slice(6, 10)) >= 1966);
    expect(employees.length).toBeGreaterThanOrEqual(N);
    const ids: string[] = [];
    await inPool(N, 16, async (i) => {
      const form = formFor({ tradeName: tradeName(i, "阁"), applicant, employees: [employees[i].idNumber] });
      const materials = i % 2 === 0 ? { ARTICLES_OF_ASSOCIATION: articles, PREMISES_PROOF: premises } : { ARTICLES_OF_ASSOCIATION: articles };
      ids.push((await bus.call<{ applicationId: string }, object>("bundles.submit", { applicant, bundleCode: "START_BUSINESS", consent: START_BUSINESS_CONSENT, clientKey: key("many"), form, materials })).applicationId);
    });
    const establishment = (st: string) =>
      queryDatabase<{ application_id: string }>(db.url, "SELECT application_id FROM gateway.application_steps WHERE step_id = 'establishment' AND status = $1 AND application_id = ANY ($2)", [st, ids]);
    await until(async () => (await establishment("WAITING_DECISION")).length + (await establishment("WAITING_MATERIAL")).length, (n) => n === N, 240_000);
    // Both replicas take events (calls are balanced): supplements and approvals at once.
    const approve = (applicationId: string) => bus.call("bundles.decide", { applicationId, stepKey: "establishment", outcome: "APPROVE", comment: "准予登记" }, samr);
    const supply = (applicationId: string) => bus.call("bundles.supplement", { applicationId, applicant, materialType: "PREMISES_PROOF", materialId: premises });
    const [deciding, supplying] = [(await establishment("WAITING_DECISION")).map((r) => r.application_id), (await establishment("WAITING_MATERIAL")).map((r) => r.application_id)];
    await Promise.all([inPool(deciding.length, 8, (i) => approve(deciding[i])), inPool(supplying.length, 8, (i) => supply(supplying[i]))]);
    const nowDeciding = await until(() => establishment("WAITING_DECISION"), (r) => r.length === supplying.length, 120_000);
    await inPool(nowDeciding.length, 8, (i) => approve(nowDeciding[i].application_id));
    const finished = () => queryDatabase<{ status: string; n: number }>(db.url, "SELECT status, count(*)::int AS n FROM gateway.applications WHERE application_id = ANY ($1) AND status <> 'RUNNING' GROUP BY status", [ids]);
    await until(finished, (r) => r.reduce((sum, x) => sum + x.n, 0) === N, 400_000);
    const failures = await queryDatabase(db.url, "SELECT failure ->> 'step' AS step, failure ->> 'type' AS type, left(failure ->> 'message', 200) AS message, count(*)::int AS n FROM gateway.applications WHERE application_id = ANY ($1) AND status <> 'COMPLETED' GROUP BY 1, 2, 3", [ids]);
    expect(failures).toEqual([]);

    // Exactly once: per enterprise one BL, one SEAL, one TAXREG, one SIREG, one employment; one name per case.
    const codes = (await queryDatabase<{ code: string }>(db.url, "SELECT output ->> 'creditCode' AS code FROM gateway.application_steps WHERE step_id = 'establishment' AND application_id = ANY ($1)", [ids])).map((r) => r.code);
    expect(new Set(codes).size).toBe(N);
    const licences = await queryDatabase<{ type_code: string; holders: number; n: number }>(
      db.url, "SELECT type_code, count(DISTINCT holder_id)::int AS holders, count(*)::int AS n FROM licenses.licences WHERE holder_id = ANY ($1) GROUP BY type_code ORDER BY type_code", [codes],
    );
    expect(licences).toEqual(["BL", "SEAL", "SIREG", "TAXREG"].map((type_code) => ({ type_code, holders: N, n: N })));
    const employments = await queryDatabase<{ n: number; employers: number }>(db.url, "SELECT count(*)::int AS n, count(DISTINCT employer_credit_code)::int AS employers FROM social_insurance.employments WHERE employer_credit_code = ANY ($1)", [codes]);
    expect(employments).toEqual([{ n: N, employers: N }]);
    const names = await queryDatabase<{ n: number; cases: number }>(db.url, "SELECT count(*)::int AS n, count(DISTINCT case_id)::int AS cases FROM registration.name_reservations WHERE case_id = ANY ($1)", [ids]);
    expect(names).toEqual([{ n: N, cases: N }]);
    const grants = await queryDatabase<{ n: number }>(db.url, "SELECT count(*)::int AS n FROM tax.invoice_grants WHERE credit_code = ANY ($1)", [codes]);
    expect(grants).toEqual([{ n: N }]);
  }, 900_000);
});
