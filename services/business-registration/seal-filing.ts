/**
 * 印章刻制备案: seals of a registered enterprise filed through market regulation's one-window
 * platform; each seal gets a 13-digit code and a filing certificate (e-licence SEAL).
 */
import crypto from "node:crypto";
import { failedPrecondition, notFound } from "../common/errors";
import { checkIdempotencyKey, deriveKey, once, answerOnce } from "../common/idempotency";
import type { Queryable } from "../common/db/database";
import { requireCaseId, requireText } from "../common/validate";
import { requireCreditCode } from "../identity/checks";
import {
  SealFilingStatus,
  type FileSealsRequest,
  type SealFiling,
  type WithdrawSealFilingRequest,
} from "../../proto/gen/tongban/registration/v1/registration";
import type { Licence } from "../../proto/gen/tongban/licenses/v1/licenses";
import { isActive, loadEnterpriseWithSeals } from "./enterprises";
import { SAMR, todayInChina, type Ctx, type FlowDeps } from "./flow-support";
import { checkSealTypes, OFFICIAL_SEAL, SEAL_SERIAL_DIGITS } from "./rules/seals";

/** A filing with its seals. */
export async function loadFiling(q: Queryable, filingId: string): Promise<SealFiling> {
  const { rows } = await q.query<{ filing_id: string; credit_code: string; engraver: string; status: SealFilingStatus; filed_at: Date }>(
    "SELECT * FROM seal_filings WHERE filing_id = $1",
    [filingId],
  );
  if (rows.length === 0) throw notFound("seal filing", filingId);
  const seals = await q.query<{ seal_type: string; seal_code: string; licence_number: string }>(
    "SELECT seal_type, seal_code, licence_number FROM seals WHERE filing_id = $1 ORDER BY seal_code",
    [filingId],
  );
  const f = rows[0];
  return {
    filingId: f.filing_id,
    creditCode: f.credit_code,
    engraver: f.engraver,
    status: f.status,
    filedAt: new Date(f.filed_at).toISOString(),
    seals: seals.rows.map((s) => ({ sealType: s.seal_type, sealCode: s.seal_code, licenceNumber: s.licence_number })),
  };
}

/**
 * Seal codes for this attempt, drawn once and stable across retries: one statement draws a serial
 * for every type (the code is the region code and the serial, rules/seals.ts `sealCode`, spelt in
 * SQL here), stores the draws (a type drawn by an earlier try keeps its code) and reads all of the
 * attempt's codes. A racing try of the same attempt that stored a type first is not visible to
 * that statement, so the codes are read once more when one is missing. The sequence's MAXVALUE
 * (9,999,999) refuses a serial the code has no room for.
 */
async function drawCodes(q: Queryable, attempt: string, regionCode: string, types: string[]): Promise<Map<string, string>> {
  const { rows } = await q.query<{ seal_type: string; seal_code: string }>(
    `WITH fresh AS (
       SELECT t.seal_type, $2::text || lpad(nextval('seal_serial')::text, ${SEAL_SERIAL_DIGITS}, '0') AS seal_code
       FROM unnest($3::text[]) WITH ORDINALITY AS t(seal_type, i) ORDER BY t.i),
     drawn AS (
       INSERT INTO seal_code_draws (attempt_key, seal_type, seal_code)
       SELECT $1, seal_type, seal_code FROM fresh
       ON CONFLICT (attempt_key, seal_type) DO NOTHING RETURNING seal_type, seal_code)
     SELECT seal_type, seal_code FROM drawn
     UNION ALL SELECT seal_type, seal_code FROM seal_code_draws WHERE attempt_key = $1`,
    [attempt, regionCode, types],
  );
  let codes = new Map(rows.map((r) => [r.seal_type, r.seal_code]));
  if (types.some((t) => !codes.has(t))) {
    const again = await q.query<{ seal_type: string; seal_code: string }>("SELECT seal_type, seal_code FROM seal_code_draws WHERE attempt_key = $1", [attempt]);
    codes = new Map(again.rows.map((r) => [r.seal_type, r.seal_code]));
  }
  return codes;
}

