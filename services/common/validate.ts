/**
 * Field checks shared by every service. Each throws INVALID_ARGUMENT naming the field (as spelled
 * in the proto, snake_case) and the reason, before anything is written.
 */
import { invalidArgument } from "./errors";

/**
 * Characters no name, address, licence field, file name or other text may hold: controls (Cc),
 * format characters (Cf: zero-width space and joiners, bidi embeddings, overrides and isolates,
 * the BOM, the soft hyphen) and line/paragraph separators. They are invisible: 锦\u200b城 looks
 * like 锦城 but is another name, and a bidi override makes an officer read an address reordered.
 * Also the letters and marks that render as nothing though Unicode does not class them as format
 * characters: the Hangul fillers (U+115F, U+1160, U+3164, U+FFA0), the Braille blank (U+2800), the
 * combining grapheme joiner (U+034F) and the Khmer inherent vowels (U+17B4, U+17B5).
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\u034F\u115F\u1160\u17B4\u17B5\u2800\u3164\uFFA0]/u;
const MULTILINE_INVISIBLE = /(?![\t\n\r])[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\u034F\u115F\u1160\u17B4\u17B5\u2800\u3164\uFFA0]/u;

/**
 * The hub's one text policy, applied at every edge through requireText: Unicode NFC (the same
 * text always has the same code points, so equal names compare equal and sign the same bytes),
 * and no invisible or control character (INVALID_ARGUMENT naming the field and the code point).
 */
export function canonicalText(text: string, field: string, options: { multiline?: boolean } = {}): string {
  // A lone surrogate (JSON "\ud800", or a gRPC string that was not UTF-8) is no character: UTF-8
  // cannot hold it, so the database would store U+FFFD and a retry would no longer match.
  const lone = /\p{Cs}/u.exec(text);
  if (lone) {
    const cp = lone[0].charCodeAt(0).toString(16).toUpperCase();
    throw invalidArgument(field, `must be valid Unicode (a lone surrogate U+${cp} at character ${[...text.slice(0, lone.index)].length + 1})`);
  }
  const nfc = text.normalize("NFC");
  // A comment may run over lines (\n, \r\n) and hold tabs; nothing else invisible.
  const m = (options.multiline ? MULTILINE_INVISIBLE : INVISIBLE).exec(nfc);
  if (m) {
    const at = [...nfc.slice(0, m.index)].length + 1;
    const cp = m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0");
    throw invalidArgument(field, `must not contain invisible or control characters (U+${cp} at character ${at})`);
  }
  return nfc;
}

/**
 * Full-width forms folded to ASCII where a code or a number is expected (ID numbers, credit codes,
 * region codes, dates, amounts): Chinese input methods type "５１０１０４" as easily as "510104".
 * U+FF01-U+FF5E become U+0021-U+007E and the ideographic space a space; anything else is kept.
 */
export function foldWidth(value: unknown): unknown {
  if (typeof value !== "string" || !/[\uFF01-\uFF5E\u3000]/.test(value)) return value;
  return value.replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, " ");
}

/** A required string of min..max characters: trimmed, in canonical form (canonicalText). */
export function requireText(value: unknown, field: string, min = 1, max = 200): string {
  if (typeof value !== "string" || value.trim().length === 0) throw invalidArgument(field, "is required");
  const text = canonicalText(value.trim(), field);
  const length = [...text].length;
  if (length < min) throw invalidArgument(field, `must be at least ${min} characters (got ${length})`);
  if (length > max) throw invalidArgument(field, `must be at most ${max} characters (got ${length})`);
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
export function requireDate(input: unknown, field: string): string {
  const value = foldWidth(input);
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

/** A whole number from min to max (a JavaScript number, not text); INVALID_ARGUMENT naming the field otherwise. */
export function wholeNumber(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) throw invalidArgument(field, `must be a whole number from ${min} to ${max}`);
  return value;
}
