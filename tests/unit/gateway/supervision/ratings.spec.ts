/** The rating (好差评) request's own rules, beyond its schema: five levels, a reason for the bad ones, departments once each. */
import { checkRating } from "../../../../gateway/supervision/ratings";
import { isBad, isSatisfied, levelOf } from "../../../../gateway/supervision/levels";

describe("checkRating", () => {
  const field = (body: Record<string, unknown>) => {
    try {
      checkRating(body);
    } catch (err) {
      return (err as { data: { field: string } }).data.field;
    }
    return undefined;
  };
  it("takes a whole score 1-5, a comment up to 500 characters, required for 不满意 and 非常不满意", () => {
    expect(checkRating({ score: 5 })).toEqual({ score: 5, departments: [] });
    expect(checkRating({ score: 2, comment: " 排队太久 " })).toEqual({ score: 2, comment: "排队太久", departments: [] });
    for (const score of [0, 6, 4.5, "5", null]) expect(field({ score })).toBe("score");
    expect(field({ score: 1 })).toBe("comment");
    expect(field({ score: 4, comment: "好".repeat(501) })).toBe("comment");
    expect(field({ score: 4, comment: 3 })).toBe("comment");
  });

  it("takes ratings of single departments, each checked as the whole, each department once", () => {
    expect(checkRating({ score: 4, departments: [{ department: "tax", score: 1, comment: "发票核定拖了三天" }, { department: "samr", score: 5 }] })).toEqual({
      score: 4,
      departments: [
        { department: "tax", score: 1, comment: "发票核定拖了三天" },
        { department: "samr", score: 5 },
      ],
    });
    expect(field({ score: 4, departments: [{ department: "tax", score: 2 }] })).toBe("departments[0].comment");
    expect(field({ score: 4, departments: [{ department: "tax", score: 9 }] })).toBe("departments[0].score");
    expect(field({ score: 4, departments: [{ department: "税务", score: 5 }] })).toBe("departments[0].department");
    expect(field({ score: 4, departments: [{ department: "tax", score: 5 }, { department: "tax", score: 4 }] })).toBe("departments[1].department");
    expect(field({ score: 4, departments: "tax" })).toBe("departments");
  });

  it("names the five levels of the national scheme; 1-2 are bad, 3-5 count as satisfied", () => {
    expect([5, 4, 3, 2, 1].map((s) => levelOf(s).nameZh)).toEqual(["非常满意", "满意", "基本满意", "不满意", "非常不满意"]);
    expect([1, 2, 3].map(isBad)).toEqual([true, true, false]);
    expect([2, 3, 5].map(isSatisfied)).toEqual([false, true, true]);
  });
});
