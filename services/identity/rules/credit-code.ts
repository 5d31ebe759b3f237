/**
 * GB 32100-2015 unified social credit codes (统一社会信用代码), 18 characters:
 *   1      registration authority (登记管理部门)
 *   2      entity type within that authority (机构类别)
 *   3-8    region code of the registering office (GB/T 2260)
 *   9-17   organisation code (GB 11714: 8 body characters + its own MOD 11 check character)
 *   18     check character, MOD 31 over the charset below
 * Pure functions, no I/O.
 */
import { isKnownProvince } from "./regions";

/** The 31 characters a credit code may use; I, O, Z, S, V are left out to avoid misreading. */
export const CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY";

export interface RegistrationAuthority {
  name: string;
  /** Entity-type character -> name. */
  entityTypes: Readonly<Record<string, string>>;
}

/**
 * Authorities and entity types from GB 32100-2015 Appendix A. Codes that ministries were given
 * after 2015 are not listed on purpose: add them here when the hub must accept them.
 */
export const REGISTRATION_AUTHORITIES: Readonly<Record<string, RegistrationAuthority>> = Object.freeze({
  "1": { name: "机构编制", entityTypes: { "1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他" } },
  "5": { name: "民政", entityTypes: { "1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他" } },
  "9": { name: "工商", entityTypes: { "1": "企业", "2": "个体工商户", "3": "农民专业合作社" } },
  Y: { name: "其他", entityTypes: { "1": "其他" } },
});

export interface ParsedCreditCode {
  /** Normalised (upper-case) code. */
  creditCode: string;
  authority: string;
  authorityName: string;
  entityType: string;
  entityTypeName: string;
  regionCode: string;
  /** Characters 9-17: the GB 11714 organisation code including its check character. */
  organisationCode: string;
}

export type CreditCodeValidation = { ok: true; parsed: ParsedCreditCode } | { ok: false; reason: string };

export interface GenerateCreditCodeInput {
  authority: string;
  entityType: string;
  regionCode: string;
  /** Uniform in [0, 1); pass a seeded PRNG for reproducible output. */
  random: () => number;
}

// 3^i mod 31 for i = 0..16.
const CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;
const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHARSET_INDEX = new Map<string, number>([...CREDIT_CODE_CHARSET].map((c, i) => [c, i]));
const NEVER_USED = new Set(["I", "O", "Z", "S", "V"]);
// Central-government registrations use the national code 100000, which is not a province.
const NATIONAL_REGION = "100000";

/** The final (18th) check character for the first 17 characters of a credit code. */
export function creditCodeCheckCharacter(first17: string): string {
  if (first17.length !== 17) throw new RangeError("creditCodeCheckCharacter needs exactly 17 characters");
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = CHARSET_INDEX.get(first17[i]);
    if (v === undefined) throw new RangeError(`character "${first17[i]}" is not in the credit-code charset`);
    sum += v * CREDIT_WEIGHTS[i];
  }
  return CREDIT_CODE_CHARSET[(31 - (sum % 31)) % 31];
}

/** The GB 11714 check character for an 8-character organisation-code body (digits, A-Z). */
export function organisationCodeCheckCharacter(body8: string): string {
  if (!/^[0-9A-Z]{8}$/.test(body8)) throw new RangeError("organisationCodeCheckCharacter needs 8 digits or upper-case letters");
  let sum = 0;
  // GB 11714 values: digits 0-9 as themselves, letters A=10 ... Z=35 (parseInt base 36 does exactly that).
  for (let i = 0; i < 8; i++) sum += parseInt(body8[i], 36) * ORG_WEIGHTS[i];
  const c = 11 - (sum % 11);
  return c === 10 ? "X" : c === 11 ? "0" : String(c);
}

/** Validates and parses a credit code; reasons read after a field name ("credit_code must ..."). */
export function validateCreditCode(value: unknown): CreditCodeValidation {
  if (typeof value !== "string") return fail(`must be a string (got ${value === null ? "null" : typeof value})`);
  if (value.length !== 18) return fail(`must be 18 characters (got ${value.length})`);
  // ASCII-only upper-casing: String#toUpperCase can change the length ("ß" -> "SS").
  const code = value.replace(/[a-z]/g, (c) => c.toUpperCase());
  for (let i = 0; i < 18; i++) {
    const c = code[i];
    if (CHARSET_INDEX.has(c)) continue;
    return fail(
      NEVER_USED.has(c)
        ? `character ${i + 1} "${c}" is not allowed (I, O, Z, S, V are never used)`
        : `character ${i + 1} "${value[i]}" is not allowed (only digits and upper-case letters)`,
    );
  }

  const authority = code[0];
  const auth = REGISTRATION_AUTHORITIES[authority];
  if (!auth) return fail(`registration authority "${authority}" is not defined`);
  const entityType = code[1];
  const entityTypeName = auth.entityTypes[entityType];
  if (!entityTypeName) return fail(`entity type "${entityType}" is not defined for registration authority ${authority}`);

  const regionCode = code.slice(2, 8);
  if (!/^\d{6}$/.test(regionCode)) return fail(`region code ${regionCode} must be 6 digits`);
  if (regionCode !== NATIONAL_REGION && !isKnownProvince(regionCode.slice(0, 2))) {
    return fail(`region code ${regionCode} is not a known province`);
  }

  const organisationCode = code.slice(8, 17);
  const orgCheck = organisationCodeCheckCharacter(organisationCode.slice(0, 8));
  if (organisationCode[8] !== orgCheck) return fail(`organisation code check character should be ${orgCheck}`);

  const expected = creditCodeCheckCharacter(code.slice(0, 17));
  if (code[17] !== expected) return fail(`check character should be ${expected}`);

  return {
    ok: true,
    parsed: { creditCode: code, authority, authorityName: auth.name, entityType, entityTypeName, regionCode, organisationCode },
  };
}

/** Generates a valid credit code for the given authority, entity type and region. */
export function generateCreditCode(input: GenerateCreditCodeInput): string {
  const { authority, entityType, regionCode, random } = input;
  const auth = REGISTRATION_AUTHORITIES[authority];
  if (!auth) throw new RangeError(`registration authority "${authority}" is not defined`);
  if (!auth.entityTypes[entityType]) {
    throw new RangeError(`entity type "${entityType}" is not defined for registration authority ${authority}`);
  }
  if (!/^\d{6}$/.test(regionCode)) throw new RangeError(`region code must be 6 digits (got "${regionCode}")`);

  // The GB 11714 check is always a digit or X, all in the charset; the loop is a guard in case
  // the charset or the check ever change, not something that is expected to repeat.
  for (let attempt = 0; attempt < 100; attempt++) {
    let body = "";
    for (let i = 0; i < 8; i++) {
      // The modulo keeps a (non-conforming) random() that returns exactly 1 inside the charset.
      body += CREDIT_CODE_CHARSET[Math.floor(random() * CREDIT_CODE_CHARSET.length) % CREDIT_CODE_CHARSET.length];
    }
    const orgCheck = organisationCodeCheckCharacter(body);
    if (!CHARSET_INDEX.has(orgCheck)) continue;
    const first17 = `${authority}${entityType}${regionCode}${body}${orgCheck}`;
    return first17 + creditCodeCheckCharacter(first17);
  }
  throw new Error("could not draw an organisation code whose check character is in the charset");
}

function fail(reason: string): { ok: false; reason: string } {
  return { ok: false, reason };
}
