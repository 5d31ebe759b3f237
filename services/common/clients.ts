/**
 * Typed calls to the shared services over the bus, written once (like the gateways of Online
 * Boutique), so department services never spell action names or payloads by hand. Each read names
 * the case it serves; the owner records it.
 */
import type { Context } from "moleculer";
import type { CallerMeta } from "./caller";
import { failedPrecondition } from "./errors";
import { EntityStatus, type Entity, type Person, type VerifyPersonResponse } from "../../proto/gen/tongban/identity/v1/identity";
import {
  LicenceStatus,
  type IssueLicenceRequest,
  type Licence,
  type ListLicencesResponse,
  type VerifyLicenceResponse,
} from "../../proto/gen/tongban/licenses/v1/licenses";

type Ctx = Context<unknown, CallerMeta>;

const isNotFound = (err: unknown) => (err as { type?: string }).type === "NOT_FOUND";

export const identity = {
  getPerson: (ctx: Ctx, idNumber: string, caseId: string) => ctx.call<Person, object>("identity.getPerson", { idNumber, caseId }),
  verifyPerson: (ctx: Ctx, idNumber: string, name: string, caseId: string) =>
    ctx.call<VerifyPersonResponse, object>("identity.verifyPerson", { idNumber, name, caseId }),
  getEntity: (ctx: Ctx, creditCode: string, caseId: string) => ctx.call<Entity, object>("identity.getEntity", { creditCode, caseId }),
  registerEntity: (ctx: Ctx, request: object) => ctx.call<Entity, object>("identity.registerEntity", request),
  updateEntity: (ctx: Ctx, request: object) => ctx.call<Entity, object>("identity.updateEntity", request),
  deregisterEntity: (ctx: Ctx, request: object) => ctx.call<Entity, object>("identity.deregisterEntity", request),
};

export const licences = {
  issue: (ctx: Ctx, request: Partial<IssueLicenceRequest>) => ctx.call<Licence, object>("licenses.issueLicence", request),
  get: (ctx: Ctx, number: string, caseId: string) => ctx.call<Licence, object>("licenses.getLicence", { number, caseId }),
  verify: (ctx: Ctx, number: string, caseId: string) => ctx.call<VerifyLicenceResponse, object>("licenses.verifyLicence", { number, caseId }),
  listByHolder: (ctx: Ctx, holderId: string, caseId: string) =>
    ctx.call<ListLicencesResponse, object>("licenses.listLicencesByHolder", { holderId, caseId }),
  revoke: (ctx: Ctx, number: string, reason: string, idempotencyKey: string) =>
    ctx.call<Licence, object>("licenses.revokeLicence", { number, reason, idempotencyKey }),
};

/** A person of the population registry, for a case; FAILED_PRECONDITION naming `field` when unknown. */
export async function requirePerson(ctx: Ctx, idNumber: string, caseId: string, field: string): Promise<Person> {
  try {
    return await identity.getPerson(ctx, idNumber, caseId);
  } catch (err) {
    if (isNotFound(err)) throw failedPrecondition("PERSON_NOT_REGISTERED", `${field}: 人口基础库中没有该身份证号码 (no such person in the population registry)`);
    throw err;
  }
}

/** An active legal entity, for a case; FAILED_PRECONDITION when unknown or closed. */
export async function requireActiveEntity(ctx: Ctx, creditCode: string, caseId: string): Promise<Entity> {
  let entity: Entity;
  try {
    entity = await identity.getEntity(ctx, creditCode, caseId);
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
 * The enterprise's valid business licence (营业执照), checked through the licence service: found in
 * the registry by holder and verified (signature, status, validity). Nothing is asked from the applicant.
 */
export async function requireValidBusinessLicence(ctx: Ctx, creditCode: string, caseId: string): Promise<Licence> {
  const { licences: held } = await licences.listByHolder(ctx, creditCode, caseId);
  const current = held.find((l) => l.typeCode === "BL" && l.status === LicenceStatus.LICENCE_STATUS_VALID);
  if (!current) throw failedPrecondition("NO_VALID_BUSINESS_LICENCE", `${creditCode} 没有有效的营业执照 (no valid business licence)`);
  const check = await licences.verify(ctx, current.number, caseId);
  if (!check.valid) {
    throw failedPrecondition("BUSINESS_LICENCE_INVALID", `营业执照 ${current.number} 核验未通过: ${check.failures.map((f) => f.reason).join("; ")}`);
  }
  return current;
}
