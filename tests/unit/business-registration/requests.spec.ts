import { Errors } from "moleculer";
import {
  EnterpriseType,
  type ChangeRegistrationRequest,
  type DeclareNameRequest,
  type RegisterEnterpriseRequest,
} from "../../../proto/gen/tongban/registration/v1/registration";
import {
  CAPITAL_SCALE,
  CONTRIBUTION_METHODS,
  ageOn,
  checkAddress,
  checkChangeRegistration,
  checkDeclareName,
  checkRegisterEnterprise,
  checkScopeCodes,
} from "../../../services/business-registration/requests";
import { SCOPE_CATALOGUE } from "../../../services/business-registration/rules/scopes";
import { idCheckCharacter } from "../../../services/identity/rules/id-number";
import { findRegion, type Region } from "../../../services/identity/rules/regions";

/** An investor as the request names it. */
type Investor = RegisterEnterpriseRequest["investors"][number];

const PERSON = "11010519491231002X";
const PERSON_2 = "510104198001010014";
const ENTITY = "91350100M000100Y43";
const ENTITY_2 = "91510104MA01B2C345";

function thrown(fn: () => unknown): Errors.MoleculerError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(Errors.MoleculerError);
    return err as Errors.MoleculerError;
  }
  throw new Error("expected an error, but the call returned");
}

function expectInvalid(fn: () => unknown, field: string, reason?: RegExp) {
  const err = thrown(fn);
  expect(err.type).toBe("INVALID_ARGUMENT");
  expect((err.data as { field: string }).field).toBe(field);
  if (reason) expect((err.data as { reason: string }).reason).toMatch(reason);
}

function region(code: string): Region {
  const r = findRegion(code);
  if (!r) throw new Error(`test fixture: region ${code} is not in the table`);
  return r;
}

/** Distinct valid resident ID numbers (born 1990-01-01 in 朝阳区), sequence 001, 002, ... */
function people(n: number): string[] {
  return Array.from({ length: n }, (_, i) => {
    const first17 = `11010519900101${String(i + 1).padStart(3, "0")}`;
    return first17 + idCheckCharacter(first17);
  });
}

describe("checkDeclareName", () => {
  const valid: DeclareNameRequest = {
    idempotencyKey: "declare-0001",
    regionCode: "510104",
    tradeName: " 星河 ",
    industry: "科技",
    organisationForm: "有限公司",
    enterpriseType: EnterpriseType.ENTERPRISE_TYPE_COMPANY,
    applicantIdNumber: "11010519491231002x",
    caseId: "CASE-2026-0001",
  };
  const declare = (over: Partial<DeclareNameRequest>) => checkDeclareName({ ...valid, ...over });

  it("returns the checked, normalised declaration", () => {
    expect(checkDeclareName(valid)).toEqual({
      key: "declare-0001",
      region: { code: "510104", province: "四川省", city: "成都市", district: "锦江区" },
      enterpriseType: EnterpriseType.ENTERPRISE_TYPE_COMPANY,
      tradeName: "星河",
      industry: "科技",
      organisationForm: "有限公司",
      applicantIdNumber: PERSON,
      caseId: "CASE-2026-0001",
    });
  });

  it("accepts a sole proprietorship with its own forms", () => {
    const d = declare({ enterpriseType: EnterpriseType.ENTERPRISE_TYPE_SOLE_PROPRIETORSHIP, organisationForm: "工作室", industry: "餐饮" });
    expect(d.organisationForm).toBe("工作室");
    expect(d.enterpriseType).toBe(EnterpriseType.ENTERPRISE_TYPE_SOLE_PROPRIETORSHIP);
  });

  it("names the field of each problem", () => {
    expectInvalid(() => declare({ idempotencyKey: "short" }), "idempotency_key");
    expectInvalid(() => declare({ regionCode: "5101" }), "region_code", /6-digit/);
    expectInvalid(() => declare({ regionCode: "999999" }), "region_code", /not a region code served/);
    expectInvalid(() => declare({ enterpriseType: EnterpriseType.ENTERPRISE_TYPE_UNSPECIFIED }), "enterprise_type", /is required/);
    expectInvalid(() => declare({ enterpriseType: EnterpriseType.UNRECOGNIZED }), "enterprise_type", /must be one of/);
    expectInvalid(() => declare({ tradeName: "Star" }), "trade_name");
    expectInvalid(() => declare({ industry: "航天" }), "industry");
    expectInvalid(() => declare({ enterpriseType: EnterpriseType.ENTERPRISE_TYPE_SOLE_PROPRIETORSHIP }), "organisation_form");
    expectInvalid(() => declare({ applicantIdNumber: "11010519491231002Y" }), "applicant_id_number");
    expectInvalid(() => declare({ applicantIdNumber: "110105194912310021" }), "applicant_id_number", /check character/);
    expectInvalid(() => declare({ caseId: "" }), "case_id");
  });

  it("refuses name rule violations as FAILED_PRECONDITION", () => {
    const restricted = thrown(() => declare({ tradeName: "国际" }));
    expect(restricted.type).toBe("FAILED_PRECONDITION");
    expect(restricted.data).toEqual({ reasonCode: "NAME_RESTRICTED_WORD" });
    const region = thrown(() => declare({ tradeName: "成都" }));
    expect(region.data).toEqual({ reasonCode: "NAME_IS_REGION" });
  });
});

