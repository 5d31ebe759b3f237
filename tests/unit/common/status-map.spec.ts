import { status } from "@grpc/grpc-js";
import { Errors } from "moleculer";
import { mapError } from "../../../gateway/status-map";
import {
  failedPrecondition,
  invalidArgument,
  notFound,
  permissionDenied,
  unauthenticated,
  unavailable,
} from "../../../services/common/errors";

const withType = (type: string, message = `a ${type} happened`, data?: Record<string, unknown>) =>
  new Errors.MoleculerError(message, 500, type, data);

describe("mapError for the hub's own error types", () => {
  it.each<[string, status, number]>([
    ["INVALID_ARGUMENT", status.INVALID_ARGUMENT, 400],
    ["NOT_FOUND", status.NOT_FOUND, 404],
    ["ALREADY_EXISTS", status.ALREADY_EXISTS, 409],
    ["FAILED_PRECONDITION", status.FAILED_PRECONDITION, 422],
    ["PERMISSION_DENIED", status.PERMISSION_DENIED, 403],
    ["UNAUTHENTICATED", status.UNAUTHENTICATED, 401],
    ["RESOURCE_EXHAUSTED", status.RESOURCE_EXHAUSTED, 429],
    ["UNAVAILABLE", status.UNAVAILABLE, 503],
    ["VALIDATION_ERROR", status.INVALID_ARGUMENT, 400],
  ])("%s -> gRPC %s, HTTP %s, message and data shown", (type, grpc, http) => {
    const m = mapError(withType(type, "the reason", { field: "x" }));
    expect(m).toEqual({ grpc, http, expose: true, message: "the reason", data: { field: "x" } });
  });

  it("maps the errors built by services/common/errors", () => {
    const inv = mapError(invalidArgument("holder_id", "check character should be X"));
    expect(inv.grpc).toBe(status.INVALID_ARGUMENT);
    expect(inv.http).toBe(400);
    expect(inv.message).toBe("holder_id: check character should be X");
    expect(inv.data).toEqual({ field: "holder_id", reason: "check character should be X" });

    const nf = mapError(notFound("licence", "BL-1"));
    expect([nf.grpc, nf.http, nf.message]).toEqual([status.NOT_FOUND, 404, "licence BL-1 not found"]);

    const fp = mapError(failedPrecondition("LICENCE_REVOKED", "already revoked"));
    expect([fp.grpc, fp.http]).toEqual([status.FAILED_PRECONDITION, 422]);
    expect(fp.data).toEqual({ reasonCode: "LICENCE_REVOKED" });

    expect(mapError(permissionDenied("no")).grpc).toBe(status.PERMISSION_DENIED);
    expect(mapError(unauthenticated("who?")).grpc).toBe(status.UNAUTHENTICATED);
    const un = mapError(unavailable("db down"));
    expect([un.grpc, un.http, un.message]).toEqual([status.UNAVAILABLE, 503, "db down"]);
  });

  it("uses the fallback text when an exposed error has no message", () => {
    expect(mapError({ type: "UNAVAILABLE", message: "" }).message).toBe("the service behind this method is not reachable; try again shortly");
    expect(mapError({ type: "RESOURCE_EXHAUSTED" }).message).toBe("too many requests in flight; retry later");
    expect(mapError({ type: "NOT_FOUND" }).message).toBe("internal error");
  });
});

describe("mapError for moleculer's own errors", () => {
  it("RequestTimeoutError -> DEADLINE_EXCEEDED / 504 with a retry hint, not moleculer's text", () => {
    const err = new Errors.RequestTimeoutError({ action: "licenses.issue", nodeID: "node-7" });
    expect(err.type).toBe("REQUEST_TIMEOUT");
    const m = mapError(err);
    expect(m.grpc).toBe(status.DEADLINE_EXCEEDED);
    expect(m.http).toBe(504);
    expect(m.expose).toBe(false);
    expect(m.message).toBe("the service did not answer in time; the call is safe to retry with the same idempotency key");
    expect(m.message).not.toContain("node-7");
    expect(m.data).toBeUndefined();
  });

  it("ServiceNotFoundError -> UNAVAILABLE / 503", () => {
    const m = mapError(new Errors.ServiceNotFoundError({ action: "licenses.issue", nodeID: "node-7" }));
    expect([m.grpc, m.http, m.expose]).toEqual([status.UNAVAILABLE, 503, false]);
    expect(m.message).toBe("the service behind this method is not reachable; try again shortly");
    expect(m.message).not.toContain("licenses.issue");
    expect(m.data).toBeUndefined();
  });

  it("ServiceNotAvailableError -> UNAVAILABLE / 503", () => {
    const m = mapError(new Errors.ServiceNotAvailableError({ action: "licenses.issue", nodeID: "node-7" }));
    expect([m.grpc, m.http, m.expose]).toEqual([status.UNAVAILABLE, 503, false]);
  });

  it("QueueIsFullError -> RESOURCE_EXHAUSTED / 429", () => {
    const m = mapError(new Errors.QueueIsFullError({ action: "licenses.issue", nodeID: "node-7", size: 100, limit: 100 }));
    expect([m.grpc, m.http, m.expose]).toEqual([status.RESOURCE_EXHAUSTED, 429, false]);
    expect(m.message).toBe("too many requests in flight; retry later");
    expect(m.data).toBeUndefined();
  });

  it("ValidationError -> INVALID_ARGUMENT / 400 with its message and data", () => {
    const m = mapError(new Errors.ValidationError("Parameters validation error!", "VALIDATION_ERROR", [{ field: "x" }]));
    expect([m.grpc, m.http, m.expose]).toEqual([status.INVALID_ARGUMENT, 400, true]);
    expect(m.message).toBe("Parameters validation error!");
    expect(m.data).toEqual([{ field: "x" }]);
  });
});

describe("mapError for anything else", () => {
  const INTERNAL = { grpc: status.INTERNAL, http: 500, expose: false, message: "internal error", data: undefined };

  it("hides the message of a plain Error", () => {
    expect(mapError(new Error("connection to postgres://admin:secret@db failed"))).toEqual(INTERNAL);
    expect(mapError(new TypeError("Cannot read properties of undefined"))).toEqual(INTERNAL);
  });

  it("hides unknown or INTERNAL types, and their data", () => {
    expect(mapError(withType("INTERNAL", "stack details", { sql: "SELECT *" }))).toEqual(INTERNAL);
    expect(mapError(withType("SOMETHING_NEW", "details", { secret: 1 }))).toEqual(INTERNAL);
    expect(mapError(new Errors.MoleculerServerError("boom", 500, "SERVER_ERROR", { x: 1 }))).toEqual(INTERNAL);
  });

  it("handles thrown non-Error values", () => {
    expect(mapError("a string")).toEqual(INTERNAL);
    expect(mapError(42)).toEqual(INTERNAL);
    expect(mapError({})).toEqual(INTERNAL);
  });
});

describe("mapError: odd inputs", () => {
  it.each([null, undefined, { type: "toString" }, { type: "__proto__" }, { type: "constructor" }, { type: 7 }])(
    "maps %p to INTERNAL without revealing anything",
    (err) => {
      expect(mapError(err)).toEqual({ grpc: status.INTERNAL, http: 500, expose: false, message: "internal error", data: undefined });
    },
  );
});
