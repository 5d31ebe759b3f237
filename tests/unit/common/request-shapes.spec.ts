/**
 * A bus caller's request is checked against its proto message before the action runs: a field not
 * of its proto JSON kind is INVALID_ARGUMENT naming it, in the proto's spelling and path, and the
 * action never sees it. The checker is built from the real proto files; the middleware runs in a
 * real broker whose actions count what reached them.
 */
import { ServiceBroker } from "moleculer";
import { METHOD_ROUTES } from "../../../services/common/contracts";
import { rootLogger } from "../../../services/common/logger";
import { RequestShapeMiddleware, requestShapes } from "../../../services/common/request-shapes";

const refusal = (action: string, params: unknown) => {
  try {
    requestShapes().check(action, params);
  } catch (err) {
    const e = err as { type?: string; data?: { field: string; reason: string } };
    return { type: e.type, ...e.data };
  }
  return undefined;
};

describe("request shapes", () => {
  it("knows the request message of every method the hub serves", () => {
    for (const route of METHOD_ROUTES.values()) {
      const name = requestShapes().requestMessageOf(route.action);
      expect({ action: route.action, name }).toEqual({ action: route.action, name: expect.stringMatching(/^tongban\.[a-z_]+\.v1\.[A-Za-z]+$/) });
    }
    expect(requestShapes().requestMessageOf("tax.registerTaxpayer")).toBe("tongban.tax.v1.RegisterTaxpayerRequest");
    expect(requestShapes().requestMessageOf("licenses.verifyPublic")).toBeUndefined();
  });

  it("refuses a list field that is no list, an entry of the wrong kind, and a message entry that is no object", () => {
    expect(refusal("registration.fileSeals", { creditCode: "91510104MA61234567", sealTypes: "公章" })).toEqual({ type: "INVALID_ARGUMENT", field: "seal_types", reason: "must be a list (got string)" });
    expect(refusal("registration.fileSeals", { sealTypes: { 0: "公章" } })).toMatchObject({ field: "seal_types", reason: "must be a list (got object)" });
    expect(refusal("registration.fileSeals", { sealTypes: ["公章", 5] })).toMatchObject({ field: "seal_types[1]", reason: "must be a string (got number)" });
    expect(refusal("registration.fileSeals", { sealTypes: ["公章", null] })).toMatchObject({ field: "seal_types[1]" });
    expect(refusal("registration.registerEnterprise", { investors: [{ id: "110105194912310029" }, "李四"] })).toMatchObject({ field: "investors[1]", reason: "must be an object (got string)" });
    expect(refusal("registration.changeRegistration", { newBusinessScopeCodes: 7 })).toMatchObject({ field: "new_business_scope_codes", reason: "must be a list (got number)" });
    expect(refusal("licenses.issueLicence", { prerequisiteTypeCodes: "BL" })).toMatchObject({ field: "prerequisite_type_codes" });
  });

  it("names a nested field by its path, and a map value by its key, cut short", () => {
    const nested = refusal("registration.registerEnterprise", { investors: [{ id: "110105194912310029" }, { id: ["110105194912310029"] }] });
    expect(nested).toMatchObject({ field: "investors[1].id", reason: "must be a string (got list)" });
    expect(refusal("licenses.issueLicence", { fields: [1, 2] })).toMatchObject({ field: "fields", reason: "must be an object of keys and values (got list)" });
    expect(refusal("licenses.issueLicence", { fields: { 注册资本: { amount: 1 } } })).toMatchObject({ field: 'fields["注册资本"]', reason: "must be a string (got object)" });
    const long = refusal("licenses.issueLicence", { fields: { ["k".repeat(100_000)]: 5 } });
    expect(long?.field).toBe(`fields[${JSON.stringify(`${"k".repeat(32)}…`)}]`);
  });

  it("refuses params that are no object, and scalars of the wrong kind", () => {
    expect(refusal("registration.getEnterprise", "91510104MA61234567")).toMatchObject({ field: "request", reason: "must be an object of the fields of GetEnterpriseRequest (got string)" });
    expect(refusal("registration.getEnterprise", [1])).toMatchObject({ field: "request", reason: expect.stringMatching(/got list/) });
    expect(refusal("tax.registerTaxpayer", { creditCode: 5 })).toMatchObject({ field: "credit_code", reason: "must be a string (got number)" });
    expect(refusal("bundles.listPendingDecisions", { pageSize: "20" })).toMatchObject({ field: "page_size", reason: "must be a number (got string)" });
    expect(refusal("bundles.decide", { outcome: {} })).toMatchObject({ field: "outcome", reason: "must be the name of a value (got object)" });
    expect(refusal("tax.registerTaxpayer", { requestGeneralTaxpayer: "yes" })).toMatchObject({ field: "request_general_taxpayer", reason: "must be true or false (got string)" });
    expect(refusal("licenses.verifyLicence", { licence: { number: "x", issuedAt: 1_700_000_000 } })).toMatchObject({ field: "licence.issued_at", reason: "must be an RFC 3339 time as text (got number)" });
    expect(refusal("licenses.verifyLicence", { licence: "BL-1" })).toMatchObject({ field: "licence", reason: "must be an object (got string)" });
  });

  it("lets through what the proto3 JSON mapping allows, absent and null fields, and fields the message does not have", () => {
    expect(refusal("registration.getEnterprise", undefined)).toBeUndefined();
    expect(refusal("registration.getEnterprise", null)).toBeUndefined();
    expect(refusal("registration.getEnterprise", {})).toBeUndefined();
    expect(refusal("registration.fileSeals", { creditCode: "x", sealTypes: [], engraver: null, notAField: [1, { a: 2 }] })).toBeUndefined();
    expect(refusal("licenses.issueLicence", { typeCode: "BL", holderId: "x", fields: { a: "b" }, prerequisiteTypeCodes: ["BL"] })).toBeUndefined();
    // Values are the action's to judge: an unknown enum name, an impossible date, a wrong code.
    expect(refusal("tax.registerTaxpayer", { creditCode: "not a code", requestGeneralTaxpayer: true })).toBeUndefined();
    expect(refusal("bundles.decide", { outcome: "OUTCOME_NOT_ONE" })).toBeUndefined();
    expect(refusal("bundles.decide", { outcome: 1 })).toBeUndefined();
    expect(refusal("licenses.verifyLicence", { licence: { issuedAt: "not a time", fields: {} } })).toBeUndefined();
    // Actions that implement no proto method are not checked here.
    expect(refusal("licenses.verifyPublic", "anything")).toBeUndefined();
  });

  it("refuses in a broker before the action runs, as a 400 on the bus", async () => {
    rootLogger("silent");
    const broker = new ServiceBroker({ logger: false, middlewares: [RequestShapeMiddleware] });
    const reached: unknown[] = [];
    broker.createService({ name: "registration", actions: { fileSeals: (ctx: { params: unknown }) => (reached.push(ctx.params), { ok: true }) } });
    broker.createService({ name: "busonly", actions: { echo: (ctx: { params: unknown }) => ctx.params } });
    await broker.start();
    try {
      await expect(broker.call("registration.fileSeals", { sealTypes: "公章" })).rejects.toMatchObject({ code: 400, type: "INVALID_ARGUMENT", data: { field: "seal_types" } });
      expect(reached).toEqual([]);
      await expect(broker.call("registration.fileSeals", { sealTypes: ["公章"] })).resolves.toEqual({ ok: true });
      expect(reached).toHaveLength(1);
      // Every action: absent or null params are {}, anything else that is no object is refused.
      await expect(broker.call("busonly.echo", null as unknown as object)).resolves.toEqual({});
      await expect(broker.call("busonly.echo")).resolves.toEqual({});
      await expect(broker.call("busonly.echo", "x" as unknown as object)).rejects.toMatchObject({ code: 400, data: { field: "request", reason: "must be an object of named fields (got string)" } });
      await expect(broker.call("busonly.echo", [1] as unknown as object)).rejects.toMatchObject({ code: 400, data: { field: "request" } });
    } finally {
      await broker.stop();
    }
  });
});
