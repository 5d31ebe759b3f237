/** GB 32100-2015 unified social credit codes: published codes, reasons, corruptions, generation. */
import {
  CREDIT_CODE_CHARSET,
  REGISTRATION_AUTHORITIES,
  creditCodeCheckCharacter,
  generateCreditCode,
  organisationCodeCheckCharacter,
  validateCreditCode,
  type CreditCodeValidation,
} from "../../../services/identity/rules/credit-code";
import { REGIONS } from "../../../services/identity/rules/regions";
import { mulberry32, pick } from "../../../services/identity/seed/prng";

// Codes published on business licences and public registries; each passes both checks.
const PUBLISHED = [
  "91350100M000100Y43",
  "914403001922038216",
  "9144030071526726XG",
  "91330100716105852F",
  "91440300708461136T",
  "91110108551385082Q",
];

function reasonOf(result: CreditCodeValidation): string {
  if (result.ok) throw new Error(`expected a failure, got ${result.parsed.creditCode}`);
  return result.reason;
}

describe("check characters", () => {
  it("the charset has 31 characters and none of I, O, Z, S, V", () => {
    expect(CREDIT_CODE_CHARSET).toHaveLength(31);
    expect(new Set(CREDIT_CODE_CHARSET).size).toBe(31);
    expect(CREDIT_CODE_CHARSET).not.toMatch(/[IOZSV]/);
  });

  it.each(PUBLISHED)("recomputes both check characters of %s", (code) => {
    expect(organisationCodeCheckCharacter(code.slice(8, 16))).toBe(code[16]);
    expect(creditCodeCheckCharacter(code.slice(0, 17))).toBe(code[17]);
  });

  it("maps organisation-code remainders 10 and 11 to X and 0", () => {
    expect(organisationCodeCheckCharacter("71526726")).toBe("X");
    // Body whose weighted sum is a multiple of 11: 1*3 + 0... + 4*2 = 11.
    expect(organisationCodeCheckCharacter("10000004")).toBe("0");
    // Letters count A=10 ... Z=35: M=22, weighted 22*3 = 66 = 6*11, so the check is 11 -> "0".
    expect(organisationCodeCheckCharacter("M0000000")).toBe("0");
  });

  it("refuses malformed input", () => {
    expect(() => creditCodeCheckCharacter("9135010")).toThrow(RangeError);
    expect(() => creditCodeCheckCharacter("91350100M000100YI")).toThrow(RangeError);
    expect(() => organisationCodeCheckCharacter("m0001004")).toThrow(RangeError);
  });
});

describe("validateCreditCode", () => {
  it("parses a published code", () => {
    expect(validateCreditCode("91350100M000100Y43")).toEqual({
      ok: true,
      parsed: {
        creditCode: "91350100M000100Y43",
        authority: "9",
        authorityName: "工商",
        entityType: "1",
        entityTypeName: "企业",
        regionCode: "350100",
        organisationCode: "M000100Y4",
      },
    });
  });

  it.each(PUBLISHED)("accepts %s", (code) => {
    expect(validateCreditCode(code).ok).toBe(true);
  });

  it("accepts lower case and normalises it", () => {
    const result = validateCreditCode("9144030071526726xg");
    expect(result.ok && result.parsed.creditCode).toBe("9144030071526726XG");
  });

  it.each<[unknown, string]>([
    [914403001922038216, "must be a string (got number)"],
    ["91440300192203821", "must be 18 characters (got 17)"],
    ["9144I3001922038216", 'character 5 "I" is not allowed (I, O, Z, S, V are never used)'],
    ["9144o3001922038216", 'character 5 "O" is not allowed (I, O, Z, S, V are never used)'],
    ["914403001922038-16", 'character 16 "-" is not allowed (only digits and upper-case letters)'],
    ["9144030019220382中6", 'character 17 "中" is not allowed (only digits and upper-case letters)'],
    ["B14403001922038216", 'registration authority "B" is not defined'],
    ["414403001922038216", 'registration authority "4" is not defined'],
    ["974403001922038216", 'entity type "7" is not defined for registration authority 9'],
    ["9144A3001922038216", "region code 44A300 must be 6 digits"],
    ["91990100M000100Y43", "region code 990100 is not a known province"],
    ["91350100M000100Y53", "organisation code check character should be 4"],
    ["914403001922038217", "check character should be 6"],
    ["91350100M000100Y4Y", "check character should be 3"],
  ])("refuses %p: %s", (value, reason) => {
    expect(reasonOf(validateCreditCode(value))).toBe(reason);
  });

  it("accepts the national region code 100000 used by central registrations", () => {
    const code = generateCreditCode({ authority: "1", entityType: "1", regionCode: "100000", random: mulberry32(1) });
    expect(validateCreditCode(code).ok).toBe(true);
  });

  it("detects every single-character corruption of a valid code", () => {
    for (const valid of PUBLISHED) {
      let tried = 0;
      for (let i = 0; i < 18; i++) {
        for (const c of `${CREDIT_CODE_CHARSET}IOZSV`) {
          if (c === valid[i]) continue;
          const corrupted = valid.slice(0, i) + c + valid.slice(i + 1);
          expect(validateCreditCode(corrupted).ok).toBe(false);
          tried++;
        }
      }
      expect(tried).toBe(18 * 35);
    }
  });
});

describe("generateCreditCode", () => {
  it("generates 1,000 valid codes matching the request (seeded, deterministic)", () => {
    const random = mulberry32(32100);
    const pairs = Object.entries(REGISTRATION_AUTHORITIES).flatMap(([a, auth]) => Object.keys(auth.entityTypes).map((t) => [a, t] as const));
    const seen = new Set<string>();
    for (let n = 0; n < 1_000; n++) {
      const [authority, entityType] = pick(random, pairs);
      const regionCode = pick(random, REGIONS).code;
      const code = generateCreditCode({ authority, entityType, regionCode, random });
      const result = validateCreditCode(code);
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.parsed).toMatchObject({ authority, entityType, regionCode });
      expect(code.slice(8, 17)).toMatch(/^[0-9A-HJ-NP-RTUWXY]{9}$/);
      seen.add(code);
    }
    expect(seen.size).toBe(1_000);
  });

  it("is reproducible from the seed", () => {
    const a = generateCreditCode({ authority: "9", entityType: "2", regionCode: "350922", random: mulberry32(5) });
    const b = generateCreditCode({ authority: "9", entityType: "2", regionCode: "350922", random: mulberry32(5) });
    expect(a).toBe(b);
    expect(a.startsWith("92350922")).toBe(true);
  });

  it("refuses undefined authorities, entity types and malformed regions", () => {
    const random = mulberry32(1);
    expect(() => generateCreditCode({ authority: "4", entityType: "1", regionCode: "110105", random })).toThrow(/authority "4"/);
    expect(() => generateCreditCode({ authority: "9", entityType: "9", regionCode: "110105", random })).toThrow(/entity type "9"/);
    expect(() => generateCreditCode({ authority: "9", entityType: "1", regionCode: "1101", random })).toThrow(/region code/);
  });
});
