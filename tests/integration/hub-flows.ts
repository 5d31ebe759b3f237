/**
 * The flows every topology must pass, over gRPC through the edge with a client built from the
 * proto files: authentication, access rights, bad input, entity registration, licence issue,
 * verification, tampering, revocation, idempotency and the access log.
 */
import crypto from "node:crypto";
import { status } from "@grpc/grpc-js";
import { createDepartmentCredential, signDepartmentToken } from "../../services/common/department-token";
import { generatePopulation } from "../../services/identity/seed/population";
import { expectStatus, readCredential, type Credential, type HubClient } from "../support/grpc-client";
import { isNationalLicenceId } from "../../services/licenses/signing/licence-id";

export const SEED_COUNT = 2000;
const people = generatePopulation(SEED_COUNT, 20261122);

export interface HubUnderTest {
  client: HubClient;
  httpPort: number;
  dataDir: string;
}

const key = (label: string) => `${label}-${crypto.randomUUID()}`;

/** Business licence fields for an entity. */
function blFields(name: string, rep: string) {
  return {
    name,
    entity_type: "有限责任公司",
    legal_representative: rep,
    registered_capital: "100",
    established_on: "2026-11-01",
    address: "四川省成都市锦江区人民南路330号",
    business_scope: "软件开发；信息技术咨询服务",
  };
}

/** Registers an entity as samr with a seeded person as legal representative. */
export async function registerEntity(client: HubClient, samr: Credential, personIndex: number, name: string) {
  const rep = people[personIndex];
  return client.call("IdentityService/RegisterEntity", {
    idempotencyKey: key("entity"),
    name,
    entityType: "ENTITY_TYPE_ENTERPRISE",
    regionCode: rep.regionCode,
    legalRepresentativeIdNumber: rep.idNumber,
    legalRepresentativeName: rep.name,
    address: rep.address,
    caseId: "case-reg-1",
  }, samr);
}

