/**
 * Hostile input over the portal API: sessions, uploads, submissions (every field of the merged
 * forms, bodies malformed at the byte level, stranger's bundles), the application and agent
 * routes, look-ups and routing. Each case expects a refusal naming the field; nothing may be
 * written (the suite checks every table).
 */
import { jpegSample, pdfSample, pngSample } from "../../unit/gateway/materials/samples";
import { startBusinessForm, tradeName, START_BUSINESS_CONSENT } from "../../support/start-business";
import { signDepartmentToken } from "../../../services/common/department-token";
import { http, refuse, type HostileCase, type HostileContext } from "./kit";

const ZW = "\u200b";
const RLO = "\u202e";
const b64 = (b: Buffer) => b.toString("base64");

/** A check character that is wrong for the ID number. */
const badCheck = (id: string) => id.slice(0, 17) + (id[17] === "0" ? "1" : "0");

/** A call with an officer token of tax (a session from its department token first; nothing is stored for it). */
const asOfficer = (method: string, path: (c: HostileContext) => string, body?: unknown) => async (c: HostileContext) => {
  const session = await fetch(`${c.base}/v1/supervision/sessions`, { method: "POST", headers: { authorization: `Bearer ${signDepartmentToken(c.cred.tax, 60)}` } });
  const { token } = (await session.json()) as { token: string };
  return http(c, method, path(c), { token, body });
};

/** An officer token whose payload names another department than the one it was signed for. */
function forgedOfficer(c: HostileContext): string {
  const [h, p, s] = c.ownerToken.split(".");
  const payload = { ...JSON.parse(Buffer.from(p, "base64url").toString()), sub: "supervision", aud: "tongban-supervision" };
  return `${h}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}.${s}`;
}

/** A complete START_BUSINESS submission of the owner, with one field or part replaced. */
function startBusiness(c: HostileContext, i: number, over: { form?: Record<string, unknown>; drop?: string[]; body?: Record<string, unknown> } = {}) {
  const form: Record<string, unknown> = {
    ...startBusinessForm({ tradeName: tradeName(900 + i, "苑"), applicant: c.owner.idNumber, employees: [c.employee.idNumber], startDate: "2026-12-01" }),
    ...over.form,
  };
  for (const d of over.drop ?? []) delete form[d];
  return {
    bundle_code: "START_BUSINESS",
    consent: START_BUSINESS_CONSENT,
    client_key: `hostile-sb-${i}-${Date.now()}`,
    form,
    materials: { ARTICLES_OF_ASSOCIATION: c.ownerMaterials.ARTICLES_OF_ASSOCIATION, PREMISES_PROOF: c.ownerMaterials.PREMISES_PROOF },
    ...over.body,
  };
}

const submitAsOwner = (body: (c: HostileContext) => unknown) => (c: HostileContext) => http(c, "POST", "/v1/applications", { token: c.ownerToken, body: body(c) });

/** Form values refused where they enter: [field, bad value, field named]. */
const FORM_VALUES: Array<[string, unknown, string]> = [
  ["enterprise.region_code", "999999", "enterprise.region_code"],
  ["enterprise.region_code", "51010", "enterprise.region_code"],
  ["enterprise.region_code", 510104, "enterprise.region_code"],
  ["enterprise.region_code", "5101O4", "enterprise.region_code"],
  ["enterprise.trade_name", `锦${ZW}城`, "enterprise.trade_name"],
  ["enterprise.trade_name", `${RLO}锦城`, "enterprise.trade_name"],
  ["enterprise.trade_name", "Star", "enterprise.trade_name"],
  ["enterprise.trade_name", "锦", "enterprise.trade_name"],
  ["enterprise.trade_name", "锦城锦城锦城锦", "enterprise.trade_name"],
  ["enterprise.trade_name", "<b>锦城</b>", "enterprise.trade_name"],
  ["enterprise.trade_name", ["锦城"], "enterprise.trade_name"],
  ["enterprise.industry", "赌场", "enterprise.industry"],
  ["enterprise.industry", `科${ZW}技`, "enterprise.industry"],
  ["enterprise.organisation_form", "公司", "enterprise.organisation_form"],
  ["enterprise.organisation_form", "有限公司 ", "enterprise.organisation_form"],
  ["enterprise.enterprise_type", "ENTERPRISE_TYPE_BANK", "enterprise.enterprise_type"],
  ["enterprise.enterprise_type", 1, "enterprise.enterprise_type"],
  ["enterprise.registered_capital", "0", "enterprise.registered_capital"],
  ["enterprise.registered_capital", "-100", "enterprise.registered_capital"],
  ["enterprise.registered_capital", "1e3", "enterprise.registered_capital"],
  ["enterprise.registered_capital", "999999999999999999", "enterprise.registered_capital"],
  ["enterprise.registered_capital", "100.00001", "enterprise.registered_capital"],
  ["enterprise.registered_capital", 100, "enterprise.registered_capital"],
  ["enterprise.registered_capital", "NaN", "enterprise.registered_capital"],
  ["enterprise.registered_capital", "1,000", "enterprise.registered_capital"],
  ["enterprise.address", `四川省成都市锦江区${ZW}人民南路1号`, "enterprise.address"],
  ["enterprise.address", `四川省成都市锦江区${RLO}号1路南民人`, "enterprise.address"],
  ["enterprise.address", "四川省成都市锦江区\n人民南路1号", "enterprise.address"],
  ["enterprise.address", "四川省成都市锦江区\u0000人民南路1号", "enterprise.address"],
  ["enterprise.address", "四川省成都市锦江区\u2028人民南路1号", "enterprise.address"],
  ["enterprise.address", "路".repeat(201), "enterprise.address"],
  ["enterprise.address", { street: "x" }, "enterprise.address"],
  ["enterprise.business_scope_codes", [], "enterprise.business_scope_codes"],
  ["enterprise.business_scope_codes", ["Z9999"], "enterprise.business_scope_codes[0]"],
  ["enterprise.business_scope_codes", "I6510", "enterprise.business_scope_codes"],
  ["enterprise.business_scope_codes", [6510], "enterprise.business_scope_codes[0]"],
  ["enterprise.business_scope_codes", ["I6510", "I6510"], "enterprise.business_scope_codes"],
  ["enterprise.business_scope_codes", ["<script>"], "enterprise.business_scope_codes[0]"],
  ["enterprise.legal_representative_id_number", "123", "enterprise.legal_representative_id_number"],
  ["enterprise.legal_representative_id_number", "110105194912310020", "enterprise.legal_representative_id_number"],
  ["enterprise.legal_representative_id_number", "11010519491231002X\u200b", "enterprise.legal_representative_id_number"],
  ["enterprise.investors", [], "enterprise.investors"],
  ["enterprise.investors", "all of us", "enterprise.investors"],
  ["enterprise.investors", ["11010519491231002X"], "enterprise.investors[0]"],
  ["seal.types", ["<script>alert(1)</script>"], "seal.types[0]"],
  ["seal.types", [], "seal.types"],
  ["seal.types", ["公章", "公章"], "seal.types"],
  ["seal.types", "公章", "seal.types"],
  ["seal.types", [`公${ZW}章`], "seal.types[0]"],
  ["seal.engraver", `刻章${ZW}社`, "seal.engraver"],
  ["seal.engraver", "社".repeat(201), "seal.engraver"],
  ["tax.monthly_credit_line", "0", "tax.monthly_credit_line"],
  ["tax.monthly_credit_line", "999999999999999999", "tax.monthly_credit_line"],
  ["tax.monthly_credit_line", "100000000.01", "tax.monthly_credit_line"],
  ["tax.monthly_credit_line", "-1", "tax.monthly_credit_line"],
  ["tax.monthly_credit_line", "5e4", "tax.monthly_credit_line"],
  ["tax.expected_annual_sales", "999999999999999999", "tax.expected_annual_sales"],
  ["tax.expected_annual_sales", "-1", "tax.expected_annual_sales"],
  ["employees", [], "employees"],
  ["employees", "everyone", "employees"],
  ["employees", ["11010519491231002X"], "employees[0]"],
  // One person twice (the second written with a lower-case x): their second enrolment could only fail.
  [
    "employees",
    [{ id_number: "11010519491231002X", monthly_wage: "8000", start_date: "2026-12-01" }, { id_number: "11010519491231002x", monthly_wage: "9000", start_date: "2026-12-01" }],
    "employees[1].id_number",
  ],
];

