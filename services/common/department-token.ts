/**
 * Signed tokens by which a department authenticates at the gRPC edge. JWT compact form
 * (header.payload.signature, base64url); the department signs with its own private key (Ed25519,
 * or SM2 with SM3) and the hub holds only the public key, registered in the department registry.
 *
 *   header  {"alg":"EdDSA"|"SM2-SM3","kid":"<key id>","typ":"JWT"}
 *   payload {"iss":"<department>","aud":"tongban","iat":<s>,"exp":<s>,"jti":"<random>"}
 */
import crypto from "node:crypto";
import { keyIdFor, verifySignature, type SignatureAlgorithm } from "../licenses/signing/signer";

export const TOKEN_AUDIENCE = "tongban";
/** Clock difference tolerated between a department's machine and the hub. */
export const CLOCK_SKEW_SECONDS = 30;

export interface DepartmentCredential {
  department: string;
  keyId: string;
  algorithm: SignatureAlgorithm;
  publicKeyPem: string;
  privateKeyPem: string;
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString("base64url");
const JWT_ALG: Record<SignatureAlgorithm, string> = { ED25519: "EdDSA", "SM2-SM3": "SM2-SM3" };
const digest = (algorithm: SignatureAlgorithm) => (algorithm === "ED25519" ? null : "sm3");

/** A new key pair for a department; register `publicKeyPem` with the hub, keep the private key. */
export function createDepartmentCredential(department: string, algorithm: SignatureAlgorithm = "ED25519"): DepartmentCredential {
  const { publicKey, privateKey } =
    algorithm === "ED25519" ? crypto.generateKeyPairSync("ed25519") : crypto.generateKeyPairSync("ec", { namedCurve: "SM2" });
  const publicKeyPem = publicKey.export({ type: "spki", format: "pem" }).toString();
  return {
    department,
    algorithm,
    keyId: keyIdFor(algorithm, publicKeyPem),
    publicKeyPem,
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  };
}

/** Signs a token for the department, valid for ttlSeconds from now. */
export function signDepartmentToken(c: Omit<DepartmentCredential, "publicKeyPem">, ttlSeconds = 300, now = Date.now()): string {
  const iat = Math.floor(now / 1000);
  const header = b64url(JSON.stringify({ alg: JWT_ALG[c.algorithm], kid: c.keyId, typ: "JWT" }));
  const payload = b64url(
    JSON.stringify({ iss: c.department, aud: TOKEN_AUDIENCE, iat, exp: iat + ttlSeconds, jti: crypto.randomUUID() }),
  );
  // Keys are loaded from PEM so SM2 keys sign as SM2 (see signer.ts).
  const signature = crypto.sign(digest(c.algorithm), Buffer.from(`${header}.${payload}`), crypto.createPrivateKey(c.privateKeyPem));
  return `${header}.${payload}.${b64url(signature)}`;
}

export interface PublicCredential {
  department: string;
  algorithm: SignatureAlgorithm;
  publicKeyPem: string;
}

/** Why a token was refused; the message is safe to return to the caller. */
export class TokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TokenError";
  }
}

/** Decodes one base64url JSON part; anything but a JSON object is refused. */
function decodePart<T extends object>(part: string, what: string): T {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
  } catch {
    throw new TokenError(`token ${what} is not base64url JSON`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new TokenError(`token ${what} is not a JSON object`);
  return value as T;
}

/** What a verified token says: the department, and the token's id and expiry (for replay checks). */
export interface VerifiedToken {
  department: string;
  jti: string;
  /** Expiry, seconds since the epoch. */
  exp: number;
}

/** A token id: 8-128 printable ASCII characters (signDepartmentToken writes a UUID). */
const JTI = /^[\x21-\x7e]{8,128}$/;

/**
 * Verifies a token: the registered key by key id (`lookup`), the signature, and claims that agree
 * with each other and the key — issuer = the key's department, audience, iat <= exp, lifetime <=
 * maxAgeSeconds, not issued in the future, not before nbf, not expired, a jti to tell it from every
 * other token. Whether the jti was seen before is the caller's check (CallerChecks: one use each).
 */
export async function verifyDepartmentTokenClaims(
  token: string,
  lookup: (keyId: string) => Promise<PublicCredential | null | undefined>,
  maxAgeSeconds: number,
  now = Date.now(),
): Promise<VerifiedToken> {
  const parts = token.split(".");
  if (parts.length !== 3) throw new TokenError("token is not a compact JWT (header.payload.signature)");
  const header = decodePart<{ alg?: string; kid?: string; typ?: unknown }>(parts[0], "header");
  const claims = decodePart<{ iss?: string; aud?: string; iat?: number; exp?: number; nbf?: unknown; jti?: unknown }>(parts[1], "payload");
  if (typeof header.kid !== "string" || header.kid === "") throw new TokenError("token header names no key (kid)");
  if (header.typ !== undefined && header.typ !== "JWT") throw new TokenError(`token typ must be "JWT"`);
  const credential = await lookup(header.kid);
  if (!credential) throw new TokenError(`key ${header.kid} is not registered for any department`);
  if (header.alg !== JWT_ALG[credential.algorithm]) throw new TokenError(`token alg ${header.alg} does not match key ${header.kid}`);
  const ok = verifySignature(credential.algorithm, Buffer.from(`${parts[0]}.${parts[1]}`), Buffer.from(parts[2], "base64url"), credential.publicKeyPem);
  if (!ok) throw new TokenError("token signature does not verify");
  if (claims.iss !== credential.department) throw new TokenError(`token issuer ${claims.iss} does not own key ${header.kid}`);
  if (claims.aud !== TOKEN_AUDIENCE) throw new TokenError(`token audience must be "${TOKEN_AUDIENCE}"`);
  const nowS = Math.floor(now / 1000);
  if (typeof claims.iat !== "number" || typeof claims.exp !== "number") throw new TokenError("token needs iat and exp");
  if (claims.exp < claims.iat) throw new TokenError("token expires before it is issued");
  if (claims.exp - claims.iat > maxAgeSeconds) throw new TokenError(`token lifetime exceeds ${maxAgeSeconds} s`);
  if (claims.iat > nowS + CLOCK_SKEW_SECONDS) throw new TokenError("token is issued in the future");
  if (claims.exp <= nowS - CLOCK_SKEW_SECONDS) throw new TokenError("token has expired");
  if (claims.nbf !== undefined && (typeof claims.nbf !== "number" || claims.nbf > nowS + CLOCK_SKEW_SECONDS)) throw new TokenError("token is not valid yet (nbf)");
  if (typeof claims.jti !== "string" || !JTI.test(claims.jti)) throw new TokenError("token needs a jti of 8-128 printable characters (a new one for every call)");
  return { department: credential.department, jti: claims.jti, exp: claims.exp };
}

/** Verifies a token (verifyDepartmentTokenClaims) and returns the department it speaks for. */
export async function verifyDepartmentToken(
  token: string,
  lookup: (keyId: string) => Promise<PublicCredential | null | undefined>,
  maxAgeSeconds: number,
  now = Date.now(),
): Promise<string> {
  return (await verifyDepartmentTokenClaims(token, lookup, maxAgeSeconds, now)).department;
}
