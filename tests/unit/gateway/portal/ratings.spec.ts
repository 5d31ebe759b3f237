/** The rating (好差评) request's own rule, beyond its schema: a comment for a poor score. */
import { checkRating } from "../../../../gateway/http/portal/ratings";

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
