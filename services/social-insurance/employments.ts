/** Insured employments (人员参保): enrolment, end, and the reads behind statements and certificates. */
import crypto from "node:crypto";
import type { Queryable } from "../common/db/database";
import { failedPrecondition, invalidArgument, notFound } from "../common/errors";
import { EmploymentStatus, type Employment } from "../../proto/gen/tongban/social_insurance/v1/social_insurance";
import { requireActiveEmployer, type EmployerRow } from "./employers";
import { clamp, formatYuan } from "./rules/money";
import { monthBounds, type Period } from "./rules/periods";
import { regionRates } from "./rules/pooling-regions";
import type { InsuredEmployee } from "./rules/contributions";

interface EmploymentRow {
  employment_id: string;
  employer_credit_code: string;
  id_number: string;
  name: string;
  region: string;
  monthly_wage_fen: string;
  contribution_base_fen: string;
  start_date: string;
  end_date: string | null;
  status: EmploymentStatus;
}

// Dates and fen as text: both drivers then hand back the same strings (no Date, no bigint parsing).
const COLUMNS = `employment_id, employer_credit_code, id_number, name, region, monthly_wage_fen::text AS monthly_wage_fen,
  contribution_base_fen::text AS contribution_base_fen, start_date::text AS start_date, end_date::text AS end_date, status`;

const ACTIVE = EmploymentStatus.EMPLOYMENT_STATUS_ACTIVE;
const ENDED = EmploymentStatus.EMPLOYMENT_STATUS_ENDED;

function toEmployment(r: EmploymentRow): Employment {
  return {
    employmentId: r.employment_id,
    employerCreditCode: r.employer_credit_code,
    idNumber: r.id_number,
    name: r.name,
    region: r.region,
    monthlyWage: formatYuan(BigInt(r.monthly_wage_fen)),
    contributionBase: formatYuan(BigInt(r.contribution_base_fen)),
    startDate: r.start_date,
    endDate: r.end_date ?? "",
    status: r.status,
  };
}

function alreadyInsured(region: string) {
  const { name } = regionRates(region);
  return failedPrecondition(
    "ALREADY_INSURED_IN_REGION",
    `该人员已在本统筹区参保 (${name} ${region}: the person already has an active insured employment in this pooling region)`,
  );
}

/** An enrolment to record; the name comes from the population registry. */
export interface Enrolment {
  employerCreditCode: string;
  idNumber: string;
  name: string;
  wageFen: bigint;
  startDate: string;
  caseId: string;
}

/**
 * Enrols an employee with an active employer: `employerRow` is the employer as this transaction
 * read and share-locked it (shareLockEmployer), so a clearance cannot slip in between. The base is
 * the wage held within the region's floor and ceiling. A second active employment in the region is
 * refused, and under a race the partial unique index decides.
 */
export async function enrol(tx: Queryable, e: Enrolment, employerRow: EmployerRow | undefined): Promise<Employment> {
  const employer = requireActiveEmployer(employerRow, e.employerCreditCode);
  const rates = regionRates(employer.region);
  const baseFen = clamp(e.wageFen, rates.baseFloorFen, rates.baseCeilingFen);
  // One active employment per person and region: the unique index decides, also between two
  // enrolments racing.
  const { rows } = await tx.query<EmploymentRow>(
    `INSERT INTO employments (employment_id, employer_credit_code, id_number, name, region, monthly_wage_fen,
       contribution_base_fen, start_date, status, case_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING RETURNING ${COLUMNS}`,
    [crypto.randomUUID(), e.employerCreditCode, e.idNumber, e.name, employer.region, String(e.wageFen), String(baseFen), e.startDate, ACTIVE, e.caseId],
  );
  if (rows.length === 0) throw alreadyInsured(employer.region);
  return toEmployment(rows[0]);
}

/**
 * Ends an employment. Ending an ended one returns it unchanged (it is also the compensation of
 * EnrolEmployee). Without an end date it ends today, or on its start day if it has not begun yet;
 * an end date lies between the start date and that default.
 */
export async function endEmployment(tx: Queryable, employmentId: string, endDate: string, reason: string, today: string): Promise<Employment> {
  const { rows } = await tx.query<EmploymentRow>(`SELECT ${COLUMNS} FROM employments WHERE employment_id = $1 FOR UPDATE`, [employmentId]);
  if (rows.length === 0) throw notFound("employment", employmentId);
  const current = rows[0];
  if (current.status !== ACTIVE) return toEmployment(current);
  // An end date ahead would free the region for a second, overlapping employment.
  const latest = today < current.start_date ? current.start_date : today;
  const last = endDate || latest;
  if (last < current.start_date) throw invalidArgument("end_date", `must not be before the start date ${current.start_date}`);
  if (last > latest) throw invalidArgument("end_date", `must not be later than ${latest}`);
  const { rows: ended } = await tx.query<EmploymentRow>(
    `UPDATE employments SET status = $2, end_date = $3, end_reason = $4, updated_at = now()
     WHERE employment_id = $1 RETURNING ${COLUMNS}`,
    [employmentId, ENDED, last, reason],
  );
  return toEmployment(ended[0]);
}

/** Ends every active employment of an employer (its registration is closing); returns how many. */
export async function endActiveEmployments(tx: Queryable, creditCode: string, reason: string, today: string): Promise<number> {
  const r = await tx.query(
    `UPDATE employments SET status = $2, end_date = GREATEST(start_date, $3::date), end_reason = $4, updated_at = now()
     WHERE employer_credit_code = $1 AND status = $5`,
    [creditCode, ENDED, today, reason, ACTIVE],
  );
  return r.rowCount;
}

/** How many employees the employer has insured now. */
export async function countActive(q: Queryable, creditCode: string): Promise<number> {
  const { rows } = await q.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM employments WHERE employer_credit_code = $1 AND status = $2",
    [creditCode, ACTIVE],
  );
  return rows[0].n;
}

/** Employees insured with the employer for at least one day of the month, by start date. */
export async function insuredDuring(q: Queryable, creditCode: string, month: string): Promise<InsuredEmployee[]> {
  const { first, last } = monthBounds(month);
  const { rows } = await q.query<{ id_number: string; name: string; base: string }>(
    `SELECT id_number, name, contribution_base_fen::text AS base FROM employments
     WHERE employer_credit_code = $1 AND start_date <= $3::date AND (end_date IS NULL OR end_date >= $2::date)
     ORDER BY start_date, id_number, employment_id`,
    [creditCode, first, last],
  );
  return rows.map((r) => ({ idNumber: r.id_number, name: r.name, baseFen: BigInt(r.base) }));
}

/** A person's insured periods with the employer's name, latest start first. */
export async function historyOf(q: Queryable, idNumber: string): Promise<Array<Period & { employer: string; active: boolean }>> {
  const { rows } = await q.query<{ start_date: string; end_date: string | null; employer: string; status: string }>(
    `SELECT m.start_date::text AS start_date, m.end_date::text AS end_date, e.name AS employer, m.status
     FROM employments m JOIN employers e ON e.credit_code = m.employer_credit_code
     WHERE m.id_number = $1 ORDER BY m.start_date DESC, m.created_at DESC`,
    [idNumber],
  );
  return rows.map((r) => ({ start: r.start_date, end: r.end_date ?? "", employer: r.employer, active: r.status === ACTIVE }));
}
