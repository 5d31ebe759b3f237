import { HolderKind, type IssueLicenceRequest } from "../../../proto/gen/tongban/licenses/v1/licenses";
import { LICENCE_TYPES, findLicenceType } from "../../../services/licenses/catalogue";
import { addYears, checkIssueRequest } from "../../../services/licenses/issue-request";

const PERSON_ID = "11010519491231002X";
const CREDIT_CODE = "91350100M000100Y43";
const TODAY = "2026-11-22";

const BL_FIELDS = {
  name: "福州示例科技有限公司",
  entity_type: "有限责任公司",
  legal_representative: "张三",
  registered_capital: "1000",
  established_on: "2020-05-18",
  address: "福建省福州市鼓楼区某路1号",
  business_scope: "软件开发",
};

function request(over: Partial<IssueLicenceRequest> = {}): IssueLicenceRequest {
  return {
    idempotencyKey: "idem-1",
    typeCode: "BL",
    holderId: CREDIT_CODE,
    fields: { ...BL_FIELDS },
    validFrom: "",
    validUntil: "",
    caseId: "CASE-1",
    supersedes: "",
    prerequisiteTypeCodes: [],
    ...over,
  };
}

const blWith = (fields: Record<string, unknown>) => request({ fields: { ...BL_FIELDS, ...fields } as Record<string, string> });
const blWithout = (name: keyof typeof BL_FIELDS) => {
  const fields: Record<string, string> = { ...BL_FIELDS };
  delete fields[name];
  return request({ fields });
};

type ServiceError = Error & { type?: string; code?: number; data?: { field?: string; reason?: string } };

function thrown(fn: () => unknown): ServiceError {
  try {
    fn();
  } catch (err) {
    return err as ServiceError;
  }
  throw new Error("expected an error");
}

function expectInvalid(fn: () => unknown, field: string, reason?: string | RegExp): ServiceError {
  const e = thrown(fn);
  expect(e.type).toBe("INVALID_ARGUMENT");
  expect(e.data?.field).toBe(field);
  if (reason !== undefined) expect(e.data?.reason).toMatch(reason);
  return e;
}

describe("addYears", () => {
  it.each([
    ["2026-03-01", 5, "2031-02-28"],
    ["2024-02-29", 1, "2025-02-28"],
    ["2026-01-01", 1, "2026-12-31"],
    ["2026-11-22", 1, "2027-11-21"],
    ["2024-02-29", 4, "2028-02-28"],
    ["2023-03-01", 1, "2024-02-29"],
    ["2027-03-01", 1, "2028-02-29"],
    ["2026-12-31", 1, "2027-12-30"],
    ["2028-02-28", 1, "2029-02-27"],
    ["2026-05-31", 10, "2036-05-30"],
    ["2026-11-22", 0, "2026-11-21"],
  ])("%s + %i years ends %s", (from, years, until) => {
    expect(addYears(from, years)).toBe(until);
  });
});

