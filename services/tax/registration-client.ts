/**
 * The one read tax makes of business registration: the enterprise with its business scope, for a
 * case, as the tax department, through the shared client.
 */
import type { Context } from "moleculer";
import type { CallerMeta } from "../common/caller";
import { clientsFor } from "../common/clients";
import { failedPrecondition } from "../common/errors";
import { Enterprise, EnterpriseStatus } from "../../proto/gen/tongban/registration/v1/registration";

const { registration } = clientsFor("tax");
const CLOSED = [EnterpriseStatus.ENTERPRISE_STATUS_CANCELLED, EnterpriseStatus.ENTERPRISE_STATUS_DEREGISTERED];

/** The registered enterprise; FAILED_PRECONDITION when business registration does not know it or has closed it. */
export async function requireRegisteredEnterprise(ctx: Context<unknown, CallerMeta>, creditCode: string, caseId: string): Promise<Enterprise> {
  let enterprise: Enterprise;
  try {
    enterprise = Enterprise.fromPartial(await registration.getEnterprise(ctx, creditCode, caseId));
  } catch (err) {
    if ((err as { type?: string }).type === "NOT_FOUND") {
      throw failedPrecondition("ENTERPRISE_NOT_REGISTERED", `登记机关没有 ${creditCode} 的设立登记 (business registration does not know the enterprise)`);
    }
    throw err;
  }
  // A closed registration refuses here; the licence registry reads the entity from identity (active) when TAXREG is issued.
  if (CLOSED.includes(enterprise.status)) {
    throw failedPrecondition("ENTERPRISE_NOT_ACTIVE", `企业 ${creditCode} 的登记状态为 ${enterprise.status} (the enterprise is not active in business registration)`);
  }
  return enterprise;
}
