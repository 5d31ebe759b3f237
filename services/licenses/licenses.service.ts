/**
 * licenses: the electronic licence registry (电子证照库). Departments issue licences of the types
 * they own, signed with their key; every department verifies them; reads by other departments
 * are recorded with their case.
 */
import { emitEvent } from "../common/events";
import type { Context, ServiceSchema } from "moleculer";
import type { Database } from "../common/db/database";
import { callerDepartment, type CallerMeta } from "../common/caller";
import { dataUseActions } from "../common/data-use-actions";
import { failedPrecondition, invalidArgument, notFound } from "../common/errors";
import { checkIdempotencyKey, once, answerOnce } from "../common/idempotency";
import { contextLogger } from "../common/logger";
import { openServiceDatabase, type Runtime } from "../common/runtime";
import { optionalCaseId, requireCaseId, requireText, todayInChina } from "../common/validate";
import { presentedLicence } from "./presented-copy";
import { clientsFor } from "../common/clients";
import { purposeOf } from "../common/data-use-log";
import {
  ChangeLicenceStatusRequest,
  GetLicenceRequest,
  HolderKind,
  IssueLicenceRequest,
  ListLicenceAccessesRequest,
  ListLicencesByHolderRequest,
  ListSigningKeysRequest,
  RotateSigningKeyRequest,
  VerifyLicenceRequest,
  Licence,
} from "../../proto/gen/tongban/licenses/v1/licenses";
import { holderKindOf } from "../identity/checks";
import { LICENCE_TYPES } from "./catalogue";
import { checkIssueRequest } from "./issue-request";
import { ActiveKeys, listKeys, resolveMasterSecret, rotateKey } from "./keys";
import * as registry from "./licences";
import { isSignatureAlgorithm, signerIdOf } from "./signing/signer";
import { licenceAuthorities, type LicenceAuthorities } from "./authorities";
import { LICENCE_NUMBER_MAX } from "./signing/licence-id";

type Ctx<P> = Context<P, CallerMeta>;

/**
 * The licence registry is the data bureau's (LicenceService is owned by `data`, method-owners.ts),
 * and the holder reads it makes before issuing are its own: recorded as `data`'s for the case, and
 * kept for the case (clients.ts registryReads, 10 s), so the licences one case issues to one holder
 * — a business licence, its seal certificates, TAXREG, SIREG, each from another department — read
 * the legal-entity registry once. Read as each issuing department instead, a 开办企业 read the same
 * entity three times over the bus.
 */
const LICENCE_REGISTRY = "data";
const { identity, requireActiveEntity } = clientsFor(LICENCE_REGISTRY);

/** The holder's registered name, read from identity for this case; refuses unknown or closed holders. */
async function holderName(ctx: Ctx<unknown>, kind: HolderKind, holderId: string, caseId: string): Promise<string> {
  if (kind === HolderKind.HOLDER_KIND_PERSON) {
    try {
      return (await identity.getPerson(ctx, holderId, caseId)).name;
    } catch (err) {
      if ((err as { type?: string }).type === "NOT_FOUND") {
        throw failedPrecondition("HOLDER_NOT_REGISTERED", `持证主体 ${holderId} 不在基础库中 (the holder is not in the identity registry)`);
      }
      throw err;
    }
  }
  return (await requireActiveEntity(ctx, holderId, caseId)).name;
}

/**
 * The prerequisite licences of an issue (IssueLicenceRequest.prerequisite_type_codes): for each
 * type, the holder's newest licence the registry holds as valid, verified (signature, status,
 * validity), its read recorded as the issuer's for the case. FAILED_PRECONDITION
 * PREREQUISITE_NOT_HELD when there is none, PREREQUISITE_INVALID when one fails verification. A
 * condition added to the issue, never one taken away: the holder is still read from identity.
 */
