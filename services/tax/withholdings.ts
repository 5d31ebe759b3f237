/** Withholding registrations (个税扣缴登记): which employer withholds whose individual income tax. */
import crypto from "node:crypto";
import type { Queryable } from "../common/db/database";
import { failedPrecondition, notFound } from "../common/errors";
import { GrantStatus, type TaxpayerStatus, type WithholdingRegistration } from "../../proto/gen/tongban/tax/v1/tax";
import { requireActiveTaxpayer } from "./rules/taxpayer-status";

interface WithholdingRow {
  registration_id: string;
  employer_credit_code: string;
  employee_id_number: string;
  employee_name: string;
  employment_start: string;
  status: GrantStatus;
  registered_at: Date;
}

function toRegistration(r: WithholdingRow): WithholdingRegistration {
  return {
    registrationId: r.registration_id,
    employerCreditCode: r.employer_credit_code,
    employeeIdNumber: r.employee_id_number,
    employeeName: r.employee_name,
    employmentStart: r.employment_start,
    status: r.status,
    registeredAt: new Date(r.registered_at).toISOString(),
  };
}

function alreadyWithholding(employer: string): Error {
  return failedPrecondition("ALREADY_WITHHOLDING", `该员工已由 ${employer} 办理扣缴登记 (the employer already withholds for this employee)`);
}

/**
 * The local facts a withholding registration is refused on, in one read: the employer's taxpayer
 * status (NOT_FOUND when it is no taxpayer, TAXPAYER_NOT_ACTIVE when not active), then ALREADY_WITHHOLDING
 * when the employer already withholds for the employee. Asked before the employee's record is read
 * elsewhere.
 */
export async function refuseWithholdingOnLocalFacts(q: Queryable, employer: string, employeeIdNumber: string): Promise<void> {
  const { rows } = await q.query<{ status: TaxpayerStatus; withholding: boolean }>(
    `SELECT t.status, EXISTS (SELECT 1 FROM withholding_registrations w
       WHERE w.employer_credit_code = t.credit_code AND w.employee_id_number = $2 AND w.status = $3) AS withholding
     FROM taxpayers t WHERE t.credit_code = $1`,
    [employer, employeeIdNumber, GrantStatus.GRANT_STATUS_ACTIVE],
  );
  if (rows.length === 0) throw notFound("taxpayer", employer);
  requireActiveTaxpayer(employer, rows[0].status);
  if (rows[0].withholding) throw alreadyWithholding(employer);
}

/** A withholding registration about to be stored (the employee's name is from identity). */
export interface NewWithholding {
  employerCreditCode: string;
  employeeIdNumber: string;
  employeeName: string;
  employmentStart: string;
  caseId: string;
}

/** Stores an active registration; ALREADY_WITHHOLDING when one is active (the unique index decides, races too). */
export async function insertWithholding(tx: Queryable, n: NewWithholding): Promise<WithholdingRegistration> {
  const { rows } = await tx.query<WithholdingRow>(
    `INSERT INTO withholding_registrations (registration_id, employer_credit_code, employee_id_number, employee_name, employment_start, status, case_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING *`,
    [`WH-${crypto.randomUUID()}`, n.employerCreditCode, n.employeeIdNumber, n.employeeName, n.employmentStart, GrantStatus.GRANT_STATUS_ACTIVE, n.caseId],
  );
  if (rows.length === 0) throw alreadyWithholding(n.employerCreditCode);
  return toRegistration(rows[0]);
}

/** Ends one registration; ending an ended one returns it unchanged; NOT_FOUND when unknown. */
export async function cancelWithholding(tx: Queryable, registrationId: string, reason: string): Promise<WithholdingRegistration> {
  const { rows } = await tx.query<WithholdingRow>(
    `UPDATE withholding_registrations SET status = $2, status_reason = $3, ended_at = now()
     WHERE registration_id = $1 AND status = $4 RETURNING *`,
    [registrationId, GrantStatus.GRANT_STATUS_WITHDRAWN, reason, GrantStatus.GRANT_STATUS_ACTIVE],
  );
  if (rows.length === 1) return toRegistration(rows[0]);
  const { rows: existing } = await tx.query<WithholdingRow>("SELECT * FROM withholding_registrations WHERE registration_id = $1", [registrationId]);
  if (existing.length === 0) throw notFound("withholding registration", registrationId);
  return toRegistration(existing[0]);
}

/** Ends every active registration of an employer (cancellation, clearance); returns the ids ended. */
export async function endWithholdingsOf(tx: Queryable, employer: string, reason: string): Promise<string[]> {
  const { rows } = await tx.query<{ registration_id: string }>(
    "UPDATE withholding_registrations SET status = $2, status_reason = $3, ended_at = now() WHERE employer_credit_code = $1 AND status = $4 RETURNING registration_id",
    [employer, GrantStatus.GRANT_STATUS_WITHDRAWN, reason, GrantStatus.GRANT_STATUS_ACTIVE],
  );
  return rows.map((r) => r.registration_id);
}

/** Makes registrations ended by a revoked clearance active again (those still ended); returns how many. */
export async function reinstateWithholdings(tx: Queryable, registrationIds: string[]): Promise<number> {
  if (registrationIds.length === 0) return 0;
  const r = await tx.query(
    "UPDATE withholding_registrations SET status = $2, status_reason = '', ended_at = NULL WHERE registration_id = ANY ($1) AND status = $3",
    [registrationIds, GrantStatus.GRANT_STATUS_ACTIVE, GrantStatus.GRANT_STATUS_WITHDRAWN],
  );
  return r.rowCount;
}
