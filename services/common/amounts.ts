/**
 * The documented range of every amount the hub takes. Each is enforced where it enters — the
 * merged form at the one window (gateway/catalog/fields.ts) — and checked again by the department
 * that owns it, so a value refused by a department never starts an application, and a department
 * called directly (gRPC) is as strict. Amounts are exact decimals (services/common/decimal.ts).
 *
 * Bounds: what the domain allows, well inside what the columns hold (bigint units).
 * - registered capital and each contribution (注册资本/出资额, 万元, 4 decimals = 1 元): more than 0,
 *   at most 10,000,000,000 万元;
 * - expected annual taxable sales (预计年应税销售额, 万元, 6 decimals = 1 分): 0 to 100,000,000 万元;
 * - monthly invoicing credit line (月度开票额度, 元, 2 decimals): more than 0, at most 100,000,000 元
 *   (the tax rules then cap it by taxpayer type);
 * - a monthly wage (月工资, 元, 2 decimals): more than 0, at most 1,000,000 元;
 * - a tax liability (应纳税额, 元, 2 decimals): more than 0, at most 100,000,000,000 元.
 */
import { formatDecimal, parseDecimal } from "./decimal";

export interface AmountRange {
  /** What the amount is, for messages. */
  label: string;
  unit: "万元" | "元";
  /** Decimal places allowed (units are 10^-scale of the unit). */
  scale: number;
  /** Whether zero is allowed (else the amount must be more than 0). */
  zeroAllowed: boolean;
  /** Largest value, in units. */
  max: bigint;
}

const range = (label: string, unit: "万元" | "元", scale: number, max: bigint, zeroAllowed = false): AmountRange => ({
  label,
  unit,
  scale,
  zeroAllowed,
  max: max * 10n ** BigInt(scale),
});

export const AMOUNTS = {
  registeredCapital: range("注册资本", "万元", 4, 10_000_000_000n),
  contribution: range("出资额", "万元", 4, 10_000_000_000n),
  expectedAnnualSales: range("预计年应税销售额", "万元", 6, 100_000_000n, true),
  monthlyCreditLine: range("月度开票额度", "元", 2, 100_000_000n),
  monthlyWage: range("月工资", "元", 2, 1_000_000n),
  liability: range("应纳税额", "元", 2, 100_000_000_000n),
} satisfies Record<string, AmountRange>;

export type AmountKind = keyof typeof AMOUNTS;

/**
 * An amount of a kind, as units of 10^-scale of its unit; INVALID_ARGUMENT naming `field` when it is
 * not a decimal of at most `scale` places, or outside the kind's range.
 */
export function parseAmount(kind: AmountKind, value: unknown, field: string): bigint {
  const r = AMOUNTS[kind];
  return parseDecimal(value, field, r.scale, { positive: !r.zeroAllowed, max: r.max });
}

/** The range of a kind in words, e.g. "more than 0 and at most 1000000 元". */
export function describeRange(kind: AmountKind): string {
  const r = AMOUNTS[kind];
  return `${r.zeroAllowed ? "0" : "more than 0"} and at most ${formatDecimal(r.max, r.scale)} ${r.unit}`;
}
