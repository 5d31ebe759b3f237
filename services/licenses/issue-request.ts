/** Checks an IssueLicenceRequest against the catalogue before anything is written. */
import { invalidArgument, permissionDenied } from "../common/errors";
import { canonicalText, foldWidth, requireDate, todayInChina } from "../common/validate";
import { HolderKind, type IssueLicenceRequest } from "../../proto/gen/tongban/licenses/v1/licenses";
import { requireCreditCode, requireIdNumber } from "../identity/checks";
import { findLicenceType, type CatalogueType } from "./catalogue";

export interface CheckedIssue {
  type: CatalogueType;
  holderId: string;
  fields: Record<string, string>;
  validFrom: string;
  validUntil: string;
  /** Types the holder must hold valid (distinct catalogue codes of the same holder kind), in the order given. */
  prerequisites: string[];
}

/** The longest licence type code (catalogue codes are a few letters; VerifyLicence takes 16). */
const TYPE_CODE_MAX = 16;

/**
 * The catalogue type a code names; INVALID_ARGUMENT naming `field` otherwise. A code too long is
 * refused without echoing it (a megabyte echoed into the status message lost the whole answer at
 * the client), a short one is echoed as a JSON string (control characters escaped).
 */
function typeCodeIn(code: string, field: string): CatalogueType {
  if (code.length > TYPE_CODE_MAX) throw invalidArgument(field, `must be at most ${TYPE_CODE_MAX} characters (a licence type code)`);
  const type = findLicenceType(code);
  if (!type) throw invalidArgument(field, `${JSON.stringify(code)} is not in the licence catalogue`);
  return type;
}

/** More would be a request built wrong, not a rule of any licence type. */
const MAX_PREREQUISITES = 8;

/** The prerequisite types of a request: known, of the holder's kind, each once. */
function checkPrerequisites(type: CatalogueType, codes: unknown): string[] {
  if (codes === undefined || codes === null) return [];
  if (!Array.isArray(codes)) throw invalidArgument("prerequisite_type_codes", "must be a list of licence type codes");
  if (codes.length > MAX_PREREQUISITES) throw invalidArgument("prerequisite_type_codes", `must name at most ${MAX_PREREQUISITES} licence types`);
  const out: string[] = [];
  codes.forEach((code: unknown, i) => {
    const field = `prerequisite_type_codes[${i}]`;
    if (typeof code !== "string" || code === "") throw invalidArgument(field, "must be a licence type code");
    const prerequisite = typeCodeIn(code, field);
    if (prerequisite.code === type.code) throw invalidArgument(field, `licence type ${code} cannot be a prerequisite of itself`);
    if (prerequisite.holderKind !== type.holderKind) {
      throw invalidArgument(field, `licence type ${code} is held by another kind of holder than ${type.code}`);
    }
    if (out.includes(code)) throw invalidArgument(field, `licence type ${code} is named twice`);
    out.push(code);
  });
  return out;
}

/** Adds whole years to a date and steps back one day: a 5-year licence from 2026-03-01 ends 2031-02-28. */
export function addYears(date: string, years: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  const end = new Date(Date.UTC(d.getUTCFullYear() + years, d.getUTCMonth(), d.getUTCDate()));
  // 29 February plus N years lands on 1 March when the target year is not a leap year.
  if (end.getUTCDate() !== d.getUTCDate()) end.setUTCDate(0);
  else end.setUTCDate(end.getUTCDate() - 1);
  return end.toISOString().slice(0, 10);
}

function checkFields(type: CatalogueType, fields: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  const known = new Set(type.fields.map((f) => f.name));
  for (const name of Object.keys(fields)) {
    if (!known.has(name)) throw invalidArgument(`fields.${name}`, `is not a field of licence type ${type.code} (fields: ${[...known].join(", ")})`);
  }
  for (const def of type.fields) {
    const raw = fields[def.name];
    const field = `fields.${def.name}`;
    if (raw === undefined || raw === "") {
      if (def.required) throw invalidArgument(field, `is required for licence type ${type.code} (${def.labelZh})`);
      continue;
    }
    if (typeof raw !== "string") throw invalidArgument(field, "must be a string");
    // Dates and amounts are read with full-width digits folded; other text is kept as written (NFC).
    const value = def.format === "date" || def.format === "decimal" ? String(foldWidth(raw)).trim() : canonicalText(raw.trim(), field);
    if ([...value].length > 1000) throw invalidArgument(field, "must be at most 1000 characters");
    if (def.format === "date") requireDate(value, field);
    if (def.format === "decimal" && !/^\d{1,15}(\.\d{1,6})?$/.test(value)) throw invalidArgument(field, "must be a non-negative decimal number");
    out[def.name] = value;
  }
  return out;
}

/** Validates the request for the calling department; throws INVALID_ARGUMENT or PERMISSION_DENIED. */
export function checkIssueRequest(p: IssueLicenceRequest, caller: string, today = todayInChina()): CheckedIssue {
  if (!p.typeCode) throw invalidArgument("type_code", "is required");
  const type = typeCodeIn(p.typeCode, "type_code");
  const holderId =
    type.holderKind === HolderKind.HOLDER_KIND_PERSON
      ? requireIdNumber(p.holderId, "holder_id").idNumber
      : requireCreditCode(p.holderId, "holder_id").creditCode;
  const fields = checkFields(type, (p.fields ?? {}) as Record<string, unknown>);
  const validFrom = p.validFrom ? requireDate(p.validFrom, "valid_from") : today;
  let validUntil = type.validityYears > 0 ? addYears(validFrom, type.validityYears) : "";
  if (p.validUntil) {
    validUntil = requireDate(p.validUntil, "valid_until");
    if (validUntil < validFrom) throw invalidArgument("valid_until", `must not be before valid_from (${validFrom})`);
  }
  const prerequisites = checkPrerequisites(type, p.prerequisiteTypeCodes);
  if (type.issuer !== caller) throw permissionDenied(`licence type ${type.code} (${type.nameZh}) is issued only by ${type.issuer}`);
  return { type, holderId, fields, validFrom, validUntil, prerequisites };
}
