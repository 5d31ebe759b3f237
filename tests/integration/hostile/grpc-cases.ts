/**
 * Hostile input at the gRPC edge: forged, replayed and missing tokens, ungranted departments,
 * bytes that do not decode, and malformed, oversized and invisible-character values for the
 * registries, the licence service, tax, social insurance, business registration and the case
 * service. Each case expects a refusal naming the field; nothing may be written.
 */
import crypto from "node:crypto";
import { signDepartmentToken } from "../../../services/common/department-token";
import { grpc, grpcRaw, refuse, type HostileCase, type HostileContext } from "./kit";

const ZW = "\u200b";
const RLO = "\u202e";
const key = () => `hostile-${crypto.randomUUID()}`;
const badCheck = (id: string) => id.slice(0, 17) + (id[17] === "0" ? "1" : "0");

function identityCases(): HostileCase[] {
  const getPerson = (req: (c: HostileContext) => object) => (c: HostileContext) => grpc(c, "IdentityService/GetPerson", req(c), c.cred.psb);
  const ids: Array<[string, unknown]> = [
    ["a wrong check character", "110105194912310020"],
    ["17 characters", "11010519491231002"],
    ["a zero-width space", `11010519${ZW}491231002X`],
    ["letters", "ABCDEFGHIJKLMNOPQR"],
    ["an impossible date", "110105194913310022"],
    ["an unknown province", "990105194912310029"],
  ];
  const caseIds: Array<[string, string]> = [
    ["none", ""],
    ["a space", "case 1"],
    ["81 characters", "c".repeat(81)],
    ["a newline", "case\n1"],
    ["Chinese", "办件一"],
  ];
  const registerEntity = (over: (c: HostileContext) => object) => (c: HostileContext) =>
    grpc(c, "IdentityService/RegisterEntity", {
      idempotencyKey: key(), name: "成都星瀚科技有限公司", entityType: "ENTITY_TYPE_ENTERPRISE", regionCode: "510104",
      legalRepresentativeIdNumber: c.owner.idNumber, legalRepresentativeName: c.owner.name, address: "四川省成都市锦江区人民南路330号", caseId: "hostile-1", ...over(c),
    }, c.cred.samr);
  return [
    ...ids.map(([what, id]) => refuse(`GetPerson: an ID number with ${what}`, getPerson(() => ({ idNumber: id, caseId: "hostile-1" })), "INVALID_ARGUMENT", "id_number")),
    ...caseIds.map(([what, caseId]) => refuse(`GetPerson: a case id with ${what}`, getPerson((c) => ({ idNumber: c.owner.idNumber, caseId })), "INVALID_ARGUMENT", "case_id")),
    refuse("GetPerson: a person not in the registry", getPerson(() => ({ idNumber: "11010519491231002X", caseId: "hostile-1" })), "NOT_FOUND"),
    refuse("VerifyPerson: a name with a zero-width space", (c) => grpc(c, "IdentityService/VerifyPerson", { idNumber: c.owner.idNumber, name: `${c.owner.name.slice(0, 1)}${ZW}${c.owner.name.slice(1)}`, caseId: "h-1" }, c.cred.psb), "INVALID_ARGUMENT", "name"),
    refuse("VerifyPerson: a name of 101 characters", (c) => grpc(c, "IdentityService/VerifyPerson", { idNumber: c.owner.idNumber, name: "名".repeat(101), caseId: "h-1" }, c.cred.psb), "INVALID_ARGUMENT", "name"),
    refuse("GetEntity: a credit code with a wrong check character", (c) => grpc(c, "IdentityService/GetEntity", { creditCode: c.creditCode.slice(0, 17) + (c.creditCode[17] === "0" ? "1" : "0"), caseId: "h-1" }, c.cred.samr), "INVALID_ARGUMENT", "credit_code"),
    refuse("RegisterEntity: a name with a zero-width space", registerEntity(() => ({ name: `成都星${ZW}瀚科技有限公司` })), "INVALID_ARGUMENT", "name"),
    refuse("RegisterEntity: a name with a bidi override", registerEntity(() => ({ name: `成都${RLO}星瀚科技有限公司` })), "INVALID_ARGUMENT", "name"),
    refuse("RegisterEntity: an address with a control character", registerEntity(() => ({ address: "四川省成都市锦江区\u0007人民南路330号" })), "INVALID_ARGUMENT", "address"),
    refuse("RegisterEntity: an unknown region", registerEntity(() => ({ regionCode: "999999" })), "INVALID_ARGUMENT", "region_code"),
    refuse("RegisterEntity: no entity type", registerEntity(() => ({ entityType: "ENTITY_TYPE_UNSPECIFIED" })), "INVALID_ARGUMENT", "entity_type"),
    refuse("RegisterEntity: no idempotency key", registerEntity(() => ({ idempotencyKey: "" })), "INVALID_ARGUMENT", "idempotency_key"),
    refuse("RegisterEntity: an idempotency key with spaces", registerEntity(() => ({ idempotencyKey: "a key with spaces" })), "INVALID_ARGUMENT", "idempotency_key"),
    refuse("RegisterEntity: a legal representative whose name does not match", registerEntity(() => ({ legalRepresentativeName: "王五" })), "FAILED_PRECONDITION"),
    refuse("RegisterEntity: by a department that does not register entities", (c) => grpc(c, "IdentityService/RegisterEntity", { idempotencyKey: key(), name: "x" }, c.cred.tax), "PERMISSION_DENIED"),
  ];
}

