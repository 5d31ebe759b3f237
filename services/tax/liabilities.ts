/** Tax liabilities (应纳税款) assessed per period, and whether they are paid; amounts are bigint 分. */
import crypto from "node:crypto";
import type { Queryable } from "../common/db/database";
import { failedPrecondition, notFound } from "../common/errors";
import type { Liability } from "../../proto/gen/tongban/tax/v1/tax";
import { formatYuan } from "./rules/money";

interface LiabilityRow {
  liability_id: string;
  credit_code: string;
  tax_type: string;
  period: string;
  // Selected as text: pg and PGlite disagree on how they return bigint.
  amount_fen: string;
  paid: boolean;
}

const COLUMNS = "liability_id, credit_code, tax_type, period, amount_fen::text AS amount_fen, paid";

function toLiability(r: LiabilityRow): Liability {
  return { liabilityId: r.liability_id, creditCode: r.credit_code, taxType: r.tax_type, period: r.period, amount: formatYuan(BigInt(r.amount_fen)), paid: r.paid };
}

/** A liability about to be recorded. */
export interface NewLiability {
  creditCode: string;
  taxType: string;
  period: string;
  amountFen: bigint;
  recordedBy: string;
}

/** Records an unpaid liability. */
export async function insertLiability(tx: Queryable, n: NewLiability): Promise<Liability> {
  const { rows } = await tx.query<LiabilityRow>(
    `INSERT INTO liabilities (liability_id, credit_code, tax_type, period, amount_fen, recorded_by)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
    [`LB-${crypto.randomUUID()}`, n.creditCode, n.taxType, n.period, n.amountFen.toString(), n.recordedBy],
  );
  return toLiability(rows[0]);
}

/** Marks a liability paid; NOT_FOUND when unknown, ALREADY_PAID when it was paid (a second payment is refused). */
export async function payLiability(tx: Queryable, liabilityId: string): Promise<Liability> {
  const { rows } = await tx.query<LiabilityRow>(
    `UPDATE liabilities SET paid = true, paid_at = now() WHERE liability_id = $1 AND NOT paid RETURNING ${COLUMNS}`,
    [liabilityId],
  );
  if (rows.length === 1) return toLiability(rows[0]);
  const { rows: existing } = await tx.query<LiabilityRow>(`SELECT ${COLUMNS} FROM liabilities WHERE liability_id = $1`, [liabilityId]);
  if (existing.length === 0) throw notFound("liability", liabilityId);
  throw failedPrecondition("ALREADY_PAID", `税款 ${liabilityId} 已缴纳 (the liability is already paid)`);
}

/** The unpaid amounts of a taxpayer, in 分. */
export async function unpaidOf(q: Queryable, creditCode: string): Promise<bigint[]> {
  const { rows } = await q.query<{ amount_fen: string }>("SELECT amount_fen::text AS amount_fen FROM liabilities WHERE credit_code = $1 AND NOT paid", [
    creditCode,
  ]);
  return rows.map((r) => BigInt(r.amount_fen));
}
