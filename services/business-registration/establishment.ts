/**
 * 名称自主申报 and 设立登记: declare a name, register an enterprise on it (credit code from identity,
 * business licence from the licence service), and undo an establishment (compensation).
 */
import { formatDecimal } from "../common/decimal";
import { failedPrecondition } from "../common/errors";
import { checkIdempotencyKey, deriveKey, once, onceInserting, answerOnce } from "../common/idempotency";
import { publish } from "../common/outbox";
import { requireText } from "../common/validate";
import { requireCreditCode } from "../identity/checks";
import { findRegion } from "../identity/rules/regions";
import { EntityType } from "../../proto/gen/tongban/identity/v1/identity";
import {
  EnterpriseStatus,
  EnterpriseType,
  type CancelEnterpriseRegistrationRequest,
  type DeclareNameRequest,
  type Enterprise,
  type NameReservation,
  type RegisterEnterpriseRequest,
} from "../../proto/gen/tongban/registration/v1/registration";
import { loadEnterprise, insertEnterprise, updateEnterprise } from "./enterprises";
import { SAMR, todayInChina, type Ctx, type FlowDeps } from "./flow-support";
import { ageOn, checkAddress, checkDeclareName, checkRegisterEnterprise, CAPITAL_SCALE } from "./requests";
import * as reservations from "./reservations";
import { fullName, nameRegionCode } from "./rules/names";
import { findScope, industryFitsMainBusiness, toBusinessScope } from "./rules/scopes";
import { withdrawAllSeals } from "./seal-filing";

/** Declares and reserves a name for the applicant (verified in the population registry). */
export async function declareName(deps: FlowDeps, ctx: Ctx, p: DeclareNameRequest): Promise<NameReservation> {
  const d = checkDeclareName(p);
  const name = fullName(d.region, d.tradeName, d.industry, d.organisationForm);
  const request = { ...d, region: d.region.code, name };
  const scope = `${SAMR}:declareName`;
  return answerOnce<NameReservation>(deps.db, scope, d.key, request, async () => {
    // Validate, then read, then write: a taken name is refused before the applicant's record is read.
    await reservations.refuseIfTaken(deps.db, nameRegionCode(d.region.code), d.industry, d.tradeName);
    await deps.c.requirePerson(ctx, d.applicantIdNumber, d.caseId, "applicant_id_number");
    const reservation: reservations.NewReservation = {
      fullName: name,
      regionCode: d.region.code,
      nameRegion: nameRegionCode(d.region.code),
      tradeName: d.tradeName,
      industry: d.industry,
      organisationForm: d.organisationForm,
      enterpriseType: d.enterpriseType,
      applicantIdNumber: d.applicantIdNumber,
      caseId: d.caseId,
    };
    // The insert travels with the key's claim (undone when the key was used before).
    return onceInserting(deps.db, scope, d.key, request, reservations.reservationInsert(reservation), (tx, first) => reservations.reserve(tx, reservation, first));
  });
}

/** The legal form written on the business licence. */
function licenceEntityType(r: NameReservation): string {
  if (r.enterpriseType === EnterpriseType.ENTERPRISE_TYPE_SOLE_PROPRIETORSHIP) return "个体工商户";
  return r.organisationForm === "股份有限公司" ? "股份有限公司" : "有限责任公司";
}

/**
 * Registers an enterprise. Everything is checked first (reservation, address, scope, the legal
 * representative and investors against identity, capital); then the reservation is claimed for
 * this attempt, the entity registered, the licence issued (each idempotent by a key derived from
 * the request's), and the enterprise stored. A retry with the same key completes what is missing.
 */
