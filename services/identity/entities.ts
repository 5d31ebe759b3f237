/** The legal-entity registry: registration with a newly generated credit code, reads and name checks. */
import crypto from "node:crypto";
import type { Database, FirstRun, Queryable, Statement } from "../common/db/database";
import { failedPrecondition, notFound } from "../common/errors";
import { EntityStatus, EntityType, type Entity } from "../../proto/gen/tongban/identity/v1/identity";
import { generateCreditCode } from "./rules/credit-code";
import { readRecorded } from "../common/data-use-log";

/** Entity type -> GB 32100 registration authority 9 (market regulation) and its type character. */
export const ENTITY_TYPE_CODES: Record<string, string> = {
  [EntityType.ENTITY_TYPE_ENTERPRISE]: "1",
  [EntityType.ENTITY_TYPE_INDIVIDUAL_BUSINESS]: "2",
  [EntityType.ENTITY_TYPE_FARMERS_COOPERATIVE]: "3",
};

interface EntityRow {
  credit_code: string;
  name: string;
  entity_type: EntityType;
  region_code: string;
  legal_representative_id_number: string;
  legal_representative_name: string;
  address: string;
  status: EntityStatus;
  registered_at: Date;
  registered_by: string;
}

function toEntity(r: EntityRow): Entity {
  return {
    creditCode: r.credit_code,
    name: r.name,
    entityType: r.entity_type,
    regionCode: r.region_code,
    legalRepresentativeIdNumber: r.legal_representative_id_number,
    legalRepresentativeName: r.legal_representative_name,
    address: r.address,
    status: r.status,
    registeredAt: new Date(r.registered_at).toISOString(),
    registeredBy: r.registered_by,
  };
}

/** A legal entity, recording the read; NOT_FOUND when unknown. */
export async function getEntity(db: Database, creditCode: string, reader: string, caseId: string, purpose = ""): Promise<Entity> {
  const rows = await readRecorded<EntityRow>(db, "SELECT * FROM entities WHERE credit_code = $1", [creditCode], { subjectId: creditCode, reader, caseId, action: "get", what: "entity", purpose });
  if (rows.length === 0) throw notFound("entity", creditCode);
  return toEntity(rows[0]);
}

/** Whether `name` is the registered name of the entity; unknown codes answer "no". */
export async function verifyEntity(db: Database, creditCode: string, name: string, reader: string, caseId: string, purpose = "") {
  const rows = await readRecorded<{ name: string }>(db, "SELECT name FROM entities WHERE credit_code = $1", [creditCode], { subjectId: creditCode, reader, caseId, action: "verify", what: "entity", purpose });
  return { match: rows.length === 1 && rows[0].name === name };
}

/**
 * Whether `idNumber` is the legal representative (法定代表人) of the active entity `creditCode`:
 * one bit about the asker's own relation, answered from the entity row without recording a read
 * (nothing of the entity is disclosed; an unknown or closed entity answers false, like a stranger).
 */
export async function isLegalRepresentative(db: Queryable, creditCode: string, idNumber: string): Promise<boolean> {
  const { rows } = await db.query(
    "SELECT 1 FROM entities WHERE credit_code = $1 AND legal_representative_id_number = $2 AND status = $3",
    [creditCode, idNumber, EntityStatus.ENTITY_STATUS_ACTIVE],
  );
  return rows.length === 1;
}

/**
 * The credit codes of the entities `idNumber` represents (法定代表人) — all of them, active or closed,
 * since uses of a closed company's data stay that person's concern — for the representative's own
 * view of who used them ("who used my data"). Not recorded as a use: it answers the person about themself.
 */
export async function entitiesRepresentedBy(db: Queryable, idNumber: string): Promise<string[]> {
  const { rows } = await db.query<{ credit_code: string }>("SELECT credit_code FROM entities WHERE legal_representative_id_number = $1 ORDER BY credit_code LIMIT 50", [idNumber]);
  return rows.map((r) => r.credit_code);
}

export interface NewEntity {
  name: string;
  entityType: EntityType;
  regionCode: string;
  legalRepresentativeIdNumber: string;
  legalRepresentativeName: string;
  address: string;
  caseId: string;
  registeredBy: string;
}

/**
 * The insert of a new entity under a freshly drawn credit code, nearly always the whole
 * registration: the representative's check travels with it (a row only when the population registry
 * holds that name under that ID number, and the code is unused; never an error), so it can travel
 * with the registration's key claim (`once`'s reads).
 */