/** Investor and employee items refused: [label, item mutation, field named]. */
const ITEM_VALUES: Array<[string, "investor" | "employee", Record<string, unknown>, string]> = [
  ["an unknown key in an investor", "investor", { role: "admin" }, "enterprise.investors[0].role"],
  ["a 10 KB contribution method", "investor", { contribution_method: "货".repeat(10_000) }, "enterprise.investors[0].contribution_method"],
  ["a made-up contribution method", "investor", { contribution_method: "比特币" }, "enterprise.investors[0].contribution_method"],
  ["a zero contribution", "investor", { contribution: "0" }, "enterprise.investors[0].contribution"],
  ["a huge contribution", "investor", { contribution: "99999999999999999" }, "enterprise.investors[0].contribution"],
  ["an investor id that is no code", "investor", { id: "DROP TABLE" }, "enterprise.investors[0].id"],
  ["a number as contribution", "investor", { contribution: 100 }, "enterprise.investors[0].contribution"],
  ["an unknown key in an employee", "employee", { salary_band: "A" }, "employees[0].salary_band"],
  ["a zero wage", "employee", { monthly_wage: "0" }, "employees[0].monthly_wage"],
  ["a wage of 10^18", "employee", { monthly_wage: "999999999999999999" }, "employees[0].monthly_wage"],
  ["a wage above 1,000,000", "employee", { monthly_wage: "1000000.01" }, "employees[0].monthly_wage"],
  ["a wage with 3 decimals", "employee", { monthly_wage: "8000.001" }, "employees[0].monthly_wage"],
  ["a start date that does not exist", "employee", { start_date: "2026-02-30" }, "employees[0].start_date"],
  ["a start date in another format", "employee", { start_date: "2026/12/01" }, "employees[0].start_date"],
  ["an employee id with a wrong check character", "employee", { id_number: "110105194912310020" }, "employees[0].id_number"],
  ["an employee id of 17 characters", "employee", { id_number: "11010519491231002" }, "employees[0].id_number"],
];

function sessionCases(): HostileCase[] {
  const session = (token: (c: HostileContext) => string | undefined, body: (c: HostileContext) => unknown) => (c: HostileContext) =>
    http(c, "POST", "/v1/sessions", { token: token(c), body: body(c) });
  const asData = (c: HostileContext) => signDepartmentToken(c.cred.data, 60);
  const ids: Array<[string, unknown]> = [
    ["a wrong check character", "110105194912310020"],
    ["17 digits", "11010519491231002"],
    ["19 characters", "11010519491231002X1"],
    ["letters", "ABCDEFGHIJKLMNOPQR"],
    ["a number", 110105194912310020],
    ["null", null],
    ["a zero-width space inside", `1101051949${ZW}1231002X`],
    ["an impossible birth date", "110105194902301234"],
    ["an unknown region", "990105194912310029"],
    ["SQL", "' OR 1=1 --"],
  ];
  return [
    refuse("session: no department token", session(() => undefined, (c) => ({ id_number: c.owner.idNumber })), 401, undefined, "TOKEN_MISSING"),
    refuse("session: a token that is no JWT", session(() => "abc.def.ghi", (c) => ({ id_number: c.owner.idNumber })), 401, undefined, "DEPARTMENT_TOKEN_INVALID"),
    refuse("session: a department without the portal role", session((c) => signDepartmentToken(c.cred.samr, 60), (c) => ({ id_number: c.owner.idNumber })), 403),
    refuse("session: an applicant token instead of a department token", session((c) => c.ownerToken, (c) => ({ id_number: c.owner.idNumber })), 401),
    refuse("session: a token signed for 10 hours", session((c) => signDepartmentToken(c.cred.data, 36_000), (c) => ({ id_number: c.owner.idNumber })), 401, undefined, "DEPARTMENT_TOKEN_INVALID"),
    refuse("session: a token from the future", session((c) => signDepartmentToken(c.cred.data, 60, Date.now() + 3_600_000), (c) => ({ id_number: c.owner.idNumber })), 401),
    refuse("session: an expired token", session((c) => signDepartmentToken(c.cred.data, 60, Date.now() - 600_000), (c) => ({ id_number: c.owner.idNumber })), 401),
    ...ids.map(([what, id]) => refuse(`session: an ID number with ${what}`, session(asData, () => ({ id_number: id })), 400, "id_number")),
    refuse("session: no id_number", session(asData, () => ({})), 400, "id_number"),
    refuse("session: an extra property", session(asData, (c) => ({ id_number: c.owner.idNumber, role: "admin" })), 400, "role"),
    refuse("session: a person not in the registry", session(asData, () => ({ id_number: "11010519491231002X".slice(0, 6) + "20000101" + "0019" })), 400, "id_number"),
  ];
}

