/** The OpenAPI document describes exactly the routes the portal serves, and its references resolve. */
import { OPENAPI } from "../../../../gateway/http/portal/openapi";
import { ROUTES } from "../../../../gateway/http/portal/portal";
import { checkRating } from "../../../../gateway/http/portal/ratings";

type Operation = { security?: unknown[]; responses: Record<string, unknown>; requestBody?: unknown };
const paths = OPENAPI.paths as unknown as Record<string, Record<string, Operation>>;
/** Served by the HTTP service before the portal's router. */
const HEALTH = ["GET /healthz", "GET /livez"];

describe("OpenAPI document", () => {
  it("is OpenAPI 3.1 and lists every route and only those", () => {
    expect(OPENAPI.openapi).toBe("3.1.0");
    const documented = Object.entries(paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    const served = [...ROUTES.map((r) => `${r.method} ${r.path}`), ...HEALTH];
    expect(documented.sort()).toEqual(served.sort());
  });

  it("gives each route its security, its request body and its responses", () => {
    for (const r of ROUTES) {
      const op = paths[r.path][r.method.toLowerCase()];
      const scheme = { public: undefined, department: "departmentToken", applicant: "applicantToken" }[r.audience];
      expect(op.security).toEqual(scheme ? [{ [scheme]: [] }] : []);
      expect(Boolean(op.requestBody)).toBe(r.method === "POST");
      expect(Boolean(r.bodyLimit)).toBe(r.method === "POST");
      expect(Object.keys(op.responses).some((s) => s.startsWith("2"))).toBe(true);
      if (r.audience === "applicant") expect(op.responses["401"]).toBeDefined();
      if (r.path.includes("{")) expect((op as { parameters?: unknown[] }).parameters).toBeDefined();
    }
  });

  it("has no dangling $ref", () => {
    const schemas = OPENAPI.components.schemas as Record<string, unknown>;
    const refs = [...JSON.stringify(OPENAPI).matchAll(/"\$ref":"#\/components\/schemas\/(\w+)"/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(10);
    for (const name of refs) expect(schemas[name]).toBeDefined();
  });
});

describe("checkRating", () => {
  const field = (body: Record<string, unknown>) => {
    try {
      checkRating(body);
    } catch (err) {
      return (err as { data: { field: string } }).data.field;
    }
    return undefined;
  };
  it("takes a whole score 1-5, a comment up to 500 characters, required for a poor rating", () => {
    expect(checkRating({ score: 5 })).toEqual({ score: 5 });
    expect(checkRating({ score: 2, comment: " 排队太久 " })).toEqual({ score: 2, comment: "排队太久" });
    for (const score of [0, 6, 4.5, "5", null]) expect(field({ score })).toBe("score");
    expect(field({ score: 1 })).toBe("comment");
    expect(field({ score: 4, comment: "好".repeat(501) })).toBe("comment");
    expect(field({ score: 4, comment: 3 })).toBe("comment");
  });
});
