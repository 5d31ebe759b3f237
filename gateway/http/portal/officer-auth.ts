/**
 * Officer sessions for the supervision pages. A department's back-office signs a department token
 * per call (single use), which a web page cannot do; so a department exchanges one department
 * token for an officer token (POST /v1/supervision/sessions): a compact JWT, HS256 with a key of
 * its own derived from the hub secret,
 *   payload {"iss":"tongban-hub","sub":"<department>","aud":"tongban-supervision","iat":s,"exp":s,"jti":"..."}
 * living at most an hour. The supervision routes take it as 'Authorization: Bearer <token>' and act
 * as that department (the supervision service scopes what it sees).
 */
import crypto from "node:crypto";
import { jwtVerify, SignJWT } from "jose";
import { unauthorised } from "./auth";

export const OFFICER_AUDIENCE = "tongban-supervision";
const ISSUER = "tongban-hub";
export const OFFICER_TOKEN_TTL_SECONDS = 3600;
const CLOCK_SKEW_SECONDS = 60;

/** The MAC key of officer tokens, derived from the hub secret (never the applicant tokens' key). */
export function officerTokenKey(hubSecret: string): Buffer {
  return crypto.createHmac("sha256", hubSecret).update("tongban/officer-token/v1").digest();
}

/** A new officer token for `department`. */
export async function signOfficerToken(key: Buffer, department: string, now = Date.now()): Promise<{ token: string; expiresAt: string }> {
  const iat = Math.floor(now / 1000);
  const exp = iat + OFFICER_TOKEN_TTL_SECONDS;
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer(ISSUER)
    .setSubject(department)
    .setAudience(OFFICER_AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .setJti(crypto.randomUUID())
    .sign(key);
  return { token, expiresAt: new Date(exp * 1000).toISOString() };
}

/** The department an officer token speaks for; 401 OFFICER_TOKEN_INVALID naming the reason otherwise. */
export async function verifyOfficerToken(key: Buffer, token: string, now = Date.now()): Promise<string> {
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: ["HS256"],
      typ: "JWT",
      issuer: ISSUER,
      audience: OFFICER_AUDIENCE,
      clockTolerance: CLOCK_SKEW_SECONDS,
      maxTokenAge: OFFICER_TOKEN_TTL_SECONDS,
      currentDate: new Date(now),
      requiredClaims: ["sub", "iat", "exp"],
    });
    if (typeof payload.sub !== "string" || !/^[a-z][a-z0-9_-]{0,31}$/.test(payload.sub)) throw new Error("sub is not a department code");
    return payload.sub;
  } catch (err) {
    throw unauthorised("OFFICER_TOKEN_INVALID", `not a valid officer token of this hub (${(err as Error).message}); obtain one with POST /v1/supervision/sessions`);
  }
}
