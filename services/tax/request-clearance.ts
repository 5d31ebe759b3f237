/**
 * 清税: refused while any liability is unpaid; otherwise the invoice grant is surrendered,
 * withholding ends, the TAXCLR certificate is issued and the taxpayer is CLEARED, in one transaction.
 */
import { emitEvent } from "../common/events";
import type { Context } from "moleculer";
import type { Database } from "../common/db/database";
import { callerDepartment, type CallerMeta } from "../common/caller";
import { answerOnce } from "../common/idempotency";
import { contextLogger } from "../common/logger";
import { todayInChina } from "../common/validate";
import { TaxpayerStatus, type Clearance, type RequestClearanceRequest } from "../../proto/gen/tongban/tax/v1/tax";
import { clearanceOf, insertClearance } from "./clearances";
import { withdrawGrantsOf } from "./grants";
import { reasonCodeOf } from "../common/errors";
import { voidTaxLicence, withTaxLicence } from "./licence-steps";
import { unpaidOf } from "./liabilities";
import { checkRequestClearance } from "./requests";
import { decideClearance } from "./rules/clearance";
import { loadTaxpayer, onceForTaxpayer, setTaxpayerStatus } from "./taxpayers";
import { endWithholdingsOf } from "./withholdings";

const SURRENDER_REASON = "清税注销，缴销发票、终止扣缴 (surrendered at tax clearance)";

/** Clears a taxpayer; a cleared one is answered with its clearance whatever the key. */
export async function requestClearance(db: Database, ctx: Context<unknown, CallerMeta>, p: RequestClearanceRequest): Promise<Clearance> {
  const caller = callerDepartment(ctx);
  const { key, request } = checkRequestClearance(p);
  const { creditCode, caseId } = request;
  const scope = `${caller}:requestClearance`;
  return answerOnce<Clearance>(db, scope, key, request, async () => {
    const taxpayer = await loadTaxpayer(db, creditCode);
    if (decideClearance(creditCode, taxpayer.status, await unpaidOf(db, creditCode)) === "already") return clearanceOf(db, creditCode);

    const clearedOn = todayInChina();
    // Set when a concurrent clearance committed first, making this certificate surplus.
    let surplus = false;
    const clearance = await withTaxLicence(
      ctx,
      key,
      clearedOn,
      { typeCode: "TAXCLR", holderId: creditCode, caseId, fields: { cleared_on: clearedOn, tax_authority: taxpayer.tax_authority } },
      async (certificate, live) => {
        let cleared: Clearance;
        try {
          // Decided again under the row lock: a liability recorded meanwhile (RecordLiability locks the row too) refuses it.
          cleared = await onceForTaxpayer(db, scope, key, request, creditCode, async (tx, row) => {
            await live.inTransaction(tx);
            if (decideClearance(creditCode, row.status, await unpaidOf(tx, creditCode)) === "already") {
              surplus = true;
              return clearanceOf(tx, creditCode);
            }
            // What it changes is kept with it, so that RevokeClearance can restore exactly that.
            const surrenderedGrants = await withdrawGrantsOf(tx, creditCode, SURRENDER_REASON);
            const endedWithholdings = await endWithholdingsOf(tx, creditCode, SURRENDER_REASON);
            await setTaxpayerStatus(tx, creditCode, TaxpayerStatus.TAXPAYER_STATUS_CLEARED, SURRENDER_REASON);
            return insertClearance(tx, creditCode, certificate.number, clearedOn, caseId, {
              previousStatus: row.status,
              previousStatusReason: row.status_reason ?? "",
              surrenderedGrants,
              endedWithholdings,
            });
          });
        } catch (err) {
          // Refused under the lock (a liability was recorded meanwhile): the certificate is void.
          if (reasonCodeOf(err) === "OUTSTANDING_LIABILITIES") await voidTaxLicence(db, ctx, certificate.number);
          throw err;
        }
        if (surplus) await voidTaxLicence(db, ctx, certificate.number);
        return cleared;
      },
    );
    if (!surplus) {
      contextLogger(ctx).info({ creditCode, certificate: clearance.certificateNumber }, "taxpayer cleared");
      emitEvent(ctx, "tax.cleared", { creditCode, certificateNumber: clearance.certificateNumber, clearedOn, caseId });
    }
    return clearance;
  });
}
