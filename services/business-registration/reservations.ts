/** Name reservations (名称保留): declare, claim for a registration, use, cancel, expire. */
import crypto from "node:crypto";
import type { DeferringQueryable, FirstRun, Queryable, Statement } from "../common/db/database";
import { failedPrecondition, notFound } from "../common/errors";
import { ReservationStatus, type EnterpriseType, type NameReservation } from "../../proto/gen/tongban/registration/v1/registration";
import { tradeNameKey } from "./rules/names";

/** How long a declared name stays reserved (名称保留期). */
export const RESERVATION_DAYS = 30;

interface ReservationRow {
  reservation_id: string;
  full_name: string;
  region_code: string;
  name_region: string;
  trade_name: string;
  industry: string;
  organisation_form: string;
  enterprise_type: EnterpriseType;
  applicant_id_number: string;
  status: ReservationStatus;
  reserved_at: Date;
  expires_at: Date;
  claimed_by: string | null;
  credit_code: string;
}

/**
 * A reservation as readers see it: one past its term and not held by a registration is EXPIRED,
 * whether or not a later statement has marked it so yet (lapsed rows are marked only when a
 * declaration or a claim meets them).
 */
function toReservation(r: ReservationRow, now = new Date()): NameReservation {
  const lapsed = r.status === ReservationStatus.RESERVATION_STATUS_RESERVED && r.claimed_by === null && new Date(r.expires_at) < now;
  return {
    reservationId: r.reservation_id,
    fullName: r.full_name,
    regionCode: r.region_code,
    tradeName: r.trade_name,
    industry: r.industry,
    organisationForm: r.organisation_form,
    enterpriseType: r.enterprise_type,
    applicantIdNumber: r.applicant_id_number,
    status: lapsed ? ReservationStatus.RESERVATION_STATUS_EXPIRED : r.status,
    reservedAt: new Date(r.reserved_at).toISOString(),
    expiresAt: new Date(r.expires_at).toISOString(),
    creditCode: r.credit_code,
  };
}

/** Marks reservations past their term expired, so their names are free again. */
export async function expireReservations(tx: Queryable): Promise<void> {
  await tx.query("UPDATE name_reservations SET status = $1 WHERE status = $2 AND expires_at < now() AND claimed_by IS NULL", [
    ReservationStatus.RESERVATION_STATUS_EXPIRED,
    ReservationStatus.RESERVATION_STATUS_RESERVED,
  ]);
}

/**
 * NAME_TAKEN when the trade name is live in the region and industry (used, or reserved and not
 * lapsed), compared by its key (traditional = simplified). A read only: DeclareName asks before it
 * reads the applicant's record, so a taken name is refused with nothing recorded; the unique index
 * still settles a race at the insert (reserve).
 */
export async function refuseIfTaken(q: Queryable, nameRegion: string, industry: string, tradeName: string): Promise<void> {
  const { rows } = await q.query(
    `SELECT 1 FROM name_reservations WHERE name_region = $1 AND industry = $2 AND trade_name_key = $3
       AND (status = $4 OR (status = $5 AND (expires_at >= now() OR claimed_by IS NOT NULL))) LIMIT 1`,
    [nameRegion, industry, tradeNameKey(tradeName), ReservationStatus.RESERVATION_STATUS_USED, ReservationStatus.RESERVATION_STATUS_RESERVED],
  );
  if (rows.length > 0) throw nameTaken(tradeName);
}

const nameTaken = (tradeName: string) => failedPrecondition("NAME_TAKEN", `字号“${tradeName}”已在本行政区划同行业登记 (the trade name is taken in this region and industry)`);

export interface NewReservation {
  fullName: string;
  regionCode: string;
  nameRegion: string;
  tradeName: string;
  industry: string;
  organisationForm: string;
  enterpriseType: EnterpriseType;
  applicantIdNumber: string;
  caseId: string;
}

const INSERT_RESERVATION = `INSERT INTO name_reservations (reservation_id, full_name, region_code, name_region, trade_name, industry, organisation_form,
    enterprise_type, applicant_id_number, status, expires_at, case_id, trade_name_key)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now() + interval '${RESERVATION_DAYS} days', $11, $12)
  ON CONFLICT DO NOTHING RETURNING *`;

/**
 * The insert of a new reservation (a fresh reservation id), nearly always the whole reservation: no
 * row when the name is held (never an error), so it can travel with the declaration's key claim
 * (`once`'s reads).
 */
export function reservationInsert(n: NewReservation): Statement {
  return {
    sql: INSERT_RESERVATION,
    params: [
      `NR-${crypto.randomUUID()}`,
      n.fullName,
      n.regionCode,
      n.nameRegion,
      n.tradeName,
      n.industry,
      n.organisationForm,
      n.enterpriseType,
      n.applicantIdNumber,
      ReservationStatus.RESERVATION_STATUS_RESERVED,
      n.caseId,
      // Unique per city and industry in this form (traditional and simplified are one name).
      tradeNameKey(n.tradeName),
    ],
  };
}

