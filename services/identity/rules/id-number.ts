/**
 * GB 11643-1999 citizen identity numbers (公民身份号码): 6-digit region code, 8-digit birth date,
 * 3-digit sequence (odd = male, even = female) and an ISO 7064 MOD 11-2 check character.
 * Pure functions: no I/O; the only ambient input is "today" for the future-date check, which
 * callers can pin through `options.today`.
 */
import { todayInChina } from "../../common/validate";
import { findRegion, isKnownProvince, type Region } from "./regions";

export type Gender = "male" | "female";

export interface ParsedIdNumber {
  /** Normalised number (a lower-case x check character becomes X). */
  idNumber: string;
  regionCode: string;
  provinceCode: string;
  /** "YYYY-MM-DD". */
  birthDate: string;
  /** The 3-digit sequence (顺序码) as written, e.g. "002". */
  sequence: string;
  gender: Gender;
  /** Present only when the region code is in the curated table. */
  region?: Region;
}

export type IdNumberValidation = { ok: true; parsed: ParsedIdNumber } | { ok: false; reason: string };

export interface IdNumberOptions {
  /** "YYYY-MM-DD" treated as today for the future-birth-date check; defaults to today in China Standard Time (UTC+8). */
  today?: string;
}

/**
 * Residence permits for Hong Kong, Macao and Taiwan residents (港澳台居民居住证, State Council 2018)
 * carry numbers of this same form beginning 810000, 820000 and 830000; 83 is no GB/T 2260 province
 * (Taiwan there is 71), so it is accepted for identity numbers only, never as a region elsewhere.
 */
const RESIDENCE_PERMIT_REGIONS = new Set(["810000", "820000", "830000"]);

const CHECK_MAP = "10X98765432";
// Weight of position i (1-based, left to right) is 2^(18-i) mod 11, i.e. 2^(17-i) for a 0-based i.
const WEIGHTS: readonly number[] = Array.from({ length: 17 }, (_, i) => 2 ** (17 - i) % 11);
const SHAPE = /^\d{17}[\dX]$/;
// Nobody alive was born before 1800; anything earlier is a typing error, not a real person.
const EARLIEST_YEAR = 1800;

/** The MOD 11-2 check character for the first 17 digits of an identity number. */
export function idCheckCharacter(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new RangeError("idCheckCharacter needs exactly 17 digits");
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * WEIGHTS[i];
  return CHECK_MAP[sum % 11];
}

/** True when year/month/day (month 1-12) name a day that exists in the Gregorian calendar. */
export function isRealDate(year: number, month: number, day: number): boolean {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return false;
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= daysInMonth(year, month);
}

/** Days in a month of the proleptic Gregorian calendar (month 1-12). */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Validates and parses an identity number; reasons read after a field name ("id_number must ..."). */
export function validateIdNumber(value: unknown, options: IdNumberOptions = {}): IdNumberValidation {
  if (typeof value !== "string") return fail(`must be a string (got ${value === null ? "null" : typeof value})`);
  if (value.length !== 18) return fail(`must be 18 characters (got ${value.length})`);
  // Only the check character may be a letter, and people type it in either case.
  const idNumber = value.endsWith("x") ? `${value.slice(0, 17)}X` : value;
  if (!SHAPE.test(idNumber)) return fail("must be 17 digits followed by a digit or X");

  const regionCode = idNumber.slice(0, 6);
  const provinceCode = idNumber.slice(0, 2);
  if (!isKnownProvince(provinceCode) && !RESIDENCE_PERMIT_REGIONS.has(regionCode)) return fail(`region code ${regionCode} is not a known province`);

  const compact = idNumber.slice(6, 14);
  const year = Number(compact.slice(0, 4));
  const month = Number(compact.slice(4, 6));
  const day = Number(compact.slice(6, 8));
  if (!isRealDate(year, month, day)) return fail(`birth date ${compact} is not a real date`);
  if (year < EARLIEST_YEAR) return fail(`birth date ${compact} is before ${EARLIEST_YEAR}`);
  const birthDate = `${compact.slice(0, 4)}-${compact.slice(4, 6)}-${compact.slice(6, 8)}`;
  // ISO dates compare correctly as strings, so no Date arithmetic (and no time-zone surprises).
  if (birthDate > (options.today ?? todayInChina())) return fail("birth date is in the future");

  const expected = idCheckCharacter(idNumber.slice(0, 17));
  if (idNumber[17] !== expected) return fail(`check character should be ${expected}`);

  const sequence = idNumber.slice(14, 17);
  const parsed: ParsedIdNumber = {
    idNumber,
    regionCode,
    provinceCode,
    birthDate,
    sequence,
    gender: Number(sequence) % 2 === 1 ? "male" : "female",
  };
  const region = findRegion(regionCode);
  if (region) parsed.region = region;
  return { ok: true, parsed };
}

/** Builds a valid identity number from its parts, computing the check character. */
export function makeIdNumber(regionCode: string, birthDate: string, sequence: number): string {
  if (!/^\d{6}$/.test(regionCode)) throw new RangeError(`region code must be 6 digits (got "${regionCode}")`);
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birthDate);
  if (!m || !isRealDate(Number(m[1]), Number(m[2]), Number(m[3]))) {
    throw new RangeError(`birth date must be a real YYYY-MM-DD date (got "${birthDate}")`);
  }
  if (!Number.isInteger(sequence) || sequence < 0 || sequence > 999) {
    throw new RangeError(`sequence must be an integer 0-999 (got ${sequence})`);
  }
  const first17 = `${regionCode}${m[1]}${m[2]}${m[3]}${String(sequence).padStart(3, "0")}`;
  return first17 + idCheckCharacter(first17);
}

function fail(reason: string): { ok: false; reason: string } {
  return { ok: false, reason };
}
