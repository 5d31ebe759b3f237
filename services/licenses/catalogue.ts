/**
 * The catalogue of licence types (电子证照目录). Each type is issued by exactly one department and
 * declares its typed fields; issuing checks the fields against this list.
 */
import { HolderKind, type LicenceType } from "../../proto/gen/tongban/licenses/v1/licenses";

type Format = "text" | "date" | "decimal";
const f = (name: string, labelZh: string, labelEn: string, format: Format = "text", required = true) => ({
  name,
  labelZh,
  labelEn,
  required,
  format,
});

/** A type of the catalogue; its GB/T 36904 type code comes from the centre's authorities (authorities.ts). */
export type CatalogueType = Omit<LicenceType, "nationalCode">;

export const LICENCE_TYPES: CatalogueType[] = [
  {
    code: "BL",
    nameZh: "营业执照",
    nameEn: "Business licence",
    issuer: "samr",
    holderKind: HolderKind.HOLDER_KIND_ENTITY,
    validityYears: 0,
    fields: [
      f("name", "名称", "Name"),
      f("entity_type", "类型", "Entity type"),
      f("legal_representative", "法定代表人", "Legal representative"),
      f("registered_capital", "注册资本（万元）", "Registered capital (10k CNY)", "decimal", false),
      f("established_on", "成立日期", "Established on", "date"),
      f("address", "住所", "Domicile"),
      f("business_scope", "经营范围", "Business scope"),
    ],
  },
  {
    code: "SEAL",
    nameZh: "印章备案证明",
    nameEn: "Seal filing certificate",
    // Filed through market regulation's one-window platform (开办企业一窗通) together with the
    // registration; a public-security seal service can take the type over later.
    issuer: "samr",
    holderKind: HolderKind.HOLDER_KIND_ENTITY,
    validityYears: 0,
    fields: [
      f("seal_type", "印章类型", "Seal type"),
      f("seal_code", "印章编码", "Seal code"),
      f("engraver", "刻制单位", "Engraver"),
      f("filed_on", "备案日期", "Filed on", "date"),
    ],
  },
  {
    code: "TAXREG",
    nameZh: "税务登记信息确认",
    nameEn: "Tax registration",
    issuer: "tax",
    holderKind: HolderKind.HOLDER_KIND_ENTITY,
    validityYears: 0,
    fields: [
      f("taxpayer_type", "纳税人类型", "Taxpayer type"),
      f("tax_authority", "主管税务机关", "Competent tax authority"),
      f("tax_types", "税种", "Tax types"),
      f("registered_on", "登记日期", "Registered on", "date"),
    ],
  },
  {
    code: "SIREG",
    nameZh: "社会保险登记证",
    nameEn: "Social insurance registration",
    issuer: "hrss",
    holderKind: HolderKind.HOLDER_KIND_ENTITY,
    validityYears: 0,
    fields: [
      f("si_number", "单位社保编号", "Employer social insurance number"),
      f("insurance_types", "参保险种", "Insurance types"),
      f("registered_on", "登记日期", "Registered on", "date"),
    ],
  },
  {
    code: "TAXCLR",
    nameZh: "清税证明",
    nameEn: "Tax clearance certificate",
    issuer: "tax",
    holderKind: HolderKind.HOLDER_KIND_ENTITY,
    validityYears: 1,
    fields: [f("cleared_on", "清税日期", "Cleared on", "date"), f("tax_authority", "主管税务机关", "Competent tax authority")],
  },
  {
    code: "SICERT",
    nameZh: "社会保险参保证明",
    nameEn: "Certificate of social insurance contributions",
    issuer: "hrss",
    holderKind: HolderKind.HOLDER_KIND_PERSON,
    validityYears: 1,
    fields: [
      f("employer", "参保单位", "Employer"),
      f("insurance_types", "参保险种", "Insurance types"),
      f("months_contributed", "累计缴费月数", "Months contributed", "decimal"),
    ],
  },
  {
    code: "FOOD",
    nameZh: "食品经营许可证",
    nameEn: "Food business licence",
    issuer: "samr",
    holderKind: HolderKind.HOLDER_KIND_ENTITY,
    validityYears: 5,
    fields: [
      f("operator", "经营者名称", "Operator"),
      f("premises", "经营场所", "Premises"),
      f("main_business", "主体业态", "Main business form"),
      f("food_categories", "经营项目", "Food categories"),
    ],
  },
  {
    code: "RESPMT",
    nameZh: "居住证",
    nameEn: "Residence permit",
    issuer: "psb",
    holderKind: HolderKind.HOLDER_KIND_PERSON,
    validityYears: 1,
    fields: [f("residence_address", "居住地址", "Residence address"), f("issuing_office", "签发机关", "Issuing office")],
  },
];

const BY_CODE = new Map(LICENCE_TYPES.map((t) => [t.code, t]));

/** A licence type by code, or undefined. */
export function findLicenceType(code: string): CatalogueType | undefined {
  return BY_CODE.get(code);
}
