/**
 * identity: population and legal-entity base data (人口库, 法人库). Thin actions; the rules live in
 * rules/, the SQL in persons.ts and entities.ts.
 */
import { emitEvent } from "../common/events";
import type { Context, ServiceSchema } from "moleculer";
import type { Database } from "../common/db/database";
import { callerDepartment, ONE_WINDOW, type CallerMeta } from "../common/caller";
import { dataUseActions } from "../common/data-use-actions";
import { invalidArgument, permissionDenied } from "../common/errors";
import { purposeOf } from "../common/data-use-log";
import { checkIdempotencyKey, once, onceInserting } from "../common/idempotency";
import { contextLogger } from "../common/logger";
import { openServiceDatabase, type Runtime } from "../common/runtime";
import { optionalCaseId, requireCaseId, requireEnum, requireText, wholeNumber } from "../common/validate";
import { SEED_POPULATION_MAX } from "../common/config";
import {
  EntityType,
  GetEntityRequest,
  GetPersonRequest,
  RegisterEntityRequest,
  DeregisterEntityRequest,
  UpdateEntityRequest,
  VerifyEntityRequest,
  VerifyPersonRequest,
  type Entity,
  type Person,
  type VerifyEntityResponse,
  type VerifyPersonResponse,
} from "../../proto/gen/tongban/identity/v1/identity";
import { requireCreditCode, requireIdNumber, requireRegion } from "./checks";
import { deregisterEntity, entitiesRepresentedBy, entityInsert, getEntity, isLegalRepresentative, registerEntity, updateEntity, verifyEntity } from "./entities";
import { countPersons, getPerson, insertPersons, verifyPerson } from "./persons";
import { generatePopulation } from "./seed/population";

type Ctx<P> = Context<P, CallerMeta>;

const ENTITY_TYPES = [
  EntityType.ENTITY_TYPE_ENTERPRISE,
  EntityType.ENTITY_TYPE_INDIVIDUAL_BUSINESS,
  EntityType.ENTITY_TYPE_FARMERS_COOPERATIVE,
] as const;

/** Only market regulation registers legal entities (it assigns the credit code). */
const ENTITY_REGISTRAR = "samr";


