/** Errors repeat caller-given text cut to a readable length, and name a value that is no text by its kind. */
import { failedPrecondition, invalidArgument, notFound, renamingField, shown } from "../../../services/common/errors";

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

  it("rename the field of an INVALID_ARGUMENT as the caller knows it, keeping the reason, and leave other errors alone", () => {
    const thrown = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        return err as { type: string; data: Record<string, unknown> };
      }
      throw new Error("nothing thrown");
    };
    const bad = () => {
      throw invalidArgument("employees[0].id_number", "must be 18 characters");
    };
    expect(thrown(() => renamingField(bad, (f) => f.replace("employees[0]", "item"))).data).toEqual({ field: "item.id_number", reason: "must be 18 characters" });
    expect(thrown(() => renamingField(bad, () => undefined)).data).toEqual({ field: "employees[0].id_number", reason: "must be 18 characters" });
    const refused = () => {
      throw failedPrecondition("NAME_TAKEN", "taken");
    };
    expect(thrown(() => renamingField(refused, () => "x")).type).toBe("FAILED_PRECONDITION");
    expect(renamingField(() => 7, () => "x")).toBe(7);
  });
});
