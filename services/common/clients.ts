/**
 * Typed calls to the shared services over the bus, written once (like the gateways of Online
 * Boutique), so department services never spell action names or payloads by hand. Each read names
 * the case it serves, and the owner records it.
 *
 * `clientsFor("tax")` calls as the tax department (a department service acts as itself, whoever
 * called it); `clientsFor()` keeps the incoming caller (the licence service acting for the issuer).
 */
import type { CallingOptions, Context } from "moleculer";
import type { CallerMeta } from "./caller";
import { failedPrecondition, reasonCodeOf } from "./errors";
import { Memo } from "./memo";
import { Enterprise as RegisteredEnterprise, EnterpriseStatus } from "../../proto/gen/tongban/registration/v1/registration";
import { EntityStatus, type Entity, type Person, type VerifyPersonResponse } from "../../proto/gen/tongban/identity/v1/identity";
import {
  type IssueLicenceRequest,
  type Licence,
  type ListLicencesResponse,
  type VerifyLicenceResponse,
} from "../../proto/gen/tongban/licenses/v1/licenses";

type Ctx = Context<unknown, CallerMeta>;

/** A change request of the legal-entity registry (credit code absent when registering a new one). */
type EntityChange = { creditCode?: string; [field: string]: unknown };

const isNotFound = (err: unknown) => (err as { type?: string }).type === "NOT_FOUND";

/** Registration statuses of an enterprise that no longer operates. */
const CLOSED_ENTERPRISE = [EnterpriseStatus.ENTERPRISE_STATUS_CANCELLED, EnterpriseStatus.ENTERPRISE_STATUS_DEREGISTERED];

/**
 * Registry reads of this process by (kind, department, case, ID number or credit code): a step that
 * needs the same person twice (applicant, legal representative and investor are often one), or a
 * department that checks an enterprise and then has a licence issued to it (the licence service
 * reads the holder's name as that department, for the same case), reads and records the use once.
 * Only answers are kept, never refusals; entries expire quickly so a changed record is seen.
 */
const registryReads = new Memo<Promise<Person | Entity>>(10_000, 10_000);

/**
 * A change of one legal entity made through these clients: its kept reads may be stale, so they
 * are dropped. Only that entity's: every establishment registers one, and dropping every kept read
 * at each (as this once did) left a busy centre re-reading, and re-recording, each entity per step.
 */
async function changed(creditCode: string | undefined, write: Promise<Entity>): Promise<Entity> {
  let entity: Entity | undefined;
  try {
    entity = await write;
    return entity;
  } finally {
    // A registration names its code only in the answer; a failed call may still have changed it.
    const code = creditCode || entity?.creditCode;
    const suffix = `|${code}`;
    registryReads.deleteWhere((key) => key.startsWith("entity|") && (!code || key.endsWith(suffix)));
  }
}