export async function registerEnterprise(deps: FlowDeps, ctx: Ctx, p: RegisterEnterpriseRequest): Promise<Enterprise> {
  const r = checkRegisterEnterprise(p);
  const scopeName = `${SAMR}:registerEnterprise`;
  const request = {
    ...r,
    capital: r.capitalText,
    investors: r.investors.map((i) => ({ ...i, contribution: formatDecimal(i.contribution, CAPITAL_SCALE) })),
  };
  return answerOnce<Enterprise>(deps.db, scopeName, r.key, request, async () => {

    const reservation = await reservations.loadReservation(deps.db, r.reservationId);
    const region = findRegion(reservation.regionCode)!;
    const address = checkAddress(r.addressRaw, "address", region);
    if (!industryFitsMainBusiness(reservation.industry, r.scopeCodes)) {
      throw failedPrecondition(
        "SCOPE_INDUSTRY_MISMATCH",
        `名称行业表述“${reservation.industry}”与主营业务“${findScope(r.scopeCodes[0])!.description}”不一致 (the name's industry must fit the main business)`,
      );
    }
    const rep = await deps.c.requirePerson(ctx, r.legalRepresentativeIdNumber, r.caseId, "legal_representative_id_number");
    if (ageOn(rep.birthDate, todayInChina()) < 18) {
      throw failedPrecondition("LEGAL_REPRESENTATIVE_UNDERAGE", "法定代表人须年满十八周岁 (the legal representative must be an adult)");
    }
    const investors = await Promise.all(
      r.investors.map(async (inv, i) => {
        const name =
          inv.kind === "person"
            ? (await deps.c.requirePerson(ctx, inv.id, r.caseId, `investors[${i}].id`)).name
            : (await deps.c.requireActiveEntity(ctx, inv.id, r.caseId)).name;
        return { id: inv.id, name, contribution: formatDecimal(inv.contribution, CAPITAL_SCALE), contributionMethod: inv.contributionMethod };
      }),
    );
    const total = r.investors.reduce((sum, i) => sum + i.contribution, 0n);
    if (total !== r.capital) {
      throw failedPrecondition(
        "CAPITAL_MISMATCH",
        `出资额合计 ${formatDecimal(total, CAPITAL_SCALE)} 万元与注册资本 ${r.capitalText} 万元不一致 (contributions must add up to the registered capital)`,
      );
    }
    const sole = reservation.enterpriseType === EnterpriseType.ENTERPRISE_TYPE_SOLE_PROPRIETORSHIP;
    if (sole && (r.investors.length !== 1 || r.investors[0].id !== r.legalRepresentativeIdNumber)) {
      throw failedPrecondition("SOLE_PROPRIETOR_MISMATCH", "个体工商户由经营者一人出资 (a sole proprietorship has one investor: its operator)");
    }

    await reservations.claim(deps.db, r.reservationId, r.key);
    let creditCode: string;
    try {
      const entity = await deps.c.identity.registerEntity(ctx, {
        idempotencyKey: deriveKey(r.key, "entity"),
        name: reservation.fullName,
        entityType: sole ? EntityType.ENTITY_TYPE_INDIVIDUAL_BUSINESS : EntityType.ENTITY_TYPE_ENTERPRISE,
        regionCode: reservation.regionCode,
        legalRepresentativeIdNumber: rep.idNumber,
        legalRepresentativeName: rep.name,
        address,
        caseId: r.caseId,
      });
      creditCode = entity.creditCode;
    } catch (err) {
      // Nothing was created: let another attempt use the name.
      await reservations.release(deps.db, r.reservationId, r.key);
      throw err;
    }
    const scope = r.scopeCodes.map((c) => toBusinessScope(findScope(c)!));
    const establishedOn = todayInChina();
    const licence = await deps.c.licences.issue(ctx, {
      idempotencyKey: deriveKey(r.key, "licence"),
      typeCode: "BL",
      holderId: creditCode,
      caseId: r.caseId,
      fields: {
        name: reservation.fullName,
        entity_type: licenceEntityType(reservation),
        legal_representative: rep.name,
        registered_capital: r.capitalText,
        established_on: establishedOn,
        address,
        business_scope: scope.map((s) => s.description).join("；"),
      },
    });
    const enterprise = await once(deps.db, scopeName, r.key, request, async (tx) => {
      const stored = insertEnterprise(
        tx,
        {
          creditCode,
          name: reservation.fullName,
          enterpriseType: reservation.enterpriseType,
          regionCode: reservation.regionCode,
          registeredCapital: r.capitalText,
          address,
          businessScope: scope,
          legalRepresentativeIdNumber: rep.idNumber,
          legalRepresentativeName: rep.name,
          investors,
          status: EnterpriseStatus.ENTERPRISE_STATUS_ACTIVE,
          licenceNumber: licence.number,
          establishedOn,
          updatedAt: undefined,
          reservationId: r.reservationId,
        },
        r.caseId,
      );
      reservations.markUsed(tx, r.reservationId, creditCode);
      await publish(tx, "registration.enterpriseRegistered", { creditCode, name: stored.name, regionCode: stored.regionCode, caseId: r.caseId }, undefined, creditCode);
      return stored;
    });
    deps.relay.kick();
    return enterprise;
  });
}

/**
 * Undoes an establishment (compensation): the licence and seal filings are revoked, the entity is
 * closed in identity, the name is released. Undoing an undone establishment returns it unchanged.
 */
export async function cancelEnterpriseRegistration(deps: FlowDeps, ctx: Ctx, p: CancelEnterpriseRegistrationRequest): Promise<Enterprise> {
  const key = checkIdempotencyKey(p.idempotencyKey);
  const request = { creditCode: requireCreditCode(p.creditCode).creditCode, reason: requireText(p.reason, "reason", 2, 500) };
  const scope = `${SAMR}:cancelEnterpriseRegistration`;
  return answerOnce<Enterprise>(deps.db, scope, key, request, async () => {
    const current = await loadEnterprise(deps.db, request.creditCode);
    if (current.status === EnterpriseStatus.ENTERPRISE_STATUS_CANCELLED) return current;
    if (current.status === EnterpriseStatus.ENTERPRISE_STATUS_DEREGISTERED) {
      throw failedPrecondition("ENTERPRISE_DEREGISTERED", `企业 ${request.creditCode} 已注销，不能撤销设立登记 (already deregistered)`);
    }
    await withdrawAllSeals(deps, ctx, request.creditCode, request.reason, deriveKey(key, "seals"));
    await deps.c.revokeIfLive(ctx, current.licenceNumber, `设立登记撤销: ${request.reason}`, deriveKey(key, "licence"));
    await deps.c.identity.deregisterEntity(ctx, { idempotencyKey: deriveKey(key, "entity"), creditCode: request.creditCode, reason: `设立登记撤销: ${request.reason}` });
    const result = await once(deps.db, scope, key, request, async (tx) => {
      const e = await updateEnterprise(tx, request.creditCode, { status: EnterpriseStatus.ENTERPRISE_STATUS_CANCELLED });
      await reservations.cancel(tx, e.reservationId, true);
      await publish(tx, "registration.enterpriseCancelled", { creditCode: e.creditCode, reason: request.reason }, undefined, e.creditCode);
      return e;
    });
    deps.relay.kick();
    return result;
  });
}
