/** Errors repeat caller-given text cut to a readable length, and name a value that is no text by its kind. */
import { invalidArgument, notFound, shown } from "../../../services/common/errors";

describe("errors", () => {
  it("cut what they repeat of a caller's text, and never call String() on an object", () => {
    expect(shown("short")).toBe("short");
    expect(shown("x".repeat(250))).toBe(`${"x".repeat(200)}…`);
    expect(shown({ toString: "x" })).toBe("(object)");
    expect(shown(["a"])).toBe("(list)");
    expect(shown(null)).toBe("(null)");
    const long = invalidArgument("f".repeat(300), "r".repeat(100_000));
    expect(long.message.length).toBeLessThan(1300);
    expect((long.data as { field: string }).field).toHaveLength(201);
    const missing = notFound("application", { a: { b: {} } });
    expect(missing.message).toBe("application (object) not found");
    expect(JSON.parse(JSON.stringify(missing.data))).toEqual({ what: "application", id: "(object)" });
  });
});
