/** The most monthly invoicing credit (数电发票授信额度) each taxpayer type may be granted at registration. */
import { failedPrecondition } from "../../common/errors";
import { TaxpayerType } from "../../../proto/gen/tongban/tax/v1/tax";
import { formatYuan } from "./money";
import { taxpayerTypeName } from "./taxpayer-type";

/**
 * Initial monthly credit lines of this office, in 分: a new small-scale taxpayer up to 100,000.00 元,
 * a new general taxpayer up to 1,000,000.00 元. Higher lines follow the taxpayer's filing history,
 * which a new taxpayer does not have yet.
 */
export const INVOICE_LIMITS_FEN: Readonly<Partial<Record<TaxpayerType, bigint>>> = {
  [TaxpayerType.TAXPAYER_TYPE_SMALL_SCALE]: 100_000_00n,
  [TaxpayerType.TAXPAYER_TYPE_GENERAL]: 1_000_000_00n,
};

/** The limit in 分 for a taxpayer type. */
export function invoiceLimitFen(type: TaxpayerType): bigint {
  const limit = INVOICE_LIMITS_FEN[type];
  if (limit === undefined) throw new Error(`no invoice limit for taxpayer type ${type}`);
  return limit;
}

/** Refuses a credit line above the type's limit with INVOICE_LIMIT_EXCEEDED naming both amounts; returns the limit. */
export function checkCreditLine(type: TaxpayerType, creditLineFen: bigint): bigint {
  const limit = invoiceLimitFen(type);
  if (creditLineFen > limit) {
    throw failedPrecondition(
      "INVOICE_LIMIT_EXCEEDED",
      `申请的月度发票额度 ${formatYuan(creditLineFen)} 元超过${taxpayerTypeName(type)}上限 ${formatYuan(limit)} 元 ` +
        `(the requested monthly credit line ${formatYuan(creditLineFen)} exceeds the limit of ${formatYuan(limit)} for this taxpayer type)`,
    );
  }
  return limit;
}
