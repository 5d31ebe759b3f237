/**
 * Issue 3, end to end over gRPC with each department in its own process on NATS and PostgreSQL:
 * an enterprise is registered and licensed, registered for tax and social insurance with an
 * employee enrolled, changes its address (tax and social insurance follow, also when tax was down
 * at the time), and is deregistered after clearance. Also: idempotency under concurrent duplicates,
 * compensation, the access records of cross-department reads, and that no request carries data
 * another department already holds.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { status } from "@grpc/grpc-js";
import { expectStatus, HubClient, readCredential, waitUntilServing, type Credential } from "../support/grpc-client";
import { spawnHub, reportedPort, type HubProcess } from "../support/hub-process";
import { createTestDatabase, dropTestDatabase, queryDatabase } from "../support/postgres";
import { NATS_URL, REDIS_URL, requireServers } from "../support/servers";
import { people } from "./hub-flows";
import { generateCreditCode } from "../../services/identity/rules/credit-code";
import { eventually as poll } from "../support/eventually";

/** Departments answer within 40 s here. */
const eventually = <T>(probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 40_000) => poll(probe, ok, timeoutMs, 300);
import { todayInChina } from "../../services/common/validate";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tongban-dept-"));
let db: { name: string; url: string };
let env: Record<string, string>;
const procs = new Map<string, HubProcess>();
let client: HubClient;
let samr: Credential, tax: Credential, hrss: Credential, data: Credential;
const key = (label: string) => `${label}-${crypto.randomUUID()}`;


function start(name: string, extra: Record<string, string> = {}) {
  const p = spawnHub(name, { ...env, SERVICES: name, ...extra });
  procs.set(name, p);
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
    TONGBAN_NAMESPACE: `dept-${crypto.randomBytes(3).toString("hex")}`,
    LICENSE_KEY_SECRET: crypto.randomBytes(32).toString("hex"),
    HUB_SECRET: crypto.randomBytes(32).toString("hex"),
    REQUEST_TIMEOUT_MS: "5000",
  };
  await Promise.all([
    start("identity", { SEED_POPULATION: "200", DEV_CREDENTIALS: "true" }),
    start("licenses"),
    start("business-registration"),
    start("tax"),
    start("social-insurance"),
    start("gateway", { GRPC_PORT: "0", PORT: "0" }),
  ]);
  client = new HubClient(`127.0.0.1:${await reportedPort(procs.get("gateway")!, "gRPC edge")}`);
  await waitUntilServing(client);
  [samr, tax, hrss, data] = ["samr", "tax", "hrss", "data"].map((d) => readCredential(dataDir, d));
}, 180_000);