/**
 * Reserves a name; NAME_TAKEN when the trade name is live in the region and industry. A lapsed
 * reservation of the same name still holds its place in the unique index until it is marked
 * expired: only when the insert meets one are the reservations past their term expired (in this
 * transaction) and the insert tried once more, so a free name costs one statement. `first` is
 * reservationInsert(n) as the transaction already ran it (with the declaration's key claim).
 */
export async function reserve(tx: Queryable, n: NewReservation, first: FirstRun): Promise<NameReservation> {
  const insert = first.statement;
  let rows = first.result.rows as unknown as ReservationRow[];
  if (rows.length === 0) {
    await expireReservations(tx);
    ({ rows } = await tx.query<ReservationRow>(insert.sql, insert.params));
  }
  if (rows.length === 0) throw nameTaken(n.tradeName);
  return toReservation(rows[0]);
}

/** A reservation by id; NOT_FOUND when unknown. */
export async function loadReservation(q: Queryable, id: string, lock = false): Promise<NameReservation & { claimedBy: string | null }> {
  const { rows } = await q.query<ReservationRow>(`SELECT * FROM name_reservations WHERE reservation_id = $1${lock ? " FOR UPDATE" : ""}`, [id]);
  if (rows.length === 0) throw notFound("name reservation", id);
  return { ...toReservation(rows[0]), claimedBy: rows[0].claimed_by };
}

/**
 * Holds a live reservation for one registration attempt (its idempotency key). The same attempt
 * may claim again (a retry, also past the term: its claim keeps the name); another attempt is
 * refused while it is held, and nobody may claim a reservation past its term. One conditional
 * UPDATE when it succeeds (no transaction, no lock held); a refusal reads the row to say why, and
 * marks a reservation found past its term expired.
 */
export async function claim(q: Queryable, id: string, attempt: string): Promise<NameReservation> {
  const { rows } = await q.query<ReservationRow>(
    `UPDATE name_reservations SET claimed_by = $2
     WHERE reservation_id = $1 AND status = $3 AND (claimed_by = $2 OR (claimed_by IS NULL AND expires_at >= now()))
     RETURNING *`,
    [id, attempt, ReservationStatus.RESERVATION_STATUS_RESERVED],
  );
  if (rows.length === 1) return toReservation(rows[0]);
  const { rows: lapsed } = await q.query<ReservationRow>(
    `UPDATE name_reservations SET status = $2
     WHERE reservation_id = $1 AND status = $3 AND claimed_by IS NULL AND expires_at < now() RETURNING *`,
    [id, ReservationStatus.RESERVATION_STATUS_EXPIRED, ReservationStatus.RESERVATION_STATUS_RESERVED],
  );
  const r = lapsed.length === 1 ? { ...toReservation(lapsed[0]), claimedBy: null } : await loadReservation(q, id);
  if (r.status !== ReservationStatus.RESERVATION_STATUS_RESERVED) {
    throw failedPrecondition("RESERVATION_NOT_AVAILABLE", `名称保留 ${id} 状态为 ${r.status}，不能用于设立登记 (the reservation is not available)`);
  }
  throw failedPrecondition("RESERVATION_IN_USE", `名称保留 ${id} 正被另一设立登记使用 (another registration holds it)`);
}

/** Lets go of a claim when the attempt failed before anything was created. */
export async function release(q: Queryable, id: string, attempt: string): Promise<void> {
  await q.query("UPDATE name_reservations SET claimed_by = NULL WHERE reservation_id = $1 AND claimed_by = $2", [id, attempt]);
}

/** Records (with the transaction's COMMIT) that the name is used by the registered enterprise. */
export function markUsed(tx: DeferringQueryable, id: string, creditCode: string): void {
  tx.atCommit("UPDATE name_reservations SET status = $2, credit_code = $3, claimed_by = NULL WHERE reservation_id = $1", [
    id,
    ReservationStatus.RESERVATION_STATUS_USED,
    creditCode,
  ]);
}

/** Cancels a reservation (RESERVED or, when an establishment is undone, USED); cancelling again is a no-op. */
export async function cancel(tx: Queryable, id: string, allowUsed = false): Promise<NameReservation> {
  const r = await loadReservation(tx, id, true);
  if (r.status === ReservationStatus.RESERVATION_STATUS_CANCELLED || r.status === ReservationStatus.RESERVATION_STATUS_EXPIRED) return r;
  if (r.status === ReservationStatus.RESERVATION_STATUS_USED && !allowUsed) {
    throw failedPrecondition("RESERVATION_USED", `名称保留 ${id} 已用于设立登记 ${r.creditCode} (the name is in use)`);
  }
  if (r.claimedBy && !allowUsed) throw failedPrecondition("RESERVATION_IN_USE", `名称保留 ${id} 正在用于设立登记 (a registration holds it)`);
  await tx.query("UPDATE name_reservations SET status = $2, claimed_by = NULL WHERE reservation_id = $1", [
    id,
    ReservationStatus.RESERVATION_STATUS_CANCELLED,
  ]);
  return loadReservation(tx, id);
}