function licenceCases(): HostileCase[] {
  const bl = (c: HostileContext) => ({
    name: c.enterpriseName, entity_type: "有限责任公司", legal_representative: c.owner.name, registered_capital: "100",
    established_on: "2026-11-22", address: "四川省成都市锦江区人民南路330号", business_scope: "软件开发",
  });
  const issue = (fields: (c: HostileContext) => Record<string, string>, over: (c: HostileContext) => object = () => ({})) => (c: HostileContext) =>
    grpc(c, "LicenceService/IssueLicence", { idempotencyKey: key(), typeCode: "BL", holderId: c.creditCode, caseId: "hostile-1", fields: fields(c), ...over(c) }, c.cred.samr);
  const fieldValues: Array<[string, string, string]> = [
    ["address", `四川省成都市${ZW}锦江区`, "fields.address"],
    ["address", `四川省成都市${RLO}区江锦`, "fields.address"],
    ["address", "四川省成都市\u2066锦江区\u2069", "fields.address"],
    ["address", "a".repeat(1001), "fields.address"],
    ["address", "四川省\u0000成都市", "fields.address"],
    ["name", `${ZW}`, "fields.name"],
    ["business_scope", "软件\ufeff开发", "fields.business_scope"],
    ["legal_representative", "张\u00ad三", "fields.legal_representative"],
    ["established_on", "2026-02-30", "fields.established_on"],
    ["established_on", "2026/11/22", "fields.established_on"],
    ["registered_capital", "-1", "fields.registered_capital"],
    ["registered_capital", "1e9", "fields.registered_capital"],
    ["registered_capital", "1000000000000000", "fields.registered_capital"],
  ];
  return [
    ...fieldValues.map(([name, value, field]) => refuse(`IssueLicence: ${name} = ${JSON.stringify(value).slice(0, 30)}`, issue((c) => ({ ...bl(c), [name]: value })), "INVALID_ARGUMENT", field)),
    refuse("IssueLicence: a field key in Chinese", issue((c) => ({ ...bl(c), 名称: "x" })), "INVALID_ARGUMENT", "fields.名称"),
    refuse("IssueLicence: a field key __proto__", issue((c) => ({ ...bl(c), ["__proto__"]: "x" })), "INVALID_ARGUMENT"),
    refuse("IssueLicence: a field key constructor", issue((c) => ({ ...bl(c), constructor: "x" })), "INVALID_ARGUMENT", "fields.constructor"),
    refuse("IssueLicence: a field key with a zero-width space", issue((c) => ({ ...bl(c), [`name${ZW}`]: "x" })), "INVALID_ARGUMENT"),
    refuse("IssueLicence: no required field", issue((c) => { const f = bl(c) as Record<string, string>; delete f.business_scope; return f; }), "INVALID_ARGUMENT", "fields.business_scope"),
    refuse("IssueLicence: an unknown type", issue(bl, () => ({ typeCode: "NOPE" })), "INVALID_ARGUMENT", "type_code"),
    refuse("IssueLicence: a holder that is no code", issue(bl, () => ({ holderId: "DROP TABLE licences" })), "INVALID_ARGUMENT", "holder_id"),
    refuse("IssueLicence: valid until before valid from", issue(bl, () => ({ validFrom: "2026-11-22", validUntil: "2026-01-01" })), "INVALID_ARGUMENT", "valid_until"),
    refuse("IssueLicence: a holder not in the registry", issue(bl, () => ({ holderId: "91510104MA6CTEST5X" })), "INVALID_ARGUMENT", "holder_id"),
    refuse("IssueLicence: a business licence by tax", (c) => grpc(c, "LicenceService/IssueLicence", { idempotencyKey: key(), typeCode: "BL", holderId: c.creditCode, caseId: "h-1", fields: bl(c) }, c.cred.tax), "PERMISSION_DENIED"),
    refuse("GetLicence: an unknown number", (c) => grpc(c, "LicenceService/GetLicence", { number: "BL-20260101-NOPE", caseId: "h-1" }, c.cred.tax), "NOT_FOUND"),
    refuse("GetLicence: a number of 200 characters", (c) => grpc(c, "LicenceService/GetLicence", { number: "B".repeat(200), caseId: "h-1" }, c.cred.tax), "INVALID_ARGUMENT", "number"),
    refuse("VerifyLicence: nothing to verify", (c) => grpc(c, "LicenceService/VerifyLicence", { caseId: "h-1" }, c.cred.tax), "INVALID_ARGUMENT"),
    refuse("VerifyLicence: a holder but no type", (c) => grpc(c, "LicenceService/VerifyLicence", { holderId: c.creditCode, caseId: "h-1" }, c.cred.tax), "INVALID_ARGUMENT", "type_code"),
    refuse("RevokeLicence: an unknown licence, by a department that issues none of its type", (c) => grpc(c, "LicenceService/RevokeLicence", { number: "BL-20260101-NOPE", reason: "依法吊销", idempotencyKey: key() }, c.cred.hrss), "NOT_FOUND"),
  ];
}