describe("checkScopeCodes", () => {
  it("keeps the given order, main business first", () => {
    expect(checkScopeCodes(["H6210", "I6510"], "f")).toEqual(["H6210", "I6510"]);
  });

  it("accepts 20 codes and refuses 21", () => {
    const all = SCOPE_CATALOGUE.map((s) => s.code);
    expect(all.length).toBeGreaterThanOrEqual(21);
    expect(checkScopeCodes(all.slice(0, 20), "f")).toEqual(all.slice(0, 20));
    expectInvalid(() => checkScopeCodes(all.slice(0, 21), "f"), "f", /at most 20 items \(got 21\)/);
  });
});

describe("checkRegisterEnterprise", () => {
  const valid: RegisterEnterpriseRequest = {
    idempotencyKey: "register-0001",
    reservationId: "NR-000123",
    registeredCapital: "100.5",
    address: "四川省成都市锦江区人民南路一段1号",
    businessScopeCodes: ["I6510", "I6531"],
    legalRepresentativeIdNumber: PERSON,
    investors: [
      { id: PERSON, contribution: "60.5", contributionMethod: "货币" },
      { id: ENTITY, contribution: "40", contributionMethod: "知识产权" },
    ],
    caseId: "CASE-2026-0002",
  };
  const register = (over: Partial<RegisterEnterpriseRequest>) => checkRegisterEnterprise({ ...valid, ...over });
  const withInvestor = (inv: Partial<Investor>) =>
    register({ investors: [{ id: PERSON, contribution: "1", contributionMethod: "货币", ...inv }] });

  it("returns the checked request with capital in 0.0001 万元 units", () => {
    expect(CAPITAL_SCALE).toBe(4);
    expect(checkRegisterEnterprise(valid)).toEqual({
      key: "register-0001",
      reservationId: "NR-000123",
      capital: 1_005_000n,
      capitalText: "100.5",
      addressRaw: "四川省成都市锦江区人民南路一段1号",
      scopeCodes: ["I6510", "I6531"],
      legalRepresentativeIdNumber: PERSON,
      investors: [
        { id: PERSON, kind: "person", contribution: 605_000n, contributionMethod: "货币" },
        { id: ENTITY, kind: "entity", contribution: 400_000n, contributionMethod: "知识产权" },
      ],
      caseId: "CASE-2026-0002",
    });
  });

  describe("registered capital", () => {
    it.each([
      ["0.0001", 1n, "0.0001"],
      ["12.3456", 123_456n, "12.3456"],
      ["100.5000", 1_005_000n, "100.5"],
      ["0050", 500_000n, "50"],
      ["10000000000", 100_000_000_000_000n, "10000000000"],
    ])("accepts %j", (text, units, formatted) => {
      const r = register({ registeredCapital: text });
      expect(r.capital).toBe(units);
      expect(r.capitalText).toBe(formatted);
    });

    it.each([
      ["1.00001", /at most 4 decimal places/],
      ["0", /greater than zero/],
      ["0.0000", /greater than zero/],
      ["10000000000.0001", /at most 10000000000 /],
      ["1e3", /non-negative decimal number/],
      ["-5", /non-negative decimal number/],
      ["", /is required/],
    ])("refuses %j", (text, reason) => {
      expectInvalid(() => register({ registeredCapital: text }), "registered_capital", reason);
    });
  });

  describe("investors", () => {
    it("tells people from entities by their id, normalising case and spaces", () => {
      const r = register({
        investors: [
          { id: " 11010519491231002x ", contribution: "1", contributionMethod: "" },
          { id: "91510104ma01b2c345", contribution: "2", contributionMethod: "实物" },
          { id: PERSON_2, contribution: "3", contributionMethod: "股权" },
        ],
      });
      expect(r.investors).toEqual([
        { id: PERSON, kind: "person", contribution: 10_000n, contributionMethod: "货币" },
        { id: ENTITY_2, kind: "entity", contribution: 20_000n, contributionMethod: "实物" },
        { id: PERSON_2, kind: "person", contribution: 30_000n, contributionMethod: "股权" },
      ]);
    });

    it("defaults the contribution method to 货币 and accepts each listed method", () => {
      expect(CONTRIBUTION_METHODS).toEqual(["货币", "实物", "知识产权", "土地使用权", "股权", "债权"]);
      expect(withInvestor({ contributionMethod: "" }).investors[0].contributionMethod).toBe("货币");
      for (const m of CONTRIBUTION_METHODS) expect(withInvestor({ contributionMethod: m }).investors[0].contributionMethod).toBe(m);
    });

    it("refuses an unknown contribution method, naming the investor", () => {
      expectInvalid(() => withInvestor({ contributionMethod: "现金" }), "investors[0].contribution_method", /must be one of 货币, 实物/);
      expectInvalid(
        () => register({ investors: [valid.investors[0], { id: ENTITY, contribution: "1", contributionMethod: "劳务" }] }),
        "investors[1].contribution_method",
      );
    });

    it("refuses ids that are neither a resident ID nor a credit code", () => {
      expectInvalid(() => withInvestor({ id: "" }), "investors[0].id", /resident ID number or a unified social credit code/);
      expectInvalid(() => withInvestor({ id: "110105194912310021" }), "investors[0].id");
      expectInvalid(() => withInvestor({ id: "91350100M000100Y44" }), "investors[0].id");
      expectInvalid(() => register({ investors: [valid.investors[0], { ...valid.investors[1], id: "ACME" }] }), "investors[1].id");
    });

    it("refuses an investor listed twice, also when written differently", () => {
      expectInvalid(() => register({ investors: [valid.investors[0], valid.investors[0]] }), "investors[1].id", /listed twice/);
      expectInvalid(
        () =>
          register({
            investors: [
              { id: PERSON, contribution: "1", contributionMethod: "" },
              { id: ENTITY, contribution: "1", contributionMethod: "" },
              { id: "11010519491231002x", contribution: "1", contributionMethod: "" },
            ],
          }),
        "investors[2].id",
        /listed twice/,
      );
      expectInvalid(
        () =>
          register({
            investors: [
              { id: ENTITY, contribution: "1", contributionMethod: "" },
              { id: ENTITY.toLowerCase(), contribution: "1", contributionMethod: "" },
            ],
          }),
        "investors[1].id",
        /listed twice/,
      );
    });

    it("checks each contribution like the capital, naming the investor", () => {
      expectInvalid(() => withInvestor({ contribution: "" }), "investors[0].contribution", /is required/);
      expectInvalid(() => withInvestor({ contribution: "0" }), "investors[0].contribution", /greater than zero/);
      expectInvalid(() => withInvestor({ contribution: "1.23456" }), "investors[0].contribution", /at most 4 decimal places/);
      expectInvalid(() => withInvestor({ contribution: "10000000001" }), "investors[0].contribution", /at most 10000000000/);
      expectInvalid(
        () => register({ investors: [valid.investors[0], { ...valid.investors[1], contribution: "-1" }] }),
        "investors[1].contribution",
        /non-negative decimal/,
      );
      expect(withInvestor({ contribution: "0.0001" }).investors[0].contribution).toBe(1n);
    });

    it("needs at least one investor and accepts up to 50", () => {
      expectInvalid(() => register({ investors: [] }), "investors", /at least one investor/);
      expectInvalid(() => register({ investors: undefined as unknown as Investor[] }), "investors", /at least one investor/);
      const fifty = people(50);
      expect(new Set(fifty).size).toBe(50);
      const r = register({ investors: fifty.map((id) => ({ id, contribution: "1", contributionMethod: "货币" })) });
      expect(r.investors.map((i) => i.id)).toEqual(fifty);
      expect(r.investors.every((i) => i.kind === "person")).toBe(true);
    });

    it("refuses more than 50 investors", () => {
      const investors = people(51).map((id) => ({ id, contribution: "1", contributionMethod: "货币" }));
      expectInvalid(() => register({ investors }), "investors", /at most 50 \(got 51\)/);
    });
  });

  describe("business scope codes", () => {
    it("refuses an empty list", () => {
      expectInvalid(() => register({ businessScopeCodes: [] }), "business_scope_codes", /is required/);
    });

    it("names the unknown code by index", () => {
      expectInvalid(() => register({ businessScopeCodes: ["I6510", "Z9999"] }), "business_scope_codes[1]", /"Z9999" is not in the business scope catalogue/);
      expectInvalid(() => register({ businessScopeCodes: ["i6510"] }), "business_scope_codes[0]", /not in the business scope catalogue/);
      expectInvalid(() => register({ businessScopeCodes: ["I6510", 6531 as unknown as string] }), "business_scope_codes[1]");
    });

    it("names the repeated code by the index of its second occurrence", () => {
      expectInvalid(() => register({ businessScopeCodes: ["I6510", "I6510"] }), "business_scope_codes[1]", /"I6510" is listed twice/);
      expectInvalid(() => register({ businessScopeCodes: ["H6210", "I6510", "F5191", "I6510"] }), "business_scope_codes[3]", /listed twice/);
    });

    it("refuses more than 20 codes", () => {
      const codes = SCOPE_CATALOGUE.slice(0, 21).map((s) => s.code);
      expectInvalid(() => register({ businessScopeCodes: codes }), "business_scope_codes", /at most 20 items \(got 21\)/);
    });
  });

  it("names the other fields", () => {
    expectInvalid(() => register({ idempotencyKey: "" }), "idempotency_key");
    expectInvalid(() => register({ idempotencyKey: "has space in" }), "idempotency_key");
    expectInvalid(() => register({ reservationId: "NR" }), "reservation_id", /at least 4/);
    expectInvalid(() => register({ legalRepresentativeIdNumber: "" }), "legal_representative_id_number");
    expectInvalid(() => register({ legalRepresentativeIdNumber: ENTITY }), "legal_representative_id_number");
    expectInvalid(() => register({ caseId: "case id with spaces" }), "case_id");
  });
});

