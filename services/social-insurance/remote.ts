/**
 * What social insurance asks of other services over the bus, always as the department hrss and
 * naming the case: the shared clients, the employer as business registration holds it, and
 * licence revocations that tolerate being repeated.
 */
import type { Context } from "moleculer";
import type { CallerMeta } from "../common/caller";
import { clientsFor } from "../common/clients";
import { failedPrecondition } from "../common/errors";
import { Enterprise, EnterpriseStatus } from "../../proto/gen/tongban/registration/v1/registration";
import { riskClassOfScope } from "./rules/risk-class";

type Ctx = Context<unknown, CallerMeta>;

/** The department code of 人力资源和社会保障 (issuer of SIREG and SICERT). */
export const HRSS = "hrss";

/** Calls on identity and licences as hrss. */
export const hrss = clientsFor(HRSS);

const CLOSED = [EnterpriseStatus.ENTERPRISE_STATUS_CANCELLED, EnterpriseStatus.ENTERPRISE_STATUS_DEREGISTERED];

/**
 * The employer as business registration holds it (name, region, address, scope, status), read as
 * hrss for the case: the one read of the enterprise a registration makes (the legal-entity
 * registry holds a copy of the same registration). FAILED_PRECONDITION ENTERPRISE_NOT_REGISTERED
 * when the register does not know it, ENTERPRISE_NOT_ACTIVE when it closed it.
 */
export async function registeredEnterprise(ctx: Ctx, creditCode: string, caseId: string): Promise<Enterprise> {
  let enterprise: Enterprise;
  try {
    enterprise = Enterprise.fromPartial(await hrss.registration.getEnterprise(ctx, creditCode, caseId));
  } catch (err) {
    if ((err as { type?: string }).type === "NOT_FOUND") {
      throw failedPrecondition("ENTERPRISE_NOT_REGISTERED", `登记机关没有 ${creditCode} 的设立登记 (business registration does not know the employer)`);
    }
    throw err;
  }
  if (CLOSED.includes(enterprise.status)) {
    throw failedPrecondition("ENTERPRISE_NOT_ACTIVE", `企业 ${creditCode} 的登记状态为 ${enterprise.status} (the employer is not active in business registration)`);
  }
  return enterprise;
}

/**
 * The work-injury risk class from the enterprise's registered business scope (GB/T 4754 codes).
 * FAILED_PRECONDITION RISK_CLASS_UNDETERMINED when the scope gives none.
 */
export function riskClassOfEnterprise(enterprise: Enterprise): number {
  const riskClass = riskClassOfScope((enterprise.businessScope ?? []).map((s) => s.code));
  if (riskClass === undefined) {
    throw failedPrecondition(
      "RISK_CLASS_UNDETERMINED",
      "无法根据经营范围确定工伤保险行业风险类别，请填写 work_injury_risk_class (the registered business scope carries no GB/T 4754 industry code; give the risk class 1-8)",
    );
  }
  return riskClass;
}