function uploadCases(): HostileCase[] {
  const upload = (body: (c: HostileContext) => Record<string, unknown>) => (c: HostileContext) => http(c, "POST", "/v1/materials", { token: c.ownerToken, body: body(c) });
  const good = { type_code: "ARTICLES_OF_ASSOCIATION", file_name: "章程.pdf", content_type: "application/pdf", content_base64: b64(pdfSample("hostile")) };
  const bad: Array<[string, Record<string, unknown>, string]> = [
    ["an unknown type", { type_code: "NOPE" }, "type_code"],
    ["a lower-case type", { type_code: "articles_of_association" }, "type_code"],
    ["an empty type", { type_code: "" }, "type_code"],
    ["a number as type", { type_code: 7 }, "type_code"],
    ["a file name with a slash", { file_name: "../../etc/passwd" }, "file_name"],
    ["a file name with a backslash", { file_name: "..\\..\\boot.ini" }, "file_name"],
    ["a file name with a zero-width space", { file_name: `章${ZW}程.pdf` }, "file_name"],
    ["a file name with a right-to-left override", { file_name: `${RLO}fdp.exe` }, "file_name"],
    ["a file name with a NUL", { file_name: "a\u0000.pdf" }, "file_name"],
    ["a file name of 256 characters", { file_name: `${"a".repeat(252)}.pdf` }, "file_name"],
    ["a file name of 201 characters", { file_name: `${"a".repeat(197)}.pdf` }, "file_name"],
    ["an empty file name", { file_name: "" }, "file_name"],
    ["a file name that is ..", { file_name: ".." }, "file_name"],
    ["an HTML content type", { content_type: "text/html" }, "content_type"],
    ["a content type with parameters", { content_type: "application/pdf; name=x.exe" }, "content_type"],
    ["PNG bytes declared as PDF", { content_base64: b64(pngSample()) }, "content_type"],
    ["a JPEG for a digital-only type", { content_type: "image/jpeg", content_base64: b64(jpegSample()) }, "content_type"],
    ["base64 with invalid characters", { content_base64: "!!!!####" }, "content_base64"],
    ["base64 without padding", { content_base64: "JVBERi0xLjQ" }, "content_base64"],
    ["three zero bytes", { content_base64: "AAAA" }, "content"],
    ["an empty content", { content_base64: "" }, "content_base64"],
    ["content as a number", { content_base64: 12345 }, "content_base64"],
    ["an extra property", { owner: "someone-else" }, "owner"],
    ["a government-held material (ID card)", { type_code: "ID_CARD", content_type: "image/png", content_base64: b64(pngSample()) }, "type_code"],
    ["a file larger than its type allows", { type_code: "PREMISES_PROOF", content_base64: b64(Buffer.concat([pdfSample("big"), Buffer.alloc(10 * 1024 * 1024 + 1)])) }, "content"],
  ];
  const missing = ["type_code", "file_name", "content_type", "content_base64"].map((k) =>
    refuse(`upload: no ${k}`, upload(() => Object.fromEntries(Object.entries(good).filter(([key]) => key !== k))), 400, k),
  );
  return [
    ...bad.map(([what, over, field]) => refuse(`upload: ${what}`, upload(() => ({ ...good, ...over })), 400, field)),
    ...missing,
    refuse("upload: no applicant token", (c) => http(c, "POST", "/v1/materials", { body: good }), 401, undefined, "TOKEN_MISSING"),
    refuse("upload: a body over 28 MiB", (c) => http(c, "POST", "/v1/materials", { token: c.ownerToken, body: { ...good, content_base64: "A".repeat(29 * 1024 * 1024) } }), 413, "body"),
  ];
}

function submissionCases(): HostileCase[] {
  let i = 0;
  const values = FORM_VALUES.map(([name, value, field]) =>
    refuse(`START_BUSINESS: ${name} = ${JSON.stringify(value).slice(0, 40)}`, submitAsOwner((c) => startBusiness(c, i++, { form: { [name]: value } })), 400, field),
  );
  const items = ITEM_VALUES.map(([what, kind, over, field]) =>
    refuse(`START_BUSINESS: ${what}`, submitAsOwner((c) => {
      const base = startBusiness(c, i++);
      const form = base.form as Record<string, any>;
      if (kind === "investor") form["enterprise.investors"] = [{ ...form["enterprise.investors"][0], ...over }];
      else form.employees = [{ ...form.employees[0], ...over }];
      return base;
    }), 400, field),
  );
  const required = ["enterprise.region_code", "enterprise.trade_name", "enterprise.industry", "enterprise.organisation_form", "enterprise.registered_capital", "enterprise.address", "enterprise.business_scope_codes", "enterprise.investors", "seal.types", "employees"].map((name) =>
    refuse(`START_BUSINESS: no ${name}`, submitAsOwner((c) => startBusiness(c, i++, { drop: [name] })), 400, name),
  );
  const body: Array<[string, Record<string, unknown>, string]> = [
    ["an unknown bundle", { bundle_code: "OPEN_A_CASINO" }, "bundle_code"],
    ["a bundle code with markup", { bundle_code: "<x>" }, "bundle_code"],
    ["an empty bundle code", { bundle_code: "" }, "bundle_code"],
    ["a number as bundle code", { bundle_code: 1 }, "bundle_code"],
    ["a short client key", { client_key: "short" }, "client_key"],
    ["a client key with spaces", { client_key: "has some spaces" }, "client_key"],
    ["a client key of 129 characters", { client_key: "k".repeat(129) }, "client_key"],
    ["a client key in Chinese", { client_key: "键键键键键键键键键" }, "client_key"],
    ["a form that is a list", { form: [] }, "form"],
    ["a form that is text", { form: "everything" }, "form"],
    ["a form field in upper case", { form: { "Enterprise.Address": "x" } }, "form.Enterprise.Address"],
    ["a form field with markup", { form: { "<img src=x>": "x" } }, "form.<img src=x>"],
    ["65 form fields", { form: Object.fromEntries(Array.from({ length: 65 }, (_, n) => [`f.f${"x".repeat(n % 20)}${String.fromCharCode(97 + (n % 26))}`, "x"])) }, "form"],
    ["a camelCase property", { bundleCode: "START_BUSINESS" }, "bundleCode"],
    ["materials as a list", { materials: ["a"] }, "materials"],
    ["a material id of 81 characters", { materials: { ARTICLES_OF_ASSOCIATION: "m".repeat(81) } }, "materials.ARTICLES_OF_ASSOCIATION"],
    ["a material type in lower case", { materials: { articles: "x" } }, "materials.articles"],
  ];
  const bodies = body.map(([what, over, field]) => refuse(`submit: ${what}`, submitAsOwner((c) => startBusiness(c, i++, { body: over })), 400, field));
  const fields: Array<[string, Record<string, unknown>, string]> = [
    ["a field of another bundle", { "enterprise.credit_code": "91510104MA6CTEST5X" }, "enterprise.credit_code"],
    ["a government-held field", { "applicant.name": "张三" }, "applicant.name"],
    ["an unknown field", { "enterprise.motto": "x" }, "enterprise.motto"],
  ];
  const wrongFields = fields.map(([what, over, field]) => refuse(`START_BUSINESS: ${what}`, submitAsOwner((c) => startBusiness(c, i++, { form: over })), 400, field));
  const materials: Array<[string, (c: HostileContext) => Record<string, string>, string]> = [
    ["no articles of association", (c) => ({ PREMISES_PROOF: c.ownerMaterials.PREMISES_PROOF }), "materials.ARTICLES_OF_ASSOCIATION"],
    ["someone else's upload", (c) => ({ ARTICLES_OF_ASSOCIATION: c.strangerMaterials.ARTICLES_OF_ASSOCIATION }), "materials.ARTICLES_OF_ASSOCIATION"],
    ["an upload of another type", (c) => ({ ARTICLES_OF_ASSOCIATION: c.ownerMaterials.PREMISES_PROOF }), "materials.ARTICLES_OF_ASSOCIATION"],
    ["an unknown material id", () => ({ ARTICLES_OF_ASSOCIATION: "M-0000000000" }), "materials.ARTICLES_OF_ASSOCIATION"],
    ["a material the bundle does not take", (c) => ({ ARTICLES_OF_ASSOCIATION: c.ownerMaterials.ARTICLES_OF_ASSOCIATION, LABOUR_CONTRACT: c.ownerMaterials.LABOUR_CONTRACT }), "materials.LABOUR_CONTRACT"],
  ];
  const materialCases = materials.map(([what, m, field]) => refuse(`START_BUSINESS: ${what}`, submitAsOwner((c) => startBusiness(c, i++, { body: { materials: m(c) } })), 400, field));
  return [...values, ...items, ...required, ...bodies, ...wrongFields, ...materialCases];
}