async function requirePrerequisites(db: Database, ctx: Ctx<unknown>, caller: string, holderId: string, types: string[], caseId: string): Promise<void> {
  const read = { reader: caller, caseId, action: "verify", purpose: purposeOf(ctx) };
  const held = await Promise.all(types.map((type) => registry.currentOfType(db, holderId, type, read)));
  const checks = await Promise.all(held.map((licence) => (licence ? registry.verify(db, licence, undefined, licence) : Promise.resolve(undefined))));
  types.forEach((type, i) => {
    const check = checks[i];
    if (!check) throw failedPrecondition("PREREQUISITE_NOT_HELD", `持证主体 ${holderId} 没有有效的 ${type} 证照 (the holder holds no valid licence of a prerequisite type)`);
    if (!check.valid) {
      throw failedPrecondition("PREREQUISITE_INVALID", `${type} 证照 ${check.number} 核验未通过 (a prerequisite licence failed verification): ${check.failures.map((f) => f.reason).join("; ")}`);
    }
  });
}

/** A holder: an 18-character resident ID number or unified social credit code, upper-cased. */
function requireHolderId(value: string): string {
  const holderId = requireText(value, "holder_id", 18, 18).toUpperCase();
  if (!holderKindOf(holderId)) throw invalidArgument("holder_id", "must be a resident ID number or a unified social credit code");
  return holderId;
}

