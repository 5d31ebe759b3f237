/** The portal's plumbing: routing, body limits, error bodies, snake_case. */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Errors } from "moleculer";
import { errorReply, HttpError, readJsonBody, toSnake, writeJson } from "../../../../gateway/http/portal/http-kit";
import { Router, type Route } from "../../../../gateway/http/portal/router";
import { failedPrecondition, invalidArgument, notFound } from "../../../../services/common/errors";

const ok = async () => ({ status: 200, body: {} });
const routes: Route<void>[] = [
  { method: "GET", path: "/v1/applications/{id}", audience: "applicant", handler: ok },
  { method: "POST", path: "/v1/applications/{id}/rating", audience: "applicant", handler: ok },
  { method: "GET", path: "/v1/applications", audience: "applicant", handler: ok },
  { method: "POST", path: "/v1/applications", audience: "applicant", handler: ok },
];

function thrown(fn: () => unknown): HttpError {
  try {
    fn();
  } catch (err) {
    return err as HttpError;
  }
  throw new Error("expected a throw");
}

describe("Router", () => {
  const router = new Router(routes);
  it("matches templates and decodes path parameters", () => {
    const m = router.match("GET", "/v1/applications/A20261122-ABC%2FX");
    expect(m.route.path).toBe("/v1/applications/{id}");
    expect(m.params).toEqual({ id: "A20261122-ABC/X" });
    expect(router.match("POST", "/v1/applications").route.method).toBe("POST");
  });
  it("answers 405 with Allow for a known path, 404 otherwise", () => {
    const wrong = thrown(() => router.match("DELETE", "/v1/applications"));
    expect(wrong).toMatchObject({ status: 405, code: "METHOD_NOT_ALLOWED", headers: { allow: "GET, POST" } });
    expect(thrown(() => router.match("GET", "/v1/applications/x/rating"))).toMatchObject({ status: 405 });
    expect(thrown(() => router.match("GET", "/v1/applications/x/y/z"))).toMatchObject({ status: 404, code: "NOT_FOUND" });
    expect(thrown(() => router.match("GET", "/v1/applications/%E0%A4%A"))).toMatchObject({ status: 400, field: "id" });
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

describe("readJsonBody", () => {
  let server: http.Server;
  let url: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      readJsonBody(req, 1000).then(
        (body) => writeJson(res, 200, body),
        (err) => {
          const e = errorReply(err);
          writeJson(res, e.status, e.body, e.headers);
        },
      );
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const post = async (body: string, type = "application/json") => {
    const res = await fetch(url, { method: "POST", body, headers: { "content-type": type } });
    return { status: res.status, body: (await res.json()) as { error?: { code: string; field?: string } } };
  };

  it("parses a JSON object", async () => {
    expect(await post('{"a":1}')).toEqual({ status: 200, body: { a: 1 } });
  });
  it("refuses malformed JSON, non-objects and other content types naming body", async () => {
    expect(await post("{")).toMatchObject({ status: 400, body: { error: { code: "INVALID_ARGUMENT", field: "body" } } });
    expect(await post("[1]")).toMatchObject({ status: 400, body: { error: { field: "body" } } });
    expect((await post("a=1", "application/x-www-form-urlencoded")).status).toBe(415);
  });
  it("stops at the limit: declared length, and a streamed body without one", async () => {
    expect(await post(JSON.stringify({ a: "x".repeat(2000) }))).toMatchObject({ status: 413, body: { error: { code: "PAYLOAD_TOO_LARGE", field: "body" } } });
    const chunks = new ReadableStream({
      start(c) {
        for (let i = 0; i < 5; i++) c.enqueue(new TextEncoder().encode(i === 0 ? '{"a":"' : "y".repeat(400)));
        c.close();
      },
    });
    const res = await fetch(url, { method: "POST", body: chunks, headers: { "content-type": "application/json" }, duplex: "half" } as RequestInit);
    expect(res.status).toBe(413);
  });
});
