/** The licence registry: issue, read, verify and status changes, in the licences schema. */
import type { Database, DeferringQueryable, Queryable } from "../common/db/database";
import { failedPrecondition, notFound, permissionDenied } from "../common/errors";
import { todayInChina } from "../common/validate";
import {
  LicenceStatus,
  type HolderKind,
  type Licence,
  type VerificationFailure,
  type VerifyLicenceResponse,
} from "../../proto/gen/tongban/licenses/v1/licenses";
import { canonicalJson } from "../common/canonical";
import { onceInOneStatement } from "../common/idempotency";
import { readRecorded, recordUses } from "../common/data-use-log";
import { holderIdTypeOf, signedContentOf, type SignedContent } from "./content";
import { publicKey, type ActiveKey } from "./keys";
import type { LicenceAuthorities } from "./authorities";
import { formatLicenceId, isNationalLicenceId, newSerial, nextVersion, parseLicenceId } from "./signing/licence-id";
import { isSignatureAlgorithm, signContentOffThread, signerIdOf, verifyContent } from "./signing/signer";

interface LicenceRow {
  number: string;
  holder_id: string;
  issuer: string;
  content: string;
  signature: string;
  status: LicenceStatus;
  status_reason: string;
  status_changed_at: Date | null;
  superseded_by: string;
}

/** The status a reader sees: a valid licence past its last day reads as expired. */
export function effectiveStatus(stored: LicenceStatus, validUntil: string, today = todayInChina()): LicenceStatus {
  if (stored === LicenceStatus.LICENCE_STATUS_VALID && validUntil !== "" && validUntil < today) {
    return LicenceStatus.LICENCE_STATUS_EXPIRED;
  }
  return stored;
}

function toLicence(r: LicenceRow): Licence {
  const c = JSON.parse(r.content) as SignedContent;
  return {
    number: c.number,
    typeCode: c.typeCode,
    typeName: c.typeName,
    holderKind: c.holderKind as HolderKind,
    holderId: c.holderId,
    holderName: c.holderName,
    issuer: c.issuer,
    issuedAt: c.issuedAt,
    validFrom: c.validFrom,
    validUntil: c.validUntil,
    fields: c.fields,
    holderIdType: c.holderIdType ?? "",
    signature: { algorithm: c.algorithm, keyId: c.keyId, value: r.signature, signerId: c.signerId ?? "" },
    status: effectiveStatus(r.status, c.validUntil),
    statusReason: r.status_reason,
    statusChangedAt: r.status_changed_at ? new Date(r.status_changed_at).toISOString() : undefined,
    supersededBy: r.superseded_by,
  };
}

export type NewLicence = Omit<SignedContent, "v" | "number" | "issuedAt" | "algorithm" | "keyId" | "holderIdType" | "signerId"> & { caseId: string };

/**
 * The national identifier (GB/T 36904) of a new licence: a new serial at version 001, or for a
 * reissue of `old` the next version of its identifier (the serial stays). A licence numbered before
 * national identifiers is reissued under a new serial at version 002: it is that licence's second issue.
 */
function licenceIdFor(n: NewLicence, authorities: LicenceAuthorities, now: Date, old?: Licence): string {
  if (old && isNationalLicenceId(old.number)) return nextVersion(old.number);
  return formatLicenceId({ typeCode: authorities.typeCode(n.typeCode), issuerCode: authorities.issuerCode(n.issuer), serial: newSerial(now), version: old ? 2 : 1 });
}

/** A licence numbered and signed, as stored: its row and the statement's values. */
interface SignedLicence {
  licence: Licence;
  /** The values of LICENCE_COLUMNS, in order. */
  values: unknown[];
}

const LICENCE_COLUMNS = "number, type_code, holder_id, issuer, content, signature, key_id, valid_until, case_id, issued_at, status, status_reason, superseded_by";

/** Numbers (licenceIdFor) and signs a new licence with the department's active key; nothing is written. */
async function signLicence(n: NewLicence, key: ActiveKey, authorities: LicenceAuthorities, now: Date, old?: Licence): Promise<SignedLicence> {
  const { caseId, ...rest } = n;
  const content: SignedContent = {
    v: 2,
    ...rest,
    holderIdType: holderIdTypeOf(n.holderKind),
    number: licenceIdFor(n, authorities, now, old),
    issuedAt: now.toISOString(),
    algorithm: key.algorithm,
    keyId: key.keyId,
    signerId: signerIdOf(key.algorithm),
  };
  const signature = await signContentOffThread(content, key.algorithm, key.privateKeyPem);
  const row: LicenceRow = {
    number: content.number,
    holder_id: content.holderId,
    issuer: content.issuer,
    content: canonicalJson(content),
    signature,
    status: LicenceStatus.LICENCE_STATUS_VALID,
    status_reason: "",
    status_changed_at: null,
    superseded_by: "",
  };
  const values = [row.number, content.typeCode, row.holder_id, row.issuer, row.content, signature, key.keyId, content.validUntil, caseId, now, row.status, row.status_reason, row.superseded_by];
  return { licence: toLicence(row), values };
}