/** The licences service schema. */
export function licensesService(rt: Runtime): ServiceSchema {
  let db: Database;
  const activeKeys = new ActiveKeys();
  let secret: string;
  let authorities: LicenceAuthorities;

  const statusChange = (change: "suspend" | "reinstate" | "revoke", event: string) =>
    async function (ctx: Ctx<ChangeLicenceStatusRequest>): Promise<Licence> {
      const p = ChangeLicenceStatusRequest.fromPartial(ctx.params ?? {});
      const caller = callerDepartment(ctx);
      const key = checkIdempotencyKey(p.idempotencyKey);
      const request = { number: requireText(p.number, "number", 1, LICENCE_NUMBER_MAX), reason: requireText(p.reason, "reason", 2, 500) };
      const licence = await once(db, `${caller}:${change}Licence`, key, request, (tx) =>
        registry.changeStatus(tx, request.number, change, request.reason, caller),
      );
      contextLogger(ctx).info({ number: licence.number, status: licence.status }, `licence ${change}`);
      emitEvent(ctx, event, { number: licence.number, typeCode: licence.typeCode, holderId: licence.holderId, issuer: licence.issuer, reason: request.reason });
      return licence;
    };

  /**
   * A stored licence by number for `caller`. Another department's read names its case and is
   * recorded in the same statement; the issuer reads its own licences without a case.
   */
  async function readByNumber(caller: string, number: string, caseIdParam: string, action: string, purpose: string): Promise<Licence> {
    const caseId = optionalCaseId(caseIdParam);
    if (caseId) return registry.loadRecorded(db, number, { reader: caller, caseId, action, purpose });
    const licence = await registry.load(db, number);
    // Refused before anything leaves: nothing was recorded, so nothing of another issuer's licence is returned.
    if (licence.issuer !== caller) requireCaseId(caseIdParam);
    return licence;
  }

  return {
    name: "licenses",
    actions: {
      ...dataUseActions(() => db),
      listLicenceTypes: {
        cache: { keys: [] },
        handler: () => ({ types: LICENCE_TYPES.map((t) => ({ ...t, nationalCode: authorities.typeCode(t.code) })) }),
      },
      async issueLicence(ctx: Ctx<IssueLicenceRequest>): Promise<Licence> {
        const p = IssueLicenceRequest.fromPartial(ctx.params ?? {});
        const caller = callerDepartment(ctx);
        const key = checkIdempotencyKey(p.idempotencyKey);
        const checked = checkIssueRequest(p, caller);
        const caseId = requireCaseId(p.caseId);
        const supersedes = p.supersedes ? requireText(p.supersedes, "supersedes", 1, LICENCE_NUMBER_MAX) : "";
        const request = { ...checked, type: checked.type.code, caseId, supersedes };
        const scope = `${caller}:issueLicence`;
        return answerOnce<Licence>(db, scope, key, request, async () => {

          // Both at once; a refusal of the holder is reported before one of its prerequisites, whichever finished first.
          const [holder, prerequisites] = await Promise.allSettled([
            holderName(ctx, checked.type.holderKind, checked.holderId, caseId),
            requirePrerequisites(db, ctx, caller, checked.holderId, checked.prerequisites, caseId),
          ]);
          if (holder.status === "rejected") throw holder.reason;
          if (prerequisites.status === "rejected") throw prerequisites.reason;
          const name = holder.value;
          const n: registry.NewLicence = {
            typeCode: checked.type.code,
            typeName: checked.type.nameZh,
            holderKind: checked.type.holderKind,
            holderId: checked.holderId,
            holderName: name,
            issuer: caller,
            validFrom: checked.validFrom,
            validUntil: checked.validUntil,
            fields: checked.fields,
            caseId,
          };
          // A new licence of a department with a key is one statement; a reissue (it changes the
          // old licence) or a department's first licence (it creates the key) is a transaction.
          const signingKey = supersedes ? undefined : await activeKeys.find(db, caller, secret);
          const licence = signingKey
            ? await registry.issueOnce(db, scope, key, request, n, signingKey, authorities)
            : await once(db, scope, key, request, async (tx) =>
                registry.issue(tx, n, await activeKeys.get(tx, caller, rt.config.licenseSigningAlgorithm, secret), authorities, new Date(), supersedes),
              );
          contextLogger(ctx).info({ number: licence.number, typeCode: licence.typeCode }, "licence issued");
          emitEvent(ctx, "licenses.issued", { number: licence.number, typeCode: licence.typeCode, holderId: licence.holderId, issuer: caller, caseId, supersedes });
          if (supersedes) emitEvent(ctx, "licenses.superseded", { number: supersedes, supersededBy: licence.number, holderId: licence.holderId, issuer: caller });
          return licence;
        });
      },
      async getLicence(ctx: Ctx<GetLicenceRequest>): Promise<Licence> {
        const p = GetLicenceRequest.fromPartial(ctx.params ?? {});
        const caller = callerDepartment(ctx);
        const number = requireText(p.number, "number", 1, LICENCE_NUMBER_MAX);
        // A read and its record are one statement; no case is needed for the issuer's own licence.
        return readByNumber(caller, number, p.caseId, "get", purposeOf(ctx));
      },
      async verifyLicence(ctx: Ctx<VerifyLicenceRequest>) {
        const p = VerifyLicenceRequest.fromPartial(ctx.params ?? {});
        const caller = callerDepartment(ctx);
        const ways = [p.number !== "", p.licence !== undefined, p.holderId !== "" || p.typeCode !== ""].filter(Boolean).length;
        if (ways !== 1) {
          throw invalidArgument("number", "give exactly one of: the number of a stored licence, a presented licence copy, or holder_id with type_code");
        }
        if (p.number) {
          const stored = await readByNumber(caller, requireText(p.number, "number", 1, LICENCE_NUMBER_MAX), p.caseId, "verify", purposeOf(ctx));
          return registry.verify(db, stored, undefined, stored);
        }
        if (p.licence) {
          const presented = p.licence;
          // Another department's check of a licence is a read of the holder's data: it names its case.
          const caseId = presented.issuer === caller ? optionalCaseId(p.caseId) : requireCaseId(p.caseId);
          const result = await registry.verify(db, presented);
          // recordRead records nothing for the issuer's own check.
          if (result.failures.every((f) => f.check !== "registry")) await registry.recordRead(db, presented, { reader: caller, caseId, action: "verify", purpose: purposeOf(ctx) });
          return result;
        }
        const holderId = requireHolderId(p.holderId);
        const typeCode = requireText(p.typeCode, "type_code", 1, 16);
        if (!LICENCE_TYPES.some((t) => t.code === typeCode)) throw invalidArgument("type_code", `unknown licence type "${typeCode}"`);
        const current = await registry.currentOfType(db, holderId, typeCode, { reader: caller, caseId: requireCaseId(p.caseId), action: "verify", purpose: purposeOf(ctx) });
        if (!current) throw notFound(`valid ${typeCode} licence of holder`, holderId);
        return registry.verify(db, current, undefined, current);
      },
      suspendLicence: statusChange("suspend", "licenses.suspended"),
      reinstateLicence: statusChange("reinstate", "licenses.reinstated"),
      revokeLicence: statusChange("revoke", "licenses.revoked"),
      async listLicencesByHolder(ctx: Ctx<ListLicencesByHolderRequest>) {
        const p = ListLicencesByHolderRequest.fromPartial(ctx.params ?? {});
        const caller = callerDepartment(ctx);
        const holderId = requireHolderId(p.holderId);
        const caseId = requireCaseId(p.caseId);
        return { licences: await registry.listByHolder(db, holderId, { reader: caller, caseId, action: "list", purpose: purposeOf(ctx) }) };
      },
      async listLicenceAccesses(ctx: Ctx<ListLicenceAccessesRequest>) {
        const p = ListLicenceAccessesRequest.fromPartial(ctx.params ?? {});
        const holderId = requireText(p.holderId, "holder_id", 18, 18).toUpperCase();
        return { accesses: await registry.accessesOf(db, holderId) };
      },
      async rotateSigningKey(ctx: Ctx<RotateSigningKeyRequest>) {
        const p = RotateSigningKeyRequest.fromPartial(ctx.params ?? {});
        const caller = callerDepartment(ctx);
        const key = checkIdempotencyKey(p.idempotencyKey);
        const algorithm = p.algorithm || rt.config.licenseSigningAlgorithm;
        if (!isSignatureAlgorithm(algorithm)) throw invalidArgument("algorithm", "must be SM2-SM3 or ED25519");
        const result = await once(db, `${caller}:rotateSigningKey`, key, { algorithm }, (tx) => rotateKey(tx, caller, algorithm, secret));
        activeKeys.forget(caller);
        contextLogger(ctx).info({ keyId: result.keyId }, "signing key rotated");
        return result;
      },
      /**
       * Every licence-signing key with its issuer's credit code and signer ID, and the catalogue's
       * GB/T 36904 type codes: what anyone needs to verify a licence offline (GET /v1/keys). No caller
       * is needed: it holds public keys only. Answers { keys, issuers, types }.
       */
      async publicKeys() {
        const { issuers, types } = authorities.all();
        // Public halves only, active and retired (a retired key signs nothing after retiredAt and still verifies what it signed).
        const keys = (await listKeys(db, "")).map((k) => ({ ...k, issuerCode: issuers[k.department] ?? "", signerId: isSignatureAlgorithm(k.algorithm) ? signerIdOf(k.algorithm) : "" }));
        return { keys, issuers, types };
      },
      /**
       * Checks a presented copy of a licence for anyone (POST /v1/verify/licence): the issuer's
       * signature (with the signer ID the copy names), the registry's status, the validity dates and,
       * for a national identifier, its check character. Answers VerifyLicenceResponse, whose failures
       * name each failed check with a reason; nothing of the holder beyond the copy is returned.
       */
      async verifyPublic(ctx: Context<{ licence?: unknown }>) {
        const copy = presentedLicence(ctx.params?.licence);
        const result = await registry.verify(db, copy);
        // A genuine licence checked by someone outside is a use the holder sees ("who used my data"),
        // once a day per licence: a burst of anonymous checks must not bury the holder's view.
        if (result.signatureValid && result.failures.every((f) => f.check !== "registry")) {
          await registry.recordPublicCheck(db, copy, todayInChina());
        }
        return result;
      },
      async listSigningKeys(ctx: Ctx<ListSigningKeysRequest>) {
        const p = ListSigningKeysRequest.fromPartial(ctx.params ?? {});
        return { keys: await listKeys(db, p.department) };
      },
    },
    async started() {
      secret = resolveMasterSecret(rt.config);
      // A wrong code in LICENCE_ISSUER_CODES / LICENCE_TYPE_CODES stops the start, naming it.
      authorities = licenceAuthorities(rt.config);
      db = await openServiceDatabase(rt, "licenses", "licenses");
    },
  };
}