function taxCases(): HostileCase[] {
  const liability = (over: object) => (c: HostileContext) =>
    grpc(c, "TaxService/RecordLiability", { idempotencyKey: key(), creditCode: c.creditCode, taxType: "增值税", period: "2026-10", amount: "100.00", ...over }, c.cred.tax);
  const grant = (over: object) => (c: HostileContext) => grpc(c, "TaxService/GrantInvoices", { idempotencyKey: key(), creditCode: c.creditCode, monthlyCreditLine: "1000", caseId: "h-1", ...over }, c.cred.tax);
  const amounts: Array<[string, string]> = [
    ["999999999999999999.99", "an amount of 10^18"],
    ["100000000000.01", "an amount above 100,000,000,000"],
    ["0", "zero"],
    ["-5", "a negative amount"],
    ["1e5", "an exponent"],
    ["100.001", "three decimals"],
    ["", "no amount"],
  ];
  return [
    ...amounts.map(([amount, what]) => refuse(`RecordLiability: ${what}`, liability({ amount }), "INVALID_ARGUMENT", "amount")),
    refuse("RecordLiability: a future period", liability({ period: "2099-01" }), "INVALID_ARGUMENT", "period"),
    refuse("RecordLiability: period 2026-13", liability({ period: "2026-13" }), "INVALID_ARGUMENT", "period"),
    refuse("RecordLiability: an unknown tax", liability({ taxType: "人头税" }), "INVALID_ARGUMENT", "tax_type"),
    refuse("RecordLiability: a tax type with a zero-width space", liability({ taxType: `增值${ZW}税` }), "INVALID_ARGUMENT", "tax_type"),
    refuse("GrantInvoices: a credit line of 10^18", grant({ monthlyCreditLine: "999999999999999999" }), "INVALID_ARGUMENT", "monthly_credit_line"),
    refuse("GrantInvoices: a credit line of 0", grant({ monthlyCreditLine: "0" }), "INVALID_ARGUMENT", "monthly_credit_line"),
    refuse("GrantInvoices: a credit code that is no code", grant({ creditCode: "x" }), "INVALID_ARGUMENT", "credit_code"),
    refuse("RegisterWithholding: an employee id with a wrong check character", (c) => grpc(c, "TaxService/RegisterWithholding", { idempotencyKey: key(), employerCreditCode: c.creditCode, employeeIdNumber: badCheck(c.employee.idNumber), employmentStart: "2026-12-01", caseId: "h-1" }, c.cred.tax), "INVALID_ARGUMENT", "employee_id_number"),
    refuse("RegisterWithholding: a start date that does not exist", (c) => grpc(c, "TaxService/RegisterWithholding", { idempotencyKey: key(), employerCreditCode: c.creditCode, employeeIdNumber: c.employee.idNumber, employmentStart: "2026-13-01", caseId: "h-1" }, c.cred.tax), "INVALID_ARGUMENT", "employment_start"),
    refuse("RequestClearance: no idempotency key", (c) => grpc(c, "TaxService/RequestClearance", { creditCode: c.creditCode, caseId: "h-1" }, c.cred.tax), "INVALID_ARGUMENT", "idempotency_key"),
    refuse("RevokeClearance: a clearance never issued", (c) => grpc(c, "TaxService/RevokeClearance", { idempotencyKey: key(), creditCode: c.creditCode, certificateNumber: "TAXCLR-NOPE", reason: "x撤销" }, c.cred.tax), "NOT_FOUND"),
  ];
}

