import {
  canonicalText,
  foldWidth,
  optionalCaseId,
  optionalText,
  requireCaseId,
  requireDate,
  requireEnum,
  requireText,
  todayInChina,
} from "../../../services/common/validate";

/** Runs fn expecting an INVALID_ARGUMENT for `field`; returns the error's message. */
function expectInvalid(fn: () => unknown, field: string, reason?: RegExp | string): string {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(Error);
  const e = caught as Error & { type?: string; code?: number; data?: { field?: string; reason?: string } };
  expect(e.type).toBe("INVALID_ARGUMENT");
  expect(e.code).toBe(400);
  expect(e.data?.field).toBe(field);
  expect(e.message.startsWith(`${field}: `)).toBe(true);
  if (reason !== undefined) expect(e.data?.reason).toMatch(reason);
  return e.message;
}

describe("requireText", () => {
  it("returns the trimmed text", () => {
    expect(requireText("  杭州市  ", "name")).toBe("杭州市");
    expect(requireText("a", "name")).toBe("a");
  });

  it.each([undefined, null, 42, {}, [], "", "   ", "\t\n"])("refuses %p as missing", (value) => {
    expectInvalid(() => requireText(value, "holder_name"), "holder_name", "is required");
  });

  it("enforces min and max on the trimmed text", () => {
    expect(requireText(" ab ", "code", 2, 3)).toBe("ab");
    expect(requireText("abc", "code", 2, 3)).toBe("abc");
    expectInvalid(() => requireText(" a ", "code", 2, 3), "code", "must be at least 2 characters (got 1)");
    expectInvalid(() => requireText("abcd", "code", 2, 3), "code", "must be at most 3 characters (got 4)");
  });

  it("refuses a lone surrogate (no character; UTF-8 cannot hold it) and takes a real pair", () => {
    expectInvalid(() => requireText("差\ud800评", "comment"), "comment", "lone surrogate U+D800 at character 2");
    expectInvalid(() => canonicalText("办事\udfff", "measures", { multiline: true }), "measures", "lone surrogate U+DFFF at character 3");
    expect(requireText("𠀀字", "name")).toBe("𠀀字");
  });

  it("defaults to at most 200 characters", () => {
    expect(requireText("x".repeat(200), "f")).toHaveLength(200);
    expectInvalid(() => requireText("x".repeat(201), "f"), "f", "got 201");
  });

  it("counts code points, not UTF-16 units", () => {
    const fourAstral = "𠮷𠮷𠮷𠮷"; // 4 code points, 8 UTF-16 units
    expect(fourAstral.length).toBe(8);
    expect(requireText(fourAstral, "name", 1, 4)).toBe(fourAstral);
    expectInvalid(() => requireText(fourAstral, "name", 1, 3), "name", "got 4");
    expectInvalid(() => requireText("𠮷", "name", 2, 10), "name", "got 1");
  });

  it.each(["a\u0000b", "a\nb", "a\tb", "a\rb", "a\u001fb", "a\u007fb"])("refuses control characters inside %j", (value) => {
    expectInvalid(() => requireText(value, "address"), "address", "must not contain invisible or control characters");
  });

  it("allows surrounding whitespace that trimming removes, and ordinary punctuation", () => {
    expect(requireText("\n 北京市（西城区）·1号 \t", "address")).toBe("北京市（西城区）·1号");
  });
});

describe("optionalText", () => {
  it("gives an empty string when absent", () => {
    expect(optionalText(undefined, "f")).toBe("");
    expect(optionalText(null, "f")).toBe("");
    expect(optionalText("", "f")).toBe("");
  });

  it("otherwise checks like requireText", () => {
    expect(optionalText(" x ", "f")).toBe("x");
    expectInvalid(() => optionalText("   ", "f"), "f", "is required");
    expectInvalid(() => optionalText("abc", "f", 2), "f", "at most 2");
  });
});

describe("requireCaseId", () => {
  it.each(["C1", "2026-BJ-000123", "case:psb.2026_11", "a", "A".repeat(80)])("accepts %s", (id) => {
    expect(requireCaseId(id)).toBe(id);
  });

  it.each([undefined, null, "", 7])("refuses %p as missing, naming case_id", (id) => {
    const message = expectInvalid(() => requireCaseId(id), "case_id", "is required");
    expect(message).toContain("name the case");
  });

  it.each(["-starts-with-dash", ".dot", "has space", "A".repeat(81), "中文", "a/b", " C1"])("refuses %j", (id) => {
    expectInvalid(() => requireCaseId(id), "case_id", "must be 1-80");
  });

  it("names a custom field", () => {
    expectInvalid(() => requireCaseId("bad id", "read_case"), "read_case");
  });

  it("optionalCaseId gives an empty string when absent and checks otherwise", () => {
    expect(optionalCaseId(undefined)).toBe("");
    expect(optionalCaseId(null)).toBe("");
    expect(optionalCaseId("")).toBe("");
    expect(optionalCaseId("C-1")).toBe("C-1");
    expectInvalid(() => optionalCaseId("bad id"), "case_id");
  });
});