describe("checkIssueRequest: a valid request", () => {
  it("returns the type, holder, fields and validity", () => {
    const r = checkIssueRequest(request(), "samr", TODAY);
    expect(r.type).toBe(findLicenceType("BL"));
    expect(r.holderId).toBe(CREDIT_CODE);
    expect(r.fields).toEqual(BL_FIELDS);
    expect(r.validFrom).toBe(TODAY);
    expect(r.validUntil).toBe("");
    expect(r.prerequisites).toEqual([]);
  });

  it("keeps the prerequisite types in the order given", () => {
    const seal = request({ typeCode: "SEAL", fields: {}, prerequisiteTypeCodes: ["BL", "FOOD"] });
    const type = findLicenceType("SEAL")!;
    seal.fields = Object.fromEntries(type.fields.filter((f) => f.required).map((f) => [f.name, f.format === "date" ? "2026-01-01" : "示例"]));
    expect(checkIssueRequest(seal, "samr", TODAY).prerequisites).toEqual(["BL", "FOOD"]);
  });

  it("defaults valid_until to valid_from plus the type's validity", () => {
    const food = request({
      typeCode: "FOOD",
      fields: { operator: "示例餐饮", premises: "某路2号", main_business: "餐饮服务", food_categories: "热食类" },
    });
    expect(checkIssueRequest(food, "samr", TODAY)).toMatchObject({ validFrom: TODAY, validUntil: "2031-11-21" });
    expect(checkIssueRequest({ ...food, validFrom: "2026-03-01" }, "samr", TODAY)).toMatchObject({
      validFrom: "2026-03-01",
      validUntil: "2031-02-28",
    });
  });

  it("defaults valid_from to the given today", () => {
    const r = checkIssueRequest(
      request({ typeCode: "RESPMT", holderId: PERSON_ID, fields: { residence_address: "某路3号", issuing_office: "某派出所" } }),
      "psb",
      "2024-02-29",
    );
    expect(r.validFrom).toBe("2024-02-29");
    expect(r.validUntil).toBe("2025-02-28");
  });

  it("defaults valid_from to today in China when no date is passed", () => {
    const r = checkIssueRequest(request(), "samr");
    expect(r.validFrom).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const now = Date.now() + 8 * 3600_000;
    expect([new Date(now).toISOString().slice(0, 10), new Date(now - 60_000).toISOString().slice(0, 10)]).toContain(r.validFrom);
  });

  it("takes an explicit valid_until, also for types that never expire", () => {
    expect(checkIssueRequest(request({ validUntil: "2030-01-01" }), "samr", TODAY).validUntil).toBe("2030-01-01");
    expect(checkIssueRequest(request({ validFrom: "2027-01-01", validUntil: "2027-01-01" }), "samr", TODAY)).toMatchObject({
      validFrom: "2027-01-01",
      validUntil: "2027-01-01",
    });
  });

  it("accepts a person holder for a person type, normalising a lower-case x", () => {
    const r = checkIssueRequest(
      request({
        typeCode: "SICERT",
        holderId: PERSON_ID.toLowerCase(),
        fields: { employer: "示例公司", insurance_types: "养老,医疗", months_contributed: "36" },
      }),
      "hrss",
      TODAY,
    );
    expect(r.holderId).toBe(PERSON_ID);
    expect(r.validUntil).toBe("2027-11-21");
  });

  it("accepts a lower-case credit code and returns it upper-cased", () => {
    expect(checkIssueRequest(request({ holderId: CREDIT_CODE.toLowerCase() }), "samr", TODAY).holderId).toBe(CREDIT_CODE);
  });

  it("trims field values", () => {
    const r = checkIssueRequest(blWith({ name: "  示例公司  ", established_on: " 2020-05-18 " }), "samr", TODAY);
    expect(r.fields.name).toBe("示例公司");
    expect(r.fields.established_on).toBe("2020-05-18");
  });

  it("leaves out an optional field that is empty or absent", () => {
    expect(checkIssueRequest(blWith({ registered_capital: "" }), "samr", TODAY).fields).not.toHaveProperty("registered_capital");
    expect(checkIssueRequest(blWithout("registered_capital"), "samr", TODAY).fields).not.toHaveProperty("registered_capital");
  });

  it.each(["0", "100", "100.5", "0.000001", "999999999999999", "123456789012345.123456"])("accepts the decimal %s", (value) => {
    expect(checkIssueRequest(blWith({ registered_capital: value }), "samr", TODAY).fields.registered_capital).toBe(value);
  });

  it("accepts a field of exactly 1000 characters", () => {
    const scope = "营".repeat(1000);
    expect(checkIssueRequest(blWith({ business_scope: scope }), "samr", TODAY).fields.business_scope).toBe(scope);
  });
});