afterAll(async () => {
  client?.close();
  await Promise.all([...procs.values()].map((p) => p.stop()));
  if (db) await dropTestDatabase(db.name);
  fs.rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

/** Declares a name and registers a company on it with two investors; returns the enterprise. */
async function registerCompany(tradeName: string, rep = people[0], other = people[1]) {
  const reservation = await client.call("BusinessRegistrationService/DeclareName", {
    idempotencyKey: key("decl"), regionCode: "510104", tradeName, industry: "科技", organisationForm: "有限公司",
    enterpriseType: "ENTERPRISE_TYPE_COMPANY", applicantIdNumber: rep.idNumber, caseId: "case-open-1",
  }, samr);
  expect(reservation.fullName).toBe(`成都${tradeName}科技有限公司`);
  return client.call("BusinessRegistrationService/RegisterEnterprise", {
    idempotencyKey: key("reg"), reservationId: reservation.reservationId, registeredCapital: "100",
    address: "四川省成都市锦江区人民南路330号", businessScopeCodes: ["I6510", "I6560"], legalRepresentativeIdNumber: rep.idNumber,
    investors: [{ id: rep.idNumber, contribution: "60" }, { id: other.idNumber, contribution: "40", contributionMethod: "货币" }],
    caseId: "case-open-1",
  }, samr);
}

const usedTradeNames = new Set<string>();
/** A trade name not used yet in this run (the register refuses a taken one). */
function trade(): string {
  const first = "星云青远明启天锦瑞恒嘉华盛泰宏博";
  const second = "河帆松航德辰工程达创智源科宇晨峰";
  for (;;) {
    const name = first[crypto.randomInt(first.length)] + second[crypto.randomInt(second.length)] + second[crypto.randomInt(second.length)];
    if (!usedTradeNames.has(name)) {
      usedTradeNames.add(name);
      return name;
    }
  }
}

describe("departments over gRPC, each in its own process", () => {
  it("registers, licenses, taxes and insures an enterprise, follows its change of address and deregisters it after clearance", async () => {
    const enterprise = await registerCompany(trade());
    expect(enterprise.status).toBe("ENTERPRISE_STATUS_ACTIVE");
    expect(enterprise.creditCode).toMatch(/^915101/);
    expect(enterprise.legalRepresentativeName).toBe(people[0].name);
    expect(enterprise.investors.map((i: { name: string }) => i.name)).toEqual([people[0].name, people[1].name]);
    const code = enterprise.creditCode;
    const licence = await client.call("LicenceService/VerifyLicence", { number: enterprise.licenceNumber, caseId: "case-tax-1" }, tax);
    expect(licence.valid).toBe(true);

    const sealRequest = {
      idempotencyKey: key("seal"), creditCode: code, sealTypes: ["公章", "发票专用章"], engraver: "成都市锦江区刻章社", caseId: "case-open-1",
    };
    const seals = await client.call("BusinessRegistrationService/FileSeals", sealRequest, samr);
    expect(seals.seals).toHaveLength(2);
    // The answer is what was stored: a retry answers the same, and the stored rows match it.
    expect(await client.call("BusinessRegistrationService/FileSeals", sealRequest, samr)).toEqual(seals);
    const stored = await queryDatabase<{ seal_type: string; seal_code: string; licence_number: string }>(
      db.url, "SELECT seal_type, seal_code, licence_number FROM registration.seals WHERE filing_id = $1 ORDER BY seal_code", [seals.filingId]);
    expect(stored.map((r) => ({ sealType: r.seal_type, sealCode: r.seal_code, licenceNumber: r.licence_number }))).toEqual(seals.seals);
    expect(new Set(stored.map((r) => r.seal_type))).toEqual(new Set(["公章", "发票专用章"]));
    // 13 digits: the enterprise's 6-digit region code and a 7-digit serial, each seal its own.
    for (const s of seals.seals) expect(s.sealCode).toMatch(new RegExp(`^${enterprise.regionCode}\\d{7}$`));
    expect(new Set(seals.seals.map((s: { sealCode: string }) => s.sealCode)).size).toBe(2);

    const taxpayer = await client.call("TaxService/RegisterTaxpayer", { idempotencyKey: key("tp"), creditCode: code, caseId: "case-tax-1" }, tax);
    expect(taxpayer).toMatchObject({ taxpayerType: "TAXPAYER_TYPE_SMALL_SCALE", name: enterprise.name, address: enterprise.address });
    expect(taxpayer.taxTypes).toEqual(expect.arrayContaining(["增值税", "企业所得税"]));
    expect(taxpayer.registrationLicenceNumber).toMatch(/^1\.2\.156\.3005\.2\.11100000FX99F12K5H001\.11510100LJKHMP8548\.[0-9A-Z]{18}\.001\.[0-9A-Z]$/);
    await client.call("TaxService/GrantInvoices", { idempotencyKey: key("inv"), creditCode: code, monthlyCreditLine: "50000", caseId: "case-tax-1" }, tax);
    const over = await expectStatus(
      client.call("TaxService/GrantInvoices", { idempotencyKey: key("inv"), creditCode: code, monthlyCreditLine: "5000000", caseId: "case-tax-1" }, tax),
      status.FAILED_PRECONDITION,
    );
    expect(over.metadata.get("reason-code")[0]).toMatch(/INVOICE_LIMIT_EXCEEDED|GRANT_EXISTS/);

    const employer = await client.call("SocialInsuranceService/RegisterEmployer", { idempotencyKey: key("er"), creditCode: code, caseId: "case-si-1" }, hrss);
    expect(employer).toMatchObject({ name: enterprise.name, status: "EMPLOYER_STATUS_ACTIVE" });
    expect(employer.registrationLicenceNumber).toMatch(/^1\.2\.156\.3005\.2\.11100000XMAK9T3B4G001\.11510100G7BRPC727P\./);
    const employment = await client.call("SocialInsuranceService/EnrolEmployee", {
      idempotencyKey: key("emp"), employerCreditCode: code, idNumber: people[2].idNumber, monthlyWage: "12000", startDate: "2026-11-01", caseId: "case-si-1",
    }, hrss);
    expect(employment).toMatchObject({ name: people[2].name, status: "EMPLOYMENT_STATUS_ACTIVE", region: "5101" });
    const withholding = await client.call("TaxService/RegisterWithholding", {
      idempotencyKey: key("wh"), employerCreditCode: code, employeeIdNumber: people[2].idNumber, employmentStart: "2026-11-01", caseId: "case-tax-1",
    }, tax);
    expect(withholding.employeeName).toBe(people[2].name);
    // A second registration of the same employee by the same employer (another key) is refused; the same key answers again.
    const twice = await expectStatus(client.call("TaxService/RegisterWithholding", {
      idempotencyKey: key("wh"), employerCreditCode: code, employeeIdNumber: people[2].idNumber, employmentStart: "2026-11-02", caseId: "case-tax-1",
    }, tax), status.FAILED_PRECONDITION);
    expect(twice.metadata.get("reason-code")).toEqual(["ALREADY_WITHHOLDING"]);
    const notTaxpayer = await expectStatus(client.call("TaxService/RegisterWithholding", {
      idempotencyKey: key("wh"), employerCreditCode: generateCreditCode({ authority: "9", entityType: "1", regionCode: "510104", random: Math.random }), employeeIdNumber: people[2].idNumber, employmentStart: "2026-11-02", caseId: "case-tax-1",
    }, tax), status.NOT_FOUND);
    expect(notTaxpayer.details).toMatch(/taxpayer/);
    const statement = await client.call("SocialInsuranceService/ComputeContributions", { employerCreditCode: code, month: "2026-11" }, hrss);
    expect(statement.lines).toHaveLength(1);
    expect(Number(statement.employerTotal)).toBeGreaterThan(0);

    const moved = await client.call("BusinessRegistrationService/ChangeRegistration", {
      idempotencyKey: key("chg"), creditCode: code, newAddress: "四川省成都市锦江区东大街100号", caseId: "case-change-1",
    }, samr);
    expect(moved.address).toBe("四川省成都市锦江区东大街100号");
    expect(moved.licenceNumber).not.toBe(enterprise.licenceNumber);
    const old = await client.call("LicenceService/VerifyLicence", { number: enterprise.licenceNumber, caseId: "case-tax-2" }, tax);
    expect(old.status).toBe("LICENCE_STATUS_SUPERSEDED");
    await eventually(() => client.call("TaxService/GetTaxpayer", { creditCode: code, caseId: "case-tax-2" }, tax), (t) => t.address === moved.address);
    await eventually(() => client.call("SocialInsuranceService/GetEmployer", { creditCode: code, caseId: "case-si-2" }, hrss), (e) => e.address === moved.address);

    const notYet = await expectStatus(
      client.call("BusinessRegistrationService/Deregister", { idempotencyKey: key("dr"), creditCode: code, reason: "股东会决议解散", caseId: "case-close-1" }, samr),
      status.FAILED_PRECONDITION,
    );
    expect(notYet.metadata.get("reason-code")).toEqual(["TAX_NOT_CLEARED"]);

    const liability = await client.call("TaxService/RecordLiability", { idempotencyKey: key("li"), creditCode: code, taxType: "增值税", period: "2026-11", amount: "1200.50" }, tax);
    const owed = await expectStatus(
      client.call("TaxService/RequestClearance", { idempotencyKey: key("clr"), creditCode: code, caseId: "case-close-1" }, tax),
      status.FAILED_PRECONDITION,
    );
    expect(owed.metadata.get("reason-code")).toEqual(["OUTSTANDING_LIABILITIES"]);
    await client.call("TaxService/PayLiability", { idempotencyKey: key("pay"), liabilityId: liability.liabilityId }, tax);
    const taxCleared = await client.call("TaxService/RequestClearance", { idempotencyKey: key("clr"), creditCode: code, caseId: "case-close-1" }, tax);
    expect(taxCleared.cleared).toBe(true);
    expect(taxCleared.certificateNumber).toMatch(/^1\.2\.156\.3005\.2\.11100000FX99F12K5H004\./);

    const siOpen = await expectStatus(
      client.call("BusinessRegistrationService/Deregister", { idempotencyKey: key("dr"), creditCode: code, reason: "股东会决议解散", caseId: "case-close-1" }, samr),
      status.FAILED_PRECONDITION,
    );
    expect(siOpen.metadata.get("reason-code")).toEqual(["SOCIAL_INSURANCE_NOT_CLEARED"]);
    const employees = await expectStatus(
      client.call("SocialInsuranceService/RequestEmployerClearance", { idempotencyKey: key("sc"), creditCode: code, caseId: "case-close-1" }, hrss),
      status.FAILED_PRECONDITION,
    );
    expect(employees.metadata.get("reason-code")).toEqual(["ACTIVE_EMPLOYEES"]);
    await client.call("SocialInsuranceService/EndEmployment", { idempotencyKey: key("end"), employmentId: employment.employmentId, endDate: todayInChina(), reason: "解除劳动合同" }, hrss);
    expect((await client.call("SocialInsuranceService/RequestEmployerClearance", { idempotencyKey: key("sc"), creditCode: code, caseId: "case-close-1" }, hrss)).cleared).toBe(true);

    const closed = await client.call("BusinessRegistrationService/Deregister", { idempotencyKey: key("dr"), creditCode: code, reason: "股东会决议解散", caseId: "case-close-1" }, samr);
    expect(closed.status).toBe("ENTERPRISE_STATUS_DEREGISTERED");
    const final = await client.call("LicenceService/VerifyLicence", { number: moved.licenceNumber, caseId: "case-close-1" }, tax);
    expect(final.status).toBe("LICENCE_STATUS_REVOKED");
    const entity = await client.call("IdentityService/GetEntity", { creditCode: code, caseId: "case-close-1" }, tax);
    expect(entity.status).toBe("ENTITY_STATUS_DEREGISTERED");

    // Who used this enterprise's data, for which case: tax and social insurance read its licences for their cases.
    const { accesses } = await client.call("LicenceService/ListLicenceAccesses", { holderId: code }, data);
    const readers = new Set(accesses.map((a: { reader: string; caseId: string }) => `${a.reader}/${a.caseId}`));
    expect([...readers]).toEqual(expect.arrayContaining(["tax/case-tax-1", "hrss/case-si-1"]));
    const registrationReads = await queryDatabase<{ reader: string; case_id: string }>(
      db.url,
      "SELECT reader, case_id FROM registration.data_uses WHERE subject_id = $1",
      [code],
    );
    expect(registrationReads.map((r) => `${r.reader}/${r.case_id}`)).toEqual(expect.arrayContaining(["tax/case-tax-1", "hrss/case-si-1"]));
    const identityReads = await queryDatabase<{ reader: string }>(db.url, "SELECT DISTINCT reader FROM identity.data_uses WHERE subject_id = $1", [people[2].idNumber]);
    expect(identityReads.map((r) => r.reader).sort()).toEqual(["hrss", "tax"]);

    // Another department's read of a taxpayer or an employer is recorded with its case, in the
    // statement that reads it; the owner's own reads are not.
    const taxpayerRead = await client.call("TaxService/GetTaxpayer", { creditCode: code, caseId: "case-si-7" }, hrss);
    expect(taxpayerRead.creditCode).toBe(code);
    await client.call("TaxService/GetTaxpayer", { creditCode: code, caseId: "case-tax-7" }, tax);
    const employerRead = await client.call("SocialInsuranceService/GetEmployer", { creditCode: code, caseId: "case-tax-7" }, tax);
    expect(employerRead.creditCode).toBe(code);
    await client.call("SocialInsuranceService/GetEmployer", { creditCode: code, caseId: "case-si-7" }, hrss);
    const recorded = async (schema: string) =>
      (await queryDatabase<{ reader: string; case_id: string; action: string }>(db.url, `SELECT reader, case_id, action FROM ${schema}.data_uses WHERE subject_id = $1 ORDER BY id`, [code]))
        .map((r) => `${r.reader}/${r.case_id}/${r.action}`);
    expect(await recorded("tax")).toEqual(["hrss/case-si-7/get"]);
    expect(await recorded("social_insurance")).toEqual(["tax/case-tax-7/get"]);
  }, 120_000);

  it("answers concurrent duplicates with one result, and lets only one enrolment of a person per region win a race", async () => {
    const enterprise = await registerCompany(trade(), people[3], people[4]);
    const request = { idempotencyKey: key("tp"), creditCode: enterprise.creditCode, caseId: "case-tax-9" };
    const taxpayers = await Promise.all(Array.from({ length: 5 }, () => client.call("TaxService/RegisterTaxpayer", request, tax)));
    expect(new Set(taxpayers.map((t) => t.registrationLicenceNumber)).size).toBe(1);
    const { licences } = await client.call("LicenceService/ListLicencesByHolder", { holderId: enterprise.creditCode, caseId: "case-tax-9" }, tax);
    expect(licences.filter((l: { typeCode: string }) => l.typeCode === "TAXREG")).toHaveLength(1);

    await client.call("SocialInsuranceService/RegisterEmployer", { idempotencyKey: key("er"), creditCode: enterprise.creditCode, caseId: "c-si" }, hrss);
    const person = people[5];
    const results = await Promise.allSettled(
      Array.from({ length: 4 }, () =>
        client.call("SocialInsuranceService/EnrolEmployee", {
          idempotencyKey: key("emp"), employerCreditCode: enterprise.creditCode, idNumber: person.idNumber, monthlyWage: "8000", startDate: "2026-11-10", caseId: "c-si",
        }, hrss),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results.filter((x): x is PromiseRejectedResult => x.status === "rejected")) {
      expect(r.reason.metadata.get("reason-code")).toEqual(["ALREADY_INSURED_IN_REGION"]);
    }
  }, 60_000);

  it("compensates in reverse order: every step undone, the name freed, and undoing again is harmless", async () => {
    const tradeName = trade();
    const enterprise = await registerCompany(tradeName, people[6], people[7]);
    const code = enterprise.creditCode;
    const filing = await client.call("BusinessRegistrationService/FileSeals", { idempotencyKey: key("seal"), creditCode: code, sealTypes: ["公章"], engraver: "成都市刻章社", caseId: "c-o" }, samr);
    await client.call("TaxService/RegisterTaxpayer", { idempotencyKey: key("tp"), creditCode: code, caseId: "c-o" }, tax);
    await client.call("SocialInsuranceService/RegisterEmployer", { idempotencyKey: key("er"), creditCode: code, caseId: "c-o" }, hrss);

    for (let round = 0; round < 2; round++) {
      await client.call("SocialInsuranceService/CancelEmployerRegistration", { idempotencyKey: key("x"), creditCode: code, reason: "并联审批未通过" }, hrss);
      await client.call("TaxService/CancelTaxpayerRegistration", { idempotencyKey: key("x"), creditCode: code, reason: "并联审批未通过" }, tax);
      await client.call("BusinessRegistrationService/WithdrawSealFiling", { idempotencyKey: key("x"), filingId: filing.filingId, reason: "并联审批未通过" }, samr);
      const undone = await client.call("BusinessRegistrationService/CancelEnterpriseRegistration", { idempotencyKey: key("x"), creditCode: code, reason: "并联审批未通过" }, samr);
      expect(undone.status).toBe("ENTERPRISE_STATUS_CANCELLED");
    }
    const { licences } = await client.call("LicenceService/ListLicencesByHolder", { holderId: code, caseId: "c-o" }, samr);
    expect(licences.length).toBeGreaterThanOrEqual(4);
    expect(licences.every((l: { status: string }) => l.status === "LICENCE_STATUS_REVOKED")).toBe(true);
    const again = await client.call("BusinessRegistrationService/DeclareName", {
      idempotencyKey: key("decl"), regionCode: "510104", tradeName, industry: "科技", organisationForm: "有限公司",
      enterpriseType: "ENTERPRISE_TYPE_COMPANY", applicantIdNumber: people[6].idNumber, caseId: "c-o2",
    }, samr);
    expect(again.status).toBe("RESERVATION_STATUS_RESERVED");
  }, 60_000);

  it("registers a cancelled taxpayer and employer again (the employer keeps its number), and refuses a second registration of an active one", async () => {
    const enterprise = await registerCompany(trade(), people[17], people[18]);
    const code = enterprise.creditCode;
    const reasonOf = async (call: Promise<unknown>) => (await expectStatus(call, status.FAILED_PRECONDITION)).metadata.get("reason-code")[0];
    const taxpayer = await client.call("TaxService/RegisterTaxpayer", { idempotencyKey: key("tp"), creditCode: code, caseId: "c-again" }, tax);
    const employer = await client.call("SocialInsuranceService/RegisterEmployer", { idempotencyKey: key("er"), creditCode: code, caseId: "c-again" }, hrss);
    expect(await reasonOf(client.call("TaxService/RegisterTaxpayer", { idempotencyKey: key("tp"), creditCode: code, caseId: "c-again" }, tax))).toBe("ALREADY_REGISTERED");
    expect(await reasonOf(client.call("SocialInsuranceService/RegisterEmployer", { idempotencyKey: key("er"), creditCode: code, caseId: "c-again" }, hrss))).toBe("ALREADY_REGISTERED");

    await client.call("SocialInsuranceService/CancelEmployerRegistration", { idempotencyKey: key("x"), creditCode: code, reason: "并联审批未通过" }, hrss);
    await client.call("TaxService/CancelTaxpayerRegistration", { idempotencyKey: key("x"), creditCode: code, reason: "并联审批未通过" }, tax);
    const taxpayer2 = await client.call("TaxService/RegisterTaxpayer", { idempotencyKey: key("tp"), creditCode: code, caseId: "c-again2" }, tax);
    const employer2 = await client.call("SocialInsuranceService/RegisterEmployer", { idempotencyKey: key("er"), creditCode: code, caseId: "c-again2" }, hrss);
    expect(taxpayer2).toMatchObject({ status: "TAXPAYER_STATUS_ACTIVE", creditCode: code });
    expect(taxpayer2.registrationLicenceNumber).not.toBe(taxpayer.registrationLicenceNumber);
    expect(employer2).toMatchObject({ status: "EMPLOYER_STATUS_ACTIVE", siNumber: employer.siNumber });
    expect(employer2.registrationLicenceNumber).not.toBe(employer.registrationLicenceNumber);
  }, 60_000);

  it("has TAXREG and SIREG issued only to a holder with a valid business licence, checked in the issuing call; the holder is still read from identity", async () => {
    const enterprise = await registerCompany(trade(), people[11], people[12]);
    const code = enterprise.creditCode;
    const licencesOf = async (type: string) =>
      queryDatabase<{ number: string }>(db.url, "SELECT number FROM licenses.licences WHERE holder_id = $1 AND type_code = $2", [code, type]);
    await client.call("LicenceService/SuspendLicence", { idempotencyKey: key("sus"), number: enterprise.licenceNumber, reason: "责令停业整顿" }, samr);

    const taxKey = key("tp");
    const siKey = key("er");
    const noTax = await expectStatus(client.call("TaxService/RegisterTaxpayer", { idempotencyKey: taxKey, creditCode: code, caseId: "case-pre-1" }, tax), status.FAILED_PRECONDITION);
    expect(noTax.metadata.get("reason-code")).toEqual(["PREREQUISITE_NOT_HELD"]);
    expect(noTax.details).toContain("BL");
    const noSi = await expectStatus(client.call("SocialInsuranceService/RegisterEmployer", { idempotencyKey: siKey, creditCode: code, caseId: "case-pre-1" }, hrss), status.FAILED_PRECONDITION);
    expect(noSi.metadata.get("reason-code")).toEqual(["PREREQUISITE_NOT_HELD"]);
    expect(await queryDatabase(db.url, "SELECT 1 FROM tax.taxpayers WHERE credit_code = $1", [code])).toEqual([]);
    expect(await queryDatabase(db.url, "SELECT 1 FROM social_insurance.employers WHERE credit_code = $1", [code])).toEqual([]);
    expect(await licencesOf("TAXREG")).toEqual([]);
    expect(await licencesOf("SIREG")).toEqual([]);

    // Reinstated, the same requests (same keys) go through; the licences carry the holder's registered name.
    await client.call("LicenceService/ReinstateLicence", { idempotencyKey: key("rei"), number: enterprise.licenceNumber, reason: "整改完成" }, samr);
    const taxpayer = await client.call("TaxService/RegisterTaxpayer", { idempotencyKey: taxKey, creditCode: code, caseId: "case-pre-1" }, tax);
    const employer = await client.call("SocialInsuranceService/RegisterEmployer", { idempotencyKey: siKey, creditCode: code, caseId: "case-pre-1" }, hrss);
    expect(taxpayer).toMatchObject({ name: enterprise.name, address: enterprise.address, legalRepresentativeName: people[11].name });
    expect(employer).toMatchObject({ name: enterprise.name, address: enterprise.address, status: "EMPLOYER_STATUS_ACTIVE" });
    for (const number of [taxpayer.registrationLicenceNumber, employer.registrationLicenceNumber]) {
      const issued = await client.call("LicenceService/GetLicence", { number, caseId: "case-pre-1" }, samr);
      expect(issued.holderName).toBe(enterprise.name);
    }
    // Each department's check of the business licence is recorded as its read, for its case.
    const checks = await queryDatabase<{ reader: string; action: string }>(
      db.url, "SELECT reader, action FROM licenses.data_uses WHERE item = $1 AND case_id = 'case-pre-1' ORDER BY reader", [enterprise.licenceNumber]);
    expect(checks.filter((c) => c.action === "verify").map((c) => c.reader)).toEqual(expect.arrayContaining(["hrss", "tax"]));
    // The holder itself is read by the licence registry (the data bureau's), for the case, not by each issuer again.
    const holderReads = await queryDatabase<{ reader: string }>(db.url, "SELECT DISTINCT reader FROM identity.data_uses WHERE subject_id = $1 AND case_id = 'case-pre-1'", [code]);
    expect(holderReads.map((r) => r.reader)).toEqual(["data"]);

    // A prerequisite adds a condition and takes none away: an entity deregistered in the legal-entity
    // registry is refused, though its business licence and its registration still stand.
    const closed = await registerCompany(trade(), people[15], people[16]);
    await client.call("IdentityService/DeregisterEntity", { idempotencyKey: key("derg"), creditCode: closed.creditCode, reason: "法人库注销", caseId: "case-pre-3" }, samr);
    const gone = await expectStatus(client.call("TaxService/RegisterTaxpayer", { idempotencyKey: key("tp"), creditCode: closed.creditCode, caseId: "case-pre-3" }, tax), status.FAILED_PRECONDITION);
    expect(gone.metadata.get("reason-code")).toEqual(["ENTITY_DEREGISTERED"]);
    const goneSi = await expectStatus(client.call("SocialInsuranceService/RegisterEmployer", { idempotencyKey: key("er"), creditCode: closed.creditCode, caseId: "case-pre-3" }, hrss), status.FAILED_PRECONDITION);
    expect(goneSi.metadata.get("reason-code")).toEqual(["ENTITY_DEREGISTERED"]);
    expect(await queryDatabase(db.url, "SELECT 1 FROM tax.taxpayers WHERE credit_code = $1 UNION ALL SELECT 1 FROM social_insurance.employers WHERE credit_code = $1", [closed.creditCode])).toEqual([]);
    expect(await queryDatabase(db.url, "SELECT type_code FROM licenses.licences WHERE holder_id = $1", [closed.creditCode])).toEqual([{ type_code: "BL" }]);

    // A business licence whose stored content no longer matches its signature does not count.
    const other = await registerCompany(trade(), people[13], people[14]);
    await queryDatabase(db.url, "UPDATE licenses.licences SET content = replace(content, $2, $3) WHERE number = $1", [other.licenceNumber, other.name, `${other.name}分公司`]);
    const forged = await expectStatus(client.call("TaxService/RegisterTaxpayer", { idempotencyKey: key("tp"), creditCode: other.creditCode, caseId: "case-pre-2" }, tax), status.FAILED_PRECONDITION);
    expect(forged.metadata.get("reason-code")).toEqual(["PREREQUISITE_INVALID"]);
    expect(forged.details).toMatch(/signature/);
    expect(await queryDatabase(db.url, "SELECT 1 FROM tax.taxpayers WHERE credit_code = $1", [other.creditCode])).toEqual([]);
  }, 60_000);

  it("refuses by rule with a stable reason code and a sentence, writing nothing", async () => {
    const reservation = await client.call("BusinessRegistrationService/DeclareName", {
      idempotencyKey: key("decl"), regionCode: "510104", tradeName: trade(), industry: "科技", organisationForm: "有限公司",
      enterpriseType: "ENTERPRISE_TYPE_COMPANY", applicantIdNumber: people[8].idNumber, caseId: "c-r",
    }, samr);
    const base = {
      idempotencyKey: key("reg"), reservationId: reservation.reservationId, registeredCapital: "100", address: "四川省成都市锦江区红星路1号",
      businessScopeCodes: ["I6510"], legalRepresentativeIdNumber: people[8].idNumber, investors: [{ id: people[8].idNumber, contribution: "90" }], caseId: "c-r",
    };
    const mismatch = await expectStatus(client.call("BusinessRegistrationService/RegisterEnterprise", base, samr), status.FAILED_PRECONDITION);
    expect(mismatch.metadata.get("reason-code")).toEqual(["CAPITAL_MISMATCH"]);
    expect(mismatch.details).toContain("出资额合计 90 万元与注册资本 100 万元不一致");
    const elsewhere = await expectStatus(
      client.call("BusinessRegistrationService/RegisterEnterprise", { ...base, address: "北京市朝阳区建国路1号", investors: [{ id: people[8].idNumber, contribution: "100" }] }, samr),
      status.INVALID_ARGUMENT,
    );
    expect(elsewhere.details).toMatch(/^address: must be in/);
    const taken = await expectStatus(
      client.call("BusinessRegistrationService/DeclareName", {
        idempotencyKey: key("decl"), regionCode: "510107", tradeName: reservation.tradeName, industry: "科技", organisationForm: "有限公司",
        enterpriseType: "ENTERPRISE_TYPE_COMPANY", applicantIdNumber: people[9].idNumber, caseId: "c-r",
      }, samr),
      status.FAILED_PRECONDITION,
    );
    expect(taken.details).toBe(`NAME_TAKEN: 字号“${reservation.tradeName}”已在本行政区划同行业登记 (the trade name is taken in this region and industry)`);
    // Traditional and simplified characters are one name: 錦瀚 is taken once 锦瀚 is.
    const declareAs = (tradeName: string, person: number) =>
      client.call("BusinessRegistrationService/DeclareName", {
        idempotencyKey: key("decl"), regionCode: "510107", tradeName, industry: "科技", organisationForm: "有限公司",
        enterpriseType: "ENTERPRISE_TYPE_COMPANY", applicantIdNumber: people[person].idNumber, caseId: "c-r",
      }, samr);
    await declareAs("锦瀚", 9);
    const traditional = await expectStatus(declareAs("錦瀚", 10), status.FAILED_PRECONDITION);
    expect(traditional.metadata.get("reason-code")).toEqual(["NAME_TAKEN"]);
    // And a zero-width character does not make another name: it is refused.
    const hidden = await expectStatus(declareAs("锦\u200b瀚", 10), status.INVALID_ARGUMENT);
    expect(hidden.metadata.get("field")).toEqual(["trade_name"]);
    const rows = await queryDatabase(db.url, "SELECT 1 FROM registration.enterprises WHERE reservation_id = $1", [reservation.reservationId]);
    expect(rows).toEqual([]);
    // A refused attempt leaves the reservation unclaimed: a corrected registration (another key) takes it.
    const [held] = await queryDatabase<{ claimed_by: string | null }>(db.url, "SELECT claimed_by FROM registration.name_reservations WHERE reservation_id = $1", [reservation.reservationId]);
    expect(held).toEqual({ claimed_by: null });
    const corrected = await client.call("BusinessRegistrationService/RegisterEnterprise", { ...base, idempotencyKey: key("reg"), investors: [{ id: people[8].idNumber, contribution: "100" }] }, samr);
    expect(corrected.status).toBe("ENTERPRISE_STATUS_ACTIVE");
  }, 60_000);

  it("frees a name whose reservation lapsed for a new declaration, also before anything marked it expired", async () => {
    const declare = (tradeName: string, person: number) => client.call("BusinessRegistrationService/DeclareName", {
      idempotencyKey: key("decl"), regionCode: "510104", tradeName, industry: "科技", organisationForm: "有限公司",
      enterpriseType: "ENTERPRISE_TYPE_COMPANY", applicantIdNumber: people[person].idNumber, caseId: "c-lapse",
    }, samr);
    const first = await declare(trade(), 13);
    expect(await expectStatus(declare(first.tradeName, 14), status.FAILED_PRECONDITION).then((e) => e.metadata.get("reason-code"))).toEqual(["NAME_TAKEN"]);
    await queryDatabase(db.url, "UPDATE registration.name_reservations SET expires_at = now() - interval '1 second' WHERE reservation_id = $1", [first.reservationId]);
    // Past its term it reads as expired (nothing has marked the row yet), and cancelling it changes nothing.
    const cancelled = await client.call("BusinessRegistrationService/CancelNameReservation", { idempotencyKey: key("cnr"), reservationId: first.reservationId, reason: "不再需要" }, samr);
    expect(cancelled.status).toBe("RESERVATION_STATUS_EXPIRED");
    const second = await declare(first.tradeName, 14);
    expect(second.status).toBe("RESERVATION_STATUS_RESERVED");
    const statuses = await queryDatabase<{ reservation_id: string; status: string }>(
      db.url, "SELECT reservation_id, status FROM registration.name_reservations WHERE reservation_id = ANY($1) ORDER BY reserved_at", [[first.reservationId, second.reservationId]]);
    expect(statuses).toEqual([
      { reservation_id: first.reservationId, status: "RESERVATION_STATUS_EXPIRED" },
      { reservation_id: second.reservationId, status: "RESERVATION_STATUS_RESERVED" },
    ]);
  }, 60_000);

  it("lets one registration attempt hold a reservation: a retry of it registers, another attempt, a used or a lapsed reservation is refused", async () => {
    const declare = (tradeName: string, caseId: string) => client.call("BusinessRegistrationService/DeclareName", {
      idempotencyKey: key("decl"), regionCode: "510104", tradeName, industry: "科技", organisationForm: "有限公司",
      enterpriseType: "ENTERPRISE_TYPE_COMPANY", applicantIdNumber: people[12].idNumber, caseId,
    }, samr);
    const registration = (reservationId: string, idempotencyKey: string) => ({
      idempotencyKey, reservationId, registeredCapital: "100", address: "四川省成都市锦江区红星路2号",
      businessScopeCodes: ["I6510"], legalRepresentativeIdNumber: people[12].idNumber, investors: [{ id: people[12].idNumber, contribution: "100" }], caseId: "c-claim",
    });
    const reasonOf = async (call: Promise<unknown>) => (await expectStatus(call, status.FAILED_PRECONDITION)).metadata.get("reason-code")[0];
    const reg = (r: object) => client.call("BusinessRegistrationService/RegisterEnterprise", r, samr);

    // Held by another attempt (one that stopped between claiming and registering the entity).
    const held = await declare(trade(), "c-claim");
    await queryDatabase(db.url, "UPDATE registration.name_reservations SET claimed_by = 'another-attempt' WHERE reservation_id = $1", [held.reservationId]);
    expect(await reasonOf(reg(registration(held.reservationId, key("reg"))))).toBe("RESERVATION_IN_USE");
    // That attempt's own retry holds it still, also past the term, and registers.
    await queryDatabase(db.url, "UPDATE registration.name_reservations SET expires_at = now() - interval '1 day' WHERE reservation_id = $1", [held.reservationId]);
    const done = await reg(registration(held.reservationId, "another-attempt"));
    expect(done.status).toBe("ENTERPRISE_STATUS_ACTIVE");
    // Used: no second registration on it.
    expect(await reasonOf(reg(registration(held.reservationId, key("reg"))))).toBe("RESERVATION_NOT_AVAILABLE");

    // Past its term and not held: refused, marked expired, and the name is free again.
    const lapsed = await declare(trade(), "c-claim");
    await queryDatabase(db.url, "UPDATE registration.name_reservations SET expires_at = now() - interval '1 second' WHERE reservation_id = $1", [lapsed.reservationId]);
    expect(await reasonOf(reg(registration(lapsed.reservationId, key("reg"))))).toBe("RESERVATION_NOT_AVAILABLE");
    const [row] = await queryDatabase<{ status: string; claimed_by: string | null }>(db.url, "SELECT status, claimed_by FROM registration.name_reservations WHERE reservation_id = $1", [lapsed.reservationId]);
    expect(row).toEqual({ status: "RESERVATION_STATUS_EXPIRED", claimed_by: null });
    expect((await declare(lapsed.tradeName, "c-claim2")).status).toBe("RESERVATION_STATUS_RESERVED");
  }, 60_000);

  it("delivers a change to tax even when tax was down when it happened", async () => {
    const enterprise = await registerCompany(trade(), people[10], people[11]);
    const code = enterprise.creditCode;
    await client.call("TaxService/RegisterTaxpayer", { idempotencyKey: key("tp"), creditCode: code, caseId: "c-d" }, tax);
    await procs.get("tax")!.stop();
    const moved = await client.call("BusinessRegistrationService/ChangeRegistration", {
      idempotencyKey: key("chg"), creditCode: code, newAddress: "四川省成都市锦江区春熙路8号", caseId: "c-d",
    }, samr);
    await new Promise((r) => setTimeout(r, 1500));
    await start("tax");
    const followed = await eventually(
      () => client.call("TaxService/GetTaxpayer", { creditCode: code, caseId: "c-d2" }, tax),
      (t) => t.address === moved.address,
      60_000,
    );
    expect(followed.address).toBe("四川省成都市锦江区春熙路8号");
  }, 120_000);
});
