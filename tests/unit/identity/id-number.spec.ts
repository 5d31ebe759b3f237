/** GB 11643-1999 identity numbers: published examples, reasons, corruption detection, random cases. */
import {
  idCheckCharacter,
  isRealDate,
  makeIdNumber,
  validateIdNumber,
  type IdNumberValidation,
} from "../../../services/identity/rules/id-number";
import { REGIONS, findRegion, isKnownProvince, PROVINCE_CODES } from "../../../services/identity/rules/regions";
import { mulberry32, pick, randomInt } from "../../../services/identity/seed/prng";

const TODAY = { today: "2026-01-01" };

function reasonOf(result: IdNumberValidation): string {
  if (result.ok) throw new Error(`expected a failure, got ${result.parsed.idNumber}`);
  return result.reason;
}

describe("idCheckCharacter", () => {
  it("computes the published check characters", () => {
    expect(idCheckCharacter("11010519491231002")).toBe("X");
    expect(idCheckCharacter("44052418800101001")).toBe("4");
  });

  it("refuses anything but 17 digits", () => {
    expect(() => idCheckCharacter("1101051949123100")).toThrow(RangeError);
    expect(() => idCheckCharacter("1101051949123100A")).toThrow(RangeError);
  });
});

describe("validateIdNumber", () => {
  it("parses 11010519491231002X (female, 1949-12-31, Beijing Chaoyang)", () => {
    const result = validateIdNumber("11010519491231002X", TODAY);
    expect(result).toEqual({
      ok: true,
      parsed: {
        idNumber: "11010519491231002X",
        regionCode: "110105",
        provinceCode: "11",
        birthDate: "1949-12-31",
        sequence: "002",
        gender: "female",
        region: { code: "110105", province: "北京市", city: "北京市", district: "朝阳区" },
      },
    });
  });

  it("parses 440524188001010014 (male, 1880-01-01, a region code no longer in use)", () => {
    const result = validateIdNumber("440524188001010014", TODAY);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.parsed.gender).toBe("male");
    expect(result.parsed.birthDate).toBe("1880-01-01");
    expect(result.parsed.sequence).toBe("001");
    expect(result.parsed.provinceCode).toBe("44");
    expect(result.parsed.region).toBeUndefined();
  });

  it("accepts a lower-case x and normalises it", () => {
    const result = validateIdNumber("11010519491231002x", TODAY);
    expect(result.ok && result.parsed.idNumber).toBe("11010519491231002X");
  });

  it.each<[unknown, string]>([
    [11010519491231002, "must be a string (got number)"],
    [null, "must be a string (got null)"],
    ["1101051949123100X", "must be 18 characters (got 17)"],
    ["", "must be 18 characters (got 0)"],
    ["11010519491231002XX", "must be 18 characters (got 19)"],
    ["1101051949123100X2", "must be 17 digits followed by a digit or X"],
    ["11010519491231002Y", "must be 17 digits followed by a digit or X"],
    [" 1010519491231002X", "must be 17 digits followed by a digit or X"],
    ["990101194912310021", "region code 990101 is not a known province"],
    ["100101194912310021", "region code 100101 is not a known province"],
    ["110105194902310021", "birth date 19490231 is not a real date"],
    ["110105190002290021", "birth date 19000229 is not a real date"],
    ["110105194913010021", "birth date 19491301 is not a real date"],
    ["110105179912310021", "birth date 17991231 is before 1800"],
    ["110105203001010021", "birth date is in the future"],
    ["110105194912310021", "check character should be X"],
  ])("refuses %p: %s", (value, reason) => {
    expect(reasonOf(validateIdNumber(value, TODAY))).toBe(reason);
  });

  it("accepts 29 February in a leap year, including 2000", () => {
    expect(validateIdNumber(makeIdNumber("110105", "2000-02-29", 1), TODAY).ok).toBe(true);
    expect(validateIdNumber(makeIdNumber("110105", "1996-02-29", 2), TODAY).ok).toBe(true);
  });

  it("uses the supplied today for the future check", () => {
    const born = makeIdNumber("310101", "2025-06-01", 11);
    expect(validateIdNumber(born, { today: "2025-06-01" }).ok).toBe(true);
    expect(reasonOf(validateIdNumber(born, { today: "2025-05-31" }))).toBe("birth date is in the future");
  });

  it("decides 'in the future' on the date in China, not in UTC", () => {
    // 2026-11-30 17:00 UTC is 2026-12-01 01:00 in Beijing: a child born on 2026-12-01 exists.
    jest.useFakeTimers({ now: new Date("2026-11-30T17:00:00Z") });
    try {
      expect(validateIdNumber(makeIdNumber("110105", "2026-12-01", 12)).ok).toBe(true);
      expect(reasonOf(validateIdNumber(makeIdNumber("110105", "2026-12-02", 12)))).toBe("birth date is in the future");
    } finally {
      jest.useRealTimers();
    }
  });

  it("accepts residence-permit numbers of Hong Kong, Macao and Taiwan residents (810000, 820000, 830000)", () => {
    for (const region of ["810000", "820000", "830000"]) {
      const r = validateIdNumber(makeIdNumber(region, "1990-05-17", 21), TODAY);
      expect(r.ok).toBe(true);
    }
    expect(reasonOf(validateIdNumber(makeIdNumber("840000", "1990-05-17", 21), TODAY))).toMatch(/not a known province/);
    // Only the permits' own prefix: 83 stays no province for any other region code.
    expect(reasonOf(validateIdNumber(makeIdNumber("830100", "1990-05-17", 21), TODAY))).toMatch(/not a known province/);
  });

  it("detects every single-character corruption of a valid number", () => {
    for (const valid of ["11010519491231002X", "440524188001010014", makeIdNumber("230602", "1987-07-15", 433)]) {
      let tried = 0;
      for (let i = 0; i < 18; i++) {
        for (const c of "0123456789X") {
          if (c === valid[i]) continue;
          const corrupted = valid.slice(0, i) + c + valid.slice(i + 1);
          expect(validateIdNumber(corrupted, TODAY).ok).toBe(false);
          tried++;
        }
      }
      expect(tried).toBe(18 * 10);
    }
  });

  it("round-trips random valid numbers and rejects their corruptions (seeded)", () => {
    const random = mulberry32(20260101);
    for (let n = 0; n < 2_000; n++) {
      const region = pick(random, REGIONS);
      const two = (min: number, max: number) => String(randomInt(random, min, max)).padStart(2, "0");
      const birthDate = `${randomInt(random, 1900, 2025)}-${two(1, 12)}-${two(1, 28)}`;
      const sequence = randomInt(random, 0, 999);
      const id = makeIdNumber(region.code, birthDate, sequence);

      const result = validateIdNumber(id, TODAY);
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.parsed.birthDate).toBe(birthDate);
      expect(result.parsed.gender).toBe(sequence % 2 === 1 ? "male" : "female");
      expect(result.parsed.region).toBe(region);

      // Swapping two different adjacent digits of the body is always caught by MOD 11-2.
      const i = randomInt(random, 0, 15);
      if (id[i] !== id[i + 1]) {
        const swapped = id.slice(0, i) + id[i + 1] + id[i] + id.slice(i + 2);
        expect(validateIdNumber(swapped, TODAY).ok).toBe(false);
      }
    }
  });

  it("agrees with a brute-force check on random 18-digit strings (seeded)", () => {
    const random = mulberry32(7);
    let valid = 0;
    for (let n = 0; n < 5_000; n++) {
      // Valid province and date so that only the check character decides.
      const body = `${pick(random, REGIONS).code}19${randomInt(random, 10, 99)}0${randomInt(random, 1, 9)}1${randomInt(random, 0, 9)}${String(randomInt(random, 0, 999)).padStart(3, "0")}`;
      const last = pick(random, [..."0123456789X"]);
      let sum = 0;
      for (let i = 0; i < 17; i++) sum += Number(body[i]) * (2 ** (17 - i) % 11);
      const expected = "10X98765432"[sum % 11];
      expect(validateIdNumber(body + last, TODAY).ok).toBe(last === expected);
      if (last === expected) valid++;
    }
    // About 1 in 11 random check characters is right.
    expect(valid).toBeGreaterThan(300);
    expect(valid).toBeLessThan(650);
  });
});

