import { createHash } from "node:crypto";
import {
  CROCKFORD_ALPHABET,
  isWellFormedLicenceNumber,
  iso7064Mod37x36CheckChar,
  newLicenceNumber,
} from "../../../services/licenses/signing/licence-number";

const ISSUED = new Date("2026-11-22T02:00:00Z");
const FORMAT = /^[A-Z]{2,6}-\d{8}-[0-9A-HJKMNP-TV-Z]{10}-[0-9A-Z]$/;

describe("licence numbers", () => {
  it("has the documented shape and validates", () => {
    const n = newLicenceNumber("BL", ISSUED);
    expect(n).toMatch(FORMAT);
    expect(n.startsWith("BL-20261122-")).toBe(true);
    expect(isWellFormedLicenceNumber(n)).toBe(true);
  });

  it("uses the China Standard Time date (UTC+8)", () => {
    expect(newLicenceNumber("BL", new Date("2026-11-21T15:59:59Z")).slice(3, 11)).toBe("20261121");
    expect(newLicenceNumber("BL", new Date("2026-11-21T16:00:00Z")).slice(3, 11)).toBe("20261122");
  });

  it("is deterministic for an injected random source", () => {
    const fixed = () => Buffer.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 31 + 32]);
    const n = newLicenceNumber("BL", ISSUED, fixed);
    expect(n.slice(0, 22)).toBe("BL-20261122-012345678Z");
    expect(n).toBe(newLicenceNumber("BL", ISSUED, fixed));
    expect(n.slice(-1)).toBe(iso7064Mod37x36CheckChar("BL20261122012345678Z"));
  });

  it("is unique over 10,000 draws", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      const n = newLicenceNumber("BL", ISSUED);
      expect(isWellFormedLicenceNumber(n)).toBe(true);
      seen.add(n);
    }
    expect(seen.size).toBe(10_000);
  });

  it("detects every single-character substitution", () => {
    const n = newLicenceNumber("SFZ", ISSUED);
    for (let i = 0; i < n.length; i++) {
      if (n[i] === "-") continue;
      for (const c of "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") {
        if (c === n[i]) continue;
        const corrupted = n.slice(0, i) + c + n.slice(i + 1);
        expect(isWellFormedLicenceNumber(corrupted)).toBe(false);
      }
    }
  });

  it("detects nearly all adjacent transpositions (hybrid MOD 37,36 misses ~0.16%)", () => {
    // Deterministic draws so the rate is reproducible.
    let counter = 0;
    const seeded = (size: number) => createHash("sha256").update(String(counter++)).digest().subarray(0, size);
    let checked = 0;
    let missed = 0;
    for (let draw = 0; draw < 500; draw++) {
      const n = newLicenceNumber("BL", ISSUED, seeded);
      for (let i = 0; i + 1 < n.length; i++) {
        if (n[i] === n[i + 1] || n[i] === "-" || n[i + 1] === "-") continue;
        checked++;
        if (isWellFormedLicenceNumber(n.slice(0, i) + n[i + 1] + n[i] + n.slice(i + 2))) missed++;
      }
    }
    expect(checked).toBeGreaterThan(5000);
    expect(missed / checked).toBeLessThan(0.005);
  });

  it("rejects malformed values and impossible dates", () => {
    const n = newLicenceNumber("BL", ISSUED);
    for (const bad of [undefined, null, 42, "", n.toLowerCase(), ` ${n}`, n.replace(/-/g, ""), `${n}0`]) {
      expect(isWellFormedLicenceNumber(bad)).toBe(false);
    }
    // Correct check chars but non-existent dates.
    for (const date of ["20260230", "20261301", "20250229", "20260100"]) {
      const body = `BL${date}0123456789`;
      expect(isWellFormedLicenceNumber(`BL-${date}-0123456789-${iso7064Mod37x36CheckChar(body)}`)).toBe(false);
    }
    const leap = `BL202402290123456789`;
    expect(isWellFormedLicenceNumber(`BL-20240229-0123456789-${iso7064Mod37x36CheckChar(leap)}`)).toBe(true);
  });

  it("only uses Crockford characters in the random part", () => {
    expect(CROCKFORD_ALPHABET).toHaveLength(32);
    expect(CROCKFORD_ALPHABET).not.toMatch(/[ILOU]/);
  });

  it.each(["B", "ABCDEFG", "bl", "B1", "", "营业"])("rejects type code %p", (code) => {
    expect(() => newLicenceNumber(code, ISSUED)).toThrow(RangeError);
  });

  it("rejects an invalid date and a short random source", () => {
    expect(() => newLicenceNumber("BL", new Date("nope"))).toThrow(RangeError);
    expect(() => newLicenceNumber("BL", ISSUED, () => Buffer.alloc(3))).toThrow(/fewer than 10 bytes/);
  });
});
