import { Errors } from "moleculer";
import { OFFICIAL_SEAL, SEAL_TYPES, checkSealTypes, sealCode } from "../../../services/business-registration/rules/seals";

function thrown(fn: () => unknown): Errors.MoleculerError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(Errors.MoleculerError);
    return err as Errors.MoleculerError;
  }
  throw new Error("expected an error, but the call returned");
}

function expectInvalid(fn: () => unknown, field: string, reason: RegExp) {
  const err = thrown(fn);
  expect(err.type).toBe("INVALID_ARGUMENT");
  expect(err.code).toBe(400);
  expect((err.data as { field: string }).field).toBe(field);
  expect((err.data as { reason: string }).reason).toMatch(reason);
}

describe("checkSealTypes", () => {
  it("knows five seal types, the official seal among them", () => {
    expect([...SEAL_TYPES]).toEqual(["公章", "财务专用章", "发票专用章", "合同专用章", "法定代表人名章"]);
    expect(OFFICIAL_SEAL).toBe("公章");
  });

  it("accepts known, distinct types in the order given", () => {
    expect(checkSealTypes(["公章"])).toEqual(["公章"]);
    expect(checkSealTypes(["合同专用章", "公章"])).toEqual(["合同专用章", "公章"]);
    expect(checkSealTypes([...SEAL_TYPES])).toEqual([...SEAL_TYPES]);
  });

  it.each([[[]], [undefined], [null], ["公章"], [{ 0: "公章" }]])("requires a non-empty list (%j)", (input) => {
    expectInvalid(() => checkSealTypes(input), "seal_types", /^is required/);
  });

  it("names the first unknown type by index", () => {
    expectInvalid(() => checkSealTypes(["私章"]), "seal_types[0]", /must be one of 公章, 财务专用章/);
    expectInvalid(() => checkSealTypes(["公章", "财务专用章", "私章"]), "seal_types[2]", /must be one of/);
    expectInvalid(() => checkSealTypes(["公章", 1]), "seal_types[1]", /must be one of/);
    expectInvalid(() => checkSealTypes(["公章 "]), "seal_types[0]", /must be one of/);
  });

  it("names the second occurrence of a duplicate", () => {
    expectInvalid(() => checkSealTypes(["公章", "公章"]), "seal_types[1]", /"公章" is listed twice/);
    expectInvalid(() => checkSealTypes(["公章", "财务专用章", "发票专用章", "财务专用章"]), "seal_types[3]", /"财务专用章" is listed twice/);
  });

  it("refuses six entries, since one must repeat", () => {
    expectInvalid(() => checkSealTypes([...SEAL_TYPES, "公章"]), "seal_types[5]", /listed twice/);
  });
});

describe("sealCode", () => {
  it("is the 6-digit region code and a zero-padded 7-digit serial: 13 digits", () => {
    expect(sealCode("510104", 1)).toBe("5101040000001");
    expect(sealCode("110105", 1234)).toBe("1101050001234");
    expect(sealCode("440305", 9_999_999)).toBe("4403059999999");
    for (const serial of [1, 42, 100_000, 9_999_999]) expect(sealCode("510104", serial)).toMatch(/^\d{13}$/);
  });

  it("gives different codes for different serials and regions", () => {
    expect(sealCode("510104", 2)).not.toBe(sealCode("510104", 3));
    expect(sealCode("510104", 2)).not.toBe(sealCode("510105", 2));
  });
});
