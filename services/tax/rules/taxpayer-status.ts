/** Which taxpayer statuses allow which requests. */
import { failedPrecondition } from "../../common/errors";
import { TaxpayerStatus } from "../../../proto/gen/tongban/tax/v1/tax";

/**
 * Whether a taxpayer may be registered given the status of an earlier registration: none or a
 * cancelled (compensated) one may; an active one is ALREADY_REGISTERED; a cleared one (税务注销)
 * is restored through its tax office, not registered anew.
 */
export function assertRegistrable(creditCode: string, existing: TaxpayerStatus | undefined): void {
  if (existing === TaxpayerStatus.TAXPAYER_STATUS_ACTIVE) {
    throw failedPrecondition("ALREADY_REGISTERED", `${creditCode} 已办理税务登记 (the taxpayer is already registered)`);
  }
  if (existing === TaxpayerStatus.TAXPAYER_STATUS_CLEARED) {
    throw failedPrecondition("TAXPAYER_CLEARED", `${creditCode} 已清税注销，不能重新登记 (the taxpayer has been cleared and cannot register again)`);
  }
}

/** Refuses any request on a taxpayer that is not ACTIVE (cancelled or cleared). */
export function requireActiveTaxpayer(creditCode: string, status: TaxpayerStatus): void {
  if (status === TaxpayerStatus.TAXPAYER_STATUS_ACTIVE) return;
  const word = status === TaxpayerStatus.TAXPAYER_STATUS_CLEARED ? "已清税 (cleared)" : "已撤销登记 (cancelled)";
  throw failedPrecondition("TAXPAYER_NOT_ACTIVE", `纳税人 ${creditCode} ${word}，不能办理该业务 (the taxpayer is not active)`);
}

/** A cleared taxpayer's registration can no longer be undone: clearance settled it. */
export function assertCancellable(creditCode: string, status: TaxpayerStatus): void {
  if (status === TaxpayerStatus.TAXPAYER_STATUS_CLEARED) {
    throw failedPrecondition("TAXPAYER_CLEARED", `${creditCode} 已清税，不能撤销登记 (the taxpayer has been cleared; its registration can no longer be undone)`);
  }
}
