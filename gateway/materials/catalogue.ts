/**
 * The material catalogue (材料目录): what an applicant may upload to the material store, in which
 * formats and up to what size, and which materials the government already holds (so the merged
 * form of a bundle never asks for them).
 */

/** Content types the store can recognise from the bytes themselves (see sniff.ts). */
export const PDF = "application/pdf";
export const OFD = "application/ofd";
export const JPEG = "image/jpeg";
export const PNG = "image/png";
export type MaterialContentType = typeof PDF | typeof OFD | typeof JPEG | typeof PNG;

const MiB = 1024 * 1024;

/** Where the government already holds a material: the population registry or an e-licence type. */
export type GovernmentSource = { kind: "identity" } | { kind: "licence"; typeCode: string };

/** One kind of material an applicant may supply. */
export interface MaterialType {
  code: string;
  nameZh: string;
  nameEn: string;
  contentTypes: readonly MaterialContentType[];
  /** Largest document (PDF, OFD) accepted, in bytes. */
  maxBytes: number;
  /** Largest photo or scan (JPEG, PNG) accepted: phone photos are resized, not sent raw. */
  maxImageBytes: number;
  /** Set when the applicant never needs to upload it: the hub fetches it from the source. */
  governmentSource?: GovernmentSource;
}

// Signed documents (contracts, resolutions) come as PDF or OFD, or as photos of the signed page.
const DOCUMENT = [PDF, OFD, JPEG, PNG] as const;
// Reports produced by accountants are born digital: no photos of a liquidation report.
const DIGITAL = [PDF, OFD] as const;

const m = (
  code: string,
  nameZh: string,
  nameEn: string,
  contentTypes: readonly MaterialContentType[] = DOCUMENT,
  governmentSource?: GovernmentSource,
  maxBytes = 10 * MiB,
  maxImageBytes = 5 * MiB,
): MaterialType => ({ code, nameZh, nameEn, contentTypes, maxBytes, maxImageBytes, ...(governmentSource ? { governmentSource } : {}) });

/** Every material type the store accepts. */
export const MATERIAL_TYPES: readonly MaterialType[] = Object.freeze([
  m("ID_CARD", "居民身份证", "Resident identity card", [JPEG, PNG, PDF], { kind: "identity" }, 5 * MiB, 2 * MiB),
  m("BUSINESS_LICENCE", "营业执照", "Business licence", [PDF, OFD, JPEG, PNG], { kind: "licence", typeCode: "BL" }),
  m("TAX_CLEARANCE", "清税证明", "Tax clearance certificate", [PDF, OFD], { kind: "licence", typeCode: "TAXCLR" }),
  m("SOCIAL_INSURANCE_CERTIFICATE", "社会保险参保证明", "Social insurance certificate", [PDF, OFD], { kind: "licence", typeCode: "SICERT" }),
  m("RESIDENCE_PERMIT", "居住证", "Residence permit", [JPEG, PNG, PDF], { kind: "licence", typeCode: "RESPMT" }, 5 * MiB, 2 * MiB),
  m("PREMISES_PROOF", "住所（经营场所）使用证明", "Proof of use of premises"),
  m("PROPERTY_CERTIFICATE", "不动产权证书", "Real estate title certificate"),
  m("LEASE_CONTRACT", "房屋租赁合同", "Lease contract"),
  m("ARTICLES_OF_ASSOCIATION", "公司章程", "Articles of association", DIGITAL, undefined, 20 * MiB),
  m("SHAREHOLDER_RESOLUTION", "股东会决议", "Shareholders' resolution"),
  m("APPOINTMENT_DOCUMENT", "法定代表人、董事、监事和经理的任职文件", "Appointment of legal representative, directors, supervisors and manager"),
  m("POWER_OF_ATTORNEY", "授权委托书", "Power of attorney"),
  m("LABOUR_CONTRACT", "劳动合同", "Labour contract"),
  m("DEREGISTRATION_RESOLUTION", "注销决议", "Deregistration resolution"),
  m("LIQUIDATION_REPORT", "清算报告", "Liquidation report", DIGITAL, undefined, 20 * MiB),
  m("FOOD_SAFETY_RULES", "食品安全管理制度", "Food safety management rules", DIGITAL),
  m("PREMISES_LAYOUT", "经营场所平面布局图", "Premises floor plan", [PDF, JPEG, PNG]),
]);

const BY_CODE = new Map(MATERIAL_TYPES.map((t) => [t.code, t]));

/** The material type with this code, if the catalogue has it. */
export function findMaterialType(code: string): MaterialType | undefined {
  return BY_CODE.get(code);
}

/** Whether the content type is an image (JPEG, PNG), which has the smaller size limit. */
export function isImage(contentType: string): boolean {
  return contentType === JPEG || contentType === PNG;
}

/** The largest upload accepted for this material in this content type, in bytes. */
export function sizeLimit(type: MaterialType, contentType: string): number {
  return isImage(contentType) ? Math.min(type.maxImageBytes, type.maxBytes) : type.maxBytes;
}

/** The largest upload accepted for this material in any of its content types (checked before decoding). */
export function largestAccepted(type: MaterialType): number {
  return Math.max(...type.contentTypes.map((c) => sizeLimit(type, c)));
}

/**
 * The materials of a list the applicant must upload, in order: those the government holds are left
 * out, so a merged form never asks for them. Unknown codes are an error in the caller's list.
 */
export function applicantSupplied(codes: readonly string[]): MaterialType[] {
  return codes.map((code) => {
    const type = findMaterialType(code);
    if (!type) throw new RangeError(`material type "${code}" is not in the catalogue`);
    return type;
  }).filter((t) => !t.governmentSource);
}