describe("requireDate", () => {
  it.each(["2026-01-01", "2026-12-31", "2028-02-29", "2000-02-29", "2026-02-28"])("accepts %s", (d) => {
    expect(requireDate(d, "valid_from")).toBe(d);
  });

  it.each(["2026-02-29", "1900-02-29", "2026-04-31", "2026-13-01", "2026-00-10", "2026-01-00", "2026-01-32"])(
    "refuses %s as not a real date",
    (d) => {
      expectInvalid(() => requireDate(d, "valid_from"), "valid_from", `${d} is not a real date`);
    },
  );

  it.each([undefined, null, 20260101, "2026-1-1", "2026/01/01", "26-01-01", "2026-01-01T00:00:00Z", " 2026-01-01", "20260101", ""])(
    "refuses %p as wrongly written",
    (d) => {
      expectInvalid(() => requireDate(d, "valid_until"), "valid_until", "must be a date written YYYY-MM-DD");
    },
  );
});

describe("requireEnum", () => {
  const KINDS = ["HOLDER_KIND_PERSON", "HOLDER_KIND_ENTITY"] as const;

  it("returns an allowed value", () => {
    expect(requireEnum("HOLDER_KIND_ENTITY", "holder_kind", KINDS)).toBe("HOLDER_KIND_ENTITY");
  });

  it.each([undefined, null, "", "HOLDER_KIND_UNSPECIFIED"])("treats %p as missing", (value) => {
    const message = expectInvalid(() => requireEnum(value, "holder_kind", KINDS), "holder_kind", "is required");
    expect(message).toContain("HOLDER_KIND_PERSON, HOLDER_KIND_ENTITY");
  });

  it("treats any *_UNSPECIFIED value as missing, even one not in the list", () => {
    expectInvalid(() => requireEnum("SOMETHING_UNSPECIFIED", "status", ["A", "B"]), "status", "is required");
  });

  it.each(["HOLDER_KIND_ROBOT", "holder_kind_person", 1, "UNRECOGNIZED"])("refuses %p with the value quoted", (value) => {
    const message = expectInvalid(() => requireEnum(value, "holder_kind", KINDS), "holder_kind", "must be one of");
    expect(message).toContain(`(got "${String(value)}")`);
  });
});

describe("todayInChina", () => {
  it("is the next day in China once UTC passes 16:00", () => {
    expect(todayInChina(new Date("2026-11-21T17:00:00Z"))).toBe("2026-11-22");
    expect(todayInChina(new Date("2026-11-21T16:00:00Z"))).toBe("2026-11-22");
  });

  it("is the same day before 16:00 UTC", () => {
    expect(todayInChina(new Date("2026-11-21T15:59:59.999Z"))).toBe("2026-11-21");
    expect(todayInChina(new Date("2026-11-21T00:00:00Z"))).toBe("2026-11-21");
  });

  it("rolls over months and years", () => {
    expect(todayInChina(new Date("2026-12-31T16:30:00Z"))).toBe("2027-01-01");
    expect(todayInChina(new Date("2028-02-28T20:00:00Z"))).toBe("2028-02-29");
  });

  it("defaults to the current time and always gives YYYY-MM-DD", () => {
    const expected = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const got = todayInChina();
    expect(got).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // allow for the test running across midnight in China
    expect([expected, new Date(Date.now() + 8 * 3600_000 - 60_000).toISOString().slice(0, 10)]).toContain(got);
  });
});

describe("canonical text", () => {
  it("is NFC: composed and decomposed forms are one text", () => {
    expect(requireText("Cafe\u0301 锦城", "name")).toBe("Café 锦城");
    expect(canonicalText("e\u0301", "name")).toBe("é");
  });
  it.each([
    ["zero-width space", "锦\u200b城", "200B"],
    ["zero-width joiner", "锦\u200d城", "200D"],
    ["right-to-left override", "成都市\u202e路号123", "202E"],
    ["first-strong isolate", "成都\u2068市", "2068"],
    ["byte order mark inside", "锦\ufeff城", "FEFF"],
    ["soft hyphen", "锦\u00ad城", "00AD"],
    ["line separator", "锦\u2028城", "2028"],
    ["C1 control", "锦\u0085城", "0085"],
    ["newline", "锦\n城", "000A"],
    ["Hangul filler", "核查\u3164", "3164"],
    ["Braille blank", "\u2800", "2800"],
    ["halfwidth Hangul filler", "锦\uffa0城", "FFA0"],
    ["combining grapheme joiner", "锦\u034f城", "034F"],
  ])("refuses a %s, naming the code point", (_what, text, cp) => {
    expectInvalid(() => requireText(text, "name"), "name", new RegExp(`U\\+${cp}`));
  });
  it("folds full-width forms where codes and numbers are expected", () => {
    expect(foldWidth("５１０１０４")).toBe("510104");
    expect(foldWidth("２０２６－１１－３０")).toBe("2026-11-30");
    expect(requireDate("２０２６－１１－３０", "d")).toBe("2026-11-30");
    expect(foldWidth("锦城")).toBe("锦城");
    expect(foldWidth(5)).toBe(5);
  });
});
