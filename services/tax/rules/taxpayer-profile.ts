/** What registration decides about a new taxpayer, from the registries' data and the applicant's estimate. */
import { failedPrecondition } from "../../common/errors";
import type { TaxpayerType } from "../../../proto/gen/tongban/tax/v1/tax";
import { taxAuthorityFor } from "./tax-authority";
import { taxpayerTypeFor } from "./taxpayer-type";
import { taxTypesFor, UnsupportedEnterpriseType } from "./tax-types";

/** What the registries and the applicant tell registration. */
export interface ProfileInput {
  regionCode: string;
  enterpriseType: string;
  scopeCodes: readonly string[];
  expectedAnnualSalesFen: bigint;
  requestGeneral: boolean;
}

/** What registration decides. */
export interface TaxpayerProfile {
  taxpayerType: TaxpayerType;
  taxTypes: string[];
  taxAuthority: string;
}

/** Tax types, taxpayer type and tax authority; FAILED_PRECONDITION when the registries' data allows no decision. */
export function taxpayerProfile(input: ProfileInput): TaxpayerProfile {
  const taxAuthority = taxAuthorityFor(input.regionCode);
  if (!taxAuthority) {
    throw failedPrecondition("NO_TAX_AUTHORITY", `区划 ${input.regionCode} 没有本系统服务的主管税务机关 (no tax authority serves region ${input.regionCode})`);
  }
  return { taxpayerType: taxpayerTypeFor(input.expectedAnnualSalesFen, input.requestGeneral), taxTypes: recomputedTaxTypes(input.enterpriseType, input.scopeCodes), taxAuthority };
}

/** Tax types of an enterprise type and scope; FAILED_PRECONDITION ENTERPRISE_TYPE_UNSUPPORTED for other types. */
export function recomputedTaxTypes(enterpriseType: string, scopeCodes: readonly string[]): string[] {
  try {
    return taxTypesFor(enterpriseType, scopeCodes);
  } catch (err) {
    if (!(err instanceof UnsupportedEnterpriseType)) throw err;
    throw failedPrecondition(
      "ENTERPRISE_TYPE_UNSUPPORTED",
      `企业类型 ${enterpriseType} 无法确定所得税税种 (only companies and sole proprietorships are registered)`,
    );
  }
}