function enterpriseBundleCases(): HostileCase[] {
  let i = 0;
  const hire = (c: HostileContext, creditCode: unknown, token: string, materials: Record<string, string>) => ({
    bundle_code: "HIRE_EMPLOYEE",
    client_key: `hostile-hire-${i++}-${Date.now()}`,
    form: { "enterprise.credit_code": creditCode, employees: [{ id_number: c.employee.idNumber, monthly_wage: "8000", start_date: "2026-12-01" }] },
    materials: { LABOUR_CONTRACT: materials.LABOUR_CONTRACT },
    token,
  });
  const change = (c: HostileContext, creditCode: unknown, over: Record<string, unknown> = {}) => ({
    bundle_code: "CHANGE_REGISTRATION",
    client_key: `hostile-change-${i++}-${Date.now()}`,
    form: { "enterprise.credit_code": creditCode, "enterprise.new_address": "四川省成都市锦江区东大街99号", ...over },
    materials: { SHAREHOLDER_RESOLUTION: c.strangerMaterials.SHAREHOLDER_RESOLUTION },
  });
  const close = (c: HostileContext, creditCode: unknown, m: Record<string, string>) => ({
    bundle_code: "CLOSE_BUSINESS",
    client_key: `hostile-close-${i++}-${Date.now()}`,
    form: { "enterprise.credit_code": creditCode, "enterprise.deregistration_reason": "股东会决议解散" },
    materials: { DEREGISTRATION_RESOLUTION: m.DEREGISTRATION_RESOLUTION, LIQUIDATION_REPORT: m.LIQUIDATION_REPORT },
  });
  const post = (token: (c: HostileContext) => string, body: (c: HostileContext) => object) => (c: HostileContext) => {
    const { token: _t, ...rest } = body(c) as Record<string, unknown>;
    return http(c, "POST", "/v1/applications", { token: token(c), body: rest });
  };
  const stranger = (c: HostileContext) => c.strangerToken;
  const owner = (c: HostileContext) => c.ownerToken;
  return [
    refuse("stranger's HIRE_EMPLOYEE", post(stranger, (c) => hire(c, c.creditCode, c.strangerToken, c.strangerMaterials)), 403, "enterprise.credit_code", "NOT_AUTHORISED_FOR_ENTERPRISE"),
    refuse("stranger's CHANGE_REGISTRATION", post(stranger, (c) => change(c, c.creditCode)), 403, "enterprise.credit_code", "NOT_AUTHORISED_FOR_ENTERPRISE"),
    refuse("stranger's CLOSE_BUSINESS", post(stranger, (c) => close(c, c.creditCode, c.strangerMaterials)), 403, "enterprise.credit_code", "NOT_AUTHORISED_FOR_ENTERPRISE"),
    refuse("stranger's CLOSE_BUSINESS with the credit code in lower case", post(stranger, (c) => close(c, c.creditCode.toLowerCase(), c.strangerMaterials)), 403, "enterprise.credit_code"),
    refuse("stranger's CLOSE_BUSINESS with the credit code in full-width", post(stranger, (c) => close(c, c.creditCode.replace(/[0-9A-Z]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0)), c.strangerMaterials)), 403, "enterprise.credit_code"),
    refuse("CLOSE_BUSINESS with a credit code whose check character is wrong", post(owner, (c) => close(c, c.creditCode.slice(0, 17) + (c.creditCode[17] === "0" ? "1" : "0"), c.ownerMaterials)), 400, "enterprise.credit_code"),
    refuse("CLOSE_BUSINESS with no credit code", post(owner, (c) => close(c, "", c.ownerMaterials)), 400, "enterprise.credit_code"),
    refuse("CLOSE_BUSINESS with a credit code as a number", post(owner, (c) => close(c, 915101, c.ownerMaterials)), 400, "enterprise.credit_code"),
    refuse("HIRE_EMPLOYEE of the owner with the stranger's contract", post(owner, (c) => hire(c, c.creditCode, c.ownerToken, c.strangerMaterials)), 400, "materials.LABOUR_CONTRACT"),
    refuse("CHANGE_REGISTRATION with neither a new address nor a new legal representative", post(owner, (c) => change(c, c.creditCode, { "enterprise.new_address": undefined })), 400, "enterprise.new_address"),
    refuse("CHANGE_REGISTRATION to a new address with a bidi override", post(owner, (c) => change(c, c.creditCode, { "enterprise.new_address": `四川省成都市${RLO}锦江区东大街99号` })), 400, "enterprise.new_address"),
    refuse("CHANGE_REGISTRATION to a legal representative with a wrong check character", post(owner, (c) => change(c, c.creditCode, { "enterprise.new_legal_representative_id_number": badCheck(c.stranger.idNumber) })), 400, "enterprise.new_legal_representative_id_number"),
    refuse("CLOSE_BUSINESS with a reason of 201 characters", post(owner, (c) => ({ ...close(c, c.creditCode, c.ownerMaterials), form: { "enterprise.credit_code": c.creditCode, "enterprise.deregistration_reason": "散".repeat(201) } })), 400, "enterprise.deregistration_reason"),
  ];
}

