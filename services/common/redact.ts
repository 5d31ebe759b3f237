/**
 * Masks personal data before it reaches a log line: resident ID numbers, names and phone numbers.
 * Keys known to hold such data are masked wholesale; free text is scanned for ID and phone numbers.
 */

// Keys compared without case, underscores or dashes.
const SENSITIVE_KEYS = new Set([
  "idnumber",
  "name",
  "personname",
  "holdername",
  "holderid",
  "legalrepresentativename",
  "legalrepresentativeidnumber",
  "phone",
  "mobile",
  "address",
]);

const ID_NUMBER_IN_TEXT = /(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])/g;
// A mobile number alone or after the +86 country code, not inside a longer run of digits.
const PHONE_IN_TEXT = /(?:(?<=\+86)|(?<!\d))1[3-9]\d{9}(?!\d)/g;
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

// Only strings with a correct MOD 11-2 check character are ID numbers; an all-digit credit code
// (also 18 characters) usually fails the check and stays readable.
function looksLikeIdNumber(s: string): boolean {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(s[i]) * WEIGHTS[i];
  return "10X98765432"[sum % 11] === s[17].toUpperCase();
}

/** Masks one value held under a sensitive key, keeping a hint of its shape. */
export function maskValue(value: unknown): unknown {
  if (typeof value !== "string") return value === undefined || value === null ? value : "[redacted]";
  if (value.length === 0) return value;
  if (/^\d{17}[\dXx]$/.test(value)) return `${value.slice(0, 3)}${"*".repeat(14)}${value.slice(-1)}`;
  if (/^1\d{10}$/.test(value)) return `${value.slice(0, 3)}****${value.slice(-4)}`;
  return `${[...value][0]}${"*".repeat(Math.max(1, [...value].length - 1))}`;
}

/** Scans free text for ID and mobile numbers and masks them. */
export function redactText(text: string): string {
  return text
    .replace(ID_NUMBER_IN_TEXT, (m) => (looksLikeIdNumber(m) ? String(maskValue(m)) : m))
    .replace(PHONE_IN_TEXT, (m) => String(maskValue(m)));
}

/** Returns a copy of `value` with personal data masked; leaves the input untouched. */
export function redactDeep(value: unknown, depth = 0): unknown {
  if (depth > 8) return "[deep]";
  if (typeof value === "string") return redactText(value);
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, depth + 1));
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Set) return [...value].map((v) => redactDeep(v, depth + 1));
  if (value instanceof Map) return redactDeep(Object.fromEntries(value), depth + 1);
  if (value instanceof Error) {
    return { type: value.name, message: redactText(value.message), stack: value.stack && redactText(value.stack) };
  }
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = SENSITIVE_KEYS.has(k.replace(/[_-]/g, "").toLowerCase()) ? maskValue(v) : redactDeep(v, depth + 1);
    }
    return out;
  }
  return value;
}
