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

/** Stores a clearance. */
export async function insertClearance(tx: Queryable, creditCode: string, certificateNumber: string, clearedOn: string, caseId: string): Promise<Clearance> {
  await tx.query("INSERT INTO clearances (credit_code, certificate_number, cleared_on, case_id) VALUES ($1, $2, $3, $4)", [
    creditCode,
    certificateNumber,
    clearedOn,
    caseId,
  ]);
  return { creditCode, cleared: true, certificateNumber, clearedOn };
}
