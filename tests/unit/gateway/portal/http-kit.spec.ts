/** The portal's plumbing: routing, body limits, error bodies, snake_case. */
import { Errors } from "moleculer";
import { errorReply, toSnake } from "../../../../gateway/http/portal/http-kit";
import { depthExceeds, findDuplicateKey } from "../../../../gateway/http/portal/json-body";
import { problemsOf } from "../../../../gateway/http/portal/portal";
import { allowedMethods, fastifyPath, type Route } from "../../../../gateway/http/portal/router";
import { failedPrecondition, invalidArgument, notFound } from "../../../../services/common/errors";

const ok = async () => ({ status: 200, body: {} });
const schema = { operationId: "x", summary: "x", tags: [], responses: {} };
const routes: Route<void>[] = [
  { method: "GET", path: "/v1/applications/{id}", audience: "applicant", schema, handler: ok },
  { method: "POST", path: "/v1/applications/{id}/rating", audience: "applicant", schema, handler: ok },
  { method: "GET", path: "/v1/applications", audience: "applicant", schema, handler: ok },
  { method: "POST", path: "/v1/applications", audience: "applicant", schema, handler: ok },
];

describe("route templates", () => {
  it("tell the methods a path has (405 with Allow) from a path that has none (404)", () => {
    expect(allowedMethods(routes, "/v1/applications")).toEqual(["GET", "POST"]);
    expect(allowedMethods(routes, "/v1/applications/x/rating")).toEqual(["POST"]);
    expect(allowedMethods(routes, "/v1/applications/x/y/z")).toEqual([]);
    expect(allowedMethods(routes, "/v1/applications.")).toEqual([]);
  });
  it("are written for Fastify with :name", () => {
    expect(fastifyPath("/v1/enterprises/{credit_code}/agents/{id_number}/revocation")).toBe("/v1/enterprises/:credit_code/agents/:id_number/revocation");
  });
});

describe("errorReply", () => {
  it("maps service errors through the status table, code = reason code or type, with the field", () => {
    expect(errorReply(invalidArgument("enterprise.address", "is required"))).toMatchObject({
      status: 400,
      body: { error: { code: "INVALID_ARGUMENT", field: "enterprise.address", message: "enterprise.address: is required" } },
    });
    expect(errorReply(notFound("application", "A1")).status).toBe(404);
    expect(errorReply(failedPrecondition("NAME_TAKEN", "字号已被使用"))).toMatchObject({ status: 422, body: { error: { code: "NAME_TAKEN" } } });
    const rated = new Errors.MoleculerClientError("already", 409, "ALREADY_EXISTS", { reasonCode: "ALREADY_RATED", field: "score" });
    expect(errorReply(rated)).toMatchObject({ status: 409, body: { error: { code: "ALREADY_RATED", field: "score" } } });
  });
  it("hides internal errors", () => {
    const r = errorReply(new Error("password=hunter2 at db.internal"));
    expect(r).toMatchObject({ status: 500, internal: true, body: { error: { code: "INTERNAL", message: "internal error" } } });
  });
});

describe("toSnake", () => {
  it("converts camelCase keys at every level and leaves codes, field names and values alone", () => {
    expect(
      toSnake({ applicationId: "A1", steps: [{ stepKey: "enrolment#0", output: { creditCode: "91" } }], materials: { PREMISES_PROOF: "M-1" }, "enterprise.address": "x", gone: undefined, value: "camelCase" }),
    ).toEqual({ application_id: "A1", steps: [{ step_key: "enrolment#0", output: { credit_code: "91" } }], materials: { PREMISES_PROOF: "M-1" }, "enterprise.address": "x", value: "camelCase" });
  });
});

describe("findDuplicateKey", () => {
  it("finds a key given twice in one object, at any depth, escapes decoded; not across objects", () => {
    expect(findDuplicateKey('{"id_number":"A","id_number":"B"}')).toBe("id_number");
    expect(findDuplicateKey('{"form":{"employees":[{"a":1},{"id_number":"1","x":[1,{"q":2}],"id_number":"2"}]}}')).toBe("form.employees[1].id_number");
    expect(findDuplicateKey('{"f\\u006f":1,"fx":2}')).toBeUndefined();
    expect(findDuplicateKey('{"f\\u006f":1,"fo":2}')).toBe("fo");
    expect(findDuplicateKey('{"\\u0061":1,"a":2}')).toBe("a");
    expect(findDuplicateKey('{"a":{"b":1},"b":{"a":2},"c":["a","a"],"d":"\\"a\\":1,\\"a\\""}')).toBeUndefined();
    expect(findDuplicateKey('{"a":"x\\\\","a":1}')).toBe("a");
    expect(findDuplicateKey("[]")).toBeUndefined();
  });
  it("scans a 28 MiB upload in one pass", () => {
    const big = `{"type_code":"X","content_base64":"${"A".repeat(28 * 1024 * 1024)}","type_code":"Y"}`;
    expect(findDuplicateKey(big)).toBe("type_code");
  });
});

describe("depthExceeds", () => {
  it("measures nesting without recursion", () => {
    expect(depthExceeds({ a: [{ b: 1 }] }, 3)).toBe(false);
    expect(depthExceeds({ a: [{ b: {} }] }, 3)).toBe(true);
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(depthExceeds(deep, 32)).toBe(true);
  });
});

describe("problemsOf", () => {
  it("names each field once, from the schema checker's pointers", () => {
    const problems = problemsOf(
      [
        { instancePath: "", keyword: "required", params: { missingProperty: "client_key" }, message: "must have required property 'client_key'" },
        { instancePath: "", keyword: "additionalProperties", params: { additionalProperty: "bundleCode" }, message: "must NOT have additional properties" },
        { instancePath: "/form/employees/0/id_number", keyword: "maxLength", params: { limit: 18 }, message: "must NOT have more than 18 characters" },
        { instancePath: "/form/employees/0/id_number", keyword: "pattern", params: {}, message: "must match pattern" },
        { instancePath: "/materials", keyword: "pattern", params: {}, propertyName: "bad key", message: "must match pattern" },
        { instancePath: "/materials", keyword: "propertyNames", params: { propertyName: "bad key" }, message: "property name must be valid" },
        { instancePath: "", keyword: "type", params: {}, message: "must be object" },
      ],
      "body",
    );
    expect(problems).toEqual([
      { field: "client_key", reason: "is required" },
      { field: "bundleCode", reason: "is not a property of this request" },
      { field: "form.employees[0].id_number", reason: "must NOT have more than 18 characters" },
      { field: "materials.bad key", reason: "is not a field name this request takes (must match pattern)" },
      { field: "body", reason: "must be object" },
    ]);
  });
});
