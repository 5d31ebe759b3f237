/**
 * Exact decimal amounts as scaled bigints (money, capital): parsing from and formatting to the
 * decimal strings of the contracts, never through floating point.
 */
import { invalidArgument, kindOf } from "./errors";
import { foldWidth } from "./validate";

/**
 * The most units any amount may have: what a PostgreSQL bigint column holds. Amounts are stored as
 * units in bigint (or numeric) columns, so without a domain cap of its own an amount stays below
 * this, and a huge one is refused naming its field instead of failing the insert (INTERNAL).
 */
export const MAX_UNITS = 9_223_372_036_854_775_807n;

/**
 * Parses a non-negative decimal string with at most `scale` fractional digits into units of
 * 10^-scale; at most `max` units (never more than MAX_UNITS).
 */
export function parseDecimal(input: unknown, field: string, scale: number, options: { positive?: boolean; max?: bigint } = {}): bigint {
  const value = foldWidth(input);
  if (value === undefined || value === null || (typeof value === "string" && value.trim() === "")) throw invalidArgument(field, "is required (a decimal number)");
  // Amounts travel as text, so no binary fraction rounds them (12.1 as a JSON number is not 12.1).
  if (typeof value !== "string") throw invalidArgument(field, `must be a decimal number written as text, like "100" or "12.5" (got a ${kindOf(value)})`);
  const text = value.trim();
  const m = /^(\d{1,18})(?:\.(\d+))?$/.exec(text);
  if (!m) throw invalidArgument(field, `must be a non-negative decimal number written like 100 or 12.5 (got "${text}")`);
  const fraction = m[2] ?? "";
  if (fraction.length > scale) throw invalidArgument(field, `must have at most ${scale} decimal places (got "${text}")`);
  const units = BigInt(m[1]) * 10n ** BigInt(scale) + BigInt(fraction.padEnd(scale, "0") || "0");
  if (options.positive && units === 0n) throw invalidArgument(field, "must be greater than zero");
  const max = options.max !== undefined && options.max < MAX_UNITS ? options.max : MAX_UNITS;
  if (units > max) throw invalidArgument(field, `must be at most ${formatDecimal(max, scale)} (got "${text}")`);
  return units;
}

/** Formats units of 10^-scale as a decimal string without trailing zeros ("100", "12.5"). */
export function formatDecimal(units: bigint, scale: number): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const base = 10n ** BigInt(scale);
  const whole = abs / base;
  const fraction = (abs % base).toString().padStart(scale, "0").replace(/0+$/, "");
  return `${negative ? "-" : ""}${whole}${fraction ? `.${fraction}` : ""}`;
}
