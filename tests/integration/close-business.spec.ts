/**
 * 企业注销 that does not happen leaves nothing behind, on the embedded hub in this process: when
 * social insurance refuses its clearance (an employee still insured), or when the officer rejects
 * the deregistration after both clearances, the tax clearance is revoked — certificate revoked,
 * invoice grant active again, taxpayer as before — and the employer's clearance no longer holds.
 * Asserts the final state, which must hold in every interleaving of the parallel clearances.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadConfig } from "../../services/common/config";
import { startHub, type Hub } from "../../services/hub";
import { generatePopulation } from "../../services/identity/seed/population";
import { eventually } from "../support/eventually";
import { startBusinessForm, tradeName, START_BUSINESS_CONSENT } from "../support/start-business";

const SEED = 120;
const people = generatePopulation(SEED, 20261122);
const pdf = (n: number) => Buffer.from(`%PDF-1.4\n% material ${n}\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n`).toString("base64");
const as = (department: string) => ({ meta: { caller: { department } } });
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tongban-close-"));
let hub: Hub;
let n = 0;

const call = <T = any>(action: string, params: object, opts?: object) => hub.broker.call<T, object>(action, params, opts);
const upload = async (owner: string, typeCode: string) =>
  (await call<{ materialId: string }>("materials.upload", { owner, typeCode, fileName: `${typeCode}.pdf`, contentType: "application/pdf", contentBase64: pdf(n++) })).materialId;
const status = (applicationId: string, applicant: string) => call("bundles.status", { applicationId, applicant });
const stepOf = (s: any, k: string) => s.steps.find((x: { stepKey: string }) => x.stepKey === k);
const rows = async <T = any>(schema: string, sql: string, params: unknown[]) => (await (await hub.runtime.databases.get(schema)!).query<T>(sql, params)).rows;

/** Opens a company (legal representative and investor: `owner`) with one insured employee; its credit code. */
async function openCompany(owner: string, employee: string, i: number): Promise<string> {
  const form = startBusinessForm({ tradeName: tradeName(i, "轩"), applicant: owner, employees: [employee] });
  const materials = { ARTICLES_OF_ASSOCIATION: await upload(owner, "ARTICLES_OF_ASSOCIATION"), PREMISES_PROOF: await upload(owner, "PREMISES_PROOF") };
  const { applicationId } = await call<{ applicationId: string }>("bundles.submit", { applicant: owner, bundleCode: "START_BUSINESS", consent: START_BUSINESS_CONSENT, clientKey: `close-${crypto.randomUUID()}`, form, materials });
  await eventually(() => status(applicationId, owner), (s) => stepOf(s, "establishment").status === "WAITING_DECISION", 60_000, 50);
  await call("bundles.decide", { applicationId, stepKey: "establishment", outcome: "APPROVE", comment: "准予登记" }, as("samr"));
  const done = await eventually(() => status(applicationId, owner), (s) => s.status !== "RUNNING", 60_000, 50);
  expect(done.status).toBe("COMPLETED");
  return stepOf(done, "establishment").output.creditCode;
}

async function fileClose(owner: string, creditCode: string): Promise<string> {
  const materials = { DEREGISTRATION_RESOLUTION: await upload(owner, "DEREGISTRATION_RESOLUTION"), LIQUIDATION_REPORT: await upload(owner, "LIQUIDATION_REPORT") };
  const form = { "enterprise.credit_code": creditCode, "enterprise.deregistration_reason": "股东会决议解散" };
  return (await call<{ applicationId: string }>("bundles.submit", { applicant: owner, bundleCode: "CLOSE_BUSINESS", clientKey: `close-${crypto.randomUUID()}`, form, materials })).applicationId;
}

/** Tax and social insurance hold nothing of a clearance: as before the application. */
async function expectNothingLeftBehind(creditCode: string) {
  expect((await rows("tax", "SELECT status FROM taxpayers WHERE credit_code = $1", [creditCode]))[0].status).toBe("TAXPAYER_STATUS_ACTIVE");
  expect(await rows("tax", "SELECT status FROM invoice_grants WHERE credit_code = $1", [creditCode])).toEqual([{ status: "GRANT_STATUS_ACTIVE" }]);
  expect(await rows("tax", "SELECT 1 FROM clearances WHERE credit_code = $1", [creditCode])).toEqual([]);
  expect(await call("tax.getClearance", { creditCode }, as("samr"))).toMatchObject({ cleared: false });
  // Every clearance certificate issued for it is revoked.
  const certificates = await rows("licenses", "SELECT status FROM licences WHERE holder_id = $1 AND type_code = 'TAXCLR'", [creditCode]);
  for (const c of certificates) expect(c.status).toBe("LICENCE_STATUS_REVOKED");
  expect(await call("social-insurance.getEmployerClearance", { creditCode }, as("samr"))).toMatchObject({ cleared: false });
  expect((await rows("social_insurance", "SELECT status FROM employers WHERE credit_code = $1", [creditCode]))[0].status).toBe("EMPLOYER_STATUS_ACTIVE");
  expect((await rows("registration", "SELECT status FROM enterprises WHERE credit_code = $1", [creditCode]))[0].status).toBe("ENTERPRISE_STATUS_ACTIVE");
}