function bodyCases(): HostileCase[] {
  const raw = (raw: string | Buffer, type = "application/json") => (c: HostileContext) => http(c, "POST", "/v1/applications", { token: c.ownerToken, raw, type });
  const deep = (n: number) => `{"bundle_code":"START_BUSINESS","client_key":"deep-00001","form":{"enterprise.address":${'{"a":'.repeat(n)}1${"}".repeat(n)}}}`;
  return [
    refuse("body: not JSON", raw("{"), 400, "body"),
    refuse("body: a JSON list", raw("[1,2]"), 400, "body"),
    refuse("body: a JSON number", raw("42"), 400, "body"),
    refuse("body: a JSON string", raw('"x"'), 400, "body"),
    refuse("body: null", raw("null"), 400, "body"),
    refuse("body: empty", raw(""), 400, "body"),
    refuse("body: only spaces", raw("   "), 400, "body"),
    refuse("body: nested 10,000 levels", raw(deep(10_000)), 400, "body"),
    refuse("body: nested 33 levels", raw(deep(33)), 400, "body"),
    refuse("body: a key given twice", raw('{"bundle_code":"START_BUSINESS","bundle_code":"CLOSE_BUSINESS","client_key":"twice-0001","form":{}}'), 400, "bundle_code"),
    refuse("body: a form field given twice", raw('{"bundle_code":"START_BUSINESS","client_key":"twice-0002","form":{"enterprise.address":"a","enterprise.address":"b"}}'), 400, "form.enterprise.address"),
    refuse("body: a key given twice, once escaped", raw('{"bundle_code":"START_BUSINESS","bundle\\u005fcode":"CLOSE_BUSINESS","client_key":"twice-0003","form":{}}'), 400, "bundle_code"),
    refuse("body: __proto__", raw('{"__proto__":{"admin":true},"bundle_code":"START_BUSINESS","client_key":"proto-0001","form":{}}'), 400, "body"),
    refuse("body: __proto__ inside the form", raw('{"bundle_code":"START_BUSINESS","client_key":"proto-0002","form":{"__proto__":{"x":1}}}'), 400, "body"),
    refuse("body: constructor.prototype", raw('{"bundle_code":"START_BUSINESS","client_key":"proto-0003","form":{"constructor":{"prototype":{"x":1}}}}'), 400, "body"),
    refuse("body: declared GBK", raw('{"bundle_code":"START_BUSINESS"}', "application/json; charset=GBK"), 415, "body", "UNSUPPORTED_MEDIA_TYPE"),
    refuse("body: declared latin1", raw('{"bundle_code":"START_BUSINESS"}', "application/json; charset=iso-8859-1"), 415, "body"),
    refuse("body: form-encoded", raw("bundle_code=START_BUSINESS", "application/x-www-form-urlencoded"), 415, "body", "UNSUPPORTED_MEDIA_TYPE"),
    refuse("body: text/plain", raw('{"bundle_code":"START_BUSINESS"}', "text/plain"), 415, "body"),
    refuse("body: multipart", raw("--x\r\n\r\n--x--", "multipart/form-data; boundary=x"), 415, "body"),
    refuse("body: invalid UTF-8 bytes", raw(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d])), 400),
    refuse("body: over 256 KiB on a JSON route", raw(`{"bundle_code":"START_BUSINESS","client_key":"big-00001","form":{"enterprise.address":"${"a".repeat(300 * 1024)}"}}`), 413, "body", "PAYLOAD_TOO_LARGE"),
    refuse("body: a lone surrogate in a value", raw('{"bundle_code":"START_BUSINESS","client_key":"surrogate-1","form":{"enterprise.trade_name":"\\ud800"}}'), 400),
    refuse("body: a NUL escape in a key", raw('{"bundle_code\\u0000":"START_BUSINESS","client_key":"nul-000001","form":{}}'), 400),
  ];
}

