/**
 * What a licence's signature covers: every field fixed at issue (number, type, holder, issuer,
 * dates, typed fields, algorithm, key id and, from v2, the holder's identifier type and the SM2
 * signer ID). Status is not signed: it changes after issue and is answered by the registry.
 *
 * v1: licences numbered BL-…, SM2 signed with OpenSSL's empty signer ID.
 * v2: national identifiers (GB/T 36904), holder identifier type (GB/T 36903), SM2 signed with the
 *     standard signer ID (GM/T 0009), which the content names in `signerId`.
 */
import type { Licence } from "../../proto/gen/tongban/licenses/v1/licenses";

export interface SignedContent {
  v: 1 | 2;
  number: string;
  typeCode: string;
  typeName: string;
  holderKind: string;
  /** v2: "111" resident ID number, "001" unified social credit code (GB/T 36903). */
  holderIdType?: string;
  holderId: string;
  holderName: string;
  issuer: string;
  issuedAt: string;
  validFrom: string;
  validUntil: string;
  fields: Record<string, string>;
  algorithm: string;
  keyId: string;
  /** v2: the SM2 signer ID in Z ("" for Ed25519). */
  signerId?: string;
}

/** GB/T 36903 identifier type of a holder: 111 resident ID number, 001 unified social credit code. */
export function holderIdTypeOf(holderKind: string): string {
  return holderKind === "HOLDER_KIND_PERSON" ? "111" : "001";
}

/**
 * The signed content of a licence (stored or presented): v2 when it carries a holder identifier
 * type (every licence with a national identifier does), else v1 as it was signed.
 */
export function signedContentOf(l: Licence): SignedContent {
  const common = {
    number: l.number,
    typeCode: l.typeCode,
    typeName: l.typeName,
    holderKind: l.holderKind,
    holderId: l.holderId,
    holderName: l.holderName,
    issuer: l.issuer,
    // A Timestamp decoded from the wire comes back as an ISO string with milliseconds. A presented
    // copy's text that is no time is kept as it is (its signature then fails, nothing throws).
    issuedAt: isoTime(l.issuedAt),
    validFrom: l.validFrom,
    validUntil: l.validUntil,
    fields: { ...(l.fields ?? {}) },
    algorithm: l.signature?.algorithm ?? "",
    keyId: l.signature?.keyId ?? "",
  };
  if (!l.holderIdType) return { v: 1, ...common };
  return { v: 2, ...common, holderIdType: l.holderIdType, signerId: l.signature?.signerId ?? "" };
}

function isoTime(text: string | undefined): string {
  if (!text) return "";
  const t = new Date(text);
  return Number.isNaN(t.getTime()) ? String(text) : t.toISOString();
}