describe("checkAddress", () => {
  const chengdu = region("510104");
  const beijing = region("110105");

  it("accepts addresses written from the province or the city", () => {
    expect(checkAddress("四川省成都市锦江区人民南路一段1号", "address", chengdu)).toBe("四川省成都市锦江区人民南路一段1号");
    expect(checkAddress("成都市锦江区春熙路10号", "address", chengdu)).toBe("成都市锦江区春熙路10号");
    expect(checkAddress("  成都市锦江区春熙路10号 ", "address", chengdu)).toBe("成都市锦江区春熙路10号");
    expect(checkAddress("北京市朝阳区建国路88号", "address", beijing)).toBe("北京市朝阳区建国路88号");
  });

  it("refuses an address elsewhere, naming the field and the region", () => {
    expectInvalid(() => checkAddress("北京市朝阳区建国路88号", "address", chengdu), "address", /must be in 四川省成都市 \(region 510104\)/);
    expectInvalid(() => checkAddress("锦江区人民南路一段1号", "address", chengdu), "address", /must be in 四川省成都市/);
    expectInvalid(() => checkAddress("上海市黄浦区南京东路1号", "new_address", beijing), "new_address", /must be in 北京市 \(region 110105\)/);
    expectInvalid(() => checkAddress("深圳市南山区南海大道1号", "address", region("510104")), "address", /must be in 四川省成都市/);
  });

  it("is consistent with the region table", () => {
    const r = findRegion("440305")!;
    expect(checkAddress(`${r.province}${r.city}${r.district}深南大道1号`, "address", r)).toContain("深南大道");
  });

  it("checks the text first", () => {
    expectInvalid(() => checkAddress("", "address", chengdu), "address", /is required/);
    expectInvalid(() => checkAddress("成都市锦江", "address", chengdu), "address", /at least 6 characters \(got 5\)/);
    expectInvalid(() => checkAddress(`成都市${"路".repeat(198)}`, "address", chengdu), "address", /at most 200 characters \(got 201\)/);
    expectInvalid(() => checkAddress("成都市锦江区\n春熙路10号", "address", chengdu), "address", /control characters/);
  });
});