/** Calls on the shared services, as `department` (or as the incoming caller when omitted). */
export function clientsFor(department?: string) {
  const opts: CallingOptions | undefined = department ? { meta: { caller: { department } } } : undefined;
  const call = <T>(ctx: Ctx, action: string, params: object) => ctx.call<T, object>(action, params, opts);

  const identity = {
    getPerson: (ctx: Ctx, idNumber: string, caseId: string) => call<Person>(ctx, "identity.getPerson", { idNumber, caseId }),
    verifyPerson: (ctx: Ctx, idNumber: string, name: string, caseId: string) =>
      call<VerifyPersonResponse>(ctx, "identity.verifyPerson", { idNumber, name, caseId }),
    getEntity: (ctx: Ctx, creditCode: string, caseId: string) => call<Entity>(ctx, "identity.getEntity", { creditCode, caseId }),
    registerEntity: (ctx: Ctx, request: EntityChange) => changed(request.creditCode, call<Entity>(ctx, "identity.registerEntity", request)),
    updateEntity: (ctx: Ctx, request: EntityChange) => changed(request.creditCode, call<Entity>(ctx, "identity.updateEntity", request)),
    deregisterEntity: (ctx: Ctx, request: EntityChange) => changed(request.creditCode, call<Entity>(ctx, "identity.deregisterEntity", request)),
  };

  const licences = {
    issue: (ctx: Ctx, request: Partial<IssueLicenceRequest>) => call<Licence>(ctx, "licenses.issueLicence", request),
    get: (ctx: Ctx, number: string, caseId: string) => call<Licence>(ctx, "licenses.getLicence", { number, caseId }),
    verify: (ctx: Ctx, number: string, caseId: string) => call<VerifyLicenceResponse>(ctx, "licenses.verifyLicence", { number, caseId }),
    /** Verifies the holder's newest valid licence of a type; NOT_FOUND when it holds none. */
    verifyCurrent: (ctx: Ctx, holderId: string, typeCode: string, caseId: string) =>
      call<VerifyLicenceResponse>(ctx, "licenses.verifyLicence", { holderId, typeCode, caseId }),
    listByHolder: (ctx: Ctx, holderId: string, caseId: string) =>
      call<ListLicencesResponse>(ctx, "licenses.listLicencesByHolder", { holderId, caseId }),
    revoke: (ctx: Ctx, number: string, reason: string, idempotencyKey: string) =>
      call<Licence>(ctx, "licenses.revokeLicence", { number, reason, idempotencyKey }),
  };

  /**
   * Revokes a licence the department issued as part of undoing or closing; one already revoked or
   * superseded (by an earlier attempt or another path) counts as done, so the step can repeat.
   */
  async function revokeIfLive(ctx: Ctx, number: string, reason: string, idempotencyKey: string): Promise<void> {
    if (!number) return;
    try {
      await licences.revoke(ctx, number, reason, idempotencyKey);
    } catch (err) {
      if (!["LICENCE_REVOKED", "LICENCE_SUPERSEDED"].includes(reasonCodeOf(err) ?? "")) throw err;
    }
  }

  const registration = {
    /** The enterprise as business registration holds it (scope, type, capital), for a case. */
    getEnterprise: (ctx: Ctx, creditCode: string, caseId: string) =>
      call<RegisteredEnterprise>(ctx, "registration.getEnterprise", { creditCode, caseId }),
  };

  /** The department a read is recorded for: this client's, or the incoming caller's. */
  const readerOf = (ctx: Ctx) => department ?? ctx.meta?.caller?.department ?? "";

  /** A person of the population registry; FAILED_PRECONDITION naming `field` when unknown. */
  async function requirePerson(ctx: Ctx, idNumber: string, caseId: string, field: string): Promise<Person> {
    try {
      return (await registryReads.get(`person|${readerOf(ctx)}|${caseId}|${idNumber}`, () => identity.getPerson(ctx, idNumber, caseId))) as Person;
    } catch (err) {
      if (isNotFound(err)) throw failedPrecondition("PERSON_NOT_REGISTERED", `${field}: 人口基础库中没有该身份证号码 (no such person in the population registry)`);
      throw err;
    }
  }

  /** An active legal entity; FAILED_PRECONDITION when unknown or closed. */
  async function requireActiveEntity(ctx: Ctx, creditCode: string, caseId: string): Promise<Entity> {
    let entity: Entity;
    try {
      entity = (await registryReads.get(`entity|${readerOf(ctx)}|${caseId}|${creditCode}`, () => identity.getEntity(ctx, creditCode, caseId))) as Entity;
    } catch (err) {
      if (isNotFound(err)) throw failedPrecondition("ENTITY_NOT_REGISTERED", `法人库中没有统一社会信用代码 ${creditCode} (no such legal entity)`);
      throw err;
    }
    if (entity.status !== EntityStatus.ENTITY_STATUS_ACTIVE) {
      throw failedPrecondition("ENTITY_DEREGISTERED", `主体 ${creditCode} 已注销 (the entity is deregistered)`);
    }
    return entity;
  }

  /**
   * The enterprise as business registration holds it (name, type, region, address, legal
   * representative, scope, status), for a case: the one read of an enterprise a department's
   * registration makes (the legal-entity registry holds a copy of the same registration).
   * FAILED_PRECONDITION ENTERPRISE_NOT_REGISTERED when registration does not know it,
   * ENTERPRISE_NOT_ACTIVE when it closed it.
   */
  async function requireRegisteredEnterprise(ctx: Ctx, creditCode: string, caseId: string): Promise<RegisteredEnterprise> {
    let enterprise: RegisteredEnterprise;
    try {
      enterprise = RegisteredEnterprise.fromPartial(await registration.getEnterprise(ctx, creditCode, caseId));
    } catch (err) {
      if (isNotFound(err)) {
        throw failedPrecondition("ENTERPRISE_NOT_REGISTERED", `登记机关没有 ${creditCode} 的设立登记 (business registration does not know the enterprise)`);
      }
      throw err;
    }
    if (CLOSED_ENTERPRISE.includes(enterprise.status)) {
      throw failedPrecondition("ENTERPRISE_NOT_ACTIVE", `企业 ${creditCode} 的登记状态为 ${enterprise.status} (the enterprise is not active in business registration)`);
    }
    return enterprise;
  }

  return { call, identity, licences, registration, revokeIfLive, requirePerson, requireActiveEntity, requireRegisteredEnterprise };
}
