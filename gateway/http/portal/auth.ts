/**
 * Who is calling the portal API.
 *
 * Portal systems authenticate exactly as at the gRPC edge: a JWT signed with their department key
 * (services/common/department-token.ts), its key looked up in the department registry over the bus
 * (gateway/grpc/caller-checks.ts). Only departments with the portal role may open sessions.
 *
 * Applicants carry a hub-signed token obtained by the portal (POST /v1/sessions): a compact JWT
 *   header  {"alg":"HS256","typ":"JWT"}
 *   payload {"iss":"tongban-hub","sub":"<ID number>","aud":"tongban-portal","azp":"<portal dept>","iat":s,"exp":s,"jti":"..."}
 * MACed with HMAC-SHA256 (signed and verified with jose). HMAC rather than a signature because only the hub issues and verifies
 * these tokens: no third party needs a public key, and every gateway replica already shares the
 * hub secret (HUB_SECRET; DATA_DIR/secrets/hub-secret on the embedded default), so no new key
 * needs distributing or rotating. The MAC key is derived from the hub secret under its own label,
 * so it is never the key of the query codes. Changing HUB_SECRET ends every session (tokens last
 * at most an hour anyway).
 */
import crypto from "node:crypto";
import { errors as joseErrors, jwtVerify, SignJWT } from "jose";
import type http from "node:http";
import { TokenError } from "../../../services/common/department-token";
import { AuthThrottled, type CallerChecks } from "../../grpc/caller-checks";
import { HttpError } from "./http-kit";

export const APPLICANT_AUDIENCE = "tongban-portal";
export const APPLICANT_ISSUER = "tongban-hub";
/** Lifetime of an applicant token the hub issues. */
export const APPLICANT_TOKEN_TTL_SECONDS = 1800;
/** Longest lifetime a token may claim (exp - iat); anything longer is refused. */
export const APPLICANT_TOKEN_MAX_LIFETIME_SECONDS = 3600;
const CLOCK_SKEW_SECONDS = 30;
/** Departments with the portal role: the data office operates the one-window portal. */
export const PORTAL_DEPARTMENTS: readonly string[] = ["data"];

const REALM = 'Bearer realm="tongban-portal"';

/** A 401 naming the reason (code) and telling the client how to authenticate (RFC 6750). */
export function unauthorised(code: string, message: string): HttpError {
  const error = code === "TOKEN_MISSING" ? "" : `, error="invalid_token"`;
  return new HttpError(401, code, message, undefined, { "www-authenticate": `${REALM}${error}` });
}

/** The MAC key of applicant tokens, derived from the hub secret. */
export function applicantTokenKey(hubSecret: string): Buffer {
  return crypto.createHmac("sha256", hubSecret).update("tongban/applicant-token/v1").digest();
}

/** A new applicant token for `idNumber`, requested by portal system `portal` (HS256, signed with jose). */
export async function signApplicantToken(key: Buffer, idNumber: string, portal: string, ttlSeconds = APPLICANT_TOKEN_TTL_SECONDS, now = Date.now()) {
  const iat = Math.floor(now / 1000);
  const exp = iat + ttlSeconds;
  const token = await new SignJWT({ azp: portal })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer(APPLICANT_ISSUER)
    .setSubject(idNumber)
    .setAudience(APPLICANT_AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .setJti(crypto.randomUUID())
    .sign(key);
  return { token, expiresAt: new Date(exp * 1000).toISOString() };
}

export interface ApplicantClaims {
  sub: string;
  azp: string;
  exp: number;
}

/** jose's refusal as a 401 whose code names the reason. */
function refusalOf(err: unknown): HttpError {
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return unauthorised("TOKEN_SIGNATURE_INVALID", "the applicant token's signature does not verify");
  if (err instanceof joseErrors.JWTExpired) {
    return unauthorised("TOKEN_EXPIRED", "the applicant token has expired; the portal obtains a new one with POST /v1/sessions");
  }
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    if (err.claim === "aud") return unauthorised("TOKEN_AUDIENCE_INVALID", `the token's audience must be "${APPLICANT_AUDIENCE}"`);
    if (err.claim === "iat" && err.reason === "check_failed") return unauthorised("TOKEN_NOT_YET_VALID", "the applicant token is issued in the future");
    return unauthorised("TOKEN_MALFORMED", `the applicant token's ${err.claim} claim is not acceptable (${err.reason})`);
  }
  // An alg other than HS256 (none included), a typ other than JWT, a token that is not a JWS.
  return unauthorised("TOKEN_MALFORMED", "not an applicant token of this hub (obtain one with POST /v1/sessions)");
}