describe("checkChangeRegistration", () => {
  const base: ChangeRegistrationRequest = {
    idempotencyKey: "change-0001",
    creditCode: ENTITY,
    newAddress: "",
    newBusinessScopeCodes: [],
    newLegalRepresentativeIdNumber: "",
    caseId: "CASE-2026-0003",
  };
  const change = (over: Partial<ChangeRegistrationRequest>) => checkChangeRegistration({ ...base, ...over });

  it("needs at least one change", () => {
    expectInvalid(() => change({}), "new_address", /give at least one change/);
    expectInvalid(() => change({ newBusinessScopeCodes: undefined as unknown as string[] }), "new_address", /at least one change/);
  });

  it("accepts each change alone", () => {
    expect(change({ newAddress: "四川省成都市锦江区春熙路1号" })).toEqual({
      key: "change-0001",
      creditCode: ENTITY,
      newAddressRaw: "四川省成都市锦江区春熙路1号",
      newScopeCodes: undefined,
      newLegalRepresentativeIdNumber: undefined,
      caseId: "CASE-2026-0003",
    });
    expect(change({ newBusinessScopeCodes: ["H6210", "I6510"] })).toEqual(
      expect.objectContaining({ newAddressRaw: undefined, newScopeCodes: ["H6210", "I6510"], newLegalRepresentativeIdNumber: undefined }),
    );
    expect(change({ newLegalRepresentativeIdNumber: "11010519491231002x" })).toEqual(
      expect.objectContaining({ newAddressRaw: undefined, newScopeCodes: undefined, newLegalRepresentativeIdNumber: PERSON }),
    );
  });

  it("normalises the credit code", () => {
    expect(change({ creditCode: ENTITY.toLowerCase(), newAddress: "成都市锦江区春熙路1号" }).creditCode).toBe(ENTITY);
  });

  it("names the field of each problem", () => {
    expectInvalid(() => change({ idempotencyKey: "x" }), "idempotency_key");
    expectInvalid(() => change({ creditCode: "91350100M000100Y44", newAddress: "成都市锦江区春熙路1号" }), "credit_code", /check character/);
    expectInvalid(() => change({ newBusinessScopeCodes: ["I6510", "I6510"] }), "new_business_scope_codes[1]", /listed twice/);
    expectInvalid(() => change({ newBusinessScopeCodes: ["NOPE"] }), "new_business_scope_codes[0]", /not in the business scope catalogue/);
    expectInvalid(() => change({ newLegalRepresentativeIdNumber: ENTITY }), "new_legal_representative_id_number");
    expectInvalid(() => change({ newAddress: "成都市锦江区春熙路1号", caseId: "" }), "case_id");
  });
});

