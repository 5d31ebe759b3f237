/** Applicant tokens: HMAC-signed by the hub, short-lived, refused with a reason code otherwise. */
import crypto from "node:crypto";
import {
  APPLICANT_TOKEN_MAX_LIFETIME_SECONDS,
  APPLICANT_TOKEN_TTL_SECONDS,
  applicantTokenKey,
  signApplicantToken,
  verifyApplicantToken,
} from "../../../../gateway/http/portal/auth";
import { HttpError } from "../../../../gateway/http/portal/http-kit";

const key = applicantTokenKey("a-hub-secret-of-at-least-thirty-two-characters");
const PERSON = "11010519491231002X";
const NOW = Date.UTC(2026, 10, 22, 8, 0, 0);

async function refusal(fn: () => Promise<unknown>): Promise<HttpError> {
  try {
    await fn();
  } catch (err) {
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBe(401);
    return err as HttpError;
  }
  throw new Error("expected the token to be refused");
}

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
const hs256 = (k: Buffer, header: string, payload: string) => crypto.createHmac("sha256", k).update(`${header}.${payload}`).digest("base64url");

describe("applicant tokens", () => {
  it("round-trips the subject and the portal, expiring after the TTL (at most an hour)", async () => {
    const { token, expiresAt } = await signApplicantToken(key, PERSON, "data", undefined, NOW);
    expect(Date.parse(expiresAt) - NOW).toBe(APPLICANT_TOKEN_TTL_SECONDS * 1000);
    expect(APPLICANT_TOKEN_TTL_SECONDS).toBeLessThanOrEqual(3600);
    const claims = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString());
    expect(claims).toMatchObject({ sub: PERSON, aud: "tongban-portal", azp: "data", iat: NOW / 1000, exp: NOW / 1000 + APPLICANT_TOKEN_TTL_SECONDS });
    await expect(verifyApplicantToken(key, token, NOW + 1000)).resolves.toEqual({ sub: PERSON, azp: "data", exp: claims.exp });
  });

  it("refuses an expired token, a changed payload, another key, and a future one", async () => {
    const { token } = await signApplicantToken(key, PERSON, "data", 600, NOW);
    expect((await refusal(() => verifyApplicantToken(key, token, NOW + 600_000 + 31_000))).code).toBe("TOKEN_EXPIRED");
    const [h, p, s] = token.split(".");
    const changed = b64({ ...JSON.parse(Buffer.from(p, "base64url").toString()), sub: "110101199001011237" });
    expect((await refusal(() => verifyApplicantToken(key, `${h}.${changed}.${s}`, NOW))).code).toBe("TOKEN_SIGNATURE_INVALID");
    expect((await refusal(() => verifyApplicantToken(applicantTokenKey("another-secret-another-secret-0000"), token, NOW))).code).toBe("TOKEN_SIGNATURE_INVALID");
    expect((await refusal(() => verifyApplicantToken(key, token, NOW - 120_000))).code).toBe("TOKEN_NOT_YET_VALID");
  });

  it("refuses alg none, other headers, other audiences and overlong lifetimes even when MACed right", async () => {
    const iat = NOW / 1000;
    const payload = b64({ iss: "tongban-hub", sub: PERSON, aud: "tongban-portal", azp: "data", iat, exp: iat + 60 });
    const none = b64({ alg: "none", typ: "JWT" });
    expect((await refusal(() => verifyApplicantToken(key, `${none}.${payload}.`, NOW))).code).toBe("TOKEN_MALFORMED");
    const header = (await signApplicantToken(key, PERSON, "data", 60, NOW)).token.split(".")[0];
    const aud = b64({ iss: "tongban-hub", sub: PERSON, aud: "tongban", azp: "data", iat, exp: iat + 60 });
    expect((await refusal(() => verifyApplicantToken(key, `${header}.${aud}.${hs256(key, header, aud)}`, NOW))).code).toBe("TOKEN_AUDIENCE_INVALID");
    const long = b64({ iss: "tongban-hub", sub: PERSON, aud: "tongban-portal", azp: "data", iat, exp: iat + APPLICANT_TOKEN_MAX_LIFETIME_SECONDS + 1 });
    expect((await refusal(() => verifyApplicantToken(key, `${header}.${long}.${hs256(key, header, long)}`, NOW))).code).toBe("TOKEN_LIFETIME_TOO_LONG");
    expect((await refusal(() => verifyApplicantToken(key, "not-a-jwt", NOW))).code).toBe("TOKEN_MALFORMED");
  });

  it("derives its key from the hub secret under its own label (not the query-code key)", () => {
    const secret = "a-hub-secret-of-at-least-thirty-two-characters";
    expect(applicantTokenKey(secret)).toEqual(key);
    expect(applicantTokenKey(secret).equals(Buffer.from(secret))).toBe(false);
  });
});
