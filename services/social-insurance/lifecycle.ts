/** The end of an employer's registration: cancellation, deregistration and clearance (清算/注销). */
import type { Queryable } from "../common/db/database";
import { failedPrecondition, notFound } from "../common/errors";
import { EmployerStatus, type Employer, type EmployerClearance } from "../../proto/gen/tongban/social_insurance/v1/social_insurance";
import { findEmployer, toEmployer, type EmployerRow } from "./employers";
import { countActive, endActiveEmployments } from "./employments";

/** How a registration closes. */
export interface Closing {
  /** Statuses the employer leaves; in any other it keeps its status. */
  from: EmployerStatus[];
  to: EmployerStatus;
  reason: string;
  today: string;
}

/**
 * Ends the employer's active employments (last day today, or the start day of one not begun yet)
 * and moves it to `to` when it is in one of `from`. Repeating it changes nothing more, so it is
 * safe as a compensation. NOT_FOUND when the employer was never registered.
 */
export async function closeEmployer(tx: Queryable, creditCode: string, c: Closing): Promise<{ employer: Employer; previous: EmployerStatus; ended: number }> {
  const row = await findEmployer(tx, creditCode, "update");
  if (!row) throw notFound("employer", creditCode);
  const ended = await endActiveEmployments(tx, creditCode, c.reason, c.today);
  if (!c.from.includes(row.status)) return { employer: toEmployer(row), previous: row.status, ended };
  const { rows } = await tx.query<EmployerRow>(
    "UPDATE employers SET status = $2, status_reason = $3, updated_at = now() WHERE credit_code = $1 RETURNING *",
    [creditCode, c.to, c.reason],
  );
  return { employer: toEmployer(rows[0]), previous: row.status, ended };
}

/** The employer's clearance, or `cleared: false` (an unknown employer simply has none). */
export async function clearanceOf(q: Queryable, creditCode: string): Promise<EmployerClearance> {
  const { rows } = await q.query<{ cleared_on: string }>(
    "SELECT cleared_on::text AS cleared_on FROM clearances WHERE credit_code = $1 AND voided_at IS NULL",
    [creditCode],
  );
  return rows.length === 0 ? { creditCode, cleared: false, clearedOn: "" } : { creditCode, cleared: true, clearedOn: rows[0].cleared_on };
}

/**
 * Clears an employer for deregistration: refused with ACTIVE_EMPLOYEES while anyone is insured,
 * otherwise recorded and an active registration becomes CLEARED. A standing clearance is returned
 * as it is. The employer row is locked so no enrolment commits between the count and the clearance.
 */
export async function grantClearance(tx: Queryable, creditCode: string, caseId: string, today: string): Promise<EmployerClearance> {
  const employer = await findEmployer(tx, creditCode, "update");
  const standing = await clearanceOf(tx, creditCode);
  if (standing.cleared) return standing;
  if (employer) {
    const insured = await countActive(tx, creditCode);
    if (insured > 0) {
      throw failedPrecondition(
        "ACTIVE_EMPLOYEES",
        `单位仍有 ${insured} 名在职参保人员，请先办理停保减员 (${insured} employees are still insured; end their employments first)`,
      );
    }
  }
  // What it changes is kept with it (the employer's status before), for revokeClearance.
  await tx.query(
    `INSERT INTO clearances (credit_code, cleared_on, case_id, previous_employer_status, previous_status_reason) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (credit_code) DO UPDATE SET cleared_on = EXCLUDED.cleared_on, case_id = EXCLUDED.case_id, created_at = now(), voided_at = NULL,
       void_reason = NULL, previous_employer_status = EXCLUDED.previous_employer_status, previous_status_reason = EXCLUDED.previous_status_reason`,
    [creditCode, today, caseId, employer?.status === EmployerStatus.EMPLOYER_STATUS_ACTIVE ? employer.status : null, employer?.status_reason ?? null],
  );
  if (employer?.status === EmployerStatus.EMPLOYER_STATUS_ACTIVE) {
    await tx.query("UPDATE employers SET status = $2, status_reason = $3, updated_at = now() WHERE credit_code = $1", [
      creditCode,
      EmployerStatus.EMPLOYER_STATUS_CLEARED,
      "清算 (cleared for deregistration)",
    ]);
  }
  return { creditCode, cleared: true, clearedOn: today };
}

/**
 * Revokes the employer's clearance (the compensation of an unfinished deregistration): it no
 * longer holds, and an employer it moved to CLEARED is ACTIVE again as before. Repeating it changes
 * nothing more. NOT_FOUND when the enterprise was never cleared; FAILED_PRECONDITION
 * CLEARANCE_USED when the employer has since left CLEARED (closed on it).
 */
export async function revokeClearance(tx: Queryable, creditCode: string, reason: string): Promise<EmployerClearance> {
  const employer = await findEmployer(tx, creditCode, "update");
  const { rows } = await tx.query<{ previous_employer_status: EmployerStatus | null; previous_status_reason: string | null }>(
    "SELECT previous_employer_status, previous_status_reason FROM clearances WHERE credit_code = $1 AND voided_at IS NULL FOR UPDATE",
    [creditCode],
  );
  if (rows.length === 0) {
    const { rows: any } = await tx.query("SELECT 1 FROM clearances WHERE credit_code = $1", [creditCode]);
    if (any.length === 0) throw notFound("employer clearance", creditCode);
    return { creditCode, cleared: false, clearedOn: "" };
  }
  const previous = rows[0].previous_employer_status;
  if (previous && employer && employer.status !== EmployerStatus.EMPLOYER_STATUS_CLEARED) {
    throw failedPrecondition("CLEARANCE_USED", `单位 ${creditCode} 已不是清算状态 (${employer.status})，清算不能撤销 (the clearance was used)`);
  }
  await tx.query("UPDATE clearances SET voided_at = now(), void_reason = $2 WHERE credit_code = $1", [creditCode, reason]);
  if (previous && employer) {
    await tx.query("UPDATE employers SET status = $2, status_reason = $3, updated_at = now() WHERE credit_code = $1", [creditCode, previous, rows[0].previous_status_reason ?? ""]);
  }
  return { creditCode, cleared: false, clearedOn: "" };
}
