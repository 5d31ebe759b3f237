/** The taxpayer register (纳税人), in the tax schema. */
import { readFor, type DataUse } from "../common/data-use-log";
import type { Database, DeferringQueryable, FirstRun, Queryable, Statement } from "../common/db/database";
import { once } from "../common/idempotency";
import { failedPrecondition, notFound } from "../common/errors";
import { TaxpayerStatus, type Taxpayer, type TaxpayerType } from "../../proto/gen/tongban/tax/v1/tax";
import { assertRegistrable, requireActiveTaxpayer } from "./rules/taxpayer-status";

/** A row of the taxpayers table. */
export interface TaxpayerRow {
  credit_code: string;
  name: string;
  enterprise_type: string;
  region_code: string;
  scope_codes: string[];
  taxpayer_type: TaxpayerType;
  tax_types: string[];
  tax_authority: string;
  address: string;
  legal_representative_name: string;
  status: TaxpayerStatus;
  status_reason: string;
  registration_licence_number: string;
  registered_at: Date;
  updated_at: Date;
}

/** The API form of a stored taxpayer. */
export function toTaxpayer(r: TaxpayerRow): Taxpayer {
  return {
    creditCode: r.credit_code,
    name: r.name,
    taxpayerType: r.taxpayer_type,
    taxTypes: r.tax_types,
    taxAuthority: r.tax_authority,
    address: r.address,
    legalRepresentativeName: r.legal_representative_name,
    status: r.status,
    registrationLicenceNumber: r.registration_licence_number,
    registeredAt: new Date(r.registered_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}

/** A taxpayer's row, or undefined; `lock` holds it until the transaction ends. */
export async function findTaxpayer(q: Queryable, creditCode: string, lock = false): Promise<TaxpayerRow | undefined> {
  const { rows } = await q.query<TaxpayerRow>(`SELECT * FROM taxpayers WHERE credit_code = $1${lock ? " FOR UPDATE" : ""}`, [creditCode]);
  return rows[0];
}

/** A taxpayer's row for `use` (another department's read, recorded in the same statement), or NOT_FOUND. */
export async function readTaxpayer(q: Queryable, creditCode: string, use: DataUse | undefined): Promise<TaxpayerRow> {
  const [row] = await readFor<TaxpayerRow>(q, "SELECT * FROM taxpayers WHERE credit_code = $1", [creditCode], use);
  if (!row) throw notFound("taxpayer", creditCode);
  return row;
}

/**
 * `once` for a keyed change of one taxpayer: its row is read and locked (FOR UPDATE) with the key's
 * claim, one round trip fewer, and `change` gets it (NOT_FOUND when there is none). The row lock
 * orders the change against a clearance, a liability or a grant of the same taxpayer.
 */
export function onceForTaxpayer<T>(
  db: Database,
  scope: string,
  key: string,
  request: unknown,
  creditCode: string,
  change: (tx: DeferringQueryable, taxpayer: TaxpayerRow) => Promise<T>,
): Promise<T> {
  return once(
    db,
    scope,
    key,
    request,
    (tx, [locked]) => {
      const row = locked.rows[0] as unknown as TaxpayerRow | undefined;
      if (!row) throw notFound("taxpayer", creditCode);
      return change(tx, row);
    },
    [{ sql: "SELECT * FROM taxpayers WHERE credit_code = $1 FOR UPDATE", params: [creditCode] }],
  );
}

/** As onceForTaxpayer, refusing the change unless the taxpayer is active (requireActiveTaxpayer). */
export function onceForActiveTaxpayer<T>(
  db: Database,
  scope: string,
  key: string,
  request: unknown,
  creditCode: string,
  change: (tx: DeferringQueryable, taxpayer: TaxpayerRow) => Promise<T>,
): Promise<T> {
  return onceForTaxpayer(db, scope, key, request, creditCode, (tx, taxpayer) => {
    requireActiveTaxpayer(creditCode, taxpayer.status);
    return change(tx, taxpayer);
  });
}

/** A taxpayer's row, or NOT_FOUND. */
export async function loadTaxpayer(q: Queryable, creditCode: string): Promise<TaxpayerRow> {
  const row = await findTaxpayer(q, creditCode);
  if (!row) throw notFound("taxpayer", creditCode);
  return row;
}

/** A taxpayer about to be registered, from the registries and the rules. */
export interface NewTaxpayer {
  creditCode: string;
  name: string;
  enterpriseType: string;
  regionCode: string;
  scopeCodes: string[];
  taxpayerType: TaxpayerType;
  taxTypes: string[];
  taxAuthority: string;
  address: string;
  legalRepresentativeName: string;
  expectedAnnualSales: string;
  registrationLicenceNumber: string;
  caseId: string;
}

/** A new taxpayer's row values, as taxpayerInsert and the re-registration below take them. */
function taxpayerValues(n: NewTaxpayer): unknown[] {
  return [
    n.creditCode, n.name, n.enterpriseType, n.regionCode, JSON.stringify(n.scopeCodes), n.taxpayerType, JSON.stringify(n.taxTypes),
    n.taxAuthority, n.address, n.legalRepresentativeName, n.expectedAnnualSales, TaxpayerStatus.TAXPAYER_STATUS_ACTIVE,
    n.registrationLicenceNumber, n.caseId,
  ];
}

/**
 * The insert of a new taxpayer, nearly always the whole registration: no row when the code is met
 * (never an error), so it can travel with the registration's key claim (`once`'s reads).
 */
export function taxpayerInsert(n: NewTaxpayer): Statement {
  return {
    sql: `INSERT INTO taxpayers (credit_code, name, enterprise_type, region_code, scope_codes, taxpayer_type, tax_types,
       tax_authority, address, legal_representative_name, expected_annual_sales, status, registration_licence_number, case_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
     ON CONFLICT DO NOTHING RETURNING *`,
    params: taxpayerValues(n),
  };
}

/**
 * Registers a taxpayer inside the caller's transaction: `first` is taxpayerInsert(n) as the
 * transaction already ran it (with the registration's key claim). A cancelled earlier registration is
 * replaced; an active or cleared one refuses (checked again here, under the row lock, because the
 * caller's first check ran before its calls to other services).
 */
export async function registerTaxpayer(tx: Queryable, n: NewTaxpayer, first: FirstRun): Promise<Taxpayer> {
  // A new taxpayer (nearly always) is one insert; a code met there is locked and judged.
  const { rows: fresh } = first.result;
  if (fresh.length === 1) return toTaxpayer(fresh[0] as unknown as TaxpayerRow);
  const existing = await findTaxpayer(tx, n.creditCode, true);
  assertRegistrable(n.creditCode, existing?.status);
  const { rows } = await tx.query<TaxpayerRow>(
    `UPDATE taxpayers SET name = $2, enterprise_type = $3, region_code = $4, scope_codes = $5, taxpayer_type = $6, tax_types = $7,
       tax_authority = $8, address = $9, legal_representative_name = $10, expected_annual_sales = $11, status = $12,
       status_reason = '', registration_licence_number = $13, case_id = $14, registered_at = now(), updated_at = now()
     WHERE credit_code = $1 RETURNING *`,
    first.statement.params,
  );
  if (rows.length === 0) throw failedPrecondition("ALREADY_REGISTERED", `${n.creditCode} 已办理税务登记 (the taxpayer is already registered)`);
  return toTaxpayer(rows[0]);
}

/** Moves a taxpayer to a new status with its reason. */
export async function setTaxpayerStatus(tx: Queryable, creditCode: string, status: TaxpayerStatus, reason: string): Promise<Taxpayer> {
  const { rows } = await tx.query<TaxpayerRow>(
    "UPDATE taxpayers SET status = $2, status_reason = $3, updated_at = now() WHERE credit_code = $1 RETURNING *",
    [creditCode, status, reason],
  );
  return toTaxpayer(rows[0]);
}
