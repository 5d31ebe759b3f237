/** Tax clearances (清税证明) in the tax schema. */
import type { Queryable } from "../common/db/database";
import type { Clearance } from "../../proto/gen/tongban/tax/v1/tax";

interface ClearanceRow {
  credit_code: string;
  certificate_number: string;
  cleared_on: string;
}

/** The answer for an enterprise that has no clearance. */
export function notCleared(creditCode: string): Clearance {
  return { creditCode, cleared: false, certificateNumber: "", clearedOn: "" };
}

/** The clearance of an enterprise, or "not cleared". */
export async function clearanceOf(q: Queryable, creditCode: string): Promise<Clearance> {
  const { rows } = await q.query<ClearanceRow>("SELECT credit_code, certificate_number, cleared_on FROM clearances WHERE credit_code = $1", [creditCode]);
  if (rows.length === 0) return notCleared(creditCode);
  return { creditCode, cleared: true, certificateNumber: rows[0].certificate_number, clearedOn: rows[0].cleared_on };
}

/** What a clearance changed (restored when it is revoked). */
export interface ClearanceEffects {
  previousStatus: string;
  previousStatusReason: string;
  surrenderedGrants: string[];
  endedWithholdings: string[];
}

/** Stores a clearance with what it changed. */
export async function insertClearance(tx: Queryable, creditCode: string, certificateNumber: string, clearedOn: string, caseId: string, effects: ClearanceEffects): Promise<Clearance> {
  await tx.query(
    `INSERT INTO clearances (credit_code, certificate_number, cleared_on, case_id, previous_status, previous_status_reason, surrendered_grants, ended_withholdings)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [creditCode, certificateNumber, clearedOn, caseId, effects.previousStatus, effects.previousStatusReason, effects.surrenderedGrants, effects.endedWithholdings],
  );
  return { creditCode, cleared: true, certificateNumber, clearedOn };
}

/**
 * Takes a clearance back (in the caller's transaction, the taxpayer row locked): moves it to
 * revoked_clearances and answers what it had changed; undefined when the enterprise holds no
 * clearance with that certificate.
 */
export async function removeClearance(tx: Queryable, creditCode: string, certificateNumber: string, reason: string): Promise<ClearanceEffects | undefined> {
  const { rows } = await tx.query<{ previous_status: string | null; previous_status_reason: string | null; surrendered_grants: string[]; ended_withholdings: string[] }>(
    `WITH gone AS (DELETE FROM clearances WHERE credit_code = $1 AND certificate_number = $2 RETURNING *),
     kept AS (INSERT INTO revoked_clearances (certificate_number, credit_code, cleared_on, case_id, cleared_at, reason)
              SELECT certificate_number, credit_code, cleared_on, case_id, cleared_at, $3 FROM gone)
     SELECT previous_status, previous_status_reason, surrendered_grants, ended_withholdings FROM gone`,
    [creditCode, certificateNumber, reason],
  );
  if (rows.length === 0) return undefined;
  const r = rows[0];
  // Clearances stored before their effects were recorded were of active taxpayers.
  return { previousStatus: r.previous_status ?? "TAXPAYER_STATUS_ACTIVE", previousStatusReason: r.previous_status_reason ?? "", surrenderedGrants: r.surrendered_grants, endedWithholdings: r.ended_withholdings };
}

/** Whether a certificate was of a clearance since revoked. */
export async function wasRevoked(q: Queryable, creditCode: string, certificateNumber: string): Promise<boolean> {
  const { rows } = await q.query("SELECT 1 FROM revoked_clearances WHERE certificate_number = $1 AND credit_code = $2", [certificateNumber, creditCode]);
  return rows.length === 1;
}
