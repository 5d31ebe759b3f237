/**
 * Signatures over canonical licence content and receipts.
 *
 * SM2 with SM3 is the default because the national e-licence standards require the SM
 * commercial-crypto suite; Ed25519 is kept for OpenSSL builds without SM2.
 *
 * SM2 is signed as GM/T 0003.2 with the default signer ID of GM/T 0009-2012 and GB/T 35276-2017,
 * "1234567812345678", in Z = SM3(ENTL || ID || a || b || xG || yG || xA || yA); the signature is
 * DER SEQUENCE { r INTEGER, s INTEGER }. Every SM2 verifier (OpenSSL with
 * `-pkeyopt distid:1234567812345678`, GmSSL, BouncyCastle, the sm-crypto family) checks it. Node's
 * crypto cannot set the ID (OpenSSL 3.0 signs with an EMPTY ID through it), so SM2 signing and
 * checking with the ID use sm-crypto-v2; OpenSSL still parses and holds the keys (PEM, SPKI, PKCS#8).
 *
 * Signatures made before (content v1 of licences, receipts without a signer ID) used the empty ID:
 * their content carries no `signerId`, and they keep verifying with the empty ID through OpenSSL.
 */
import * as crypto from "node:crypto";
import { sm2 } from "sm-crypto-v2";
import { canonicalBytes } from "../../common/canonical";
import { Memo } from "../../common/memo";
import { sm2SignHere, sm2SignOffThread, type Sm2SignRequest } from "./signing-threads";

/** The default signer ID of GM/T 0009-2012 §10 and GB/T 35276-2017 (the bytes of this ASCII text). */
export const SM2_DEFAULT_SIGNER_ID = "1234567812345678";

/** The signer ID a new signature of `algorithm` is made with (SM2: the standard one; Ed25519 has none). */
export function signerIdOf(algorithm: SignatureAlgorithm): string {
  return algorithm === "SM2-SM3" ? SM2_DEFAULT_SIGNER_ID : "";
}

/** Supported signature algorithms; "SM2-SM3" is the default. */
export type SignatureAlgorithm = "SM2-SM3" | "ED25519";

/** All supported algorithms, default first. */
export const SIGNATURE_ALGORITHMS: readonly SignatureAlgorithm[] = ["SM2-SM3", "ED25519"] as const;

/** Default algorithm for newly issued licences. */
export const DEFAULT_SIGNATURE_ALGORITHM: SignatureAlgorithm = "SM2-SM3";

/** Type guard for values read from config, DB rows or API input. */
export function isSignatureAlgorithm(x: unknown): x is SignatureAlgorithm {
  return typeof x === "string" && (SIGNATURE_ALGORITHMS as readonly string[]).includes(x);
}

/** A freshly generated signing key; the private half must be sealed before storage. */
export interface SigningKey {
  algorithm: SignatureAlgorithm;
  keyId: string;
  publicKeyPem: string;
  privateKeyPem: string;
}

const KEY_ID_PREFIX: Record<SignatureAlgorithm, string> = { "SM2-SM3": "sm2", ED25519: "ed25519" };

/** The form of every key id keyIdFor makes ("sm2:0123456789abcdef"): anything else names no key. */
export const KEY_ID = new RegExp(`^(?:${Object.values(KEY_ID_PREFIX).join("|")}):[0-9a-f]{16}$`);

/** Generates a key pair; keyId is derived from the public key so it is stable and collision-resistant. */
export function generateSigningKey(algorithm: SignatureAlgorithm = DEFAULT_SIGNATURE_ALGORITHM): SigningKey {
  assertAlgorithm(algorithm);
  const { publicKey, privateKey } =
    algorithm === "SM2-SM3"
      ? crypto.generateKeyPairSync("ec", { namedCurve: "SM2" })
      : crypto.generateKeyPairSync("ed25519");
  return {
    algorithm,
    keyId: keyIdFor(algorithm, publicKey),
    publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  };
}

/** keyId of a public key: `<tag>:<first 16 hex of SHA-256(SPKI DER)>`; lets verifiers recompute it. */
export function keyIdFor(algorithm: SignatureAlgorithm, publicKey: crypto.KeyObject | string): string {
  assertAlgorithm(algorithm);
  const key = typeof publicKey === "string" ? crypto.createPublicKey(publicKey) : createPublicKeyFrom(publicKey);
  const der = key.export({ type: "spki", format: "der" });
  const digest = crypto.createHash("sha256").update(der).digest("hex");
  return `${KEY_ID_PREFIX[algorithm]}:${digest.slice(0, 16)}`;
}