/** Defines the shared flow tests against whatever topology `hub()` returns. */
export function defineHubFlows(hub: () => HubUnderTest) {
  let samr: Credential, tax: Credential, civil: Credential, psb: Credential, data: Credential;
  beforeAll(() => {
    const dir = hub().dataDir;
    [samr, tax, civil, psb, data] = ["samr", "tax", "civil", "psb", "data"].map((d) => readCredential(dir, d));
  });

  it("answers /healthz with 200 and each check up", async () => {
    const res = await fetch(`http://127.0.0.1:${hub().httpPort}/healthz`);
    const body = (await res.json()) as { status: string; checks: Record<string, string> };
    expect(res.status).toBe(200);
    expect(body.status).toBe("ok");
    expect(Object.values(body.checks).every((s) => s === "up")).toBe(true);
    expect(body.checks.broker).toBe("up");
  });

  it("serves grpc.health.v1 per service and lists services by reflection", async () => {
    const { client } = hub();
    expect(await client.health("")).toBe("SERVING");
    expect(await client.health("tongban.licenses.v1.LicenceService")).toBe("SERVING");
    expect(await client.health("tongban.identity.v1.IdentityService")).toBe("SERVING");
    const services = await client.reflectedServices();
    expect(services).toEqual(expect.arrayContaining(["tongban.identity.v1.IdentityService", "tongban.licenses.v1.LicenceService"]));
  });

  it("refuses unknown callers with UNAUTHENTICATED", async () => {
    const { client } = hub();
    const request = { idNumber: people[0].idNumber, name: people[0].name };
    await expectStatus(client.call("IdentityService/VerifyPerson", request), status.UNAUTHENTICATED);
    const stranger = createDepartmentCredential("samr");
    const e = await expectStatus(client.call("IdentityService/VerifyPerson", request, stranger), status.UNAUTHENTICATED);
    expect(e.details).toMatch(/not registered/);
    await expectStatus(client.call("IdentityService/VerifyPerson", request, undefined, { authorization: "Bearer abc.def.ghi" }), status.UNAUTHENTICATED);
    // A token is good for one call: the same token again (a replay) is refused.
    const token = signDepartmentToken(psb, 60);
    await client.call("IdentityService/VerifyPerson", request, undefined, { authorization: `Bearer ${token}` });
    const replay = await expectStatus(client.call("IdentityService/VerifyPerson", request, undefined, { authorization: `Bearer ${token}` }), status.UNAUTHENTICATED);
    expect(replay.details).toMatch(/used before/);
  });

  it("refuses an unauthorised department with PERMISSION_DENIED and lets a granted one in", async () => {
    const { client } = hub();
    const request = { idNumber: people[1].idNumber, caseId: "case-civil-1" };
    const e = await expectStatus(client.call("IdentityService/GetPerson", request, civil), status.PERMISSION_DENIED);
    expect(e.details).toContain("civil");
    await expectStatus(client.call("IdentityService/RegisterEntity", { idempotencyKey: key("x") }, tax), status.PERMISSION_DENIED);
    // Only the owner (psb) may grant GetPerson; samr cannot.
    const method = "/tongban.identity.v1.IdentityService/GetPerson";
    await expectStatus(client.call("DepartmentRegistryService/GrantAccess", { method, grantee: "civil" }, samr), status.PERMISSION_DENIED);
    await client.call("DepartmentRegistryService/GrantAccess", { method, grantee: "civil", idempotencyKey: key("grant") }, psb);
    const person = await client.call("IdentityService/GetPerson", request, civil);
    expect(person.name).toBe(people[1].name);
    await client.call("DepartmentRegistryService/RevokeAccess", { method, grantee: "civil" }, psb);
    await expectStatus(client.call("IdentityService/GetPerson", request, civil), status.PERMISSION_DENIED);
  });

  it("names the field and the reason on bad input, and NOT_FOUND for unknown ids", async () => {
    const { client } = hub();
    const good = people[2].idNumber;
    const badCheck = good.slice(0, 17) + (good[17] === "0" ? "1" : "0");
    const e = await expectStatus(client.call("IdentityService/GetPerson", { idNumber: badCheck, caseId: "c1" }, tax), status.INVALID_ARGUMENT);
    expect(e.details).toBe(`id_number: check character should be ${good[17]}`);
    expect(e.metadata.get("field")).toEqual(["id_number"]);
    const missingCase = await expectStatus(client.call("IdentityService/GetPerson", { idNumber: good }, tax), status.INVALID_ARGUMENT);
    expect(missingCase.details).toMatch(/^case_id: is required/);
    // A valid number nobody holds: 110105 region, 1990-01-01, sequence 999.
    const nobody = "11010519900101999" + "10X98765432"[[..."11010519900101999"].reduce((s, c, i) => s + Number(c) * [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2][i], 0) % 11];
    await expectStatus(client.call("IdentityService/GetPerson", { idNumber: nobody, caseId: "c1" }, tax), status.NOT_FOUND);
    const v = await client.call("IdentityService/VerifyPerson", { idNumber: good, name: "某某某" }, civil);
    expect(v.match).toBe(false);
    expect(Object.keys(v)).toEqual(["match"]);
  });

  it("issues a business licence over gRPC that verifies; a tampered copy fails on the signature; a revoked one reports revoked", async () => {
    const { client } = hub();
    const entity = await registerEntity(client, samr, 3, `星河科技${crypto.randomInt(1e6)}有限公司`);
    expect(entity.creditCode).toMatch(/^91\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/);
    const licence = await client.call("LicenceService/IssueLicence", {
      idempotencyKey: key("bl"),
      typeCode: "BL",
      holderId: entity.creditCode,
      caseId: "case-reg-1",
      fields: blFields(entity.name, people[3].name),
    }, samr);
    expect(licence.status).toBe("LICENCE_STATUS_VALID");
    expect(licence.holderName).toBe(entity.name);
    expect(licence.signature.algorithm).toBe("SM2-SM3");

    const ok = await client.call("LicenceService/VerifyLicence", { licence, caseId: "case-tax-1" }, tax);
    expect(ok).toMatchObject({ valid: true, signatureValid: true, withinValidity: true, failures: [] });

    const tampered = { ...licence, fields: { ...licence.fields, registered_capital: "1000" } };
    const bad = await client.call("LicenceService/VerifyLicence", { licence: tampered, caseId: "case-tax-1" }, tax);
    expect(bad.valid).toBe(false);
    expect(bad.signatureValid).toBe(false);
    expect(bad.failures.map((f: { check: string }) => f.check)).toEqual(["signature"]);

    for (const change of [{ holderName: "别的公司" }, { validUntil: "2099-12-31" }, { issuer: "tax" }]) {
      const r = await client.call("LicenceService/VerifyLicence", { licence: { ...licence, ...change }, caseId: "case-tax-1" }, tax);
      expect(r.valid).toBe(false);
      expect(r.failures[0].check).toBe("signature");
    }

    await expectStatus(
      client.call("LicenceService/RevokeLicence", { number: licence.number, reason: "被吊销", idempotencyKey: key("rv") }, tax),
      status.PERMISSION_DENIED,
    );
    const revoked = await client.call("LicenceService/RevokeLicence", { number: licence.number, reason: "依法吊销", idempotencyKey: key("rv") }, samr);
    expect(revoked.status).toBe("LICENCE_STATUS_REVOKED");
    await expectStatus(client.call("LicenceService/VerifyLicence", { number: licence.number }, tax), status.INVALID_ARGUMENT);
    const after = await client.call("LicenceService/VerifyLicence", { number: licence.number, caseId: "case-tax-1" }, tax);
    expect(after).toMatchObject({ valid: false, signatureValid: true, status: "LICENCE_STATUS_REVOKED" });
    expect(after.failures).toEqual([{ check: "status", reason: "licence is revoked: 依法吊销" }]);
    const again = await expectStatus(
      client.call("LicenceService/SuspendLicence", { number: licence.number, reason: "再次", idempotencyKey: key("s") }, samr),
      status.FAILED_PRECONDITION,
    );
    expect(again.metadata.get("reason-code")).toEqual(["LICENCE_REVOKED"]);
  });

  it("only the type's department issues it, and a refused request writes nothing", async () => {
    const { client } = hub();
    const entity = await registerEntity(client, samr, 4, `闽古田茶业${crypto.randomInt(1e6)}有限公司`);
    const request = { idempotencyKey: key("bl"), typeCode: "BL", holderId: entity.creditCode, caseId: "c-2", fields: blFields(entity.name, people[4].name) };
    await expectStatus(client.call("LicenceService/IssueLicence", request, tax), status.PERMISSION_DENIED);
    const missing = { ...request, fields: { ...request.fields, business_scope: "" } };
    const e = await expectStatus(client.call("LicenceService/IssueLicence", missing, samr), status.INVALID_ARGUMENT);
    expect(e.details).toMatch(/^fields\.business_scope: is required/);
    // A field named after a key of the caller's map that is not ASCII: the trailer carries it
    // percent-encoded (and as UTF-8 in field-bin); the hub answers and stays up.
    for (const odd of ["名称", "\uD800x"]) {
      const e2 = await expectStatus(client.call("LicenceService/IssueLicence", { ...request, fields: { ...request.fields, [odd]: "x" } }, samr), status.INVALID_ARGUMENT);
      const field = decodeURIComponent(String(e2.metadata.get("field")[0]));
      expect(field).toContain(odd === "名称" ? "名称" : "\uFFFDx");
      expect(Buffer.from(e2.metadata.get("field-bin")[0] as Buffer).toString("utf8")).toBe(field);
    }
    // A map key "__proto__" would vanish from the signed fields when decoded: refused, not dropped.
    const proto = await expectStatus(client.call("LicenceService/IssueLicence", { ...request, fields: { ...request.fields, ["__proto__"]: "x" } }, samr), status.INVALID_ARGUMENT);
    expect(proto.details).toMatch(/__proto__/);
    // Bytes that do not decode as the request message: the caller's error, not INTERNAL.
    const garbage = await expectStatus(client.callRaw("LicenceService/IssueLicence", Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]), samr), status.INVALID_ARGUMENT);
    expect(garbage.details).toMatch(/^request: the request does not decode/);
    // Fields carrying invisible characters (zero-width, bidi override) are refused naming the field.
    for (const hidden of ["成都\u200b星河", "成都\u202e河星"]) {
      const e3 = await expectStatus(client.call("LicenceService/IssueLicence", { ...request, fields: { ...request.fields, address: hidden } }, samr), status.INVALID_ARGUMENT);
      expect(e3.metadata.get("field")).toEqual(["fields.address"]);
    }
    expect(await client.health("")).toBe("SERVING");
    const wrongDate = { ...request, fields: { ...request.fields, established_on: "2026-02-30" } };
    await expectStatus(client.call("LicenceService/IssueLicence", wrongDate, samr), status.INVALID_ARGUMENT);
    const list = await client.call("LicenceService/ListLicencesByHolder", { holderId: entity.creditCode, caseId: "c-2" }, samr);
    expect(list.licences).toEqual([]);
    // The key of a refused request is free: the same key now issues.
    const issued = await client.call("LicenceService/IssueLicence", request, samr);
    // A national e-licence identifier (GB/T 36904): BL's type code, the issuing samr's credit code, a serial, version 001.
    expect(issued.number).toMatch(/^1\.2\.156\.3005\.2\.11100000EKJ5T3YT4M001\.11510100PB8UYH3138\.\d{8}[0-9A-Z]{10}\.001\.[0-9A-Z]$/);
    expect(isNationalLicenceId(issued.number)).toBe(true);
    expect(issued.holderIdType).toBe("001");
    expect(issued.signature).toMatchObject({ algorithm: "SM2-SM3", signerId: "1234567812345678" });
  });

  it("is idempotent: a repeated key returns the first licence, also when calls race; a reused key with other content is refused", async () => {
    const { client } = hub();
    const entity = await registerEntity(client, samr, 5, `大庆油田服务${crypto.randomInt(1e6)}有限公司`);
    const request = { idempotencyKey: key("race"), typeCode: "BL", holderId: entity.creditCode, caseId: "c-3", fields: blFields(entity.name, people[5].name) };
    const results = await Promise.all(Array.from({ length: 8 }, () => client.call("LicenceService/IssueLicence", request, samr)));
    expect(new Set(results.map((r) => r.number)).size).toBe(1);
    const list = await client.call("LicenceService/ListLicencesByHolder", { holderId: entity.creditCode, caseId: "c-3" }, samr);
    expect(list.licences).toHaveLength(1);
    const e = await expectStatus(
      client.call("LicenceService/IssueLicence", { ...request, fields: { ...request.fields, registered_capital: "5" } }, samr),
      status.FAILED_PRECONDITION,
    );
    expect(e.metadata.get("reason-code")).toEqual(["IDEMPOTENCY_KEY_REUSED"]);
    await expectStatus(client.call("LicenceService/IssueLicence", { ...request, idempotencyKey: "" }, samr), status.INVALID_ARGUMENT);
  });

  it("records every read by another department with its case", async () => {
    const { client } = hub();
    const entity = await registerEntity(client, samr, 6, `让胡路商贸${crypto.randomInt(1e6)}有限公司`);
    const licence = await client.call("LicenceService/IssueLicence", {
      idempotencyKey: key("bl"), typeCode: "BL", holderId: entity.creditCode, caseId: "c-4", fields: blFields(entity.name, people[6].name),
    }, samr);
    await client.call("LicenceService/GetLicence", { number: licence.number, caseId: "tax-case-77" }, tax);
    await client.call("LicenceService/VerifyLicence", { number: licence.number, caseId: "psb-case-9" }, psb);
    await client.call("LicenceService/GetLicence", { number: licence.number, caseId: "own-read" }, samr);
    await expectStatus(client.call("LicenceService/GetLicence", { number: licence.number }, tax), status.INVALID_ARGUMENT);
    const { accesses } = await client.call("LicenceService/ListLicenceAccesses", { holderId: entity.creditCode }, data);
    const seen = accesses.map((a: { reader: string; caseId: string; action: string }) => `${a.reader}/${a.caseId}/${a.action}`).sort();
    expect(seen).toEqual(["psb/psb-case-9/verify", "tax/tax-case-77/get"]);
  });

  it("verifies a holder's current licence of a type in one call, recording only that licence's read", async () => {
    const { client } = hub();
    const entity = await registerEntity(client, samr, 8, `龙凤湿地${crypto.randomInt(1e6)}有限公司`);
    const bl = await client.call("LicenceService/IssueLicence", {
      idempotencyKey: key("bl"), typeCode: "BL", holderId: entity.creditCode, caseId: "c-6", fields: blFields(entity.name, people[8].name),
    }, samr);
    const food = await client.call("LicenceService/IssueLicence", {
      idempotencyKey: key("food"), typeCode: "FOOD", holderId: entity.creditCode, caseId: "c-6",
      fields: { operator: entity.name, premises: "大庆市龙凤区湿地路1号", main_business: "餐饮服务", food_categories: "热食类食品制售" },
    }, samr);
    const check = await client.call("LicenceService/VerifyLicence", { holderId: entity.creditCode.toLowerCase(), typeCode: "BL", caseId: "tax-case-8" }, tax);
    expect(check).toMatchObject({ valid: true, signatureValid: true, withinValidity: true, number: bl.number, failures: [] });
    const { accesses } = await client.call("LicenceService/ListLicenceAccesses", { holderId: entity.creditCode }, data);
    expect(accesses.map((a: { number: string; reader: string; caseId: string; action: string }) => `${a.number}/${a.reader}/${a.caseId}/${a.action}`)).toEqual([
      `${bl.number}/tax/tax-case-8/verify`,
    ]);
    expect(accesses.some((a: { number: string }) => a.number === food.number)).toBe(false);

    // Exactly one way of naming the licence; a known type; a case for another department's read.
    for (const bad of [
      { number: bl.number, holderId: entity.creditCode, typeCode: "BL", caseId: "x" },
      { holderId: entity.creditCode, typeCode: "NOPE", caseId: "x" },
      { holderId: "123", typeCode: "BL", caseId: "x" },
      { holderId: entity.creditCode, typeCode: "BL" },
    ]) {
      await expectStatus(client.call("LicenceService/VerifyLicence", bad, tax), status.INVALID_ARGUMENT);
    }
    // Once revoked, the holder has no valid business licence: NOT_FOUND, and no read is recorded.
    await client.call("LicenceService/RevokeLicence", { number: bl.number, reason: "依法吊销", idempotencyKey: key("rv") }, samr);
    await expectStatus(client.call("LicenceService/VerifyLicence", { holderId: entity.creditCode, typeCode: "BL", caseId: "tax-case-9" }, tax), status.NOT_FOUND);
    const after = await client.call("LicenceService/ListLicenceAccesses", { holderId: entity.creditCode }, data);
    expect(after.accesses).toHaveLength(1);
  });

  it("rotates a department's key; licences signed with the retired key still verify", async () => {
    const { client } = hub();
    const entity = await registerEntity(client, samr, 7, `萨尔图科技${crypto.randomInt(1e6)}有限公司`);
    const issue = () => client.call("LicenceService/IssueLicence", {
      idempotencyKey: key("bl"), typeCode: "FOOD", holderId: entity.creditCode, caseId: "c-5",
      fields: { operator: entity.name, premises: "大庆市萨尔图区中央大街1号", main_business: "餐饮服务", food_categories: "热食类食品制售" },
    }, samr);
    const before = await issue();
    expect(before.validUntil).not.toBe("");
    const rotated = await client.call("LicenceService/RotateSigningKey", { algorithm: "ED25519", idempotencyKey: key("rot") }, samr);
    expect(rotated.active).toBe(true);
    const after = await issue();
    expect(after.signature.keyId).toBe(rotated.keyId);
    expect(after.signature.keyId).not.toBe(before.signature.keyId);
    for (const l of [before, after]) {
      expect((await client.call("LicenceService/VerifyLicence", { licence: l, caseId: "c-5" }, tax)).valid).toBe(true);
    }
    const { keys } = await client.call("LicenceService/ListSigningKeys", { department: "samr" }, tax);
    expect(keys.filter((k: { active: boolean }) => k.active)).toHaveLength(1);
    expect(keys.map((k: { keyId: string }) => k.keyId)).toEqual(expect.arrayContaining([before.signature.keyId, after.signature.keyId]));
  });
}

export { people };
