/**
 * What social insurance asks of other services over the bus, always as the department hrss and
 * naming the case: the shared clients, the enterprise's business scope from business
 * registration, and licence revocations that tolerate being repeated.
 */
import type { Context } from "moleculer";
import type { CallerMeta } from "../common/caller";
import { clientsFor } from "../common/clients";
import { failedPrecondition } from "../common/errors";
import type { Enterprise } from "../../proto/gen/tongban/registration/v1/registration";
import { riskClassOfScope } from "./rules/risk-class";

type Ctx = Context<unknown, CallerMeta>;

/** The department code of 人力资源和社会保障 (issuer of SIREG and SICERT). */
export const HRSS = "hrss";

/** Calls on identity and licences as hrss. */
export const hrss = clientsFor(HRSS);

/**
 * The work-injury risk class from the enterprise's business scope in business registration.
 * FAILED_PRECONDITION RISK_CLASS_UNDETERMINED when the register has no usable scope for it.
 */
export async function riskClassFromRegistration(ctx: Ctx, creditCode: string, caseId: string): Promise<number> {
  const undetermined = (why: string) =>
    failedPrecondition(
      "RISK_CLASS_UNDETERMINED",
      `无法根据经营范围确定工伤保险行业风险类别，请填写 work_injury_risk_class (${why}; give the risk class 1-8)`,
    );
  let enterprise: Enterprise;
  try {
    enterprise = await hrss.registration.getEnterprise(ctx, creditCode, caseId);
  } catch (err) {
    if ((err as { type?: string }).type === "NOT_FOUND") throw undetermined("the enterprise is not in the business register");
    throw err;
  }
  const riskClass = riskClassOfScope((enterprise.businessScope ?? []).map((s) => s.code));
  if (riskClass === undefined) throw undetermined("the registered business scope carries no GB/T 4754 industry code");
  return riskClass;
}

