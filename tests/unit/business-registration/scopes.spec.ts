import {
  INDUSTRIES,
  SCOPE_CATALOGUE,
  findScope,
  industryFitsMainBusiness,
  toBusinessScope,
} from "../../../services/business-registration/rules/scopes";

describe("the business scope catalogue", () => {
  it("has unique codes", () => {
    const codes = SCOPE_CATALOGUE.map((s) => s.code);
    const duplicates = codes.filter((c, i) => codes.indexOf(c) !== i);
    expect(duplicates).toEqual([]);
    expect(new Set(codes).size).toBe(SCOPE_CATALOGUE.length);
  });

  it("writes every code as a GB/T 4754 section letter and four digits", () => {
    for (const s of SCOPE_CATALOGUE) expect(s.code).toMatch(/^[A-T]\d{4}$/);
  });

  it("has unique descriptions and a first industry equal to `industry`", () => {
    expect(new Set(SCOPE_CATALOGUE.map((s) => s.description)).size).toBe(SCOPE_CATALOGUE.length);
    for (const s of SCOPE_CATALOGUE) {
      expect(s.industries.length).toBeGreaterThan(0);
      expect(s.industry).toBe(s.industries[0]);
    }
  });

  it("finds items by code", () => {
    expect(findScope("I6510")).toEqual(
      expect.objectContaining({ code: "I6510", description: "软件开发", industry: "科技", requiresPermit: false }),
    );
    expect(findScope("H6210")).toEqual(expect.objectContaining({ description: "餐饮服务", industry: "餐饮", requiresPermit: true }));
    expect(findScope("i6510")).toBeUndefined();
    expect(findScope("X0000")).toBeUndefined();
    expect(findScope("")).toBeUndefined();
  });

  it("offers as name industries exactly the words some item fits", () => {
    const expected = new Set(SCOPE_CATALOGUE.flatMap((s) => s.industries));
    expect([...INDUSTRIES].sort()).toEqual([...expected].sort());
    for (const word of ["科技", "信息技术", "餐饮管理", "文化传媒", "置业", "酒业"]) expect(INDUSTRIES.has(word)).toBe(true);
    for (const word of ["航天", "金融", ""]) expect(INDUSTRIES.has(word)).toBe(false);
  });

  it("gives the contract's form of an item, without the industries list", () => {
    expect(toBusinessScope(findScope("F5127")!)).toEqual({ code: "F5127", description: "酒类批发", industry: "贸易", requiresPermit: true });
    expect(Object.keys(toBusinessScope(findScope("I6510")!)).sort()).toEqual(["code", "description", "industry", "requiresPermit"]);
  });
});

describe("industryFitsMainBusiness", () => {
  it("accepts an industry word of the main (first) business", () => {
    expect(industryFitsMainBusiness("科技", ["I6510"])).toBe(true);
    expect(industryFitsMainBusiness("网络科技", ["I6510", "H6210"])).toBe(true);
    expect(industryFitsMainBusiness("餐饮", ["H6210", "I6510"])).toBe(true);
    expect(industryFitsMainBusiness("咨询", ["L7243"])).toBe(true);
  });

  it("looks at the first code only, not at later ones", () => {
    expect(industryFitsMainBusiness("科技", ["H6210", "I6510"])).toBe(false);
    expect(industryFitsMainBusiness("餐饮", ["I6510", "H6210"])).toBe(false);
    expect(industryFitsMainBusiness("贸易", ["I6510", "F5191", "F5127"])).toBe(false);
  });

  it("refuses an empty list, an unknown first code and an unknown industry", () => {
    expect(industryFitsMainBusiness("科技", [])).toBe(false);
    expect(industryFitsMainBusiness("科技", ["X0000", "I6510"])).toBe(false);
    expect(industryFitsMainBusiness("航天", ["I6510"])).toBe(false);
  });
});
