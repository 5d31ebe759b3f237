/** 清税: whether a taxpayer may be cleared now. */
import { failedPrecondition } from "../../common/errors";
import { TaxpayerStatus } from "../../../proto/gen/tongban/tax/v1/tax";
import { formatYuan, sumFen } from "./money";

/** "already": the taxpayer is cleared (answer with the stored clearance); "clear": go ahead. */
export type ClearanceDecision = "already" | "clear";

/**
 * Decides a clearance request: a cleared taxpayer is answered with its clearance (the request is
 * idempotent whatever its key); any unpaid liability refuses it with OUTSTANDING_LIABILITIES naming
 * the unpaid total. A cancelled registration is cleared like an active one: an enterprise whose
 * registration was undone has had no tax matters, and gets its 清税文书 at once so it can deregister.
 */
export function decideClearance(creditCode: string, status: TaxpayerStatus, unpaidFen: readonly bigint[]): ClearanceDecision {
  if (status === TaxpayerStatus.TAXPAYER_STATUS_CLEARED) return "already";
  if (unpaidFen.length > 0) {
    const total = formatYuan(sumFen(unpaidFen));
    throw failedPrecondition(
      "OUTSTANDING_LIABILITIES",
      `纳税人 ${creditCode} 尚有 ${unpaidFen.length} 笔未缴税款，合计 ${total} 元 (${unpaidFen.length} unpaid liabilities totalling ${total} CNY)`,
    );
  }
  return "clear";
}
