/**
 * Money as exact integers: amounts travel as decimal strings and are held as bigint 分, so sums
 * and comparisons never meet binary floating point. Parsing is the shared services/common/decimal.ts;
 * tax always writes 元 with both decimals ("100000.00"), as money is shown on tax documents.
 */
import { parseDecimal } from "../../common/decimal";

/** 分 in one 万元: a 万元 amount with 6 decimals is exact to the 分. */
export const FEN_PER_WAN_YUAN = 1_000_000n;

/** An amount in 元 (at most 2 decimals) as 分; INVALID_ARGUMENT naming `field` otherwise. */
export function parseYuan(value: unknown, field: string): bigint {
  return parseDecimal(value, field, 2);
}

/** An amount in 元 that must be greater than zero, as 分. */
export function parsePositiveYuan(value: unknown, field: string): bigint {
  return parseDecimal(value, field, 2, { positive: true });
}

/** An amount in 万元 (at most 6 decimals, i.e. to the 分) as 分. */
export function parseWanYuan(value: unknown, field: string): bigint {
  return parseDecimal(value, field, 6);
}

/** 分 written as 元 with exactly two decimals, e.g. 10000000n -> "100000.00". */
export function formatYuan(fen: bigint): string {
  const sign = fen < 0n ? "-" : "";
  const abs = fen < 0n ? -fen : fen;
  return `${sign}${abs / 100n}.${(abs % 100n).toString().padStart(2, "0")}`;
}

/** 分 written as 万元 without trailing zeros, e.g. 500010000n -> "500.01". */
export function formatWanYuan(fen: bigint): string {
  const whole = fen / FEN_PER_WAN_YUAN;
  const fraction = (fen % FEN_PER_WAN_YUAN).toString().padStart(6, "0").replace(/0+$/, "");
  return fraction ? `${whole}.${fraction}` : `${whole}`;
}

/** The exact sum of amounts in 分. */
export function sumFen(amounts: Iterable<bigint>): bigint {
  let total = 0n;
  for (const a of amounts) total += a;
  return total;
}
