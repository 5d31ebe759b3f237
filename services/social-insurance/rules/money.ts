/**
 * Exact money for contributions: amounts are integer fen (分) in bigint, rates are integer
 * millionths (ppm), so no binary floating point ever touches a yuan. Pure functions, no I/O.
 */

/** One yuan in fen. */
const FEN_PER_YUAN = 100n;
/** Rates are kept in millionths: 0.005 (0.5%) is 5000. */
export const PPM = 1_000_000n;

// At most 10 integer digits (under 10 billion yuan) and 2 decimals: the precision of a wage slip.
const YUAN = /^(\d{1,10})(?:\.(\d{1,2}))?$/;
// A rate as a decimal fraction of at most 6 decimals, from 0 to 1.
const RATE = /^(0|1)(?:\.(\d{1,6}))?$/;

/** Parses a decimal yuan string ("8000", "8000.5", "8000.50") into fen; undefined when malformed. */
export function parseYuan(text: string): bigint | undefined {
  const m = YUAN.exec(text);
  if (!m) return undefined;
  return BigInt(m[1]) * FEN_PER_YUAN + BigInt((m[2] ?? "").padEnd(2, "0"));
}

/** Writes fen as a yuan string with exactly two decimals: 1234550n -> "12345.50". */
export function formatYuan(fen: bigint): string {
  const sign = fen < 0n ? "-" : "";
  const abs = fen < 0n ? -fen : fen;
  return `${sign}${abs / FEN_PER_YUAN}.${String(abs % FEN_PER_YUAN).padStart(2, "0")}`;
}

/** Parses a rate written as a decimal fraction ("0.16", "0.005") into millionths; undefined when malformed or above 1. */
export function parseRate(text: string): bigint | undefined {
  const m = RATE.exec(text);
  if (!m) return undefined;
  const ppm = BigInt(m[1]) * PPM + BigInt((m[2] ?? "").padEnd(6, "0"));
  return ppm <= PPM ? ppm : undefined;
}

/** Writes millionths as the shortest decimal fraction: 160000n -> "0.16", 5000n -> "0.005", 0n -> "0". */
export function formatRate(ppm: bigint): string {
  const whole = ppm / PPM;
  const fraction = String(ppm % PPM).padStart(6, "0").replace(/0+$/, "");
  return fraction ? `${whole}.${fraction}` : String(whole);
}

/**
 * base × rate, rounded half up to the fen (四舍五入到分). Both are non-negative, so adding half a
 * unit before the truncating bigint division is exactly "round half up".
 */
export function applyRate(baseFen: bigint, ratePpm: bigint): bigint {
  if (baseFen < 0n || ratePpm < 0n) throw new RangeError("applyRate takes a non-negative base and rate");
  return (baseFen * ratePpm + PPM / 2n) / PPM;
}

/** `value × percent / 100`, rounded half up to the fen (for bases derived from an average wage). */
export function percentOf(valueFen: bigint, percent: bigint): bigint {
  return (valueFen * percent + 50n) / 100n;
}

/** The value held inside [floor, ceiling]: the contribution base rule (缴费基数上下限). */
export function clamp(value: bigint, floor: bigint, ceiling: bigint): bigint {
  if (floor > ceiling) throw new RangeError("clamp: floor above ceiling");
  return value < floor ? floor : value > ceiling ? ceiling : value;
}

/** Exact sum of amounts in fen. */
export function sum(amounts: readonly bigint[]): bigint {
  return amounts.reduce((a, b) => a + b, 0n);
}
