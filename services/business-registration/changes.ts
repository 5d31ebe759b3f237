/**
 * 变更登记 and 注销登记. A change reissues the business licence (the old one is superseded) and
 * reaches tax and social insurance as a durable event; deregistration waits for their clearances,
 * asked over the bus, never from the applicant.
 */
import { failedPrecondition } from "../common/errors";
import { checkIdempotencyKey, deriveKey, once, answerOnce } from "../common/idempotency";
import { publish } from "../common/outbox";
import { requireCaseId, requireText } from "../common/validate";
import { requireCreditCode } from "../identity/checks";
import { findRegion } from "../identity/rules/regions";
import {
  EnterpriseStatus,
  type ChangeRegistrationRequest,
  type DeregisterRequest,
  type Enterprise,
} from "../../proto/gen/tongban/registration/v1/registration";
import { isActive, loadEnterprise, updateEnterprise } from "./enterprises";
import { SAMR, todayInChina, type Ctx, type FlowDeps } from "./flow-support";
import { ageOn, checkAddress, checkChangeRegistration } from "./requests";
import { loadReservation } from "./reservations";
import { findScope, industryFitsMainBusiness, toBusinessScope } from "./rules/scopes";
import { withdrawAllSeals } from "./seal-filing";

function requireActive(e: Enterprise) {
  if (!isActive(e)) throw failedPrecondition("ENTERPRISE_NOT_ACTIVE", `企业 ${e.creditCode} 不在营业状态 (the enterprise is not active)`);
}

/** Changes address, business scope and/or legal representative; the licence is reissued. */
export async function changeRegistration(deps: FlowDeps, ctx: Ctx, p: ChangeRegistrationRequest): Promise<Enterprise> {
  const c = checkChangeRegistration(p);
  const scopeName = `${SAMR}:changeRegistration`;
  return answerOnce<Enterprise>(deps.db, scopeName, c.key, c, async () => {
    const e = await loadEnterprise(deps.db, c.creditCode);
    requireActive(e);
    const newAddress = c.newAddressRaw ? checkAddress(c.newAddressRaw, "new_address", findRegion(e.regionCode)!) : undefined;
    if (c.newScopeCodes) {
      const { industry } = await loadReservation(deps.db, e.reservationId);
      if (!industryFitsMainBusiness(industry, c.newScopeCodes)) {
        throw failedPrecondition("SCOPE_INDUSTRY_MISMATCH", `名称行业表述“${industry}”与新的主营业务不一致 (the name's industry must fit the main business)`);
      }
    }
    const rep = c.newLegalRepresentativeIdNumber
      ? await deps.c.requirePerson(ctx, c.newLegalRepresentativeIdNumber, c.caseId, "new_legal_representative_id_number")
      : undefined;
    if (rep && ageOn(rep.birthDate, todayInChina()) < 18) {
      throw failedPrecondition("LEGAL_REPRESENTATIVE_UNDERAGE", "法定代表人须年满十八周岁 (the legal representative must be an adult)");
    }
    const changes: Record<string, unknown> = {};
    if (newAddress && newAddress !== e.address) changes.address = newAddress;
    const oldCodes = e.businessScope.map((s) => s.code);
    if (c.newScopeCodes && c.newScopeCodes.join() !== oldCodes.join()) changes.businessScopeCodes = c.newScopeCodes;
    if (rep && rep.idNumber !== e.legalRepresentativeIdNumber) {
      changes.legalRepresentativeIdNumber = rep.idNumber;
      changes.legalRepresentativeName = rep.name;
    }
    if (Object.keys(changes).length === 0) throw failedPrecondition("NOTHING_CHANGED", "变更事项与登记内容相同 (nothing differs from the register)");

    if (changes.address || changes.legalRepresentativeIdNumber) {
      await deps.c.identity.updateEntity(ctx, {
        idempotencyKey: deriveKey(c.key, "entity"),
        creditCode: e.creditCode,
        address: (changes.address as string) ?? "",
        legalRepresentativeIdNumber: (changes.legalRepresentativeIdNumber as string) ?? "",
        caseId: c.caseId,
      });
    }
    const scope = (c.newScopeCodes ?? oldCodes).map((code) => toBusinessScope(findScope(code)!));
    const licence = await deps.c.licences.issue(ctx, {
      idempotencyKey: deriveKey(c.key, "licence"),
      typeCode: "BL",
      holderId: e.creditCode,
      caseId: c.caseId,
      supersedes: e.licenceNumber,
      fields: {
        name: e.name,
        entity_type: (await deps.c.licences.get(ctx, e.licenceNumber, c.caseId)).fields.entity_type,
        legal_representative: (changes.legalRepresentativeName as string) ?? e.legalRepresentativeName,
        registered_capital: e.registeredCapital,
        established_on: e.establishedOn,
        address: (changes.address as string) ?? e.address,
        business_scope: scope.map((s) => s.description).join("；"),
      },
    });
    const result = await once(deps.db, scopeName, c.key, c, async (tx) => {
      const updated = await updateEnterprise(tx, e.creditCode, {
        address: changes.address as string | undefined,
        businessScopeCodes: changes.businessScopeCodes as string[] | undefined,
        legalRepresentativeIdNumber: changes.legalRepresentativeIdNumber as string | undefined,
        legalRepresentativeName: changes.legalRepresentativeName as string | undefined,
        licenceNumber: licence.number,
      });
      await tx.query("INSERT INTO enterprise_changes (credit_code, changes, old_licence, new_licence, case_id) VALUES ($1, $2, $3, $4, $5)", [
        e.creditCode,
        JSON.stringify(changes),
        e.licenceNumber,
        licence.number,
        c.caseId,
      ]);
      const { legalRepresentativeIdNumber: _private, ...published } = changes;
      await publish(tx, "registration.enterpriseChanged", { creditCode: e.creditCode, changes: published, licenceNumber: licence.number, caseId: c.caseId }, undefined, e.creditCode);
      return updated;
    });
    deps.relay.kick();
    return result;
  });
}

