/** Field checks for identity data: resident ID numbers and credit codes, as INVALID_ARGUMENT. */
import { invalidArgument } from "../common/errors";
import { foldWidth } from "../common/validate";
import { validateIdNumber, type ParsedIdNumber } from "./rules/id-number";
import { validateCreditCode, type ParsedCreditCode } from "./rules/credit-code";
import { findRegion, type Region } from "./rules/regions";

/** A valid resident ID number (GB 11643-1999), parsed; otherwise INVALID_ARGUMENT naming `field`. */
export function requireIdNumber(value: unknown, field = "id_number"): ParsedIdNumber {
  const r = validateIdNumber(foldWidth(value));
  if (!r.ok) throw invalidArgument(field, r.reason);
  return r.parsed;
}

/** A valid unified social credit code (GB 32100-2015), parsed. */
export function requireCreditCode(value: unknown, field = "credit_code"): ParsedCreditCode {
  const r = validateCreditCode(foldWidth(value));
  if (!r.ok) throw invalidArgument(field, r.reason);
  return r.parsed;
}

/** A county-level region code known to the hub (GB/T 2260). */
export function requireRegion(input: unknown, field = "region_code"): Region {
  const value = foldWidth(input);
  if (typeof value !== "string" || !/^\d{6}$/.test(value)) throw invalidArgument(field, "must be a 6-digit region code (GB/T 2260)");
  const region = findRegion(value);
  if (!region) throw invalidArgument(field, `${value} is not a region code served by this hub`);
  return region;
}

/** Is this holder id a resident ID number or a credit code? Decided by which check passes. */
export function holderKindOf(id: string): "person" | "entity" | undefined {
  if (validateIdNumber(id).ok) return "person";
  if (validateCreditCode(id).ok) return "entity";
  return undefined;
}