/** Files seals for an active enterprise; the first filing must include the official seal. */
export async function fileSeals(deps: FlowDeps, ctx: Ctx, p: FileSealsRequest): Promise<SealFiling> {
  const key = checkIdempotencyKey(p.idempotencyKey);
  const request = {
    creditCode: requireCreditCode(p.creditCode).creditCode,
    types: checkSealTypes(p.sealTypes),
    engraver: requireText(p.engraver, "engraver", 2, 100),
    caseId: requireCaseId(p.caseId),
  };
  const scope = `${SAMR}:fileSeals`;
  return answerOnce<SealFiling>(deps.db, scope, key, request, async () => {
    // The enterprise with the types of its live seals, in one read.
    const { enterprise, liveSealTypes } = await loadEnterpriseWithSeals(deps.db, request.creditCode);
    if (!isActive(enterprise)) throw failedPrecondition("ENTERPRISE_NOT_ACTIVE", `企业 ${request.creditCode} 不在营业状态 (not active)`);
    const filed = new Set(liveSealTypes);
    const twice = request.types.find((t) => filed.has(t));
    if (twice) throw failedPrecondition("SEAL_ALREADY_FILED", `${twice}已备案 (a seal of this type is already filed)`);
    if (!filed.has(OFFICIAL_SEAL) && !request.types.includes(OFFICIAL_SEAL)) {
      throw failedPrecondition("OFFICIAL_SEAL_REQUIRED", "首次印章备案须包含公章 (the first filing must include the official seal)");
    }

    const codes = await drawCodes(deps.db, key, enterprise.regionCode, request.types);
    const filedOn = todayInChina();
    const licences: Licence[] = [];
    for (const type of request.types) {
      licences.push(
        await deps.c.licences.issue(ctx, {
          idempotencyKey: deriveKey(key, `seal:${codes.get(type)}`),
          typeCode: "SEAL",
          holderId: request.creditCode,
          caseId: request.caseId,
          fields: { seal_type: type, seal_code: codes.get(type)!, engraver: request.engraver, filed_on: filedOn },
        }),
      );
    }
    return once(deps.db, scope, key, request, async (tx) => {
      const filingId = `SF-${crypto.randomUUID()}`;
      // The filing and its seals in one statement; the answer is built from what was written.
      const seals = request.types
        .map((type, i) => ({ sealType: type, sealCode: codes.get(type)!, licenceNumber: licences[i].number }))
        .sort((x, y) => (x.sealCode < y.sealCode ? -1 : x.sealCode > y.sealCode ? 1 : 0));
      const filedAt = new Date();
      // Written with the COMMIT: nothing of it is read back.
      tx.atCommit(
        `WITH f AS (
           INSERT INTO seal_filings (filing_id, credit_code, engraver, status, case_id, filed_at) VALUES ($1, $2, $3, $4, $5, $9))
         INSERT INTO seals (filing_id, credit_code, seal_type, seal_code, licence_number)
         SELECT $1, $2, x.seal_type, x.seal_code, x.licence_number FROM unnest($6::text[], $7::text[], $8::text[]) AS x(seal_type, seal_code, licence_number)`,
        [
          filingId,
          request.creditCode,
          request.engraver,
          SealFilingStatus.SEAL_FILING_STATUS_FILED,
          request.caseId,
          seals.map((x) => x.sealType),
          seals.map((x) => x.sealCode),
          seals.map((x) => x.licenceNumber),
          filedAt,
        ],
      );
      return {
        filingId,
        creditCode: request.creditCode,
        engraver: request.engraver,
        status: SealFilingStatus.SEAL_FILING_STATUS_FILED,
        filedAt: filedAt.toISOString(),
        seals,
      };
    });
  });
}

/** Withdraws a filing (compensation): its certificates are revoked; withdrawing again changes nothing. */
export async function withdrawSealFiling(deps: FlowDeps, ctx: Ctx, p: WithdrawSealFilingRequest): Promise<SealFiling> {
  const key = checkIdempotencyKey(p.idempotencyKey);
  const request = { filingId: requireText(p.filingId, "filing_id", 4, 64), reason: requireText(p.reason, "reason", 2, 500) };
  const scope = `${SAMR}:withdrawSealFiling`;
  return answerOnce<SealFiling>(deps.db, scope, key, request, async () => {
    const filing = await loadFiling(deps.db, request.filingId);
    if (filing.status === SealFilingStatus.SEAL_FILING_STATUS_WITHDRAWN) return filing;
    for (const seal of filing.seals) {
      await deps.c.revokeIfLive(ctx, seal.licenceNumber, `印章备案撤回: ${request.reason}`, deriveKey(key, seal.sealCode));
    }
    return once(deps.db, scope, key, request, async (tx) => {
      await tx.query("UPDATE seal_filings SET status = $2 WHERE filing_id = $1", [request.filingId, SealFilingStatus.SEAL_FILING_STATUS_WITHDRAWN]);
      await tx.query("UPDATE seals SET active = false WHERE filing_id = $1", [request.filingId]);
      return loadFiling(tx, request.filingId);
    });
  });
}

/** Withdraws every filed seal of an enterprise (deregistration, undone establishment). */
export async function withdrawAllSeals(deps: FlowDeps, ctx: Ctx, creditCode: string, reason: string, keyPrefix: string): Promise<void> {
  const { rows } = await deps.db.query<{ filing_id: string }>("SELECT filing_id FROM seal_filings WHERE credit_code = $1 AND status = $2", [
    creditCode,
    SealFilingStatus.SEAL_FILING_STATUS_FILED,
  ]);
  for (const r of rows) {
    await withdrawSealFiling(deps, ctx, { idempotencyKey: deriveKey(keyPrefix, r.filing_id), filingId: r.filing_id, reason });
  }
}
