/** 小规模纳税人 or 一般纳税人: the VAT taxpayer type a new taxpayer gets. */
import { TaxpayerType } from "../../../proto/gen/tongban/tax/v1/tax";
import { FEN_PER_WAN_YUAN } from "./money";

/**
 * Annual taxable sales above 500万元 make a taxpayer general (财税〔2018〕33号 unified the 小规模纳税人
 * standard at 500万元 for every industry). Held in 分 so 500.00 and 500.01 compare exactly.
 */
export const GENERAL_TAXPAYER_THRESHOLD_FEN = 500n * FEN_PER_WAN_YUAN;

/** General when the taxpayer asks for it (a small taxpayer may opt in) or expects sales above the threshold. */
export function taxpayerTypeFor(expectedAnnualSalesFen: bigint, requestGeneral: boolean): TaxpayerType {
  return requestGeneral || expectedAnnualSalesFen > GENERAL_TAXPAYER_THRESHOLD_FEN
    ? TaxpayerType.TAXPAYER_TYPE_GENERAL
    : TaxpayerType.TAXPAYER_TYPE_SMALL_SCALE;
}

const NAMES: Partial<Record<TaxpayerType, string>> = {
  [TaxpayerType.TAXPAYER_TYPE_SMALL_SCALE]: "小规模纳税人",
  [TaxpayerType.TAXPAYER_TYPE_GENERAL]: "一般纳税人",
};

/** The Chinese name of a taxpayer type, as printed on the registration licence. */
export function taxpayerTypeName(type: TaxpayerType): string {
  const name = NAMES[type];
  if (!name) throw new Error(`no name for taxpayer type ${type}`);
  return name;
}
