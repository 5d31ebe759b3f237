/** Registered enterprises in market regulation's schema. */
import { readFor, type DataUse } from "../common/data-use-log";
import type { DeferringQueryable, Queryable } from "../common/db/database";
import { notFound } from "../common/errors";
import { EnterpriseStatus, type Enterprise, type EnterpriseType, type Investor } from "../../proto/gen/tongban/registration/v1/registration";
import { findScope, toBusinessScope } from "./rules/scopes";

interface EnterpriseRow {
  credit_code: string;
  name: string;
  enterprise_type: EnterpriseType;
  region_code: string;
  registered_capital: string;
  address: string;
  business_scope_codes: string[];
  legal_representative_id_number: string;
  legal_representative_name: string;
  investors: Investor[];
  status: EnterpriseStatus;
  licence_number: string;
  established_on: string;
  reservation_id: string;
  updated_at: Date;
}

const COLUMNS = "*, established_on::text AS established_on";

function toEnterprise(r: EnterpriseRow): Enterprise {
  return {
    creditCode: r.credit_code,
    name: r.name,
    enterpriseType: r.enterprise_type,
    regionCode: r.region_code,
    registeredCapital: r.registered_capital,
    address: r.address,
    businessScope: r.business_scope_codes.map((c) => toBusinessScope(findScope(c)!)),
    legalRepresentativeIdNumber: r.legal_representative_id_number,
    legalRepresentativeName: r.legal_representative_name,
    investors: r.investors,
    status: r.status,
    licenceNumber: r.licence_number,
    establishedOn: r.established_on,
    updatedAt: new Date(r.updated_at).toISOString(),
    reservationId: r.reservation_id,
  };
}

/** An enterprise by credit code; NOT_FOUND when unknown. */
/** An enterprise for `use` (another department's read, recorded in the same statement), or NOT_FOUND. */
export async function readEnterprise(q: Queryable, creditCode: string, use: DataUse | undefined): Promise<Enterprise> {
  const rows = await readFor<EnterpriseRow>(q, `SELECT ${COLUMNS} FROM enterprises WHERE credit_code = $1`, [creditCode], use);
  if (rows.length === 0) throw notFound("enterprise", creditCode);
  return toEnterprise(rows[0]);
}

export async function loadEnterprise(q: Queryable, creditCode: string, lock = false): Promise<Enterprise> {
  const { rows } = await q.query<EnterpriseRow>(`SELECT ${COLUMNS} FROM enterprises WHERE credit_code = $1${lock ? " FOR UPDATE" : ""}`, [creditCode]);
  if (rows.length === 0) throw notFound("enterprise", creditCode);
  return toEnterprise(rows[0]);
}

/** An enterprise with the types of its live (filed, not withdrawn) seals; NOT_FOUND when unknown. */
export async function loadEnterpriseWithSeals(q: Queryable, creditCode: string): Promise<{ enterprise: Enterprise; liveSealTypes: string[] }> {
  const { rows } = await q.query<EnterpriseRow & { live_seal_types: string[] | null }>(
    `SELECT ${COLUMNS}, (SELECT array_agg(s.seal_type) FROM seals s WHERE s.credit_code = enterprises.credit_code AND s.active) AS live_seal_types
     FROM enterprises WHERE credit_code = $1`,
    [creditCode],
  );
  if (rows.length === 0) throw notFound("enterprise", creditCode);
  return { enterprise: toEnterprise(rows[0]), liveSealTypes: rows[0].live_seal_types ?? [] };
}

/**
 * Stores a newly registered enterprise with the transaction's COMMIT (its credit code taken fails
 * the transaction), and returns it as stored.
 */
export function insertEnterprise(tx: DeferringQueryable, e: Enterprise, caseId: string, now = new Date()): Enterprise {
  tx.atCommit(
    `INSERT INTO enterprises (credit_code, name, enterprise_type, region_code, registered_capital, address, business_scope_codes,
       legal_representative_id_number, legal_representative_name, investors, status, licence_number, established_on, reservation_id, case_id, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
    [
      e.creditCode,
      e.name,
      e.enterpriseType,
      e.regionCode,
      e.registeredCapital,
      e.address,
      e.businessScope.map((s) => s.code),
      e.legalRepresentativeIdNumber,
      e.legalRepresentativeName,
      JSON.stringify(e.investors),
      e.status,
      e.licenceNumber,
      e.establishedOn,
      e.reservationId,
      caseId,
      now,
    ],
  );
  return { ...e, businessScope: e.businessScope.map((s) => toBusinessScope(findScope(s.code)!)), updatedAt: now.toISOString() };
}

export interface EnterpriseUpdate {
  address?: string;
  businessScopeCodes?: string[];
  legalRepresentativeIdNumber?: string;
  legalRepresentativeName?: string;
  licenceNumber?: string;
  status?: EnterpriseStatus;
}

/** Applies an update and returns the enterprise as it now is. */
export async function updateEnterprise(tx: Queryable, creditCode: string, u: EnterpriseUpdate): Promise<Enterprise> {
  await tx.query(
    `UPDATE enterprises SET
       address = COALESCE($2, address),
       business_scope_codes = COALESCE($3, business_scope_codes),
       legal_representative_id_number = COALESCE($4, legal_representative_id_number),
       legal_representative_name = COALESCE($5, legal_representative_name),
       licence_number = COALESCE($6, licence_number),
       status = COALESCE($7, status),
       updated_at = now()
     WHERE credit_code = $1`,
    [
      creditCode,
      u.address ?? null,
      u.businessScopeCodes ?? null,
      u.legalRepresentativeIdNumber ?? null,
      u.legalRepresentativeName ?? null,
      u.licenceNumber ?? null,
      u.status ?? null,
    ],
  );
  return loadEnterprise(tx, creditCode);
}

/** Whether the enterprise is active (for refusing changes to closed ones). */
export function isActive(e: Enterprise): boolean {
  return e.status === EnterpriseStatus.ENTERPRISE_STATUS_ACTIVE;
}