/** What signing `content` takes: an SM2 request (signing-threads.ts) or a native key and the bytes. */
function signingOf(content: unknown, algorithm: SignatureAlgorithm, privateKeyPem: string): { sm2: Sm2SignRequest } | { key: crypto.KeyObject; data: Buffer } {
  assertAlgorithm(algorithm);
  const key = parsedKey(privateKeyPem, "private", algorithm);
  // Refuse a key/algorithm mismatch loudly: a signature recorded under the wrong
  // algorithm label would be unverifiable forever.
  if (!key.matches) {
    throw new Error(`signing key does not match algorithm ${algorithm}`);
  }
  const data = canonicalBytes(content);
  if (algorithm === "SM2-SM3") {
    const { privateHex, publicHex } = sm2KeyOf(privateKeyPem, key.key);
    return { sm2: { data, privateHex: privateHex!, publicHex, userId: SM2_DEFAULT_SIGNER_ID } };
  }
  return { key: key.key, data };
}

/**
 * Signs canonicalBytes(content); returns the signature as base64 (DER (r, s) for SM2, raw 64 bytes
 * for Ed25519). SM2 signs with the standard signer ID (SM2_DEFAULT_SIGNER_ID): the content should
 * say so in its `signerId`, so that a verifier knows which Z to compute. On the calling thread:
 * services answering requests use signContentOffThread.
 */
export function signContent(content: unknown, algorithm: SignatureAlgorithm, privateKeyPem: string): string {
  const s = signingOf(content, algorithm, privateKeyPem);
  if ("sm2" in s) return Buffer.from(sm2SignHere(s.sm2), "hex").toString("base64");
  return crypto.sign(null, s.data, s.key).toString("base64");
}

/**
 * signContent with the SM2 arithmetic (about a millisecond of CPU in JavaScript) on a signing
 * thread (signing-threads.ts), so the event loop serves other requests meanwhile; the same
 * signature, the same errors (a key of another algorithm throws before anything is sent).
 * Ed25519 signs natively here: it takes microseconds.
 */
export async function signContentOffThread(content: unknown, algorithm: SignatureAlgorithm, privateKeyPem: string): Promise<string> {
  const s = signingOf(content, algorithm, privateKeyPem);
  if ("sm2" in s) return Buffer.from(await sm2SignOffThread(s.sm2), "hex").toString("base64");
  return crypto.sign(null, s.data, s.key).toString("base64");
}

/**
 * Verifies a base64 signature over canonicalBytes(content); returns false (never throws) on any
 * failure. `signerId` is the SM2 signer ID the content names (SM2_DEFAULT_SIGNER_ID), or "" for a
 * signature made before it was used (OpenSSL's empty ID); Ed25519 takes none.
 */
export function verifyContent(
  content: unknown,
  signatureB64: string,
  algorithm: SignatureAlgorithm,
  publicKeyPem: string,
  signerId = "",
): boolean {
  try {
    if (!isSignatureAlgorithm(algorithm) || typeof signatureB64 !== "string") return false;
    // Buffer.from silently skips non-base64 characters, so reject anything that does not
    // round-trip: otherwise two different strings could verify as the "same" signature.
    const signature = Buffer.from(signatureB64, "base64");
    if (signature.length === 0 || signature.toString("base64") !== signatureB64) return false;
    return verifySignature(algorithm, canonicalBytes(content), signature, publicKeyPem, signerId);
  } catch {
    // Malformed keys, signatures or non-serialisable content are all "not verified".
    return false;
  }
}

/**
 * Verifies `signature` over `data` with a public key in PEM that must be a key of `algorithm` (an
 * SM2 PEM that is plain EC is refused); an SM2 signature with `signerId` in Z (GM/T 0009's default,
 * or "" for the empty ID of earlier signatures; no other ID is accepted). Answered once per
 * (algorithm, signer ID, data digest, signature, key):
 * the same licence is checked by several departments of a case, a back-office sends one token with
 * many calls, and a digest is far cheaper than a signature check. Throws on a malformed key.
 */
export function verifySignature(algorithm: SignatureAlgorithm, data: Buffer, signature: Buffer, publicKeyPem: string, signerId = ""): boolean {
  const key = parsedKey(publicKeyPem, "public", algorithm);
  if (!key.matches) return false;
  if (signerId !== "" && (algorithm !== "SM2-SM3" || signerId !== SM2_DEFAULT_SIGNER_ID)) return false;
  const digest = crypto.createHash("sha256").update(data).digest("base64");
  return checkedSignatures.get(`${algorithm}|${signerId}|${digest}|${signature.toString("base64")}|${publicKeyPem}`, () => {
    if (algorithm === "SM2-SM3" && signerId !== "") {
      if (!isDerSignature(signature)) return false;
      const { precomputed } = sm2KeyOf(publicKeyPem, key.key);
      return sm2.doVerifySignature(data, signature.toString("hex"), precomputed, { der: true, hash: true, userId: signerId });
    }
    // Ed25519, and SM2 signatures made before the standard ID (OpenSSL's empty ID through node:crypto).
    return crypto.verify(digestFor(algorithm), data, key.key, signature);
  });
}