describe("checkIssueRequest: refusals", () => {
  it("requires type_code", () => {
    expectInvalid(() => checkIssueRequest(request({ typeCode: "" }), "samr", TODAY), "type_code", "is required");
  });

  it("refuses a type code longer than any in the catalogue without echoing it", () => {
    const e = expectInvalid(() => checkIssueRequest(request({ typeCode: "BL".repeat(500_000) }), "samr", TODAY), "type_code", /at most 16 characters/);
    expect(e.message.length).toBeLessThan(200);
  });

  it.each(["XYZ", "bl", " BL"])("refuses the type code %j as not in the catalogue", (code) => {
    const e = expectInvalid(() => checkIssueRequest(request({ typeCode: code }), "samr", TODAY), "type_code");
    expect(e.message).toContain(`"${code}" is not in the licence catalogue`);
  });

  it("refuses an ID number as holder of an entity type", () => {
    expectInvalid(() => checkIssueRequest(request({ holderId: PERSON_ID }), "samr", TODAY), "holder_id");
  });

  it("refuses a credit code as holder of a person type", () => {
    const p = request({
      typeCode: "RESPMT",
      holderId: CREDIT_CODE,
      fields: { residence_address: "某路3号", issuing_office: "某派出所" },
    });
    expectInvalid(() => checkIssueRequest(p, "psb", TODAY), "holder_id");
  });

  it.each(["", "91350100M000100Y44", "110105194912310021", "12345"])("refuses the holder id %j", (holderId) => {
    expectInvalid(() => checkIssueRequest(request({ holderId }), "samr", TODAY), "holder_id");
    const person = request({ typeCode: "RESPMT", holderId, fields: { residence_address: "a", issuing_office: "b" } });
    expectInvalid(() => checkIssueRequest(person, "psb", TODAY), "holder_id");
  });

  it.each(Object.keys(BL_FIELDS).filter((k) => k !== "registered_capital") as Array<keyof typeof BL_FIELDS>)(
    "names the missing required field fields.%s",
    (name) => {
      const e = expectInvalid(() => checkIssueRequest(blWithout(name), "samr", TODAY), `fields.${name}`, "is required for licence type BL");
      expect(e.message.startsWith(`fields.${name}: `)).toBe(true);
    },
  );

  it("treats an empty required field as missing", () => {
    expectInvalid(() => checkIssueRequest(blWith({ address: "" }), "samr", TODAY), "fields.address", "is required");
  });

  it("refuses a request with no fields at all, naming the first required field", () => {
    const p = request({ fields: undefined as unknown as Record<string, string> });
    expectInvalid(() => checkIssueRequest(p, "samr", TODAY), "fields.name", "is required");
  });

  it("refuses an unknown field, listing the known ones", () => {
    const e = expectInvalid(() => checkIssueRequest(blWith({ colour: "red" }), "samr", TODAY), "fields.colour", "is not a field of licence type BL");
    expect(e.data?.reason).toContain("business_scope");
  });

  it("refuses a field value that is not a string", () => {
    expectInvalid(() => checkIssueRequest(blWith({ registered_capital: 1000 }), "samr", TODAY), "fields.registered_capital", "must be a string");
  });

  it.each([
    ["2026-02-29", "is not a real date"],
    ["2026/05/18", "must be a date written YYYY-MM-DD"],
    ["18 May 2020", "must be a date written YYYY-MM-DD"],
  ])("refuses the date field value %j", (value, reason) => {
    expectInvalid(() => checkIssueRequest(blWith({ established_on: value }), "samr", TODAY), "fields.established_on", reason);
  });

  it.each(["-5", "1e3", "1,000", "abc", "1.1234567", ".5", "5.", "1000000000000000", "١٠٠"])("refuses the decimal %j", (value) => {
    expectInvalid(
      () => checkIssueRequest(blWith({ registered_capital: value }), "samr", TODAY),
      "fields.registered_capital",
      "must be a non-negative decimal number",
    );
  });

  it("checks a required decimal field too", () => {
    const p = request({
      typeCode: "SICERT",
      holderId: PERSON_ID,
      fields: { employer: "示例公司", insurance_types: "养老", months_contributed: "three" },
    });
    expectInvalid(() => checkIssueRequest(p, "hrss", TODAY), "fields.months_contributed", "non-negative decimal");
  });

  it("refuses a field longer than 1000 characters, counting code points", () => {
    expectInvalid(() => checkIssueRequest(blWith({ business_scope: "营".repeat(1001) }), "samr", TODAY), "fields.business_scope", "at most 1000");
    // 1000 astral characters are 2000 UTF-16 units but still 1000 characters
    expect(checkIssueRequest(blWith({ business_scope: "𠮷".repeat(1000) }), "samr", TODAY).fields.business_scope).toHaveLength(2000);
  });

  it("refuses a malformed valid_from or valid_until", () => {
    expectInvalid(() => checkIssueRequest(request({ validFrom: "2026-02-30" }), "samr", TODAY), "valid_from");
    expectInvalid(() => checkIssueRequest(request({ validUntil: "31/12/2030" }), "samr", TODAY), "valid_until");
  });

  it("refuses valid_until before valid_from, explicit or defaulted", () => {
    const e = expectInvalid(
      () => checkIssueRequest(request({ validFrom: "2027-01-02", validUntil: "2027-01-01" }), "samr", TODAY),
      "valid_until",
      "must not be before valid_from (2027-01-02)",
    );
    expect(e.message).toContain("valid_until");
    expectInvalid(() => checkIssueRequest(request({ validUntil: "2026-11-21" }), "samr", TODAY), "valid_until", `(${TODAY})`);
  });

  it("refuses prerequisites that are unknown, of another holder kind, named twice, empty or too many, naming the entry", () => {
    expectInvalid(() => checkIssueRequest(request({ prerequisiteTypeCodes: ["NOPE"] }), "samr", TODAY), "prerequisite_type_codes[0]", /not in the licence catalogue/);
    expectInvalid(() => checkIssueRequest(request({ prerequisiteTypeCodes: ["FOOD", "SICERT"] }), "samr", TODAY), "prerequisite_type_codes[1]", /another kind of holder/);
    expectInvalid(() => checkIssueRequest(request({ prerequisiteTypeCodes: ["FOOD", "FOOD"] }), "samr", TODAY), "prerequisite_type_codes[1]", /named twice/);
    expectInvalid(() => checkIssueRequest(request({ prerequisiteTypeCodes: [""] }), "samr", TODAY), "prerequisite_type_codes[0]", /licence type code/);
    const many = ["BL", "SEAL", "TAXREG", "SIREG", "TAXCLR", "FOOD", "BL", "SEAL", "TAXREG"];
    expectInvalid(() => checkIssueRequest(request({ prerequisiteTypeCodes: many }), "samr", TODAY), "prerequisite_type_codes", /at most 8/);
    expectInvalid(() => checkIssueRequest(request({ prerequisiteTypeCodes: ["BL"] }), "samr", TODAY), "prerequisite_type_codes[0]", /prerequisite of itself/);
    const long = expectInvalid(() => checkIssueRequest(request({ prerequisiteTypeCodes: ["X".repeat(100_000)] }), "samr", TODAY), "prerequisite_type_codes[0]", /at most 16 characters/);
    expect(long.message.length).toBeLessThan(200);
    expectInvalid(() => checkIssueRequest(request({ prerequisiteTypeCodes: ["\u001b[31m\r\u0007"] }), "samr", TODAY), "prerequisite_type_codes[0]", /^"\\u001b\[31m\\r\\u0007" is not/);
    const notAList = { ...request(), prerequisiteTypeCodes: "BL" } as unknown as IssueLicenceRequest;
    expectInvalid(() => checkIssueRequest(notAList, "samr", TODAY), "prerequisite_type_codes", /list/);
  });

  it("refuses a department that does not issue the type with PERMISSION_DENIED naming the issuer", () => {
    const e = thrown(() => checkIssueRequest(request(), "psb", TODAY));
    expect(e.type).toBe("PERMISSION_DENIED");
    expect(e.code).toBe(403);
    expect(e.message).toBe("licence type BL (营业执照) is issued only by samr");
  });

  it.each(LICENCE_TYPES.map((t) => [t.code, t.issuer] as const))("lets only the issuer of %s (%s) issue it", (code, issuer) => {
    const type = findLicenceType(code)!;
    const fields = Object.fromEntries(
      type.fields.map((f) => [f.name, f.format === "date" ? "2026-01-01" : f.format === "decimal" ? "12" : "示例"]),
    );
    const holderId = type.holderKind === HolderKind.HOLDER_KIND_PERSON ? PERSON_ID : CREDIT_CODE;
    const p = request({ typeCode: code, holderId, fields });
    expect(checkIssueRequest(p, issuer, TODAY).type.code).toBe(code);
    for (const other of ["samr", "psb", "tax", "hrss", "unknown-dept", ""].filter((d) => d !== issuer)) {
      expect(thrown(() => checkIssueRequest(p, other, TODAY)).type).toBe("PERMISSION_DENIED");
    }
  });
});