function routeCases(): HostileCase[] {
  const get = (path: (c: HostileContext) => string, token: (c: HostileContext) => string | undefined = (c) => c.ownerToken) => (c: HostileContext) => http(c, "GET", path(c), { token: token(c) });
  const post = (path: (c: HostileContext) => string, body: unknown, token: (c: HostileContext) => string = (c) => c.ownerToken) => (c: HostileContext) => http(c, "POST", path(c), { token: token(c), body });
  const app = (c: HostileContext) => `/v1/applications/${c.completedApplication}`;
  return [
    refuse("status: an id of 65 characters", get(() => `/v1/applications/${"A".repeat(65)}`), 400, "id"),
    refuse("status: an id with a space", get(() => "/v1/applications/A%20B%20C%20D"), 400, "id"),
    refuse("status: an unknown id", get(() => "/v1/applications/A20261130-0000000000"), 404),
    refuse("status: another applicant's application", get(app, (c) => c.strangerToken), 404),
    refuse("status: a broken percent-encoding", get(() => "/v1/applications/%E0%A4%A"), 400),
    refuse("status: no token", get(app, () => undefined), 401, undefined, "TOKEN_MISSING"),
    refuse("status: a token with alg none", get(app, () => `${Buffer.from('{"alg":"none","typ":"JWT"}').toString("base64url")}.${Buffer.from('{"sub":"x"}').toString("base64url")}.`), 401),
    refuse("status: a department token", get(app, (c) => signDepartmentToken(c.cred.data, 60)), 401),
    refuse("status: a forged applicant token", get(app, (c) => { const [h, p, s] = c.ownerToken.split("."); return `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, "base64url").toString()), sub: c.stranger.idNumber })).toString("base64url")}.${s}`; }), 401, undefined, "TOKEN_SIGNATURE_INVALID"),
    refuse("supplement: a finished application", post((c) => `${app(c)}/materials`, { material_type: "PREMISES_PROOF", material_id: "M-x" }), 400, "material_id"),
    refuse("supplement: a material type in lower case", post((c) => `${app(c)}/materials`, { material_type: "premises", material_id: "M-x" }), 400, "material_type"),
    refuse("supplement: an extra property", post((c) => `${app(c)}/materials`, { material_type: "PREMISES_PROOF", material_id: "M-x", force: true }), 400, "force"),
    refuse("supplement: another applicant's application", post((c) => `${app(c)}/materials`, { material_type: "PREMISES_PROOF", material_id: "M-x" }, (c) => c.strangerToken), 400, "material_id"),
    refuse("withdraw: an empty reason", post((c) => `${app(c)}/withdrawal`, { reason: "" }), 400, "reason"),
    refuse("withdraw: a reason of 501 characters", post((c) => `${app(c)}/withdrawal`, { reason: "撤".repeat(501) }), 400, "reason"),
    refuse("withdraw: a reason with a zero-width space", post((c) => `${app(c)}/withdrawal`, { reason: `不${ZW}办了` }), 400, "reason"),
    refuse("withdraw: a finished application", post((c) => `${app(c)}/withdrawal`, { reason: "不办了" }), 422, undefined, "APPLICATION_CLOSED"),
    refuse("withdraw: another applicant's application", post((c) => `${app(c)}/withdrawal`, { reason: "不办了" }, (c) => c.strangerToken), 404),
    refuse("correct: a step key with markup", post((c) => `${app(c)}/steps/%3Cx%3E/correction`, { drop: true }), 400, "step_key"),
    refuse("correct: drop false", post((c) => `${app(c)}/steps/invoices/correction`, { drop: false }), 400, "drop"),
    refuse("correct: fields with a bad name", post((c) => `${app(c)}/steps/invoices/correction`, { fields: { "Tax.Line": "1" } }), 400, "fields.Tax.Line"),
    refuse("correct: a step that is not held", post((c) => `${app(c)}/steps/invoices/correction`, { fields: { "tax.monthly_credit_line": "5000" } }), 422),
    refuse("rate: score 0", post((c) => `${app(c)}/rating`, { score: 0 }), 400, "score"),
    refuse("rate: score 6", post((c) => `${app(c)}/rating`, { score: 6 }), 400, "score"),
    refuse("rate: score 4.5", post((c) => `${app(c)}/rating`, { score: 4.5 }), 400, "score"),
    refuse("rate: score as text", post((c) => `${app(c)}/rating`, { score: "5" }), 400, "score"),
    refuse("rate: a poor score without a comment", post((c) => `${app(c)}/rating`, { score: 1 }), 400, "comment"),
    refuse("rate: a comment of 501 characters", post((c) => `${app(c)}/rating`, { score: 3, comment: "好".repeat(501) }), 400, "comment"),
    refuse("rate: a comment with a bidi override", post((c) => `${app(c)}/rating`, { score: 2, comment: `${RLO}好很` }), 400, "comment"),
    refuse("rate: another applicant's application", post((c) => `${app(c)}/rating`, { score: 5 }, (c) => c.strangerToken), 404),
    refuse("rate: departments not a list", post((c) => `${app(c)}/rating`, { score: 4, departments: "tax" }), 400, "departments"),
    refuse("rate: a department rated twice", post((c) => `${app(c)}/rating`, { score: 4, departments: [{ department: "tax", score: 5 }, { department: "tax", score: 4 }] }), 400, "departments[1].department"),
    refuse("rate: a department's poor score without a comment", post((c) => `${app(c)}/rating`, { score: 4, departments: [{ department: "tax", score: 1 }] }), 400, "departments[0].comment"),
    refuse("rate: a department not in the case", post((c) => `${app(c)}/rating`, { score: 4, departments: [{ department: "civil", score: 5 }] }), 400, "departments[0].department"),
    refuse("rate: the one window as a department", post((c) => `${app(c)}/rating`, { score: 4, departments: [{ department: "data", score: 1, comment: "窗口太慢" }] }), 400, "departments[0].department"),
    refuse("rate: seventeen departments", post((c) => `${app(c)}/rating`, { score: 4, departments: Array.from({ length: 17 }, (_, i) => ({ department: `d${i}`, score: 5 })) }), 400, "departments"),
    refuse("rate: a department with an extra property", post((c) => `${app(c)}/rating`, { score: 4, departments: [{ department: "tax", score: 5, weight: 2 }] }), 400, "departments[0].weight"),
    refuse("rate: a comment with a lone surrogate", (c) => http(c, "POST", `${app(c)}/rating`, { token: c.ownerToken, raw: '{"score":1,"comment":"差\\ud800评 办事慢"}' }), 400, "comment"),
    refuse("rate: a body that is not UTF-8", (c) => http(c, "POST", `${app(c)}/rating`, { token: c.ownerToken, raw: Buffer.from([...Buffer.from('{"score":1,"comment":"'), 0xff, 0xfe, ...Buffer.from(' bad"}')]) }), 400, "body"),
    refuse("supervision page: a page token with 30 February", asOfficer("GET", () => `/v1/supervision/rectifications?page_token=${Buffer.from('["2026-02-30 00:00:00+00","ZG-a"]').toString("base64url")}`), 400, "page_token"),
    refuse("supervision page: a page token with an offset of 99 hours", asOfficer("GET", () => `/v1/supervision/overdue?page_token=${Buffer.from('["2026-02-28 00:00:00+99","A1",""]').toString("base64url")}`), 400, "page_token"),
    refuse("supervision page: statistics of year 1", asOfficer("GET", () => "/v1/supervision/statistics?from=0001-01-01&to=0001-01-01"), 400, "from"),
    refuse("supervision page: statistics from month 13", asOfficer("GET", () => "/v1/supervision/statistics?from=2026-13-45&to=2026-12-01"), 400, "from"),
    refuse("supervision page: statistics to month 13", asOfficer("GET", () => "/v1/supervision/statistics?from=2026-02-01&to=2026-13-01"), 400, "to"),
    refuse("supervision page: a path with backslash dot-dots", (c) => http(c, "GET", "/supervision/..%5c..%5cpackage.json"), 403, "path"),
    refuse("supervision page: a path with a NUL", (c) => http(c, "GET", "/supervision/%00"), 400, "path"),
    refuse("revisit: an unknown case", post(() => "/v1/rectifications/ZG-A20261130-0000000000-tax/revisit", { score: 4 }), 404),
    refuse("revisit: score 0", post(() => "/v1/rectifications/ZG-A20261130-0000000000-tax/revisit", { score: 0 }), 400, "score"),
    refuse("revisit: a case id with markup", post(() => "/v1/rectifications/%3Cscript%3E/revisit", { score: 4 }), 400, "rectification_id"),
    refuse("supervision: a session without a department token", (c) => http(c, "POST", "/v1/supervision/sessions", {}), 401),
    refuse("supervision: a session asking for another department in a body", (c) => http(c, "POST", "/v1/supervision/sessions", { token: signDepartmentToken(c.cred.tax, 60), body: { department: "supervision" } }), 400, "body"),
    refuse("supervision: a session with an applicant token", (c) => http(c, "POST", "/v1/supervision/sessions", { token: c.ownerToken }), 401),
    refuse("supervision: statistics with an applicant token", get(() => "/v1/supervision/statistics?from=2026-11-01&to=2026-11-30"), 401, undefined, "OFFICER_TOKEN_INVALID"),
    refuse("supervision: a forged officer token", get(() => "/v1/supervision/cases", (c) => forgedOfficer(c)), 401, undefined, "OFFICER_TOKEN_INVALID"),
    refuse("supervision: statistics with a date in another format", asOfficer("GET", () => "/v1/supervision/statistics?from=30.11.2026&to=2026-11-30"), 400, "from"),
    refuse("supervision page: statistics over two years", asOfficer("GET", () => "/v1/supervision/statistics?from=2024-01-01&to=2026-01-01"), 400, "to"),
    refuse("supervision: statistics as XML", asOfficer("GET", () => "/v1/supervision/statistics?from=2026-11-01&to=2026-11-30&format=xml"), 400, "format"),
    refuse("supervision: another department's statistics", asOfficer("GET", () => "/v1/supervision/statistics?from=2026-11-01&to=2026-11-30&department=samr"), 403, "department"),
    refuse("supervision: an unknown query parameter", asOfficer("GET", () => "/v1/supervision/cases?admin=1"), 400, "admin"),
    refuse("supervision: a page of 999", asOfficer("GET", () => "/v1/supervision/overdue?page_size=999"), 400, "page_size"),
    refuse("supervision: a page token that is not one", asOfficer("GET", () => "/v1/supervision/rectifications?page_token=eyJhIjoxfQ"), 400, "page_token"),
    refuse("supervision: an answer of 2,001 characters", asOfficer("POST", () => "/v1/supervision/rectifications/ZG-A20261130-0000000000-tax/answer", { measures: "改".repeat(2001) }), 400, "measures"),
    refuse("supervision page: an answer to an unknown case", asOfficer("POST", () => "/v1/supervision/rectifications/ZG-A20261130-0000000000-tax/answer", { measures: "已整改完毕" }), 404),
    refuse("look-up: no parameters", get(() => "/v1/lookup", () => undefined), 400, "application_id"),
    refuse("look-up: no query code", get((c) => `/v1/lookup?application_id=${c.completedApplication}`, () => undefined), 400, "query_code"),
    refuse("look-up: a wrong query code", get((c) => `/v1/lookup?application_id=${c.completedApplication}&query_code=00000000`, () => undefined), 404),
    refuse("look-up: an unknown parameter", get((c) => `/v1/lookup?application_id=${c.completedApplication}&query_code=1&admin=1`, () => undefined), 400, "admin"),
    refuse("look-up: a code of 17 characters", get((c) => `/v1/lookup?application_id=${c.completedApplication}&query_code=${"1".repeat(17)}`, () => undefined), 400, "query_code"),
    refuse("data uses: a page of 999", get(() => "/v1/me/data-uses?page_size=999"), 400, "page_size"),
    refuse("data uses: a page token that is not one", get(() => "/v1/me/data-uses?page_token=eyJhIjoxfQ"), 400, "page_token"),
    refuse("data uses: another applicant named in the query", get((c) => `/v1/me/data-uses?applicant=${c.stranger.idNumber}`), 400, "applicant"),
    refuse("data uses: no token", (c) => http(c, "GET", "/v1/me/data-uses"), 401),
    refuse("consent: not an object", submitAsOwner((c) => startBusiness(c, 60, { body: { consent: ["all"] } })), 400, "consent"),
    refuse("consent: a confirmation of a field typed by hand", submitAsOwner((c) => startBusiness(c, 61, { body: { consent: { confirmed: ["enterprise.trade_name"] } } })), 400, "consent.confirmed"),
    refuse("consent: 51 confirmations", submitAsOwner((c) => startBusiness(c, 62, { body: { consent: { confirmed: Array.from({ length: 51 }, () => "enterprise.liaison_name") } } })), 400, "consent.confirmed"),
    refuse("consent: a preview digest that is no digest", submitAsOwner((c) => startBusiness(c, 63, { body: { consent: { ...START_BUSINESS_CONSENT, preview_digest: "<script>" } } })), 400, "consent.preview_digest"),
    refuse("consent: an unknown property", submitAsOwner((c) => startBusiness(c, 64, { body: { consent: { ...START_BUSINESS_CONSENT, everything: true } } })), 400, "consent.everything"),
    refuse("consent: the applicant's own ID typed over a refused suggestion with a bad check character", submitAsOwner((c) => startBusiness(c, 65, { form: { "enterprise.legal_representative_id_number": badCheck(c.owner.idNumber) }, body: { consent: { confirmed: ["enterprise.liaison_name", "enterprise.liaison_phone"], refused: ["enterprise.legal_representative_id_number"] } } })), 400, "enterprise.legal_representative_id_number"),
    refuse("consent: a liaison phone that is no mobile number", submitAsOwner((c) => startBusiness(c, 66, { form: { "enterprise.liaison_phone": "110" }, body: { consent: { confirmed: ["enterprise.legal_representative_id_number", "enterprise.liaison_name"], refused: ["enterprise.liaison_phone"] } } })), 400, "enterprise.liaison_phone"),
    refuse("verify: a licence that is no object", (c) => http(c, "POST", "/v1/verify/licence", { body: { licence: [1, 2] } }), 400, "licence"),
    refuse("verify: a licence with an unknown property", (c) => http(c, "POST", "/v1/verify/licence", { body: { licence: { number: "x", admin: true } } }), 400, "licence.admin"),
    refuse("verify: a licence number of 129 characters", (c) => http(c, "POST", "/v1/verify/licence", { body: { licence: { number: "1".repeat(129) } } }), 400, "licence.number"),
    refuse("verify: licence fields nested in fields", (c) => http(c, "POST", "/v1/verify/licence", { body: { licence: { fields: { a: { b: "c" } } } } }), 400, "licence.fields.a"),
    refuse("verify: a signature with a numeric value", (c) => http(c, "POST", "/v1/verify/licence", { body: { licence: { signature: { value: 7 } } } }), 400, "licence.signature.value"),
    refuse("verify: a body of two licences", (c) => http(c, "POST", "/v1/verify/licence", { raw: '{"licence":{},"licence":{}}' }), 400),
    refuse("verify: a receipt without a signature", (c) => http(c, "POST", "/v1/verify/receipt", { body: { receipt: { status: "COMPLETED" } } }), 400, "receipt.signature"),
    refuse("verify: a receipt signature value that is an object", (c) => http(c, "POST", "/v1/verify/receipt", { body: { receipt: { signature: { keyId: "k", algorithm: "SM2-SM3", value: {} } } } }), 400, "receipt.signature.value"),
    refuse("verify: a receipt as text", (c) => http(c, "POST", "/v1/verify/receipt", { raw: "receipt=1", type: "application/x-www-form-urlencoded" }), 415),
    refuse("routing: an unknown route", get(() => "/v1/admin"), 404, undefined, "NOT_FOUND"),
    refuse("routing: a path traversal", get(() => "/v1/../../etc/passwd"), 404),
    refuse("routing: a wrong method", (c) => http(c, "DELETE", "/v1/applications", { token: c.ownerToken }), 405, undefined, "METHOD_NOT_ALLOWED"),
    refuse("my applications: a page of 201", get(() => "/v1/applications?page_size=201"), 400, "page_size"),
    refuse("my applications: a page size that is no number", get(() => "/v1/applications?page_size=ten"), 400, "page_size"),
    refuse("my applications: a page token that is none", get(() => "/v1/applications?page_token=garbage!"), 400, "page_token"),
    refuse("my applications: a page token of another list's shape", get(() => `/v1/applications?page_token=${Buffer.from(JSON.stringify(["2026-12-01 00:00:00+00", "A-1", "x"])).toString("base64url")}`), 400, "page_token"),
    refuse("routing: PUT on a POST route", (c) => http(c, "PUT", "/v1/materials", { token: c.ownerToken, body: {} }), 405),
    // The router's own refusals come in the portal's error shape too, naming the path.
    refuse("routing: a percent-escape that is no hex", get(() => "/v1/applications/%ZZ"), 400, "path", "INVALID_ARGUMENT"),
    refuse("routing: an overlong UTF-8 escape", get(() => "/v1/applications/%C0%AF"), 400, "path", "INVALID_ARGUMENT"),
    refuse("routing: an application id of 2,000 characters", get(() => `/v1/applications/${"A".repeat(2000)}`), 414, "path", "URI_TOO_LONG"),
    refuse("routing: a correction of a step key of 300 characters", (c) => http(c, "POST", `/v1/applications/${c.completedApplication}/steps/${"x".repeat(300)}/correction`, { token: c.ownerToken, body: { fields: {} } }), 414, "path", "URI_TOO_LONG"),
    refuse("form: an unknown bundle", get(() => "/v1/bundles/NO_SUCH_BUNDLE/form"), 404),
    refuse("form: a bundle code with markup", get(() => "/v1/bundles/%3Cscript%3E/form"), 400, "code"),
  ];
}