/**
 * A DER SEQUENCE of two positive INTEGERs of an SM2 signature (at most 72 bytes), each in its one
 * minimal encoding (X.690 §8.3.2: no leading 0x00 unless the next byte's high bit is set; §10:
 * DER allows one encoding only), before handing it to the library. sm-crypto-v2 reads a padded
 * r or s as the same number where OpenSSL refuses it: without this check a copy whose signature
 * was re-encoded would verify here and fail with every standard verifier.
 */
export function isDerSignature(sig: Buffer): boolean {
  if (sig.length < 8 || sig.length > 72 || sig[0] !== 0x30 || sig[1] !== sig.length - 2) return false;
  let at = 2;
  for (let i = 0; i < 2; i++) {
    if (sig[at] !== 0x02) return false;
    const len = sig[at + 1];
    if (len < 1 || len > 33 || at + 2 + len > sig.length) return false;
    const first = sig[at + 2];
    // Negative (high bit set), or a leading zero byte that the next byte does not need.
    if (first & 0x80) return false;
    if (len > 1 && first === 0x00 && !(sig[at + 3] & 0x80)) return false;
    at += 2 + len;
  }
  return at === sig.length;
}

/** An SM2 key as sm-crypto-v2 takes it: hex of d (private keys), of the point 04||x||y, the point precomputed. */
interface Sm2Key {
  privateHex?: string;
  publicHex: string;
  precomputed: ReturnType<typeof sm2.precomputePublicKey>;
}

/** SM2 keys by PEM (parsing the point and precomputing it cost more than a signature check). */
const sm2Keys = new Memo<Sm2Key>(Infinity, 256);

function sm2KeyOf(pem: string, key: crypto.KeyObject): Sm2Key {
  return sm2Keys.get(pem, () => {
    // SPKI ends in the BIT STRING of the uncompressed point: 0x04, x (32 bytes), y (32 bytes).
    const spki = createPublicKeyFrom(key).export({ type: "spki", format: "der" });
    const publicHex = spki.subarray(spki.length - 65).toString("hex");
    let privateHex: string | undefined;
    if (key.type === "private") {
      // PKCS#8 holds an ECPrivateKey: SEQUENCE { version 1, privateKey OCTET STRING (32) … }.
      const der = key.export({ type: "pkcs8", format: "der" });
      const at = der.indexOf(Buffer.from("0201010420", "hex"));
      if (at < 0) throw new Error("SM2 private key: no 32-byte ECPrivateKey in the PKCS#8");
      privateHex = der.subarray(at + 5, at + 37).toString("hex");
    }
    return { privateHex, publicHex, precomputed: sm2.precomputePublicKey(publicHex) };
  });
}

/** Answers of signature checks by (algorithm, content digest, signature, key). */
const checkedSignatures = new Memo<boolean>(Infinity, 10_000);

/** Parsed keys by PEM and algorithm: parsing a PEM and checking its curve cost more than a signature. */
const parsedKeys = new Memo<{ key: crypto.KeyObject; matches: boolean }>(Infinity, 256);

function parsedKey(pem: string, kind: "private" | "public", algorithm: SignatureAlgorithm): { key: crypto.KeyObject; matches: boolean } {
  return parsedKeys.get(`${kind}:${algorithm}:${pem}`, () => {
    const key = kind === "private" ? crypto.createPrivateKey(pem) : crypto.createPublicKey(pem);
    return { key, matches: keyMatches(key, algorithm) };
  });
}

function digestFor(algorithm: SignatureAlgorithm): string | null {
  // Ed25519 hashes internally (PureEdDSA), so Node requires a null digest.
  return algorithm === "SM2-SM3" ? "sm3" : null;
}

// AlgorithmIdentifier { id-ecPublicKey, curve SM2 (1.2.156.10197.1.301) } as it appears in SPKI DER.
const SM2_SPKI_ALGORITHM = Buffer.from("301306072a8648ce3d020106082a811ccf5501822d", "hex");

function keyMatches(key: crypto.KeyObject, algorithm: SignatureAlgorithm): boolean {
  if (algorithm === "ED25519") return key.asymmetricKeyType === "ed25519";
  // Node 20 reports PEM-loaded SM2 keys with no asymmetricKeyType, so identify them by
  // curve OID; a key reported as plain "ec" would sign ECDSA, not SM2, and is refused.
  if (key.asymmetricKeyType === "ec") return false;
  const spki = createPublicKeyFrom(key).export({ type: "spki", format: "der" });
  return spki.subarray(0, 32).includes(SM2_SPKI_ALGORITHM);
}

function createPublicKeyFrom(key: crypto.KeyObject): crypto.KeyObject {
  return key.type === "private" ? crypto.createPublicKey(key) : key;
}

function assertAlgorithm(algorithm: unknown): asserts algorithm is SignatureAlgorithm {
  if (!isSignatureAlgorithm(algorithm)) {
    throw new TypeError(`unsupported signature algorithm: ${String(algorithm)}`);
  }
}