function socialInsuranceCases(): HostileCase[] {
  const enrol = (over: (c: HostileContext) => object) => (c: HostileContext) =>
    grpc(c, "SocialInsuranceService/EnrolEmployee", { idempotencyKey: key(), employerCreditCode: c.creditCode, idNumber: c.stranger.idNumber, monthlyWage: "8000", startDate: "2026-12-01", caseId: "h-1", ...over(c) }, c.cred.hrss);
  return [
    refuse("EnrolEmployee: a wage of 10^18", enrol(() => ({ monthlyWage: "999999999999999999" })), "INVALID_ARGUMENT", "monthly_wage"),
    refuse("EnrolEmployee: a wage above 1,000,000", enrol(() => ({ monthlyWage: "1000000.01" })), "INVALID_ARGUMENT", "monthly_wage"),
    refuse("EnrolEmployee: a wage of zero", enrol(() => ({ monthlyWage: "0" })), "INVALID_ARGUMENT", "monthly_wage"),
    refuse("EnrolEmployee: a wage in words", enrol(() => ({ monthlyWage: "八千" })), "INVALID_ARGUMENT", "monthly_wage"),
    refuse("EnrolEmployee: a start date that does not exist", enrol(() => ({ startDate: "2026-02-30" })), "INVALID_ARGUMENT", "start_date"),
    refuse("EnrolEmployee: an employee id with a wrong check character", enrol((c) => ({ idNumber: badCheck(c.stranger.idNumber) })), "INVALID_ARGUMENT", "id_number"),
    refuse("EnrolEmployee: an employer code that is no code", enrol(() => ({ employerCreditCode: "NOT-A-CODE" })), "INVALID_ARGUMENT", "employer_credit_code"),
    refuse("RegisterEmployer: a risk class of 9", (c) => grpc(c, "SocialInsuranceService/RegisterEmployer", { idempotencyKey: key(), creditCode: c.creditCode, workInjuryRiskClass: 9, caseId: "h-1" }, c.cred.hrss), "INVALID_ARGUMENT", "work_injury_risk_class"),
    refuse("GetContributionRates: an unknown region", (c) => grpc(c, "SocialInsuranceService/GetContributionRates", { regionCode: "999999" }, c.cred.hrss), "INVALID_ARGUMENT", "region_code"),
    refuse("EndEmployment: an unknown employment", (c) => grpc(c, "SocialInsuranceService/EndEmployment", { idempotencyKey: key(), employmentId: "EMP-NOPE", reason: "解除劳动合同" }, c.cred.hrss), "NOT_FOUND"),
  ];
}

