/**
 * What a licence's signature covers: every field fixed at issue (number, type, holder, issuer,
 * dates, typed fields, algorithm and key id). Status is not signed: it changes after issue and is
 * answered by the registry.
 */
import type { Licence } from "../../proto/gen/tongban/licenses/v1/licenses";

export interface SignedContent {
  v: 1;
  number: string;
  typeCode: string;
  typeName: string;
  holderKind: string;
  holderId: string;
  holderName: string;
  issuer: string;
  issuedAt: string;
  validFrom: string;
  validUntil: string;
  fields: Record<string, string>;
  algorithm: string;
  keyId: string;
}

/** The signed content of a licence (stored or presented). */
export function signedContentOf(l: Licence): SignedContent {
  return {
    v: 1,
    number: l.number,
    typeCode: l.typeCode,
    typeName: l.typeName,
    holderKind: l.holderKind,
    holderId: l.holderId,
    holderName: l.holderName,
    issuer: l.issuer,
    // A Timestamp decoded from the wire comes back as an ISO string with milliseconds.
    issuedAt: l.issuedAt ? new Date(l.issuedAt).toISOString() : "",
    validFrom: l.validFrom,
    validUntil: l.validUntil,
    fields: { ...(l.fields ?? {}) },
    algorithm: l.signature?.algorithm ?? "",
    keyId: l.signature?.keyId ?? "",
  };
}