describe("ageOn", () => {
  it.each([
    ["2000-06-15", "2018-06-14", 17],
    ["2000-06-15", "2018-06-15", 18],
    ["2000-06-15", "2018-06-16", 18],
    ["2000-06-15", "2018-05-31", 17],
    ["2000-06-15", "2018-07-01", 18],
    ["2000-06-15", "2000-06-15", 0],
    ["2000-06-15", "2001-06-14", 0],
    ["1999-12-31", "2017-12-30", 17],
    ["1999-12-31", "2017-12-31", 18],
    ["2000-01-01", "2017-12-31", 17],
    ["2000-01-01", "2018-01-01", 18],
    ["1949-12-31", "2026-11-22", 76],
  ])("born %s, on %s: %i", (born, on, age) => {
    expect(ageOn(born, on)).toBe(age);
  });

  it("counts someone born on 29 February as a year older from 1 March in common years", () => {
    expect(ageOn("2000-02-29", "2018-02-28")).toBe(17);
    expect(ageOn("2000-02-29", "2018-03-01")).toBe(18);
    expect(ageOn("2004-02-29", "2022-02-28")).toBe(17);
    expect(ageOn("2004-02-29", "2024-02-29")).toBe(20);
  });
});

describe("fixes found in review", () => {
  it("refuses an address in another city of the same province", () => {
    expect(() => checkAddress("广东省广州市天河区天河路1号", "address", findRegion("440305")!)).toThrow(/^address: must be in/);
    expect(checkAddress("广东省深圳市南山区科技园1号", "address", findRegion("440305")!)).toBe("广东省深圳市南山区科技园1号");
    expect(checkAddress("深圳市南山区科技园1号", "address", findRegion("440305")!)).toBe("深圳市南山区科技园1号");
  });
});
