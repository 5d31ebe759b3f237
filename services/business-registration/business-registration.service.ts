/**
 * registration: market regulation (市场监管) — name declaration, establishment, seal filing,
 * change and deregistration. Thin actions over the flows in establishment.ts, seal-filing.ts and
 * changes.ts; the service acts as the samr department towards the others.
 */
import type { ServiceSchema } from "moleculer";
import { callerDepartment } from "../common/caller";
import { dataUseActions } from "../common/data-use-actions";
import { clientsFor } from "../common/clients";
import { purposeOf } from "../common/data-use-log";
import { checkIdempotencyKey, once } from "../common/idempotency";
import { OutboxRelay } from "../common/outbox";
import { openServiceDatabase, type Runtime } from "../common/runtime";
import { requireCaseId, requireText } from "../common/validate";
import { requireCreditCode } from "../identity/checks";
import {
  CancelEnterpriseRegistrationRequest,
  CancelNameReservationRequest,
  ChangeRegistrationRequest,
  DeclareNameRequest,
  DeregisterRequest,
  FileSealsRequest,
  GetEnterpriseRequest,
  RegisterEnterpriseRequest,
  WithdrawSealFilingRequest,
  type Enterprise,
  type NameReservation,
} from "../../proto/gen/tongban/registration/v1/registration";
import { changeRegistration, deregister } from "./changes";
import { readEnterprise } from "./enterprises";
import { cancelEnterpriseRegistration, declareName, registerEnterprise } from "./establishment";
import { SAMR, type Ctx, type FlowDeps } from "./flow-support";
import * as reservations from "./reservations";
import { SCOPE_CATALOGUE, toBusinessScope } from "./rules/scopes";
import { fileSeals, withdrawSealFiling } from "./seal-filing";

/** The business registration service schema. */
export function businessRegistrationService(rt: Runtime): ServiceSchema {
  const deps = {} as FlowDeps;
  return {
    name: "registration",
    actions: {
      ...dataUseActions(() => deps.db),
      declareName: (ctx: Ctx<DeclareNameRequest>) => declareName(deps, ctx, DeclareNameRequest.fromPartial(ctx.params ?? {})),
      async cancelNameReservation(ctx: Ctx<CancelNameReservationRequest>): Promise<NameReservation> {
        const p = CancelNameReservationRequest.fromPartial(ctx.params ?? {});
        const key = checkIdempotencyKey(p.idempotencyKey);
        const request = { reservationId: requireText(p.reservationId, "reservation_id", 4, 64), reason: requireText(p.reason, "reason", 2, 500) };
        return once(deps.db, `${SAMR}:cancelNameReservation`, key, request, (tx) => reservations.cancel(tx, request.reservationId));
      },
      listBusinessScopes: {
        cache: { keys: [] },
        handler: () => ({ scopes: SCOPE_CATALOGUE.map(toBusinessScope) }),
      },
      registerEnterprise: (ctx: Ctx<RegisterEnterpriseRequest>) =>
        registerEnterprise(deps, ctx, RegisterEnterpriseRequest.fromPartial(ctx.params ?? {})),
      cancelEnterpriseRegistration: (ctx: Ctx<CancelEnterpriseRegistrationRequest>) =>
        cancelEnterpriseRegistration(deps, ctx, CancelEnterpriseRegistrationRequest.fromPartial(ctx.params ?? {})),
      async getEnterprise(ctx: Ctx<GetEnterpriseRequest>): Promise<Enterprise> {
        const p = GetEnterpriseRequest.fromPartial(ctx.params ?? {});
        const reader = callerDepartment(ctx);
        const creditCode = requireCreditCode(p.creditCode).creditCode;
        const caseId = requireCaseId(p.caseId);
        // Another department's read and its record are one statement.
        return readEnterprise(deps.db, creditCode, reader === SAMR ? undefined : { subjectId: creditCode, reader, caseId, action: "get", what: "enterprise-registration", purpose: purposeOf(ctx) });
      },
      fileSeals: (ctx: Ctx<FileSealsRequest>) => fileSeals(deps, ctx, FileSealsRequest.fromPartial(ctx.params ?? {})),
      withdrawSealFiling: (ctx: Ctx<WithdrawSealFilingRequest>) =>
        withdrawSealFiling(deps, ctx, WithdrawSealFilingRequest.fromPartial(ctx.params ?? {})),
      changeRegistration: (ctx: Ctx<ChangeRegistrationRequest>) =>
        changeRegistration(deps, ctx, ChangeRegistrationRequest.fromPartial(ctx.params ?? {})),
      deregister: (ctx: Ctx<DeregisterRequest>) => deregister(deps, ctx, DeregisterRequest.fromPartial(ctx.params ?? {})),
    },
    async started() {
      deps.db = await openServiceDatabase(rt, "registration", "business-registration");
      deps.c = clientsFor(SAMR);
      deps.relay = new OutboxRelay(this.broker, deps.db, SAMR);
      deps.relay.start();
    },
    async stopped() {
      await deps.relay?.stop();
    },
  };
}