function registrationCases(): HostileCase[] {
  const declare = (over: (c: HostileContext) => object) => (c: HostileContext) =>
    grpc(c, "BusinessRegistrationService/DeclareName", {
      idempotencyKey: key(), regionCode: "510104", tradeName: "瀚宇", industry: "科技", organisationForm: "有限公司",
      enterpriseType: "ENTERPRISE_TYPE_COMPANY", applicantIdNumber: c.stranger.idNumber, caseId: "h-1", ...over(c),
    }, c.cred.samr);
  const traditional = (s: string) => s.replace(/锦/g, "錦").replace(/华/g, "華").replace(/国/g, "國");
  return [
    refuse("DeclareName: a trade name with a zero-width space", declare(() => ({ tradeName: `瀚${ZW}宇` })), "INVALID_ARGUMENT", "trade_name"),
    refuse("DeclareName: a trade name in Latin letters", declare(() => ({ tradeName: "Hanyu" })), "INVALID_ARGUMENT", "trade_name"),
    refuse("DeclareName: a trade name of one character", declare(() => ({ tradeName: "瀚" })), "INVALID_ARGUMENT", "trade_name"),
    refuse("DeclareName: a forbidden word in traditional characters", declare(() => ({ tradeName: "賭博" })), "FAILED_PRECONDITION", undefined),
    refuse("DeclareName: a restricted word in traditional characters", declare(() => ({ tradeName: "中華星" })), "FAILED_PRECONDITION", undefined),
    refuse("DeclareName: an industry not in the catalogue", declare(() => ({ industry: "赌场" })), "INVALID_ARGUMENT", "industry"),
    refuse("DeclareName: an organisation form of another type", declare(() => ({ organisationForm: "工作室" })), "INVALID_ARGUMENT", "organisation_form"),
    refuse("DeclareName: the owner's trade name in traditional characters", (c) => {
      const trade = c.enterpriseName.replace(/^成都/, "").replace(/科技有限公司$/, "");
      return declare(() => ({ tradeName: traditional(trade) === trade ? trade : traditional(trade) }))(c);
    }, "FAILED_PRECONDITION", undefined, "NAME_TAKEN"),
    refuse("RegisterEnterprise: an unknown reservation", (c) => grpc(c, "BusinessRegistrationService/RegisterEnterprise", {
      idempotencyKey: key(), reservationId: "NR-nope", registeredCapital: "100", address: "四川省成都市锦江区红星路1号",
      businessScopeCodes: ["I6510"], legalRepresentativeIdNumber: c.owner.idNumber, investors: [{ id: c.owner.idNumber, contribution: "100" }], caseId: "h-1",
    }, c.cred.samr), "NOT_FOUND"),
    refuse("RegisterEnterprise: a capital of 10^11 万元", (c) => grpc(c, "BusinessRegistrationService/RegisterEnterprise", {
      idempotencyKey: key(), reservationId: "NR-nope", registeredCapital: "100000000000", address: "四川省成都市锦江区红星路1号",
      businessScopeCodes: ["I6510"], legalRepresentativeIdNumber: c.owner.idNumber, investors: [{ id: c.owner.idNumber, contribution: "100000000000" }], caseId: "h-1",
    }, c.cred.samr), "INVALID_ARGUMENT", "registered_capital"),
    refuse("FileSeals: a seal type with markup", (c) => grpc(c, "BusinessRegistrationService/FileSeals", { idempotencyKey: key(), creditCode: c.creditCode, sealTypes: ["<b>公章</b>"], engraver: "刻章社", caseId: "h-1" }, c.cred.samr), "INVALID_ARGUMENT", "seal_types[0]"),
  ];
}