/**
 * Signs and stores a new licence with the department's active key, numbered with a national
 * identifier (licenceIdFor). With `supersedes`, the old licence (same type, holder and issuer, not
 * revoked) becomes SUPERSEDED in the same transaction.
 */
export async function issue(tx: DeferringQueryable, n: NewLicence, key: ActiveKey, authorities: LicenceAuthorities, now = new Date(), supersedes = ""): Promise<Licence> {
  const old = supersedes ? await load(tx, supersedes, true) : undefined;
  if (old) {
    if (old.typeCode !== n.typeCode || old.holderId !== n.holderId || old.issuer !== n.issuer) {
      throw failedPrecondition("SUPERSEDES_MISMATCH", `licence ${supersedes} is not a ${n.typeCode} of ${n.holderId} issued by ${n.issuer}`);
    }
    if (![LicenceStatus.LICENCE_STATUS_VALID, LicenceStatus.LICENCE_STATUS_SUSPENDED, LicenceStatus.LICENCE_STATUS_EXPIRED].includes(old.status)) {
      throw failedPrecondition(`LICENCE_${STATUS_WORD[old.status].toUpperCase()}`, `licence ${supersedes} is ${STATUS_WORD[old.status]} and cannot be superseded`);
    }
  }
  const signed = await signLicence(n, key, authorities, now, old);
  // Written with the COMMIT: the licence is known in full, and a number taken fails the transaction.
  tx.atCommit(`INSERT INTO licences (${LICENCE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`, signed.values);
  if (old) {
    tx.atCommit(
      "UPDATE licences SET status = $2, status_reason = $3, superseded_by = $4, status_changed_at = now() WHERE number = $1",
      [old.number, LicenceStatus.LICENCE_STATUS_SUPERSEDED, `superseded by ${signed.licence.number}`, signed.licence.number],
    );
  }
  return signed.licence;
}

/**
 * Issues a new licence (one that supersedes none) once per idempotency key: signed first, then the
 * key, its answer and the licence written in one statement (onceInOneStatement), one round trip
 * and no transaction held while signing. A key used before answers with the licence it issued.
 */
export async function issueOnce(db: Queryable, scope: string, idempotencyKey: string, request: unknown, n: NewLicence, key: ActiveKey, authorities: LicenceAuthorities, now = new Date()): Promise<Licence> {
  const signed = await signLicence(n, key, authorities, now);
  return onceInOneStatement(db, scope, idempotencyKey, request, signed.licence, {
    sql: `INSERT INTO licences (${LICENCE_COLUMNS}) SELECT $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::timestamptz, $15, $16, $17 WHERE EXISTS (SELECT 1 FROM $claimed)`,
    params: signed.values,
  });
}

/** A stored licence, or NOT_FOUND. */
export async function load(q: Queryable, number: string, lock = false): Promise<Licence> {
  const { rows } = await q.query<LicenceRow>(`SELECT * FROM licences WHERE number = $1${lock ? " FOR UPDATE" : ""}`, [number]);
  if (rows.length === 0) throw notFound("licence", number);
  return toLicence(rows[0]);
}

/** Who reads, for which case, and why: written to the data-use log with the licence read. */
export interface LicenceRead {
  reader: string;
  caseId: string;
  action: string;
  purpose: string;
}

/**
 * Rows chosen by `select` ($1..$n of `params`), and the record of `read` for each of them not issued
 * by the reader ("who used my data"), in one statement (a data-modifying WITH): one round trip and
 * one commit, and nothing recorded when nothing is found.
 */
function readLicences(q: Queryable, select: string, params: unknown[], read: LicenceRead): Promise<LicenceRow[]> {
  // The reader is compared as a literal parameter of the record's filter (the issuer's own reads are not uses of another's data).
  return readRecorded<LicenceRow>(q, select, [...params, read.reader], { ...read, subjectId: { column: "holder_id" }, what: "licence", item: { column: "number" } }, `f.issuer <> $${params.length + 1}`);
}