describe("makeIdNumber", () => {
  it("builds the published example", () => {
    expect(makeIdNumber("110105", "1949-12-31", 2)).toBe("11010519491231002X");
    expect(makeIdNumber("440524", "1880-01-01", 1)).toBe("440524188001010014");
  });

  it("refuses bad parts", () => {
    expect(() => makeIdNumber("11010", "1949-12-31", 2)).toThrow(/region code/);
    expect(() => makeIdNumber("110105", "1949-02-30", 2)).toThrow(/birth date/);
    expect(() => makeIdNumber("110105", "19491231", 2)).toThrow(/birth date/);
    expect(() => makeIdNumber("110105", "1949-12-31", 1000)).toThrow(/sequence/);
    expect(() => makeIdNumber("110105", "1949-12-31", 1.5)).toThrow(/sequence/);
  });
});

describe("regions", () => {
  it("has at least 80 real entries across at least 15 provinces, all with known provinces", () => {
    expect(REGIONS.length).toBeGreaterThanOrEqual(80);
    expect(new Set(REGIONS.map((r) => r.province)).size).toBeGreaterThanOrEqual(15);
    expect(new Set(REGIONS.map((r) => r.code)).size).toBe(REGIONS.length);
    for (const r of REGIONS) {
      expect(r.code).toMatch(/^\d{6}$/);
      expect(isKnownProvince(r.code.slice(0, 2))).toBe(true);
    }
  });

  it("finds the required districts", () => {
    expect(findRegion("230602")).toEqual({ code: "230602", province: "黑龙江省", city: "大庆市", district: "萨尔图区" });
    expect(findRegion("350922")).toEqual({ code: "350922", province: "福建省", city: "宁德市", district: "古田县" });
    expect(findRegion("440106")?.district).toBe("天河区");
    expect(findRegion("440305")?.city).toBe("深圳市");
    expect(findRegion("999999")).toBeUndefined();
  });

  it("lists exactly the province-level codes in use", () => {
    expect(PROVINCE_CODES).toHaveLength(34);
    for (const code of ["11", "15", "21", "23", "31", "37", "41", "46", "50", "54", "61", "65", "71", "81", "82"]) {
      expect(isKnownProvince(code)).toBe(true);
    }
    for (const code of ["10", "16", "20", "24", "30", "38", "40", "47", "49", "55", "60", "66", "70", "80", "83", "99"]) {
      expect(isKnownProvince(code)).toBe(false);
    }
  });

  it("isRealDate knows the Gregorian leap-year rules", () => {
    expect(isRealDate(2000, 2, 29)).toBe(true);
    expect(isRealDate(1900, 2, 29)).toBe(false);
    expect(isRealDate(2024, 2, 29)).toBe(true);
    expect(isRealDate(2023, 4, 31)).toBe(false);
  });
});