/**
 * Verifies an applicant token (jose: HS256 only, typ JWT, issuer, audience, iat, exp, with
 * CLOCK_SKEW_SECONDS of tolerance), then that its lifetime is at most an hour and it names a
 * portal; throws a 401 HttpError whose code names the reason.
 */
export async function verifyApplicantToken(key: Buffer, token: string, now = Date.now()): Promise<ApplicantClaims> {
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, key, {
      algorithms: ["HS256"],
      typ: "JWT",
      issuer: APPLICANT_ISSUER,
      audience: APPLICANT_AUDIENCE,
      clockTolerance: CLOCK_SKEW_SECONDS,
      maxTokenAge: APPLICANT_TOKEN_MAX_LIFETIME_SECONDS,
      currentDate: new Date(now),
      requiredClaims: ["sub", "iat", "exp", "azp"],
    }));
  } catch (err) {
    throw refusalOf(err);
  }
  const { sub, azp, iat, exp } = payload;
  if (typeof sub !== "string" || typeof azp !== "string" || typeof iat !== "number" || typeof exp !== "number") {
    throw unauthorised("TOKEN_MALFORMED", "the applicant token needs sub, azp, iat and exp");
  }
  if (exp - iat > APPLICANT_TOKEN_MAX_LIFETIME_SECONDS) throw unauthorised("TOKEN_LIFETIME_TOO_LONG", `an applicant token lives at most ${APPLICANT_TOKEN_MAX_LIFETIME_SECONDS} s`);
  return { sub, azp, exp };
}

/** The bearer token of a request; 401 TOKEN_MISSING when there is none. */
export function bearerToken(req: http.IncomingMessage, what: "applicant" | "department" | "officer"): string {
  const value = req.headers.authorization;
  const m = typeof value === "string" ? /^Bearer\s+(\S+)\s*$/i.exec(value) : null;
  if (!m) throw unauthorised("TOKEN_MISSING", `send the ${what} token as 'Authorization: Bearer <token>'`);
  return m[1];
}

/** The member department a department token speaks for: 401 if it does not verify, 429 past the failure limit. */
export async function authenticateDepartment(checks: CallerChecks, req: http.IncomingMessage, ip: string): Promise<string> {
  try {
    return await checks.authenticate(bearerToken(req, "department"), ip);
  } catch (err) {
    if (err instanceof TokenError) throw unauthorised("DEPARTMENT_TOKEN_INVALID", err.message);
    if (err instanceof AuthThrottled) throw new HttpError(429, "RESOURCE_EXHAUSTED", err.message, undefined, { "retry-after": String(err.retryAfterSeconds) });
    throw err;
  }
}

/** The portal department a department token speaks for: 401 if it does not verify, 403 without the portal role. */
export async function authenticatePortal(checks: CallerChecks, req: http.IncomingMessage, ip: string): Promise<string> {
  const department = await authenticateDepartment(checks, req, ip);
  if (!PORTAL_DEPARTMENTS.includes(department)) {
    throw new HttpError(403, "PERMISSION_DENIED", `department ${department} does not operate a portal (portal role: ${PORTAL_DEPARTMENTS.join(", ")})`);
  }
  return department;
}