function edgeCases(): HostileCase[] {
  const verify = (c: HostileContext) => ({ idNumber: c.owner.idNumber, name: c.owner.name, caseId: "h-1" });
  return [
    refuse("edge: no token", (c) => grpc(c, "IdentityService/VerifyPerson", verify(c), undefined), "UNAUTHENTICATED"),
    refuse("edge: a token that is no JWT", (c) => grpc(c, "IdentityService/VerifyPerson", verify(c), undefined, { authorization: "Bearer abc.def.ghi" }), "UNAUTHENTICATED"),
    refuse("edge: a token of a key nobody registered", (c) => grpc(c, "IdentityService/VerifyPerson", verify(c), { ...c.cred.psb, keyId: "psb-unknown" }), "UNAUTHENTICATED"),
    refuse("edge: a token signed for 10 hours", (c) => grpc(c, "IdentityService/VerifyPerson", verify(c), undefined, { authorization: `Bearer ${signDepartmentToken(c.cred.psb, 36_000)}` }), "UNAUTHENTICATED"),
    refuse("edge: an expired token", (c) => grpc(c, "IdentityService/VerifyPerson", verify(c), undefined, { authorization: `Bearer ${signDepartmentToken(c.cred.psb, 60, Date.now() - 600_000)}` }), "UNAUTHENTICATED"),
    refuse("edge: the applicant token of the portal", (c) => grpc(c, "IdentityService/VerifyPerson", verify(c), undefined, { authorization: `Bearer ${c.ownerToken}` }), "UNAUTHENTICATED"),
    refuse("edge: a department without the grant", (c) => grpc(c, "IdentityService/GetPerson", { idNumber: c.owner.idNumber, caseId: "h-1" }, c.cred.civil), "PERMISSION_DENIED"),
    refuse("edge: bytes that do not decode", (c) => grpcRaw(c, "IdentityService/GetPerson", Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]), c.cred.psb), "INVALID_ARGUMENT"),
    refuse("edge: a field of the wrong wire type", (c) => grpcRaw(c, "IdentityService/GetPerson", Buffer.from([0x08, 0x01, 0x12, 0x02, 0x68, 0x31]), c.cred.psb), "INVALID_ARGUMENT"),
    refuse("edge: a length beyond the message", (c) => grpcRaw(c, "LicenceService/IssueLicence", Buffer.from([0x22, 0x7f, 0x0a, 0x01]), c.cred.samr), "INVALID_ARGUMENT"),
    refuse("case service: a decision with an unknown outcome", (c) => grpc(c, "CaseService/Decide", { applicationId: c.completedApplication, stepKey: "establishment", outcome: "OUTCOME_UNSPECIFIED", comment: "x" }, c.cred.samr), "INVALID_ARGUMENT"),
    refuse("case service: a decision on a step that is not waiting", (c) => grpc(c, "CaseService/Decide", { applicationId: c.completedApplication, stepKey: "establishment", outcome: "OUTCOME_APPROVE", comment: "准予" }, c.cred.samr), "FAILED_PRECONDITION"),
    refuse("case service: an approval naming a material to supply", (c) => grpc(c, "CaseService/Decide", { applicationId: c.completedApplication, stepKey: "establishment", outcome: "OUTCOME_APPROVE", comment: "准予", materialType: "PREMISES_PROOF" }, c.cred.samr), "INVALID_ARGUMENT", "material_type"),
    refuse("case service: a rejection carrying a megabyte of bidi overrides as its material", (c) => grpc(c, "CaseService/Decide", { applicationId: c.completedApplication, stepKey: "establishment", outcome: "OUTCOME_REJECT", comment: "不予登记", materialType: RLO.repeat(1_000_000) }, c.cred.samr), "INVALID_ARGUMENT", "material_type"),
    refuse("case service: a rejection with a NUL in its material", (c) => grpc(c, "CaseService/Decide", { applicationId: c.completedApplication, stepKey: "establishment", outcome: "OUTCOME_REJECT", comment: "不予登记", materialType: "garbage\u0000" }, c.cred.samr), "INVALID_ARGUMENT", "material_type"),
    refuse("case service: a request for a material with a NUL in its type", (c) => grpc(c, "CaseService/Decide", { applicationId: c.completedApplication, stepKey: "establishment", outcome: "OUTCOME_SUPPLEMENT", comment: "请补正", materialType: "PREMISES\u0000PROOF" }, c.cred.samr), "INVALID_ARGUMENT", "material_type"),
    refuse("case service: a decision by another department", (c) => grpc(c, "CaseService/Decide", { applicationId: c.completedApplication, stepKey: "establishment", outcome: "OUTCOME_APPROVE", comment: "准予" }, c.cred.tax), "PERMISSION_DENIED"),
    refuse("case service: a page of 10,000", (c) => grpc(c, "CaseService/ListPendingDecisions", { pageSize: 10_000 }, c.cred.samr), "INVALID_ARGUMENT", "page_size"),
    refuse("case service: a page token that is not one", (c) => grpc(c, "CaseService/ListPendingDecisions", { pageToken: "garbage!" }, c.cred.samr), "INVALID_ARGUMENT", "page_token"),
    refuse("case service: a material of an unknown application", (c) => grpc(c, "CaseService/FetchMaterial", { applicationId: "A20261130-0000000000", materialId: "M-1" }, c.cred.samr), "NOT_FOUND"),
    refuse("supervision: another department's board", (c) => grpc(c, "SupervisionService/ListOpenCases", { department: "samr" }, c.cred.tax), "PERMISSION_DENIED", "department"),
    refuse("supervision: a department code with markup", (c) => grpc(c, "SupervisionService/ListOverdue", { department: "<x>" }, c.cred.tax), "INVALID_ARGUMENT", "department"),
    refuse("supervision: a red list page token that is not one", (c) => grpc(c, "SupervisionService/ListOverdue", { pageToken: "WyJ4Il0" }, c.cred.tax), "INVALID_ARGUMENT", "page_token"),
    refuse("supervision: a page token with 30 February", (c) => grpc(c, "SupervisionService/ListOpenCases", { pageToken: Buffer.from('["2026-02-30 00:00:00+00","A1"]').toString("base64url") }, c.cred.tax), "INVALID_ARGUMENT", "page_token"),
    refuse("supervision: statistics of year 0", (c) => grpc(c, "SupervisionService/GetStatistics", { from: "0000-01-01", to: "0000-01-02" }, c.cred.tax), "INVALID_ARGUMENT", "from"),
    refuse("supervision: a case id of 10,000 characters", (c) => grpc(c, "SupervisionService/AnswerRectification", { rectificationId: `ZG-${"A".repeat(10_000)}`, measures: "已整改完毕" }, c.cred.tax), "INVALID_ARGUMENT", "rectification_id"),
    refuse("supervision: statistics from a date that does not exist", (c) => grpc(c, "SupervisionService/GetStatistics", { from: "2026-02-30", to: "2026-03-01" }, c.cred.tax), "INVALID_ARGUMENT", "from"),
    refuse("supervision: statistics from a month that does not exist", (c) => grpc(c, "SupervisionService/GetStatistics", { from: "2026-13-45", to: "2026-12-01" }, c.cred.tax), "INVALID_ARGUMENT", "from"),
    refuse("supervision: statistics to day 99", (c) => grpc(c, "SupervisionService/GetStatistics", { from: "2026-11-01", to: "2026-12-99" }, c.cred.tax), "INVALID_ARGUMENT", "to"),
    refuse("supervision: statistics over two years", (c) => grpc(c, "SupervisionService/GetStatistics", { from: "2024-01-01", to: "2026-01-01" }, c.cred.tax), "INVALID_ARGUMENT", "to"),
    refuse("supervision: statistics of another department", (c) => grpc(c, "SupervisionService/GetStatistics", { from: "2026-01-01", to: "2026-01-31", department: "hrss" }, c.cred.tax), "PERMISSION_DENIED", "department"),
    refuse("supervision: rectifications of an unknown status", (c) => grpc(c, "SupervisionService/ListRectifications", { status: "DONE" }, c.cred.tax), "INVALID_ARGUMENT", "status"),
    refuse("supervision: an answer to an unknown case", (c) => grpc(c, "SupervisionService/AnswerRectification", { rectificationId: "ZG-A20261130-0000000000-tax", measures: "已整改完毕" }, c.cred.tax), "NOT_FOUND"),
    refuse("supervision: an answer without measures", (c) => grpc(c, "SupervisionService/AnswerRectification", { rectificationId: "ZG-A20261130-0000000000-tax", measures: "" }, c.cred.tax), "INVALID_ARGUMENT", "measures"),
    refuse("supervision: measures with a bidi override", (c) => grpc(c, "SupervisionService/AnswerRectification", { rectificationId: "ZG-A20261130-0000000000-tax", measures: "\u202e已整改完毕" }, c.cred.tax), "INVALID_ARGUMENT", "measures"),
    refuse("supervision: an answer without a case id", (c) => grpc(c, "SupervisionService/AnswerRectification", { measures: "已整改完毕" }, c.cred.tax), "INVALID_ARGUMENT", "rectification_id"),
    refuse("registry: a grant for a method nobody serves", (c) => grpc(c, "DepartmentRegistryService/GrantAccess", { method: "/tongban.nope.v1.NopeService/Nope", grantee: "civil" }, c.cred.data), "INVALID_ARGUMENT"),
  ];
}

/** Every gRPC case. */
export function grpcCases(): HostileCase[] {
  return [...identityCases(), ...licenceCases(), ...taxCases(), ...socialInsuranceCases(), ...registrationCases(), ...edgeCases()];
}
