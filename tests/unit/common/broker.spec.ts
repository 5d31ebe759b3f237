/**
 * The broker's guards against malformed bus calls. An action keeps the meta it was called with:
 * moleculer merges a nested call's meta back into the calling context (and a top-level call uses
 * the caller's own object), so a nested call "as the one window" once turned the rest of the
 * handler, and the caller's meta object, into `data`. The circuit breaker counts server faults
 * only, and cache keys never walk a value no check has seen.
 */
import { Errors, ServiceBroker, type Context, type Middleware } from "moleculer";
import { CallMetaMiddleware } from "../../../services/common/call-meta";
import { brokerOptions, cacheKey } from "../../../services/common/broker";
import { loadConfig } from "../../../services/common/config";
import { invalidArgument } from "../../../services/common/errors";

type Meta = { caller?: { department: string } };

async function withBroker(middlewares: Middleware[], run: (b: ServiceBroker) => Promise<void>) {
  const broker = new ServiceBroker({ logger: false, middlewares });
  broker.createService({
    name: "outer",
    actions: {
      async asks(ctx: Context<unknown, Meta>) {
        const before = ctx.meta.caller?.department;
        const inner = await ctx.call<string, object>("inner.who", {}, { meta: { caller: { department: "data" } } });
        return { before, inner, after: ctx.meta.caller?.department };
      },
    },
  });
  broker.createService({ name: "inner", actions: { who: (ctx: Context<unknown, Meta>) => ctx.meta.caller?.department } });
  await broker.start();
  try {
    await run(broker);
  } finally {
    await broker.stop();
  }
}

describe("call meta", () => {
  it("is what the caller sent for the whole action, whatever its nested calls name, and the caller's object is not changed", async () => {
    await withBroker([CallMetaMiddleware], async (broker) => {
      const meta = { caller: { department: "samr" } };
      expect(await broker.call("outer.asks", {}, { meta })).toEqual({ before: "samr", inner: "data", after: "samr" });
      expect(meta).toEqual({ caller: { department: "samr" } });
    });
  });

  it("is rewritten by moleculer itself without it (the behaviour this guards against)", async () => {
    await withBroker([], async (broker) => {
      const meta = { caller: { department: "samr" } };
      expect(await broker.call("outer.asks", {}, { meta })).toEqual({ before: "samr", inner: "data", after: "data" });
      expect(meta).toEqual({ caller: { department: "data" } });
    });
  });

  it("opens the circuit breaker for server faults only: not for refusals, nor for a handler's TypeError", () => {
    const check = (brokerOptions(loadConfig({})).circuitBreaker as { check: (err: Error) => boolean }).check;
    expect(check(new Errors.MoleculerServerError("down", 500, "INTERNAL"))).toBe(true);
    expect(check(new Errors.RequestTimeoutError({ action: "a.b", nodeID: "n" }))).toBe(true);
    expect(check(new Error("no code"))).toBe(true);
    expect(check(invalidArgument("x", "bad"))).toBe(false);
    expect(check(new TypeError("Cannot convert object to primitive value"))).toBe(false);
    expect(check(new RangeError("Maximum call stack size exceeded"))).toBe(false);
  });
});

describe("cache keys", () => {
  const deep = (n: number) => {
    let o: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) o = { a: o };
    return o;
  };

  it("take text, numbers and booleans as JSON, anything else by its kind, without walking it", () => {
    expect(cacheKey.call(undefined, "departments.credential", { keyId: "k1" }, {}, ["keyId"])).toBe('departments.credential:"k1"');
    expect(cacheKey.call(undefined, "departments.credential", { keyId: deep(10_000) }, {}, ["keyId"])).toBe("departments.credential:(object)");
    expect(cacheKey.call(undefined, "departments.isAllowed", { department: ["samr"], method: 5 }, {}, ["department", "method"])).toBe("departments.isAllowed:(list)|5");
    // Values as JSON: a separator inside a value does not make two calls one.
    const a = cacheKey.call(undefined, "x.y", { p: "a|b", q: "c" }, {}, ["p", "q"]);
    const b = cacheKey.call(undefined, "x.y", { p: "a", q: "b|c" }, {}, ["p", "q"]);
    expect(a).not.toBe(b);
    expect(cacheKey.call(undefined, "x.y", { p: "k".repeat(100_000) }, {}, ["p"]).length).toBeLessThan(100);
    expect(cacheKey.call(undefined, "x.y", null, { dept: "tax" }, ["#dept"])).toBe('x.y:"tax"');
    expect(cacheKey.call(undefined, "registration.listBusinessScopes", {}, {}, [])).toBe("registration.listBusinessScopes");
  });

  it("leave an action cached without keys to moleculer's own key", () => {
    const cacher = { defaultKeygen: (action: string) => `${action}:default` };
    expect(cacheKey.call(cacher, "x.y", { p: 1 }, {}, null)).toBe("x.y:default");
    expect(() => cacheKey.call(undefined, "x.y", { p: 1 }, {}, null)).toThrow(/names no cache keys/);
  });
});
