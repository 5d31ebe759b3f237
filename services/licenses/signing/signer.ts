/**
 * Signatures over canonical licence content.
 *
 * SM2 with SM3 is the default because the national e-licence standards require the SM
 * commercial-crypto suite; Ed25519 is kept for OpenSSL builds without SM2.
 *
 * Caveat, measured on Node 20 / OpenSSL 3.0: what "sm3" + an SM2-curve key computes depends
 * on how the KeyObject was made. A key fresh from generateKeyPairSync is a plain EC key and
 * yields ECDSA-with-SM3; the same key re-imported from PEM is an SM2 key and yields a real
 * GM/T 0003.2 SM2 signature, but with an EMPTY distinguishing ID in Z (OpenSSL 3.0 default),
 * not GM/T 0009's "1234567812345678". The two do not verify against each other. We therefore
 * always load keys from PEM, refuse plain-EC SM2 keys, and pin the behaviour with a golden
 * vector test. External verifiers must use the empty ID to check these signatures.
 */
import * as crypto from "node:crypto";
import { canonicalBytes } from "../../common/canonical";
import { Memo } from "../../common/memo";

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

/** Signs canonicalBytes(content); returns the signature as base64 (DER for SM2, raw 64 bytes for Ed25519). */
export function signContent(
  content: unknown,
  algorithm: SignatureAlgorithm,
  privateKeyPem: string,
): string {
  assertAlgorithm(algorithm);
  const key = parsedKey(privateKeyPem, "private", algorithm);
  // Refuse a key/algorithm mismatch loudly: a signature recorded under the wrong
  // algorithm label would be unverifiable forever.
  if (!key.matches) {
    throw new Error(`signing key does not match algorithm ${algorithm}`);
  }
  // SM2 keys: OpenSSL hashes SM3(Z || M) with Z over an empty ID (see the file header).
  const signature = crypto.sign(digestFor(algorithm), canonicalBytes(content), key.key);
  return signature.toString("base64");
}

/** Verifies a base64 signature over canonicalBytes(content); returns false (never throws) on any failure. */
export function verifyContent(
  content: unknown,
  signatureB64: string,
  algorithm: SignatureAlgorithm,
  publicKeyPem: string,
): boolean {
  try {
    if (!isSignatureAlgorithm(algorithm) || typeof signatureB64 !== "string") return false;
    // Buffer.from silently skips non-base64 characters, so reject anything that does not
    // round-trip: otherwise two different strings could verify as the "same" signature.
    const signature = Buffer.from(signatureB64, "base64");
    if (signature.length === 0 || signature.toString("base64") !== signatureB64) return false;
    return verifySignature(algorithm, canonicalBytes(content), signature, publicKeyPem);
  } catch {
    // Malformed keys, signatures or non-serialisable content are all "not verified".
    return false;
  }
}

/**
 * Verifies `signature` over `data` with a public key in PEM that must be a key of `algorithm` (an
 * SM2 PEM that is plain EC is refused). Answered once per (algorithm, data digest, signature, key):
 * the same licence is checked by several departments of a case, a back-office sends one token with
 * many calls, and a digest is far cheaper than a signature check. Throws on a malformed key.
 */
export function verifySignature(algorithm: SignatureAlgorithm, data: Buffer, signature: Buffer, publicKeyPem: string): boolean {
  const key = parsedKey(publicKeyPem, "public", algorithm);
  if (!key.matches) return false;
  const digest = crypto.createHash("sha256").update(data).digest("base64");
  return checkedSignatures.get(`${algorithm}|${digest}|${signature.toString("base64")}|${publicKeyPem}`, () =>
    crypto.verify(digestFor(algorithm), data, key.key, signature),
  );
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
