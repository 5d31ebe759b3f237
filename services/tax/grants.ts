/** Invoice grants (发票申领 / 数电发票授信) in the tax schema; amounts are bigint 分. */
import crypto from "node:crypto";
import type { Queryable } from "../common/db/database";
import { failedPrecondition, notFound } from "../common/errors";
import { GrantStatus, type InvoiceGrant } from "../../proto/gen/tongban/tax/v1/tax";
import { formatYuan } from "./rules/money";

interface GrantRow {
  grant_id: string;
  credit_code: string;
  // Selected as text: pg and PGlite disagree on how they return bigint.
  monthly_credit_line_fen: string;
  limit_fen: string;
  status: GrantStatus;
  granted_at: Date;
}

const COLUMNS =
  "grant_id, credit_code, monthly_credit_line_fen::text AS monthly_credit_line_fen, limit_fen::text AS limit_fen, status, granted_at";

function toGrant(r: GrantRow): InvoiceGrant {
  return {
    grantId: r.grant_id,
    creditCode: r.credit_code,
    monthlyCreditLine: formatYuan(BigInt(r.monthly_credit_line_fen)),
    limit: formatYuan(BigInt(r.limit_fen)),
    status: r.status,
    grantedAt: new Date(r.granted_at).toISOString(),
  };
}

/** The taxpayer's active grant, if any. */
export async function activeGrantOf(q: Queryable, creditCode: string): Promise<InvoiceGrant | undefined> {
  const { rows } = await q.query<GrantRow>(`SELECT ${COLUMNS} FROM invoice_grants WHERE credit_code = $1 AND status = $2`, [
    creditCode,
    GrantStatus.GRANT_STATUS_ACTIVE,
  ]);
  return rows[0] && toGrant(rows[0]);
}

function grantExists(creditCode: string, grantId: string) {
  return failedPrecondition("GRANT_EXISTS", `纳税人 ${creditCode} 已有有效的发票授信 ${grantId} (an active invoice grant exists)`);
}

/** Stores a new active grant; GRANT_EXISTS when one is active (the unique index settles races). */
export async function insertGrant(tx: Queryable, creditCode: string, creditLineFen: bigint, limitFen: bigint, caseId: string): Promise<InvoiceGrant> {
  // One active grant per taxpayer: the unique index decides (a concurrent grant's too).
  const { rows } = await tx.query<GrantRow>(
    `INSERT INTO invoice_grants (grant_id, credit_code, monthly_credit_line_fen, limit_fen, status, case_id)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING ${COLUMNS}`,
    [`IG-${crypto.randomUUID()}`, creditCode, creditLineFen.toString(), limitFen.toString(), GrantStatus.GRANT_STATUS_ACTIVE, caseId],
  );
  // No row: the taxpayer holds an active grant.
  if (rows.length === 0) throw grantExists(creditCode, (await activeGrantOf(tx, creditCode))?.grantId ?? "");
  return toGrant(rows[0]);
}

/** Withdraws one grant; withdrawing a withdrawn grant returns it unchanged; NOT_FOUND when unknown. */
export async function withdrawGrant(tx: Queryable, grantId: string, reason: string): Promise<InvoiceGrant> {
  const { rows } = await tx.query<GrantRow>(
    `UPDATE invoice_grants SET status = $2, status_reason = $3, withdrawn_at = now() WHERE grant_id = $1 AND status = $4 RETURNING ${COLUMNS}`,
    [grantId, GrantStatus.GRANT_STATUS_WITHDRAWN, reason, GrantStatus.GRANT_STATUS_ACTIVE],
  );
  if (rows.length === 1) return toGrant(rows[0]);
  const { rows: existing } = await tx.query<GrantRow>(`SELECT ${COLUMNS} FROM invoice_grants WHERE grant_id = $1`, [grantId]);
  if (existing.length === 0) throw notFound("invoice grant", grantId);
  return toGrant(existing[0]);
}

/** Withdraws every active grant of a taxpayer (cancellation, clearance); returns the ids withdrawn. */
export async function withdrawGrantsOf(tx: Queryable, creditCode: string, reason: string): Promise<string[]> {
  const { rows } = await tx.query<{ grant_id: string }>(
    "UPDATE invoice_grants SET status = $2, status_reason = $3, withdrawn_at = now() WHERE credit_code = $1 AND status = $4 RETURNING grant_id",
    [creditCode, GrantStatus.GRANT_STATUS_WITHDRAWN, reason, GrantStatus.GRANT_STATUS_ACTIVE],
  );
  return rows.map((r) => r.grant_id);
}

/** Makes grants withdrawn by a revoked clearance active again (those still withdrawn); returns how many. */
export async function reinstateGrants(tx: Queryable, grantIds: string[]): Promise<number> {
  if (grantIds.length === 0) return 0;
  const r = await tx.query("UPDATE invoice_grants SET status = $2, status_reason = '', withdrawn_at = NULL WHERE grant_id = ANY ($1) AND status = $3", [
    grantIds,
    GrantStatus.GRANT_STATUS_ACTIVE,
    GrantStatus.GRANT_STATUS_WITHDRAWN,
  ]);
  return r.rowCount;
}
