/**
 * Revoking a clearance (撤销清税): the compensation of RequestClearance when the deregistration it
 * was for did not happen (another department refused, the officer rejected it, the applicant
 * withdrew). The certificate is revoked, the invoice grants and withholding registrations the
 * clearance surrendered are active again, and the taxpayer's status is what it was, so a failed
 * 企业注销 leaves nothing behind at tax. Idempotent: a revoked clearance answers "not cleared".
 */
import { emitEvent } from "../common/events";
import type { Context } from "moleculer";
import type { Database } from "../common/db/database";
import { callerDepartment, type CallerMeta } from "../common/caller";
import { failedPrecondition, notFound } from "../common/errors";
import { answerOnce, deriveKey } from "../common/idempotency";
import { contextLogger } from "../common/logger";
import { TaxpayerStatus, type Clearance, type RevokeClearanceRequest } from "../../proto/gen/tongban/tax/v1/tax";
import { clearanceOf, notCleared, removeClearance, wasRevoked } from "./clearances";
import { reinstateGrants } from "./grants";
import { revokeTaxLicence } from "./licence-steps";
import { checkRevokeClearance } from "./requests";
import { onceForTaxpayer, setTaxpayerStatus } from "./taxpayers";
import { reinstateWithholdings } from "./withholdings";

/**
 * RevokeClearance `{ idempotencyKey, creditCode, certificateNumber, reason }` -> Clearance (cleared
 * false). NOT_FOUND when the enterprise never held that certificate; FAILED_PRECONDITION
 * CLEARANCE_USED once the taxpayer is no longer CLEARED (the enterprise was deregistered on it).
 */
export async function revokeClearance(db: Database, ctx: Context<unknown, CallerMeta>, p: RevokeClearanceRequest): Promise<Clearance> {
  const caller = callerDepartment(ctx);
  const { key, request } = checkRevokeClearance(p);
  const { creditCode, certificateNumber, reason } = request;
  const scope = `${caller}:revokeClearance`;
  return answerOnce<Clearance>(db, scope, key, request, async () => {
    const standing = await clearanceOf(db, creditCode);
    if (!standing.cleared || standing.certificateNumber !== certificateNumber) {
      if (await wasRevoked(db, creditCode, certificateNumber)) return notCleared(creditCode);
      throw notFound("clearance", `${certificateNumber} of ${creditCode}`);
    }
    // The certificate first (idempotent by its derived key): a retry after a failure below revokes nothing twice.
    await revokeTaxLicence(ctx, certificateNumber, reason, deriveKey(key, "licence"));
    const answer = await onceForTaxpayer(db, scope, key, request, creditCode, async (tx, taxpayer) => {
      if (taxpayer.status !== TaxpayerStatus.TAXPAYER_STATUS_CLEARED) {
        throw failedPrecondition("CLEARANCE_USED", `纳税人 ${creditCode} 已不是清税状态 (${taxpayer.status})，清税不能撤销 (the clearance was used)`);
      }
      const effects = await removeClearance(tx, creditCode, certificateNumber, reason);
      // Revoked meanwhile by a concurrent call: nothing left to restore.
      if (!effects) return notCleared(creditCode);
      await reinstateGrants(tx, effects.surrenderedGrants);
      await reinstateWithholdings(tx, effects.endedWithholdings);
      await setTaxpayerStatus(tx, creditCode, effects.previousStatus as TaxpayerStatus, effects.previousStatusReason);
      return notCleared(creditCode);
    });
    contextLogger(ctx).info({ creditCode, certificate: certificateNumber }, "clearance revoked");
    emitEvent(ctx, "tax.clearanceRevoked", { creditCode, certificateNumber, reason });
    return answer;
  });
}
