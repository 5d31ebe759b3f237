/**
 * Who the national e-licence identifiers (GB/T 36904, signing/licence-id.ts) name: the issuing
 * bodies by their unified social credit codes (GB 32100), and each licence type by its type code
 * (the defining authority's credit code + 3 digits).
 *
 * The built-in codes are the demonstration centre's (成都, region 510100) and of national
 * authorities standing in for the real ones; they are valid codes (check characters and all) but
 * belong to no real body. A centre sets its own with LICENCE_ISSUER_CODES and LICENCE_TYPE_CODES
 * (JSON objects; what they name replaces the built-in entry), checked when the service starts.
 */
import type { Config } from "../common/config";
import { validateCreditCode } from "../identity/rules/credit-code";
import { typeCodeProblem } from "./signing/licence-id";

/** Issuing departments' credit codes (颁发机构代码). */
const ISSUERS: Record<string, string> = {
  samr: "11510100PB8UYH3138", // 市场监督管理局
  tax: "11510100LJKHMP8548", // 税务局
  hrss: "11510100G7BRPC727P", // 人力资源和社会保障局
  psb: "11510100XY9BURXH7K", // 公安局
};

/** National authorities that define licence types (证照类型定义机构). */
const SAMR_NATIONAL = "11100000EKJ5T3YT4M";
const TAX_NATIONAL = "11100000FX99F12K5H";
const HRSS_NATIONAL = "11100000XMAK9T3B4G";
const PSB_NATIONAL = "111000002AQW751J1G";

/** Licence type codes (证照类型代码) by the hub's short type code. */
const TYPES: Record<string, string> = {
  BL: `${SAMR_NATIONAL}001`,
  SEAL: `${SAMR_NATIONAL}014`,
  FOOD: `${SAMR_NATIONAL}021`,
  TAXREG: `${TAX_NATIONAL}001`,
  TAXCLR: `${TAX_NATIONAL}004`,
  SIREG: `${HRSS_NATIONAL}001`,
  SICERT: `${HRSS_NATIONAL}007`,
  RESPMT: `${PSB_NATIONAL}003`,
};

/** The codes a licence service numbers licences with. */
export interface LicenceAuthorities {
  /** The issuing department's credit code; throws when the hub has none for it. */
  issuerCode(department: string): string;
  /** The GB/T 36904 type code of a hub type code; throws when the hub has none for it. */
  typeCode(type: string): string;
  /** Every issuer and type code, for publication. */
  all(): { issuers: Record<string, string>; types: Record<string, string> };
}

/** The authorities of `config`: the built-in codes with the configured ones over them; throws naming a bad entry. */
export function licenceAuthorities(config: Pick<Config, "licenceIssuerCodes" | "licenceTypeCodes">): LicenceAuthorities {
  const issuers = { ...ISSUERS, ...overrides(config.licenceIssuerCodes, "LICENCE_ISSUER_CODES") };
  const types = { ...TYPES, ...overrides(config.licenceTypeCodes, "LICENCE_TYPE_CODES") };
  for (const [department, code] of Object.entries(issuers)) {
    const r = validateCreditCode(code);
    if (!r.ok) throw new Error(`LICENCE_ISSUER_CODES: ${department}: ${code} is not a unified social credit code: ${r.reason}`);
  }
  for (const [type, code] of Object.entries(types)) {
    const problem = typeCodeProblem(code);
    if (problem) throw new Error(`LICENCE_TYPE_CODES: ${type}: ${problem}`);
  }
  return {
    issuerCode(department) {
      const code = issuers[department];
      if (!code) throw new Error(`no credit code for the issuing department ${department}: add it to LICENCE_ISSUER_CODES`);
      return code;
    },
    typeCode(type) {
      const code = types[type];
      if (!code) throw new Error(`no GB/T 36904 type code for licence type ${type}: add it to LICENCE_TYPE_CODES`);
      return code;
    },
    all: () => ({ issuers: { ...issuers }, types: { ...types } }),
  };
}

function overrides(json: string | undefined, name: string): Record<string, string> {
  if (json === undefined || json.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (err) {
    throw new Error(`${name} is not JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error(`${name} must be a JSON object of codes by name`);
  for (const [k, v] of Object.entries(parsed)) if (typeof v !== "string") throw new Error(`${name}: ${k} must be a string`);
  return parsed as Record<string, string>;
}