export function entityInsert(e: NewEntity): Statement {
  const creditCode = generateCreditCode({
    authority: "9",
    entityType: ENTITY_TYPE_CODES[e.entityType],
    regionCode: e.regionCode,
    random: () => crypto.randomInt(0, 2 ** 32) / 2 ** 32,
  });
  return {
    sql: `INSERT INTO entities (credit_code, organisation_code, name, entity_type, region_code,
         legal_representative_id_number, legal_representative_name, address, registered_by, case_id)
       SELECT $1, $2, $3, $4, $5, p.id_number, p.name, $8, $9, $10 FROM persons p WHERE p.id_number = $6 AND p.name = $7
       ON CONFLICT DO NOTHING RETURNING *`,
    params: [
      creditCode,
      creditCode.slice(8, 17),
      e.name,
      e.entityType,
      e.regionCode,
      e.legalRepresentativeIdNumber,
      e.legalRepresentativeName,
      e.address,
      e.registeredBy,
      e.caseId,
    ],
  };
}

/**
 * Registers an entity inside the caller's transaction: the legal representative must be in the
 * population registry under that name, and a fresh credit code is drawn until its organisation
 * code is unused. `first` is an entityInsert(e) the transaction already ran (its first try, with
 * the registration's key claim); a later try draws another code.
 */
export async function registerEntity(tx: Queryable, e: NewEntity, first: FirstRun): Promise<Entity> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const insert = attempt === 0 ? undefined : entityInsert(e);
    const rows = (insert ? await tx.query(insert.sql, insert.params) : first.result).rows as unknown as EntityRow[];
    if (rows.length === 1) return toEntity(rows[0]);
    const { rows: reps } = await tx.query<{ name: string }>("SELECT name FROM persons WHERE id_number = $1", [e.legalRepresentativeIdNumber]);
    if (reps.length === 0 || reps[0].name !== e.legalRepresentativeName) {
      throw failedPrecondition(
        "LEGAL_REPRESENTATIVE_MISMATCH",
        "法定代表人姓名与身份证号码不一致 (the legal representative's name does not match the ID number in the population registry)",
      );
    }
  }
  throw new Error("could not draw an unused organisation code in 20 attempts");
}

export interface EntityChanges {
  name?: string;
  address?: string;
  legalRepresentativeIdNumber?: string;
}

async function activeEntity(tx: Queryable, creditCode: string): Promise<EntityRow> {
  const { rows } = await tx.query<EntityRow>("SELECT * FROM entities WHERE credit_code = $1 FOR UPDATE", [creditCode]);
  if (rows.length === 0) throw notFound("entity", creditCode);
  if (rows[0].status !== EntityStatus.ENTITY_STATUS_ACTIVE) {
    throw failedPrecondition("ENTITY_DEREGISTERED", `主体 ${creditCode} 已注销 (the entity is deregistered)`);
  }
  return rows[0];
}

/** Records new particulars of an active entity; a new legal representative's name comes from the population registry. */
export async function updateEntity(tx: Queryable, creditCode: string, changes: EntityChanges): Promise<Entity> {
  const current = await activeEntity(tx, creditCode);
  let repName = current.legal_representative_name;
  if (changes.legalRepresentativeIdNumber) {
    const { rows } = await tx.query<{ name: string }>("SELECT name FROM persons WHERE id_number = $1", [changes.legalRepresentativeIdNumber]);
    if (rows.length === 0) {
      throw failedPrecondition("PERSON_NOT_REGISTERED", "法定代表人不在人口基础库中 (the new legal representative is not in the population registry)");
    }
    repName = rows[0].name;
  }
  const { rows } = await tx.query<EntityRow>(
    `UPDATE entities SET name = $2, address = $3, legal_representative_id_number = $4, legal_representative_name = $5, updated_at = now()
     WHERE credit_code = $1 RETURNING *`,
    [
      creditCode,
      changes.name || current.name,
      changes.address || current.address,
      changes.legalRepresentativeIdNumber || current.legal_representative_id_number,
      repName,
    ],
  );
  return toEntity(rows[0]);
}

/** Closes an entity; closing a closed entity returns it unchanged. */
export async function deregisterEntity(tx: Queryable, creditCode: string, reason: string): Promise<Entity> {
  const { rows } = await tx.query<EntityRow>(
    `UPDATE entities SET status = $2, closed_reason = $3, updated_at = now()
     WHERE credit_code = $1 AND status = $4 RETURNING *`,
    [creditCode, EntityStatus.ENTITY_STATUS_DEREGISTERED, reason, EntityStatus.ENTITY_STATUS_ACTIVE],
  );
  if (rows.length === 1) return toEntity(rows[0]);
  const { rows: existing } = await tx.query<EntityRow>("SELECT * FROM entities WHERE credit_code = $1", [creditCode]);
  if (existing.length === 0) throw notFound("entity", creditCode);
  return toEntity(existing[0]);
}