/** The identity service schema. */
export function identityService(rt: Runtime): ServiceSchema {
  let db: Database;
  return {
    name: "identity",
    actions: {
      ...dataUseActions(() => db),
      /**
       * Bus only (not on gRPC): whether a person is the legal representative of an active entity,
       * `{ creditCode, idNumber }` -> `{ representative: boolean }`. The one window's check of
       * authority over an enterprise (gateway/authority) before anything of an application is
       * read; one bit about the asker's own relation, so no read is recorded. PERMISSION_DENIED
       * for any caller but the one window; INVALID_ARGUMENT naming a malformed field.
       */
      isLegalRepresentative: {
        visibility: "public",
        async handler(ctx: Ctx<{ creditCode?: unknown; idNumber?: unknown }>): Promise<{ representative: boolean }> {
          if (callerDepartment(ctx) !== ONE_WINDOW) throw permissionDenied("only the one window asks who represents an entity");
          const { creditCode } = requireCreditCode(ctx.params?.creditCode, "credit_code");
          const { idNumber } = requireIdNumber(ctx.params?.idNumber, "id_number");
          return { representative: await isLegalRepresentative(db, creditCode, idNumber) };
        },
      },
      /** The credit codes of the entities a person represents (the one window only, for that person's own data-use view). */
      representedEntities: {
        visibility: "public",
        async handler(ctx: Ctx<{ idNumber?: unknown }>): Promise<{ creditCodes: string[] }> {
          if (callerDepartment(ctx) !== ONE_WINDOW) throw permissionDenied("only the one window asks which entities a person represents");
          const { idNumber } = requireIdNumber(ctx.params?.idNumber, "id_number");
          return { creditCodes: await entitiesRepresentedBy(db, idNumber) };
        },
      },
      async getPerson(ctx: Ctx<GetPersonRequest>): Promise<Person> {
        const p = GetPersonRequest.fromPartial(ctx.params ?? {});
        const { idNumber } = requireIdNumber(p.idNumber);
        const caseId = requireCaseId(p.caseId);
        return getPerson(db, idNumber, callerDepartment(ctx), caseId, purposeOf(ctx));
      },
      async verifyPerson(ctx: Ctx<VerifyPersonRequest>): Promise<VerifyPersonResponse> {
        const p = VerifyPersonRequest.fromPartial(ctx.params ?? {});
        const { idNumber } = requireIdNumber(p.idNumber);
        const name = requireText(p.name, "name", 1, 50);
        return verifyPerson(db, idNumber, name, callerDepartment(ctx), optionalCaseId(p.caseId), purposeOf(ctx));
      },
      async getEntity(ctx: Ctx<GetEntityRequest>): Promise<Entity> {
        const p = GetEntityRequest.fromPartial(ctx.params ?? {});
        const { creditCode } = requireCreditCode(p.creditCode);
        return getEntity(db, creditCode, callerDepartment(ctx), requireCaseId(p.caseId), purposeOf(ctx));
      },
      async verifyEntity(ctx: Ctx<VerifyEntityRequest>): Promise<VerifyEntityResponse> {
        const p = VerifyEntityRequest.fromPartial(ctx.params ?? {});
        const { creditCode } = requireCreditCode(p.creditCode);
        const name = requireText(p.name, "name", 1, 100);
        return verifyEntity(db, creditCode, name, callerDepartment(ctx), optionalCaseId(p.caseId), purposeOf(ctx));
      },
      async registerEntity(ctx: Ctx<RegisterEntityRequest>): Promise<Entity> {
        const p = RegisterEntityRequest.fromPartial(ctx.params ?? {});
        const caller = callerDepartment(ctx);
        const key = checkIdempotencyKey(p.idempotencyKey);
        const request = {
          name: requireText(p.name, "name", 2, 100),
          entityType: requireEnum(p.entityType, "entity_type", ENTITY_TYPES),
          regionCode: requireRegion(p.regionCode).code,
          legalRepresentativeIdNumber: requireIdNumber(p.legalRepresentativeIdNumber, "legal_representative_id_number").idNumber,
          legalRepresentativeName: requireText(p.legalRepresentativeName, "legal_representative_name", 1, 50),
          address: requireText(p.address, "address", 4, 200),
          caseId: optionalCaseId(p.caseId),
        };
        if (caller !== ENTITY_REGISTRAR) throw permissionDenied(`only ${ENTITY_REGISTRAR} registers legal entities`);
        const newEntity = { ...request, registeredBy: caller };
        // The first try's insert travels with the key's claim (undone when the key was used before).
        const entity = await onceInserting(db, `${caller}:registerEntity`, key, request, entityInsert(newEntity), (tx, first) => registerEntity(tx, newEntity, first));
        contextLogger(ctx).info({ creditCode: entity.creditCode }, "entity registered");
        emitEvent(ctx, "identity.entityRegistered", { creditCode: entity.creditCode, registeredBy: caller, caseId: request.caseId });
        return entity;
      },
      async updateEntity(ctx: Ctx<UpdateEntityRequest>): Promise<Entity> {
        const p = UpdateEntityRequest.fromPartial(ctx.params ?? {});
        const caller = callerDepartment(ctx);
        const key = checkIdempotencyKey(p.idempotencyKey);
        const request = {
          creditCode: requireCreditCode(p.creditCode).creditCode,
          name: p.name ? requireText(p.name, "name", 2, 100) : "",
          address: p.address ? requireText(p.address, "address", 4, 200) : "",
          legalRepresentativeIdNumber: p.legalRepresentativeIdNumber
            ? requireIdNumber(p.legalRepresentativeIdNumber, "legal_representative_id_number").idNumber
            : "",
        };
        if (!request.name && !request.address && !request.legalRepresentativeIdNumber) {
          throw invalidArgument("name", "give at least one of name, address, legal_representative_id_number");
        }
        if (caller !== ENTITY_REGISTRAR) throw permissionDenied(`only ${ENTITY_REGISTRAR} changes legal entities`);
        const entity = await once(db, `${caller}:updateEntity`, key, request, (tx) => updateEntity(tx, request.creditCode, request));
        emitEvent(ctx, "identity.entityUpdated", { creditCode: entity.creditCode, caseId: optionalCaseId(p.caseId) });
        return entity;
      },
      async deregisterEntity(ctx: Ctx<DeregisterEntityRequest>): Promise<Entity> {
        const p = DeregisterEntityRequest.fromPartial(ctx.params ?? {});
        const caller = callerDepartment(ctx);
        const key = checkIdempotencyKey(p.idempotencyKey);
        const request = { creditCode: requireCreditCode(p.creditCode).creditCode, reason: requireText(p.reason, "reason", 2, 500) };
        if (caller !== ENTITY_REGISTRAR) throw permissionDenied(`only ${ENTITY_REGISTRAR} deregisters legal entities`);
        const entity = await once(db, `${caller}:deregisterEntity`, key, request, (tx) => deregisterEntity(tx, request.creditCode, request.reason));
        emitEvent(ctx, "identity.entityDeregistered", { creditCode: entity.creditCode, caseId: optionalCaseId(p.caseId) });
        return entity;
      },

      // Bus-only (not on the gRPC edge): loads the synthetic population; repeatable for one seed.
      seedPopulation: {
        visibility: "public",
        async handler(ctx: Ctx<{ count?: number; seed?: number }>) {
          // The whole population is generated before it is written: an unbounded count would hold
          // the event loop and then run out of memory.
          const count = wholeNumber(ctx.params.count ?? 10_000, "count", 0, SEED_POPULATION_MAX);
          const seed = wholeNumber(ctx.params.seed ?? 20261122, "seed", 0, 2 ** 32 - 1);
          const inserted = await insertPersons(db, generatePopulation(count, seed));
          return { inserted, total: await countPersons(db) };
        },
      },
      countPersons: {
        visibility: "public",
        async handler() {
          return { total: await countPersons(db) };
        },
      },
    },
    async started() {
      db = await openServiceDatabase(rt, "identity", "identity");
    },
  };
}
