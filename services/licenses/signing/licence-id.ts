/**
 * National electronic-licence identifiers (电子证照标识), GB/T 36904-2018:
 *
 *   1.2.156.3005.2.<licence type code>.<issuing body's credit code>.<serial>.<version>.<check>
 *
 * - root `1.2.156.3005.2`: the OID arc of national e-licences;
 * - licence type code (证照类型代码): the 18-character unified social credit code of the authority
 *   that defines the type, then a 3-digit number it gives the type (21 characters);
 * - issuing body (颁发机构代码): its 18-character unified social credit code (GB 32100);
 * - serial (证照编号/顺序号): chosen by the issuing body, here `YYYYMMDD` (issue date, China time)
 *   then 10 random Crockford base32 characters, so replicas need no shared counter;
 * - version (版本号): 3 digits, `001` at first issue, one more at each reissue (the serial stays);
 * - check character: ISO/IEC 7064 MOD 37,36 over the identifier without the root and the dots.
 *
 * Checked against identifiers published by provincial platforms (tests/unit/licenses/licence-id.spec.ts).
 * Licences issued before this format keep their earlier `BL-20261130-…` number (licence-number.ts)
 * as their identifier: it is signed into their content, so it cannot change (README, "Verifying licences and receipts offline").
 */
import * as crypto from "node:crypto";
import { validateCreditCode } from "../../identity/rules/credit-code";
import { CROCKFORD_ALPHABET, iso7064Mod37x36CheckChar } from "./licence-number";

/** The OID arc every national e-licence identifier starts with. */
export const LICENCE_ID_ROOT = "1.2.156.3005.2";

/** The longest licence number the hub takes (a national identifier with a 64-character serial is 126). */
export const LICENCE_NUMBER_MAX = 128;

/** The parts of an identifier. */
export interface LicenceIdParts {
  /** 21 characters: the defining authority's credit code + 3 digits. */
  typeCode: string;
  /** The issuing body's credit code (18 characters). */
  issuerCode: string;
  /** 1-64 characters of 0-9A-Z. */
  serial: string;
  /** 1-999. */
  version: number;
}

const TYPE_CODE_RE = /^([0-9A-Z]{18})([0-9]{3})$/;
const SERIAL_RE = /^[0-9A-Z]{1,64}$/;
const VERSION_RE = /^[0-9]{3}$/;
const RANDOM_LENGTH = 10;
const CST_OFFSET_MS = 8 * 3600_000;

/** Why `typeCode` is not a licence type code, or undefined when it is one. */
export function typeCodeProblem(typeCode: string): string | undefined {
  const m = TYPE_CODE_RE.exec(typeCode);
  if (!m) return "a licence type code is the defining authority's 18-character credit code followed by 3 digits";
  const definer = validateCreditCode(m[1]);
  return definer.ok ? undefined : `the defining authority's credit code ${m[1]} is not valid: ${definer.reason}`;
}

/** The check character of an identifier's parts (ISO/IEC 7064 MOD 37,36 over them without dots). */
export function licenceIdCheckCharacter(p: LicenceIdParts): string {
  return iso7064Mod37x36CheckChar(`${p.typeCode}${p.issuerCode}${p.serial}${versionText(p.version)}`);
}

/** The identifier of `p`; throws RangeError naming the part that is not valid. */
export function formatLicenceId(p: LicenceIdParts): string {
  const problem = partsProblem(p);
  if (problem) throw new RangeError(problem);
  return `${LICENCE_ID_ROOT}.${p.typeCode}.${p.issuerCode}.${p.serial}.${versionText(p.version)}.${licenceIdCheckCharacter(p)}`;
}

/** The parts of an identifier, or `{ problem }` saying what is wrong with it (never throws). */
export function parseLicenceId(id: unknown): (LicenceIdParts & { check: string }) | { problem: string } {
  if (typeof id !== "string") return { problem: "must be text" };
  if (!id.startsWith(`${LICENCE_ID_ROOT}.`)) return { problem: `must start with ${LICENCE_ID_ROOT}.` };
  const rest = id.slice(LICENCE_ID_ROOT.length + 1).split(".");
  if (rest.length !== 5) return { problem: "must have five parts after the root: type code, issuer, serial, version, check character" };
  const [typeCode, issuerCode, serial, version, check] = rest;
  if (!VERSION_RE.test(version)) return { problem: "the version must be 3 digits" };
  const parts: LicenceIdParts = { typeCode, issuerCode, serial, version: Number(version) };
  const problem = partsProblem(parts);
  if (problem) return { problem };
  const expected = licenceIdCheckCharacter(parts);
  if (check !== expected) return { problem: `the check character should be ${expected}, not ${check}: a character was mistyped or changed` };
  return { ...parts, check };
}

/** True when `id` is a well-formed national identifier with a correct check character. */
export function isNationalLicenceId(id: unknown): boolean {
  return !("problem" in parseLicenceId(id));
}

/** A new serial: the issue date in China time (YYYYMMDD) and 10 random Crockford base32 characters. */
export function newSerial(issuedAt: Date, random: (size: number) => Buffer = crypto.randomBytes): string {
  if (Number.isNaN(issuedAt.getTime())) throw new RangeError("issuedAt must be a valid Date");
  const date = new Date(issuedAt.getTime() + CST_OFFSET_MS).toISOString().slice(0, 10).replace(/-/g, "");
  const bytes = random(RANDOM_LENGTH);
  let tail = "";
  // One byte per character, its low 5 bits: 256 is a multiple of 32, so each character is uniform.
  for (let i = 0; i < RANDOM_LENGTH; i++) tail += CROCKFORD_ALPHABET[bytes[i] & 31];
  return `${date}${tail}`;
}

/** The identifier of a reissue of `id`: the same type, issuer and serial, the next version. */
export function nextVersion(id: string): string {
  const parsed = parseLicenceId(id);
  if ("problem" in parsed) throw new RangeError(`not a national licence identifier: ${parsed.problem}`);
  return formatLicenceId({ ...parsed, version: parsed.version + 1 });
}

function versionText(version: number): string {
  return String(version).padStart(3, "0");
}

function partsProblem(p: LicenceIdParts): string | undefined {
  const typeProblem = typeCodeProblem(p.typeCode);
  if (typeProblem) return typeProblem;
  const issuer = validateCreditCode(p.issuerCode);
  if (!issuer.ok) return `the issuing body's credit code ${p.issuerCode} is not valid: ${issuer.reason}`;
  if (!SERIAL_RE.test(p.serial)) return "the serial must be 1-64 characters of 0-9 and A-Z";
  if (!Number.isInteger(p.version) || p.version < 1 || p.version > 999) return "the version must be 001-999";
  return undefined;
}
