/** Checks of incoming requests, field by field, before anything is read or written. */
import { invalidArgument } from "../common/errors";
import { checkIdempotencyKey } from "../common/idempotency";
import { formatDecimal } from "../common/decimal";
import { AMOUNTS, parseAmount } from "../common/amounts";
import { requireCaseId, requireEnum, requireText } from "../common/validate";
import { holderKindOf, requireCreditCode, requireIdNumber, requireRegion } from "../identity/checks";
import type { Region } from "../identity/rules/regions";
import {
  EnterpriseType,
  type ChangeRegistrationRequest,
  type DeclareNameRequest,
  type RegisterEnterpriseRequest,
} from "../../proto/gen/tongban/registration/v1/registration";
import { checkIndustry, checkOrganisationForm, checkTradeName } from "./rules/names";
import { findScope } from "./rules/scopes";

/** 注册资本 and contributions are in 万元 with up to 4 decimals (1 元 = 0.0001 万元). */
export const CAPITAL_SCALE = AMOUNTS.registeredCapital.scale;
export const CONTRIBUTION_METHODS = ["货币", "实物", "知识产权", "土地使用权", "股权", "债权"];
const ENTERPRISE_TYPES = [EnterpriseType.ENTERPRISE_TYPE_COMPANY, EnterpriseType.ENTERPRISE_TYPE_SOLE_PROPRIETORSHIP] as const;

/** A checked name declaration. */
export function checkDeclareName(p: DeclareNameRequest) {
  const key = checkIdempotencyKey(p.idempotencyKey);
  const region = requireRegion(p.regionCode);
  const enterpriseType = requireEnum(p.enterpriseType, "enterprise_type", ENTERPRISE_TYPES);
  return {
    key,
    region,
    enterpriseType,
    tradeName: checkTradeName(p.tradeName),
    industry: checkIndustry(p.industry),
    organisationForm: checkOrganisationForm(p.organisationForm, enterpriseType),
    applicantIdNumber: requireIdNumber(p.applicantIdNumber, "applicant_id_number").idNumber,
    caseId: requireCaseId(p.caseId),
  };
}

/** Business scope codes: 1-20 distinct catalogue codes, the main business first. */
export function checkScopeCodes(codes: unknown, field: string): string[] {
  if (!Array.isArray(codes) || codes.length === 0) throw invalidArgument(field, "is required: at least the main business (see ListBusinessScopes)");
  if (codes.length > 20) throw invalidArgument(field, `must list at most 20 items (got ${codes.length})`);
  const seen = new Set<string>();
  codes.forEach((c, i) => {
    if (typeof c !== "string" || !findScope(c)) throw invalidArgument(`${field}[${i}]`, `"${String(c)}" is not in the business scope catalogue`);
    if (seen.has(c)) throw invalidArgument(`${field}[${i}]`, `"${c}" is listed twice`);
    seen.add(c);
  });
  return [...seen];
}

/** An address inside the region (it must start with the province or the city of the region). */
export function checkAddress(value: unknown, field: string, region: Region): string {
  const address = requireText(value, field, 6, 200);
  // 广东省深圳市… or 深圳市…; a municipality's province and city are one (北京市…).
  const prefixes = region.province === region.city ? [region.city] : [`${region.province}${region.city}`, region.city];
  if (!prefixes.some((prefix) => address.startsWith(prefix))) {
    throw invalidArgument(field, `must be in ${region.province === region.city ? region.city : region.province + region.city} (region ${region.code}), written from the province or city`);
  }
  return address;
}

export interface CheckedInvestor {
  id: string;
  kind: "person" | "entity";
  contribution: bigint;
  contributionMethod: string;
}

/** A checked establishment request (region-dependent checks come once the reservation is known). */
export function checkRegisterEnterprise(p: RegisterEnterpriseRequest) {
  const key = checkIdempotencyKey(p.idempotencyKey);
  const reservationId = requireText(p.reservationId, "reservation_id", 4, 64);
  const capital = parseAmount("registeredCapital", p.registeredCapital, "registered_capital");
  const scopeCodes = checkScopeCodes(p.businessScopeCodes, "business_scope_codes");
  const legalRepresentativeIdNumber = requireIdNumber(p.legalRepresentativeIdNumber, "legal_representative_id_number").idNumber;
  if (!Array.isArray(p.investors) || p.investors.length === 0) throw invalidArgument("investors", "is required: at least one investor");
  if (p.investors.length > 50) throw invalidArgument("investors", `must list at most 50 (got ${p.investors.length})`);
  const seen = new Set<string>();
  const investors: CheckedInvestor[] = p.investors.map((inv, i) => {
    if (!inv || typeof inv !== "object") throw invalidArgument(`investors[${i}]`, "must be an investor: { id, contribution, contribution_method }");
    const id = typeof inv.id === "string" ? inv.id.trim().toUpperCase() : "";
    const kind = holderKindOf(id);
    if (!kind) throw invalidArgument(`investors[${i}].id`, "must be a resident ID number or a unified social credit code");
    if (seen.has(id)) throw invalidArgument(`investors[${i}].id`, "is listed twice");
    seen.add(id);
    const method = inv.contributionMethod || "货币";
    if (!CONTRIBUTION_METHODS.includes(method)) throw invalidArgument(`investors[${i}].contribution_method`, `must be one of ${CONTRIBUTION_METHODS.join(", ")}`);
    return {
      id,
      kind,
      contribution: parseAmount("contribution", inv.contribution, `investors[${i}].contribution`),
      contributionMethod: method,
    };
  });
  return {
    key,
    reservationId,
    capital,
    capitalText: formatDecimal(capital, CAPITAL_SCALE),
    addressRaw: p.address,
    scopeCodes,
    legalRepresentativeIdNumber,
    investors,
    caseId: requireCaseId(p.caseId),
  };
}

/** A checked change registration: at least one change. */
export function checkChangeRegistration(p: ChangeRegistrationRequest) {
  const key = checkIdempotencyKey(p.idempotencyKey);
  const creditCode = requireCreditCode(p.creditCode).creditCode;
  const newScopeCodes = p.newBusinessScopeCodes?.length ? checkScopeCodes(p.newBusinessScopeCodes, "new_business_scope_codes") : undefined;
  const newLegalRepresentativeIdNumber = p.newLegalRepresentativeIdNumber
    ? requireIdNumber(p.newLegalRepresentativeIdNumber, "new_legal_representative_id_number").idNumber
    : undefined;
  if (!p.newAddress && !newScopeCodes && !newLegalRepresentativeIdNumber) {
    throw invalidArgument("new_address", "give at least one change: new_address, new_business_scope_codes or new_legal_representative_id_number");
  }
  return { key, creditCode, newAddressRaw: p.newAddress || undefined, newScopeCodes, newLegalRepresentativeIdNumber, caseId: requireCaseId(p.caseId) };
}

/** Whole years of age on a date, from a YYYY-MM-DD birth date. */
export function ageOn(birthDate: string, on: string): number {
  const [by, bm, bd] = birthDate.split("-").map(Number);
  const [y, m, d] = on.split("-").map(Number);
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}
