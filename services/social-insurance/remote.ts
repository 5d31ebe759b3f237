/**
 * What social insurance asks of other services over the bus, always as the department hrss and
 * naming the case: the shared clients (among them the employer as business registration holds it)
 * and the work-injury risk class its registered scope gives.
 */
import { clientsFor } from "../common/clients";
import { failedPrecondition } from "../common/errors";
import type { Enterprise } from "../../proto/gen/tongban/registration/v1/registration";
import { riskClassOfScope } from "./rules/risk-class";

/** The department code of 人力资源和社会保障 (issuer of SIREG and SICERT). */
export const HRSS = "hrss";

/** Calls on identity and licences as hrss. */
export const hrss = clientsFor(HRSS);

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