/** A stored licence, its read recorded; NOT_FOUND when there is none. */
export async function loadRecorded(q: Queryable, number: string, read: LicenceRead): Promise<Licence> {
  const rows = await readLicences(q, "SELECT * FROM licences WHERE number = $1", [number], read);
  if (rows.length === 0) throw notFound("licence", number);
  return toLicence(rows[0]);
}

/** All licences of a holder, newest first, each read recorded. */
export async function listByHolder(q: Queryable, holderId: string, read: LicenceRead): Promise<Licence[]> {
  const rows = await readLicences(q, "SELECT * FROM licences WHERE holder_id = $1", [holderId], read);
  return rows.map(toLicence).sort((a, b) => (b.issuedAt ?? "").localeCompare(a.issuedAt ?? "") || a.number.localeCompare(b.number));
}

/**
 * The holder's current licence of a type that the registry holds as valid: the newest within its
 * validity on `today` (China date), else the newest (expired or not yet valid, so the check can say
 * so); its read recorded; undefined when there is none. Newest alone let a licence issued to start
 * next year hide the one valid today.
 */
export async function currentOfType(q: Queryable, holderId: string, typeCode: string, read: LicenceRead, today = todayInChina()): Promise<Licence | undefined> {
  const rows = await readLicences(
    q,
    `SELECT * FROM licences WHERE holder_id = $1 AND type_code = $2 AND status = $3
     ORDER BY (content::jsonb ->> 'validFrom' <= $4 AND (valid_until = '' OR valid_until >= $4)) DESC, issued_at DESC, number LIMIT 1`,
    [holderId, typeCode, LicenceStatus.LICENCE_STATUS_VALID, today],
    read,
  );
  return rows.length > 0 ? toLicence(rows[0]) : undefined;
}

/** Records that `read.reader` checked a presented copy of a licence (nothing when it is the issuer). */
export async function recordRead(q: Queryable, l: Licence, read: LicenceRead): Promise<void> {
  if (l.issuer === read.reader) return;
  await recordUses(q, [{ ...read, subjectId: l.holderId, what: "licence", item: l.number }]);
}

/** What a public check of a genuine copy records, once per licence and China day. */
export const PUBLIC_CHECK = { reader: "public", action: "verify", purpose: "公众核验 (public verification of a presented copy)" } as const;

/**
 * Records that someone outside checked the genuine licence `l` (POST /v1/verify/licence), unless a
 * check of it is already recorded for `today` (China date, YYYY-MM-DD): the holder learns that and
 * when their licence was checked, and a burst of anonymous checks cannot bury their other uses.
 * Checks of the same licence are serialised by a transaction-scoped advisory lock, so two at once
 * still record one entry. Served by the log's subject index.
 */
export async function recordPublicCheck(db: Database, l: Licence, today: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock(hashtext('public-check:' || $1))", [l.number]);
    await tx.query(
      `INSERT INTO data_uses (subject_id, reader, case_id, action, what, purpose, item, kind)
       SELECT $1, $2, '', $3, 'licence', $4, $5, 'read'
        WHERE NOT EXISTS (SELECT 1 FROM data_uses WHERE subject_id = $1 AND at >= $6::timestamptz AND reader = $2 AND item = $5)`,
      [l.holderId, PUBLIC_CHECK.reader, PUBLIC_CHECK.action, PUBLIC_CHECK.purpose, l.number, `${today}T00:00:00+08:00`],
    );
  });
}

/** Reads recorded for a holder's licences, newest first. */
export async function accessesOf(q: Queryable, holderId: string) {
  const { rows } = await q.query<{ item: string; reader: string; case_id: string; action: string; at: Date }>(
    "SELECT item, reader, case_id, action, at FROM data_uses WHERE subject_id = $1 AND what = 'licence' AND kind = 'read' ORDER BY at DESC, id DESC",
    [holderId],
  );
  return rows.map((r) => ({ number: r.item, reader: r.reader, caseId: r.case_id, action: r.action, at: new Date(r.at).toISOString() }));
}

const TRANSITIONS: Record<"suspend" | "reinstate" | "revoke", { from: LicenceStatus[]; to: LicenceStatus }> = {
  suspend: { from: [LicenceStatus.LICENCE_STATUS_VALID], to: LicenceStatus.LICENCE_STATUS_SUSPENDED },
  reinstate: { from: [LicenceStatus.LICENCE_STATUS_SUSPENDED], to: LicenceStatus.LICENCE_STATUS_VALID },
  revoke: {
    from: [LicenceStatus.LICENCE_STATUS_VALID, LicenceStatus.LICENCE_STATUS_SUSPENDED, LicenceStatus.LICENCE_STATUS_EXPIRED],
    to: LicenceStatus.LICENCE_STATUS_REVOKED,
  },
};

