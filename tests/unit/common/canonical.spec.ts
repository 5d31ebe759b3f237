import { canonicalBytes, canonicalJson } from "../../../services/common/canonical";

describe("canonicalJson", () => {
  it("is independent of key insertion order, at every depth", () => {
    const a = { b: 1, a: { y: [1, { q: 1, p: 2 }], x: "s" }, c: null };
    const b = { c: null, a: { x: "s", y: [1, { p: 2, q: 1 }] }, b: 1 };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(canonicalJson(a)).toBe('{"a":{"x":"s","y":[1,{"p":2,"q":1}]},"b":1,"c":null}');
  });

  it("keeps array order", () => {
    expect(canonicalJson([3, 1, 2])).toBe("[3,1,2]");
    expect(canonicalJson([3, 1, 2])).not.toBe(canonicalJson([1, 2, 3]));
  });

  it("sorts keys by UTF-16 code units, not by locale", () => {
    // "\u00e9" (233) < "\ud83d" (high surrogate of 😀) < "\uff01" (65281) in code units,
    // although by code point 😀 (U+1F600) would sort last.
    const value = { "\uff01": 1, "😀": 2, "é": 3, Z: 4, a: 5 };
    expect(canonicalJson(value)).toBe('{"Z":4,"a":5,"é":3,"😀":2,"！":1}');
  });

  it("escapes strings and formats numbers like JSON.stringify, without whitespace", () => {
    const s = 'quote" back\\ nl\n tab\t ctl\u0001 中文';
    expect(canonicalJson({ s })).toBe(`{"s":${JSON.stringify(s)}}`);
    expect(canonicalJson([1e21, 0.1, -0, 1.5e-7, 100])).toBe("[1e+21,0.1,0,1.5e-7,100]");
    expect(canonicalJson({ t: true, f: false })).toBe('{"f":false,"t":true}');
  });

  it("omits undefined properties but keeps array positions", () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
    expect(canonicalJson([1, undefined, 2])).toBe("[1,null,2]");
  });

  it("serialises Dates via toJSON so a Date and its ISO string sign the same", () => {
    const iso = "2026-11-22T01:02:03.000Z";
    expect(canonicalJson({ at: new Date(iso) })).toBe(canonicalJson({ at: iso }));
  });

  it.each([
    ["NaN", NaN],
    ["Infinity", Infinity],
    ["-Infinity", -Infinity],
    ["a function", () => 1],
    ["a bigint", BigInt(1)],
    ["a symbol", Symbol("x")],
    ["a Map", new Map([["a", 1]])],
    ["a Set", new Set([1])],
  ])("throws TypeError for %s, also when nested", (_name, bad) => {
    expect(() => canonicalJson(bad)).toThrow(TypeError);
    expect(() => canonicalJson({ ok: 1, deep: { list: [bad] } })).toThrow(TypeError);
  });

  it("throws TypeError for a top-level undefined and for cycles", () => {
    expect(() => canonicalJson(undefined)).toThrow(TypeError);
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(TypeError);
  });

  it("allows the same object twice when it is not a cycle", () => {
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
  });

  it("canonicalBytes is the UTF-8 encoding", () => {
    const value = { 名称: "营业执照", n: 1 };
    expect(canonicalBytes(value).equals(Buffer.from(canonicalJson(value), "utf8"))).toBe(true);
  });
});