beforeAll(async () => {
  hub = await startHub(
    loadConfig({
      DATA_DIR: dataDir, GRPC_PORT: "0", PORT: "0", LOG_LEVEL: "warn", SEED_POPULATION: "0",
      HUB_SECRET: crypto.randomBytes(32).toString("hex"), LICENSE_KEY_SECRET: crypto.randomBytes(32).toString("hex"),
    }),
  );
  await call("identity.seedPopulation", { count: SEED });
}, 120_000);

afterAll(async () => {
  await hub?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

describe("a 企业注销 that does not happen", () => {
  it("revokes the tax clearance when social insurance refuses its own (an employee still insured)", async () => {
    const [owner, employee] = [people[10].idNumber, people[11].idNumber];
    const creditCode = await openCompany(owner, employee, 1);
    const id = await fileClose(owner, creditCode);
    const ended = await eventually(() => status(id, owner), (s) => s.status !== "RUNNING" && s.steps.every((x: any) => !["UNDOING", "RUNNING", "READY"].includes(x.status)), 60_000, 50);
    expect(ended.status).toBe("COMPENSATED");
    expect(ended.failure).toMatchObject({ step: "social-insurance-clearance", reasonCode: "ACTIVE_EMPLOYEES" });
    expect(stepOf(ended, "deregistration").status).not.toBe("SUCCEEDED");
    await expectNothingLeftBehind(creditCode);
  }, 120_000);

  it("revokes both clearances when the officer rejects the deregistration", async () => {
    const [owner, employee] = [people[20].idNumber, people[21].idNumber];
    const creditCode = await openCompany(owner, employee, 2);
    // The employee leaves first (社保减员), so social insurance clears the employer too.
    const [employment] = await rows("social_insurance", "SELECT employment_id FROM employments WHERE employer_credit_code = $1 AND status = 'EMPLOYMENT_STATUS_ACTIVE'", [creditCode]);
    await call("social-insurance.endEmployment", { idempotencyKey: `end-${crypto.randomUUID()}`, employmentId: employment.employment_id, reason: "解除劳动合同" }, as("hrss"));
    const id = await fileClose(owner, creditCode);
    const waiting = await eventually(() => status(id, owner), (s) => stepOf(s, "deregistration").status === "WAITING_DECISION", 60_000, 50);
    expect([stepOf(waiting, "tax-clearance").status, stepOf(waiting, "social-insurance-clearance").status]).toEqual(["SUCCEEDED", "SUCCEEDED"]);
    const certificate = stepOf(waiting, "tax-clearance").output.certificateNumber;
    expect((await rows("social_insurance", "SELECT status FROM employers WHERE credit_code = $1", [creditCode]))[0].status).toBe("EMPLOYER_STATUS_CLEARED");
    expect((await rows("tax", "SELECT status FROM taxpayers WHERE credit_code = $1", [creditCode]))[0].status).toBe("TAXPAYER_STATUS_CLEARED");

    await call("bundles.decide", { applicationId: id, stepKey: "deregistration", outcome: "REJECT", comment: "清算报告不完整" }, as("samr"));
    const ended = await eventually(() => status(id, owner), (s) => s.status !== "RUNNING" && s.steps.every((x: any) => !["UNDOING", "RUNNING", "READY"].includes(x.status)), 60_000, 50);
    expect(ended.status).toBe("COMPENSATED");
    expect([stepOf(ended, "tax-clearance").status, stepOf(ended, "social-insurance-clearance").status]).toEqual(["COMPENSATED", "COMPENSATED"]);
    await expectNothingLeftBehind(creditCode);
    expect(await rows("tax", "SELECT certificate_number FROM revoked_clearances WHERE credit_code = $1", [creditCode])).toEqual([{ certificate_number: certificate }]);

    // Revoking again (a retried compensation, a new key) changes nothing and answers "not cleared".
    const again = await call("tax.revokeClearance", { idempotencyKey: `again-${crypto.randomUUID()}`, creditCode, certificateNumber: certificate, reason: "重复撤销" }, as("data"));
    expect(again).toMatchObject({ cleared: false });
    await expectNothingLeftBehind(creditCode);
    // And the enterprise can be cleared and closed for real afterwards.
    const second = await fileClose(owner, creditCode);
    await eventually(() => status(second, owner), (s) => stepOf(s, "deregistration").status === "WAITING_DECISION", 60_000, 50);
    await call("bundles.decide", { applicationId: second, stepKey: "deregistration", outcome: "APPROVE", comment: "准予注销" }, as("samr"));
    expect((await eventually(() => status(second, owner), (s) => s.status !== "RUNNING", 60_000, 50)).status).toBe("COMPLETED");
    expect((await rows("registration", "SELECT status FROM enterprises WHERE credit_code = $1", [creditCode]))[0].status).toBe("ENTERPRISE_STATUS_DEREGISTERED");
  }, 180_000);
});