const STATUS_WORD: Record<string, string> = {
  [LicenceStatus.LICENCE_STATUS_VALID]: "valid",
  [LicenceStatus.LICENCE_STATUS_SUSPENDED]: "suspended",
  [LicenceStatus.LICENCE_STATUS_REVOKED]: "revoked",
  [LicenceStatus.LICENCE_STATUS_EXPIRED]: "expired",
  [LicenceStatus.LICENCE_STATUS_SUPERSEDED]: "superseded",
};

/** Moves a licence along suspend / reinstate / revoke; a move not allowed from its status is refused. */
export async function changeStatus(
  tx: Queryable,
  number: string,
  change: keyof typeof TRANSITIONS,
  reason: string,
  caller: string,
): Promise<Licence> {
  const current = await load(tx, number, true);
  if (current.issuer !== caller) {
    throw permissionDenied(`licence ${number} was issued by ${current.issuer}; only the issuer may ${change} it`);
  }
  const rule = TRANSITIONS[change];
  if (!rule.from.includes(current.status)) {
    throw failedPrecondition(
      `LICENCE_${STATUS_WORD[current.status].toUpperCase()}`,
      `licence ${number} is ${STATUS_WORD[current.status]} and cannot be ${change === "reinstate" ? "reinstated" : `${change}ed`}`,
    );
  }
  await tx.query("UPDATE licences SET status = $2, status_reason = $3, status_changed_at = now() WHERE number = $1", [
    number,
    rule.to,
    reason,
  ]);
  return load(tx, number);
}

/**
 * Verifies a licence: its signature against the issuer's key (active or retired), its status in
 * the registry and its validity dates. Each failed check is named with a reason.
 */
export async function verify(q: Queryable, presented: Licence, today = todayInChina(), registryCopy?: Licence): Promise<VerifyLicenceResponse> {
  const failures: VerificationFailure[] = [];
  const content = signedContentOf(presented);
  const key = content.keyId ? await publicKey(q, content.keyId) : undefined;
  let signatureValid = false;
  if (!key) {
    failures.push({ check: "signature", reason: `signing key "${content.keyId}" is unknown to the registry` });
  } else if (key.department !== content.issuer || key.algorithm !== content.algorithm || !isSignatureAlgorithm(content.algorithm)) {
    failures.push({ check: "signature", reason: `key ${content.keyId} does not belong to issuer ${content.issuer} with ${content.algorithm}` });
  } else {
    signatureValid = verifyContent(content, presented.signature?.value ?? "", content.algorithm, key.publicKeyPem, content.signerId ?? "");
    if (!signatureValid) failures.push({ check: "signature", reason: "the content does not match the issuer's signature: it was altered or the signature is not genuine" });
  }
  if (content.v === 2) {
    const id = parseLicenceId(content.number);
    if ("problem" in id) failures.push({ check: "identifier", reason: `${content.number} is not a national e-licence identifier (GB/T 36904): ${id.problem}` });
  }

  // A copy just read from the registry (by number, or as the holder's current one) is not read again.
  const stored = registryCopy ?? (await q.query<LicenceRow>("SELECT * FROM licences WHERE number = $1", [content.number])).rows.map(toLicence)[0];
  let status: LicenceStatus = LicenceStatus.LICENCE_STATUS_UNSPECIFIED;
  if (!stored) {
    failures.push({ check: "registry", reason: `no licence numbered ${content.number} was issued` });
  } else {
    // The registry's status alone: a copy's own dates are the holder's word until its signature is checked.
    status = effectiveStatus(stored.status, stored.validUntil, today);
    const inactive = [LicenceStatus.LICENCE_STATUS_SUSPENDED, LicenceStatus.LICENCE_STATUS_REVOKED, LicenceStatus.LICENCE_STATUS_SUPERSEDED];
    if (inactive.includes(stored.status)) {
      failures.push({
        check: "status",
        reason: `licence is ${STATUS_WORD[stored.status]}${stored.statusReason ? `: ${stored.statusReason}` : ""}`,
      });
    }
  }
  // Validity from the registry's record when there is one (a tampered valid_until changes nothing
  // but the signature check); from the copy only for a licence the registry does not know.
  const dates = stored ?? content;
  const withinValidity = (dates.validFrom === "" || dates.validFrom <= today) && (dates.validUntil === "" || today <= dates.validUntil);
  if (!withinValidity) {
    failures.push({
      check: "validity",
      reason: dates.validFrom > today ? `not valid before ${dates.validFrom}` : `expired after ${dates.validUntil}`,
    });
  }
  return { valid: failures.length === 0, signatureValid, status, withinValidity, failures, number: content.number };
}