function agentCases(): HostileCase[] {
  const grant = (body: (c: HostileContext) => unknown, token: (c: HostileContext) => string = (c) => c.ownerToken, code?: (c: HostileContext) => string) => (c: HostileContext) =>
    http(c, "POST", `/v1/enterprises/${code ? code(c) : c.creditCode}/agents`, { token: token(c), body: body(c) });
  const ok = (c: HostileContext) => ({ agent_id_number: c.stranger.idNumber, bundle_codes: ["HIRE_EMPLOYEE"], valid_through: "2027-06-30" });
  const bad: Array<[string, (c: HostileContext) => Record<string, unknown>, string]> = [
    ["a date in the past", () => ({ valid_through: "2020-01-01" }), "valid_through"],
    ["a date beyond a year", () => ({ valid_through: "2030-01-01" }), "valid_through"],
    ["a date that does not exist", () => ({ valid_through: "2027-02-30" }), "valid_through"],
    ["a date in another format", () => ({ valid_through: "30/06/2027" }), "valid_through"],
    ["START_BUSINESS", () => ({ bundle_codes: ["START_BUSINESS"] }), "bundle_codes[0]"],
    ["no bundle", () => ({ bundle_codes: [] }), "bundle_codes"],
    ["a bundle twice", () => ({ bundle_codes: ["HIRE_EMPLOYEE", "HIRE_EMPLOYEE"] }), "bundle_codes"],
    ["the legal representative as agent", (c) => ({ agent_id_number: c.owner.idNumber }), "agent_id_number"],
    ["an agent id with a wrong check character", (c) => ({ agent_id_number: badCheck(c.stranger.idNumber) }), "agent_id_number"],
    ["an extra property", () => ({ admin: true }), "admin"],
  ];
  return [
    ...bad.map(([what, over, field]) => refuse(`agents: ${what}`, grant((c) => ({ ...ok(c), ...over(c) })), 400, field)),
    refuse("agents: a stranger grants", grant((c) => ({ ...ok(c), agent_id_number: c.employee.idNumber }), (c) => c.strangerToken), 403, "credit_code", "NOT_LEGAL_REPRESENTATIVE"),
    refuse("agents: a stranger lists", (c) => http(c, "GET", `/v1/enterprises/${c.creditCode}/agents`, { token: c.strangerToken }), 403, "credit_code"),
    refuse("agents: a credit code with a wrong check character", grant(ok, undefined, (c) => c.creditCode.slice(0, 17) + (c.creditCode[17] === "0" ? "1" : "0")), 400, "credit_code"),
    refuse("agents: a credit code of 17 characters", grant(ok, undefined, (c) => c.creditCode.slice(0, 17)), 400, "credit_code"),
    refuse("agents: revoke an agent never authorised", (c) => http(c, "POST", `/v1/enterprises/${c.creditCode}/agents/${c.employee.idNumber}/revocation`, { token: c.ownerToken, body: {} }), 404),
    refuse("agents: revoke with a reason of 201 characters", (c) => http(c, "POST", `/v1/enterprises/${c.creditCode}/agents/${c.employee.idNumber}/revocation`, { token: c.ownerToken, body: { reason: "因".repeat(201) } }), 400, "reason"),
    refuse("agents: a stranger revokes", (c) => http(c, "POST", `/v1/enterprises/${c.creditCode}/agents/${c.employee.idNumber}/revocation`, { token: c.strangerToken, body: {} }), 403),
  ];
}

/** Every portal case. */
export function portalCases(): HostileCase[] {
  return [...sessionCases(), ...uploadCases(), ...submissionCases(), ...enterpriseBundleCases(), ...bodyCases(), ...routeCases(), ...agentCases()];
}
