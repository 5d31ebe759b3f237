/** Employers registered for social insurance (单位参保登记): SQL of the employers table. */
import { readFor, type DataUse } from "../common/data-use-log";
import type { DeferringQueryable, FirstRun, Queryable, QueryResult, Statement } from "../common/db/database";
import { failedPrecondition, notFound } from "../common/errors";
import { hashRequest, previousResult } from "../common/idempotency";
import { EmployerStatus, type Employer } from "../../proto/gen/tongban/social_insurance/v1/social_insurance";

/** A row of the employers table. */
export interface EmployerRow {
  credit_code: string;
  name: string;
  si_number: string;
  region_code: string;
  region: string;
  address: string;
  work_injury_risk_class: number;
  risk_class_source: "requested" | "derived";
  status: EmployerStatus;
  status_reason: string;
  registration_licence_number: string;
  registered_at: Date;
  updated_at: Date;
}

const STATUS_ZH: Record<string, string> = {
  [EmployerStatus.EMPLOYER_STATUS_ACTIVE]: "正常参保",
  [EmployerStatus.EMPLOYER_STATUS_CANCELLED]: "已撤销",
  [EmployerStatus.EMPLOYER_STATUS_CLEARED]: "已清算",
};

/** The proto Employer of a row. */
export function toEmployer(r: EmployerRow): Employer {
  return {
    creditCode: r.credit_code,
    name: r.name,
    siNumber: r.si_number,
    regionCode: r.region_code,
    address: r.address,
    workInjuryRiskClass: r.work_injury_risk_class,
    status: r.status,
    registrationLicenceNumber: r.registration_licence_number,
    registeredAt: new Date(r.registered_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}

/** The employer's row, optionally locked; undefined when never registered. */
export async function findEmployer(q: Queryable, creditCode: string, lock: "" | "update" = ""): Promise<EmployerRow | undefined> {
  const { rows } = await q.query<EmployerRow>(`SELECT * FROM employers WHERE credit_code = $1${lock === "update" ? " FOR UPDATE" : ""}`, [creditCode]);
  return rows[0];
}

/**
 * The statement that reads and share-locks an employer's row for an enrolment, sent with the
 * enrolment's key claim (`once`'s `read`: one round trip fewer): a clearance, which locks the row
 * for update, cannot slip in between.
 */
export function shareLockEmployer(creditCode: string): Statement {
  return { sql: "SELECT * FROM employers WHERE credit_code = $1 FOR SHARE", params: [creditCode] };
}

/** The row `shareLockEmployer` read, if any. */
export function lockedEmployer(read: QueryResult<Record<string, unknown>>): EmployerRow | undefined {
  return read.rows[0] as unknown as EmployerRow | undefined;
}

/** The employer for `use` (another department's read, recorded in the same statement), or NOT_FOUND. */
export async function readEmployer(q: Queryable, creditCode: string, use: DataUse | undefined): Promise<Employer> {
  const [row] = await readFor<EmployerRow>(q, "SELECT * FROM employers WHERE credit_code = $1", [creditCode], use);
  if (!row) throw notFound("employer", creditCode);
  return toEmployer(row);
}

/** FAILED_PRECONDITION ALREADY_REGISTERED for an employer already active. */
export function alreadyRegistered(row: Pick<EmployerRow, "credit_code" | "si_number">) {
  return failedPrecondition(
    "ALREADY_REGISTERED",
    `单位 ${row.credit_code} 已办理社会保险登记，单位社保编号 ${row.si_number} (the employer is already registered)`,
  );
}

/** The employer row when it may take new employees; FAILED_PRECONDITION otherwise. */
export function requireActiveEmployer(row: EmployerRow | undefined, creditCode: string): EmployerRow {
  if (!row) {
    throw failedPrecondition("EMPLOYER_NOT_REGISTERED", `单位 ${creditCode} 未办理社会保险登记 (the employer is not registered for social insurance)`);
  }
  if (row.status !== EmployerStatus.EMPLOYER_STATUS_ACTIVE) {
    throw failedPrecondition(
      "EMPLOYER_NOT_ACTIVE",
      `单位 ${creditCode} 的社会保险登记状态为${STATUS_ZH[row.status] ?? row.status} (the employer's registration is not active)`,
    );
  }
  return row;
}

/** What RegisterEmployer pins to its idempotency key before the licence is issued. */
export interface PinnedRegistration {
  siNumber: string;
  /** YYYY-MM-DD, China time. */
  registeredOn: string;
}

const SI_SEQUENCE_MAX = 99_999_999;

/**
 * Pins the 单位社保编号 and registration date to (scope, key), once: the employer's own number
 * when it was registered before (a re-registration keeps it), else the next of `region`'s
 * sequence, `region` followed by 8 digits.
 *
 * One statement, committed on its own: the region's counter row is locked only while that
 * statement runs and commits. Drawn inside a transaction, the lock lasted until the service's
 * next round trip (its COMMIT), and every registration of the region queued behind it — 90 ms a
 * draw with 64 bundles at once, the whole hub's pace. A retry answers the pinned value without
 * drawing (IDEMPOTENCY_KEY_REUSED for another request); two calls racing with one key may both
 * draw, and the loser's number is then never used (a gap, as a sequence leaves; numbers stay
 * distinct; PGlite runs one statement at a time and never races). Throws when the region's
 * sequence is exhausted, leaving its counter where it was.
 */
export async function pinSiNumber(
  db: Queryable,
  scope: string,
  key: string,
  request: unknown,
  pin: { creditCode: string; region: string; registeredOn: string },
): Promise<PinnedRegistration> {
  const { rows } = await db.query<{ response: PinnedRegistration }>(
    `WITH earlier AS (SELECT si_number FROM employers WHERE credit_code = $5),
     fresh AS (
       SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM earlier)
         AND NOT EXISTS (SELECT 1 FROM idempotency_keys WHERE scope = $1 AND key = $2)),
     drawn AS (
       INSERT INTO si_number_sequences (region, last_value) SELECT $6, 1 FROM fresh
       ON CONFLICT (region) DO UPDATE SET last_value = si_number_sequences.last_value + 1
         WHERE si_number_sequences.last_value < ${SI_SEQUENCE_MAX}
       RETURNING last_value),
     pinned AS (
       SELECT COALESCE((SELECT si_number FROM earlier), (SELECT $6 || lpad(last_value::text, 8, '0') FROM drawn)) AS si_number),
     claimed AS (
       INSERT INTO idempotency_keys (scope, key, request_hash, response)
       SELECT $1, $2, $3, jsonb_build_object('siNumber', si_number, 'registeredOn', $4::text) FROM pinned WHERE si_number IS NOT NULL
       ON CONFLICT DO NOTHING RETURNING response)
     SELECT response FROM claimed`,
    [scope, key, hashRequest(request), pin.registeredOn, pin.creditCode, pin.region],
  );
  if (rows[0]) return rows[0].response;
  // Pinned before (a retry, or a racing call with the same key that committed first).
  const earlier = await previousResult<PinnedRegistration>(db, scope, key, request);
  if (earlier) return earlier;
  throw new Error(`the 单位社保编号 sequence of region ${pin.region} is exhausted`);
}

/** A registration to record, with the facts read from identity and the pinned number. */
export interface Registration {
  creditCode: string;
  name: string;
  siNumber: string;
  regionCode: string;
  region: string;
  address: string;
  riskClass: number;
  riskClassSource: "requested" | "derived";
  licenceNumber: string;
  registeredOn: string;
  caseId: string;
}

/** A registration's row values, as employerInsert and the re-activation below take them. */
function employerValues(r: Registration): unknown[] {
  return [
    r.creditCode, r.name, r.siNumber, r.regionCode, r.region, r.address, r.riskClass, r.riskClassSource,
    EmployerStatus.EMPLOYER_STATUS_ACTIVE, r.licenceNumber, r.registeredOn, r.caseId,
  ];
}

/**
 * The insert of a new employer, nearly always the whole registration: no row when the code is met
 * (never an error), so it can travel with the registration's key claim (`once`'s reads).
 */
export function employerInsert(r: Registration): Statement {
  return {
    sql: `INSERT INTO employers (credit_code, name, si_number, region_code, region, address, work_injury_risk_class,
       risk_class_source, status, registration_licence_number, registered_on, case_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (credit_code) DO NOTHING RETURNING *`,
    params: employerValues(r),
  };
}

/**
 * Records a registration: a new employer, or one whose earlier registration was cancelled or
 * cleared becoming active again (its clearance then no longer holds). An employer already active
 * (a concurrent registration won) is refused with ALREADY_REGISTERED. `first` is employerInsert(r)
 * as the transaction already ran it (with the registration's key claim).
 */
export async function activateEmployer(tx: DeferringQueryable, r: Registration, first: FirstRun): Promise<Employer> {
  const values = first.statement.params ?? [];
  // A new employer (nearly always) is one insert; one met there is locked and judged.
  let rows = first.result.rows as unknown as EmployerRow[];
  if (rows.length === 0) {
    const existing = await findEmployer(tx, r.creditCode, "update");
    if (!existing || existing.status === EmployerStatus.EMPLOYER_STATUS_ACTIVE) throw alreadyRegistered(existing ?? { credit_code: r.creditCode, si_number: r.siNumber });
    ({ rows } = await tx.query<EmployerRow>(
      `UPDATE employers SET name = $2, si_number = $3, region_code = $4, region = $5, address = $6,
         work_injury_risk_class = $7, risk_class_source = $8, status = $9, registration_licence_number = $10,
         registered_on = $11, case_id = $12, status_reason = '', registered_at = now(), updated_at = now()
       WHERE credit_code = $1 RETURNING *`,
      values,
    ));
  }
  // A clearance given before this registration no longer holds; nothing here needs the rows.
  tx.atCommit("UPDATE clearances SET voided_at = now() WHERE credit_code = $1 AND voided_at IS NULL", [r.creditCode]);
  return toEmployer(rows[0]);
}