interface ClearanceAnswer {
  cleared: boolean;
}

/** Deregisters an enterprise once tax and social insurance confirm clearance over the bus. */
export async function deregister(deps: FlowDeps, ctx: Ctx, p: DeregisterRequest): Promise<Enterprise> {
  const key = checkIdempotencyKey(p.idempotencyKey);
  const request = {
    creditCode: requireCreditCode(p.creditCode).creditCode,
    reason: requireText(p.reason, "reason", 2, 500),
    caseId: requireCaseId(p.caseId),
  };
  const scopeName = `${SAMR}:deregister`;
  return answerOnce<Enterprise>(deps.db, scopeName, key, request, async () => {
    const e = await loadEnterprise(deps.db, request.creditCode);
    requireActive(e);
    const [tax, si] = await Promise.all([
      deps.c.call<ClearanceAnswer>(ctx, "tax.getClearance", { creditCode: e.creditCode }),
      deps.c.call<ClearanceAnswer>(ctx, "social-insurance.getEmployerClearance", { creditCode: e.creditCode }),
    ]);
    if (!tax.cleared || !si.cleared) {
      const missing = [!tax.cleared && "清税 (tax clearance)", !si.cleared && "社保清算 (social insurance clearance)"].filter(Boolean).join("、");
      throw failedPrecondition(!tax.cleared ? "TAX_NOT_CLEARED" : "SOCIAL_INSURANCE_NOT_CLEARED", `尚未完成${missing}，不能注销 (deregistration waits for clearance)`);
    }
    await withdrawAllSeals(deps, ctx, e.creditCode, `注销登记: ${request.reason}`, deriveKey(key, "seals"));
    await deps.c.revokeIfLive(ctx, e.licenceNumber, `注销登记: ${request.reason}`, deriveKey(key, "licence"));
    await deps.c.identity.deregisterEntity(ctx, { idempotencyKey: deriveKey(key, "entity"), creditCode: e.creditCode, reason: request.reason, caseId: request.caseId });
    const result = await once(deps.db, scopeName, key, request, async (tx) => {
      const updated = await updateEnterprise(tx, e.creditCode, { status: EnterpriseStatus.ENTERPRISE_STATUS_DEREGISTERED });
      await publish(tx, "registration.enterpriseDeregistered", { creditCode: e.creditCode, caseId: request.caseId }, undefined, e.creditCode);
      return updated;
    });
    deps.relay.kick();
    return result;
  });
}
