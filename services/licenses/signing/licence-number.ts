/**
 * Globally unique, human-transcribable licence numbers: `<TYPE>-<YYYYMMDD>-<RANDOM10>-<CHECK>`,
 * e.g. `BL-20261122-7K3M9Q2XWD-V`.
 *
 * - TYPE: licence type code, 2-6 uppercase letters.
 * - YYYYMMDD: issue date in China Standard Time (UTC+8, no DST), because that is the date
 *   printed on the licence and the one a clerk or citizen will quote; UTC would put licences
 *   issued before 08:00 Beijing time on the previous day.
 * - RANDOM10: 10 Crockford base32 chars = 50 random bits, so no coordination (DB sequence,
 *   per-node counter) is needed to stay unique across hub instances; the birthday bound
 *   makes a collision within one type and day negligible even at millions of issuances per day.
 *   Crockford's alphabet omits I, L, O, U to avoid misreading on paper.
 * - CHECK: ISO/IEC 7064 MOD 37,36 (hybrid system) over every character of TYPE, date and
 *   RANDOM10 with the hyphens removed, values 0-9 -> 0-9, A-Z -> 10-35. It catches every
 *   single-character substitution and all but ~0.16% of adjacent transpositions (the hybrid
 *   system's known blind spot; pure MOD 37-2 catches all but needs a `*` check symbol), so
 *   typos are rejected before any DB lookup. The check char is drawn from 0-9A-Z.
 */
import * as crypto from "node:crypto";

/** Crockford base32 alphabet used for the random part. */
export const CROCKFORD_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

const ISO7064_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const M = 36; // ISO 7064 hybrid MOD 37,36: modulus M = 36, M + 1 = 37
const RANDOM_LENGTH = 10;
const CST_OFFSET_MS = 8 * 60 * 60 * 1000;
const TYPE_CODE_RE = /^[A-Z]{2,6}$/;
const LICENCE_NUMBER_RE = /^([A-Z]{2,6})-(\d{8})-([0-9A-HJKMNP-TV-Z]{10})-([0-9A-Z])$/;

/** Generates a new licence number; `random` is injectable for deterministic tests. */
export function newLicenceNumber(
  typeCode: string,
  issuedAt: Date,
  random: (size: number) => Buffer = crypto.randomBytes,
): string {
  if (typeof typeCode !== "string" || !TYPE_CODE_RE.test(typeCode)) {
    throw new RangeError(`licence type code must be 2-6 uppercase letters, got ${JSON.stringify(typeCode)}`);
  }
  const date = formatChinaDate(issuedAt);
  const bytes = random(RANDOM_LENGTH);
  if (!Buffer.isBuffer(bytes) || bytes.length < RANDOM_LENGTH) {
    throw new Error(`random source returned fewer than ${RANDOM_LENGTH} bytes`);
  }
  // One byte per char, low 5 bits: 256 is a multiple of 32, so each char stays uniform.
  let randomPart = "";
  for (let i = 0; i < RANDOM_LENGTH; i++) randomPart += CROCKFORD_ALPHABET[bytes[i] & 31];
  const body = `${typeCode}${date}${randomPart}`;
  return `${typeCode}-${date}-${randomPart}-${iso7064Mod37x36CheckChar(body)}`;
}

/** True if `x` has the licence-number shape, a real calendar date and a correct check char. */
export function isWellFormedLicenceNumber(x: unknown): boolean {
  if (typeof x !== "string") return false;
  const match = LICENCE_NUMBER_RE.exec(x);
  if (!match) return false;
  const [, typeCode, date, randomPart, check] = match;
  if (!isCalendarDate(date)) return false;
  return iso7064Mod37x36CheckChar(`${typeCode}${date}${randomPart}`) === check;
}

/** ISO/IEC 7064 MOD 37,36 check character over a string of 0-9A-Z characters. */
export function iso7064Mod37x36CheckChar(body: string): string {
  let p = M;
  for (const ch of body) {
    const value = ISO7064_ALPHABET.indexOf(ch);
    if (value < 0) throw new RangeError(`character ${JSON.stringify(ch)} not allowed in licence number`);
    let s = (p + value) % M;
    if (s === 0) s = M;
    p = (2 * s) % (M + 1);
  }
  // Choose the check value c so that one more round with c would leave s == 1, per the standard.
  return ISO7064_ALPHABET[(M + 1 - p) % M];
}

function formatChinaDate(issuedAt: Date): string {
  if (!(issuedAt instanceof Date) || Number.isNaN(issuedAt.getTime())) {
    throw new RangeError("issuedAt must be a valid Date");
  }
  const cst = new Date(issuedAt.getTime() + CST_OFFSET_MS);
  const year = cst.getUTCFullYear();
  if (year < 1000 || year > 9999) throw new RangeError(`issuedAt year ${year} out of range`);
  const mm = String(cst.getUTCMonth() + 1).padStart(2, "0");
  const dd = String(cst.getUTCDate()).padStart(2, "0");
  return `${year}${mm}${dd}`;
}

function isCalendarDate(yyyymmdd: string): boolean {
  const year = Number(yyyymmdd.slice(0, 4));
  const month = Number(yyyymmdd.slice(4, 6));
  const day = Number(yyyymmdd.slice(6, 8));
  if (year < 1000 || month < 1 || month > 12 || day < 1) return false;
  // Day 0 of the next month is the last day of this one; handles leap years.
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}
