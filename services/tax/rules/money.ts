/**
 * Exact money arithmetic. Amounts travel as decimal strings and are held as bigint counts of the
 * smallest unit (分 for 元), so sums and comparisons never meet binary floating point.
 */
import { invalidArgument } from "../../common/errors";

/** 分 in one 元. */
export const FEN_PER_YUAN = 100n;
/** 分 in one 万元: a 万元 amount with 6 decimals is exact to the 分. */
export const FEN_PER_WAN_YUAN = 1_000_000n;

// 10^15 元 is beyond any amount a tax office records; the bound keeps bad input from becoming huge numbers.
const MAX_INTEGER_DIGITS = 15;
const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/**
 * Parses a non-negative decimal string with at most `scale` fraction digits into integer units of
 * 10^-scale; INVALID_ARGUMENT naming `field` otherwise. Signs, exponents, spaces and separators are refused.
 */
export function parseDecimal(value: unknown, field: string, scale: number, unitHint = ""): bigint {
  if (value === undefined || value === null || value === "") throw invalidArgument(field, "is required");
  if (typeof value !== "string") throw invalidArgument(field, "must be a decimal number written as a string");
  if (value.startsWith("-")) throw invalidArgument(field, "must not be negative");
  const m = DECIMAL.exec(value);
  if (!m) throw invalidArgument(field, `must be a decimal number such as 1234.56 (got "${value}")`);
  const [, whole, fraction = ""] = m;
  if (whole.replace(/^0+(?=\d)/, "").length > MAX_INTEGER_DIGITS) {
    throw invalidArgument(field, `must have at most ${MAX_INTEGER_DIGITS} digits before the decimal point`);
  }
  if (fraction.length > scale) throw invalidArgument(field, `must have at most ${scale} decimal places${unitHint}`);
  return BigInt(whole) * 10n ** BigInt(scale) + BigInt(fraction.padEnd(scale, "0") || "0");
}

/** Writes integer units of 10^-scale as a decimal string with exactly `scale` fraction digits. */
export function formatDecimal(units: bigint, scale: number): string {
  const sign = units < 0n ? "-" : "";
  const abs = units < 0n ? -units : units;
  const base = 10n ** BigInt(scale);
  const whole = (abs / base).toString();
  return scale === 0 ? `${sign}${whole}` : `${sign}${whole}.${(abs % base).toString().padStart(scale, "0")}`;
}

/** An amount in 元 (at most 2 decimals) as 分. */
export function parseYuan(value: unknown, field: string): bigint {
  return parseDecimal(value, field, 2, " (元 to the 分)");
}

/** An amount in 万元 (at most 6 decimals, i.e. to the 分) as 分. */
export function parseWanYuan(value: unknown, field: string): bigint {
  return parseDecimal(value, field, 6, " (万元 to the 分)");
}

/** An amount in 元 that must be greater than zero, as 分. */
export function parsePositiveYuan(value: unknown, field: string): bigint {
  const fen = parseYuan(value, field);
  if (fen <= 0n) throw invalidArgument(field, "must be greater than 0");
  return fen;
}

/** 分 written as 元 with two decimals, e.g. 10000000n -> "100000.00". */
export function formatYuan(fen: bigint): string {
  return formatDecimal(fen, 2);
}

/** The exact sum of amounts in 分. */
export function sumFen(amounts: Iterable<bigint>): bigint {
  let total = 0n;
  for (const a of amounts) total += a;
  return total;
}
