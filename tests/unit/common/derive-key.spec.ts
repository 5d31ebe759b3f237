import { checkIdempotencyKey, deriveKey } from "../../../services/common/idempotency";

describe("deriveKey", () => {
  it("appends the step to a short key", () => {
    expect(deriveKey("order-0001", "licence")).toBe("order-0001:licence");
    expect(deriveKey("order-0001", "seal:5101040000001")).toBe("order-0001:seal:5101040000001");
  });

  it("keeps a derived key of exactly 128 characters as it is", () => {
    const key = "k".repeat(120);
    expect(deriveKey(key, "entity1")).toBe(`${key}:entity1`);
    expect(deriveKey(key, "entity1")).toHaveLength(128);
  });

  describe("for a key near or at the 128-character limit", () => {
    const key = "K".repeat(128);
    const other = `${"K".repeat(127)}L`;

    it("gives a derived key of at most 128 characters that is still a valid key", () => {
      for (const step of ["a", "licence", "seal:5101040000001", `SF-${"0".repeat(36)}`, "s".repeat(200)]) {
        const derived = deriveKey(key, step);
        expect(derived.length).toBeLessThanOrEqual(128);
        expect(checkIdempotencyKey(derived)).toBe(derived);
      }
      const k121 = "k".repeat(121);
      expect(deriveKey(k121, "entity1").length).toBeLessThanOrEqual(128);
      expect(deriveKey(k121, "entity1")).not.toBe(`${k121}:entity1`);
    });

    it("is deterministic", () => {
      expect(deriveKey(key, "licence")).toBe(deriveKey(key, "licence"));
      expect(deriveKey("K".repeat(128), "licence")).toBe(deriveKey(key, "licence"));
    });

    it("differs per step and keeps the step readable at the end", () => {
      const steps = ["entity", "licence", "seals", "seal:5101040000001", "seal:5101040000002"];
      const derived = steps.map((s) => deriveKey(key, s));
      expect(new Set(derived).size).toBe(steps.length);
      derived.forEach((d, i) => expect(d.endsWith(`:${steps[i]}`)).toBe(true));
    });

    it("differs per key, also for keys differing only in the last character", () => {
      expect(deriveKey(key, "licence")).not.toBe(deriveKey(other, "licence"));
    });

    it("does not carry the long key itself", () => {
      expect(deriveKey(key, "licence")).not.toContain("K".repeat(64));
      expect(deriveKey(key, "licence").length).toBeLessThan(key.length);
    });

    it("keeps the derived key of a derived key within the limit too", () => {
      const twice = deriveKey(deriveKey(key, "seals"), "seal:5101040000001");
      expect(twice.length).toBeLessThanOrEqual(128);
      expect(twice).not.toBe(deriveKey(key, "seal:5101040000001"));
    });
  });
});

describe("deriveKey with long steps", () => {
  it("keeps two long steps of a long key apart", () => {
    const k = "K".repeat(128);
    expect(deriveKey(k, "x".repeat(90) + "1")).not.toBe(deriveKey(k, "x".repeat(90) + "2"));
    expect(deriveKey(k, "x".repeat(90) + "1").length).toBeLessThanOrEqual(128);
  });
});
