/**
 * "A department never asks the applicant for something the government already holds": no request
 * of the department services carries personal or enterprise data held by identity, the licence
 * service or another department — only identifiers (ID number, credit code) and what is new in the
 * request (a name being declared, a new address, a wage). Checked on the contracts themselves.
 */
import path from "node:path";
import * as protoLoader from "@grpc/proto-loader";

const PROTO_DIR = path.resolve(__dirname, "../../proto");
const DEPARTMENT_SERVICES = [
  ["tongban/registration/v1/registration.proto", "tongban.registration.v1.BusinessRegistrationService"],
  ["tongban/tax/v1/tax.proto", "tongban.tax.v1.TaxService"],
  ["tongban/social_insurance/v1/social_insurance.proto", "tongban.social_insurance.v1.SocialInsuranceService"],
] as const;

/** Held elsewhere: names and particulars of persons and entities, licence contents. */
const HELD_ELSEWHERE = /(^|_)(name|phone|mobile|birth_date|gender|ethnicity|legal_representative_name|holder_name|employer_name|registered_capital|business_scope)$/;
/** New data a request legitimately brings, by message: the name being declared, a new address. */
const NEW_DATA: Record<string, string[]> = {
  DeclareNameRequest: ["trade_name"],
  RegisterEnterpriseRequest: ["registered_capital", "address"],
  ChangeRegistrationRequest: ["new_address"],
};

interface Field {
  name: string;
  typeName?: string;
}

describe("department requests ask only for what is new", () => {
  for (const [file, service] of DEPARTMENT_SERVICES) {
    it(`${service} requests carry identifiers and new data only`, () => {
      const def = protoLoader.loadSync(file, { includeDirs: [PROTO_DIR], keepCase: true });
      const methods = def[service] as Record<string, { requestType: { type: { name: string; field: Field[] } } }>;
      const offending: string[] = [];
      // Walks a request message and the messages it contains.
      const nested = (msgName: string, fields: Field[], prefix = "") => {
        for (const f of fields) {
          if (HELD_ELSEWHERE.test(f.name) && !(NEW_DATA[msgName] ?? []).includes(f.name)) offending.push(`${msgName}.${prefix}${f.name}`);
          if (f.name === "address" && !(NEW_DATA[msgName] ?? []).includes("address")) offending.push(`${msgName}.${prefix}address`);
          const pkg = service.slice(0, service.lastIndexOf("."));
          const typeName = f.typeName?.replace(/^\./, "");
          const inner = (typeName && (def[typeName] ?? def[`${pkg}.${typeName}`])) as { type?: { name: string; field: Field[] } } | undefined;
          if (Array.isArray(inner?.type?.field) && !f.typeName!.includes("google.protobuf")) nested(msgName, inner!.type!.field, `${prefix}${f.name}.`);
        }
      };
      for (const m of Object.values(methods)) {
        nested(m.requestType.type.name, m.requestType.type.field);
      }
      expect(offending).toEqual([]);
    });
  }

  it("walks nested request messages (investors are named by id only)", () => {
    const def = protoLoader.loadSync("tongban/registration/v1/registration.proto", { includeDirs: [PROTO_DIR], keepCase: true });
    const investor = (def["tongban.registration.v1.InvestorContribution"] as { type: { field: Field[] } }).type;
    expect(investor.field.map((f) => f.name)).toEqual(["id", "contribution", "contribution_method"]);
  });

  it("would catch a request that asked for a held name", () => {
    expect(HELD_ELSEWHERE.test("employee_name")).toBe(true);
    expect(HELD_ELSEWHERE.test("legal_representative_name")).toBe(true);
    expect(HELD_ELSEWHERE.test("employee_id_number")).toBe(false);
  });
});
