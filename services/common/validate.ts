/**
 * Field checks shared by every service. Each throws INVALID_ARGUMENT naming the field (as spelled
 * in the proto, snake_case) and the reason, before anything is written.
 */
import { invalidArgument } from "./errors";

/** A required string of min..max characters (trimmed). */
export function requireText(value: unknown, field: string, min = 1, max = 200): string {
  if (typeof value !== "string" || value.trim().length === 0) throw invalidArgument(field, "is required");
  const text = value.trim();
  const length = [...text].length;
  if (length < min) throw invalidArgument(field, `must be at least ${min} characters (got ${length})`);
  if (length > max) throw invalidArgument(field, `must be at most ${max} characters (got ${length})`);
  if (/[\u0000-\u001f\u007f]/.test(text)) throw invalidArgument(field, "must not contain control characters");
  return text;
}

/** An optional string: empty or missing gives "", otherwise as requireText. */
export function optionalText(value: unknown, field: string, max = 200): string {
  if (value === undefined || value === null || value === "") return "";
  return requireText(value, field, 1, max);
}

const CASE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,79}$/;

/** The case (办件) a read of personal data serves. */
export function requireCaseId(value: unknown, field = "case_id"): string {
  if (typeof value !== "string" || value === "") {
    throw invalidArgument(field, "is required: name the case this read serves");
  }
  if (!CASE_ID.test(value)) throw invalidArgument(field, "must be 1-80 letters, digits, dots, dashes, colons or underscores");
  return value;
}

/** An optional case id: "" when absent. */
export function optionalCaseId(value: unknown, field = "case_id"): string {
  return value === undefined || value === null || value === "" ? "" : requireCaseId(value, field);
}

/** A calendar date YYYY-MM-DD that exists. */
export function requireDate(value: unknown, field: string): string {
  if (typeof value !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    throw invalidArgument(field, "must be a date written YYYY-MM-DD");
  }
  const d = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== value) {
    throw invalidArgument(field, `${value} is not a real date`);
  }
  return value;
}

/** One of the named enum values; the UNSPECIFIED value (or nothing) counts as missing. */
export function requireEnum<T extends string>(value: unknown, field: string, allowed: readonly T[]): T {
  if (value === undefined || value === null || value === "" || (typeof value === "string" && value.endsWith("_UNSPECIFIED"))) {
    throw invalidArgument(field, `is required (one of ${allowed.join(", ")})`);
  }
  if (!allowed.includes(value as T)) throw invalidArgument(field, `must be one of ${allowed.join(", ")} (got "${String(value)}")`);
  return value as T;
}

/** Today's date in China Standard Time (UTC+8), where the hub's dates are kept. */
export function todayInChina(now = new Date()): string {
  return new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}
