import crypto from "node:crypto";
import {
  CLOCK_SKEW_SECONDS,
  TOKEN_AUDIENCE,
  TokenError,
  createDepartmentCredential,
  signDepartmentToken,
  verifyDepartmentToken,
  verifyDepartmentTokenClaims,
  type DepartmentCredential,
  type PublicCredential,
} from "../../../services/common/department-token";
import { keyIdFor, type SignatureAlgorithm } from "../../../services/licenses/signing/signer";

const NOW = Date.parse("2026-11-22T02:00:00Z");
const NOW_S = NOW / 1000;
const MAX_AGE = 300;

const b64url = (s: string | Buffer) => Buffer.from(s).toString("base64url");
const decode = (part: string) => JSON.parse(Buffer.from(part, "base64url").toString("utf8"));

/** A registry holding the given credentials' public keys, as the hub would. */
function registry(...creds: DepartmentCredential[]) {
  const byKid = new Map<string, PublicCredential>(
    creds.map((c) => [c.keyId, { department: c.department, algorithm: c.algorithm, publicKeyPem: c.publicKeyPem }]),
  );
  const seen: string[] = [];
  const lookup = async (kid: string) => {
    seen.push(kid);
    return byKid.get(kid);
  };
  return { lookup, seen };
}

/** Signs arbitrary header and claims with the credential's private key, as a department could. */
function forge(c: DepartmentCredential, header: object, claims: object): string {
  const h = b64url(JSON.stringify(header));
  const p = b64url(JSON.stringify(claims));
  const sig = crypto.sign(c.algorithm === "ED25519" ? null : "sm3", Buffer.from(`${h}.${p}`), crypto.createPrivateKey(c.privateKeyPem));
  return `${h}.${p}.${b64url(sig)}`;
}

async function refusal(promise: Promise<unknown>): Promise<TokenError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(TokenError);
    expect((err as Error).name).toBe("TokenError");
    return err as TokenError;
  }
  throw new Error("token was accepted");
}

const ALGS: Array<[SignatureAlgorithm, string]> = [
  ["ED25519", "EdDSA"],
  ["SM2-SM3", "SM2-SM3"],
];

describe.each(ALGS)("department tokens with %s", (algorithm, jwtAlg) => {
  let cred: DepartmentCredential;
  let other: DepartmentCredential;

  beforeAll(() => {
    cred = createDepartmentCredential("psb", algorithm);
    other = createDepartmentCredential("samr", algorithm);
  });

  describe("createDepartmentCredential", () => {
    it("creates a PEM key pair whose key id derives from the public key", () => {
      expect(cred.department).toBe("psb");
      expect(cred.algorithm).toBe(algorithm);
      expect(cred.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
      expect(cred.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
      expect(cred.keyId).toBe(keyIdFor(algorithm, cred.publicKeyPem));
      expect(cred.keyId).not.toBe(other.keyId);
    });

    it("creates a key of the right type", () => {
      const key = crypto.createPublicKey(cred.publicKeyPem);
      if (algorithm === "ED25519") expect(key.asymmetricKeyType).toBe("ed25519");
      else {
        // Node reports no key type for an SM2 key loaded from PEM; check the curve OID 1.2.156.10197.1.301 instead.
        const der = key.export({ type: "spki", format: "der" });
        expect(der.includes(Buffer.from("06082a811ccf5501822d", "hex"))).toBe(true);
      }
    });
  });

  describe("signDepartmentToken", () => {
    it("writes a compact JWT with the documented header and claims", () => {
      const token = signDepartmentToken(cred, 120, NOW);
      const parts = token.split(".");
      expect(parts).toHaveLength(3);
      for (const p of parts) expect(p).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(decode(parts[0])).toEqual({ alg: jwtAlg, kid: cred.keyId, typ: "JWT" });
      const claims = decode(parts[1]);
      expect(claims).toEqual({ iss: "psb", aud: TOKEN_AUDIENCE, iat: NOW_S, exp: NOW_S + 120, jti: expect.any(String) });
      expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
    });

    it("gives each token a fresh jti", () => {
      const a = decode(signDepartmentToken(cred, 60, NOW).split(".")[1]);
      const b = decode(signDepartmentToken(cred, 60, NOW).split(".")[1]);
      expect(a.jti).not.toBe(b.jti);
    });

    it("rounds iat down to whole seconds", () => {
      const claims = decode(signDepartmentToken(cred, 60, NOW + 999).split(".")[1]);
      expect(claims.iat).toBe(NOW_S);
    });
  });

  describe("verifyDepartmentToken", () => {
    it("returns the department for a token it signed", async () => {
      const { lookup, seen } = registry(cred, other);
      await expect(verifyDepartmentToken(signDepartmentToken(cred, 300, NOW), lookup, MAX_AGE, NOW)).resolves.toBe("psb");
      await expect(verifyDepartmentToken(signDepartmentToken(other, 60, NOW), lookup, MAX_AGE, NOW)).resolves.toBe("samr");
      expect(seen).toEqual([cred.keyId, other.keyId]);
    });

    it("accepts a token until just before it expires", async () => {
      const { lookup } = registry(cred);
      const token = signDepartmentToken(cred, 60, NOW);
      await expect(verifyDepartmentToken(token, lookup, MAX_AGE, NOW + 59_000)).resolves.toBe("psb");
    });

    it("refuses an unknown key id", async () => {
      const { lookup } = registry(other);
      const err = await refusal(verifyDepartmentToken(signDepartmentToken(cred, 60, NOW), lookup, MAX_AGE, NOW));
      expect(err.message).toBe(`key ${cred.keyId} is not registered for any department`);
    });

    it("refuses a token without a kid", async () => {
      const { lookup } = registry(cred);
      const token = forge(cred, { alg: jwtAlg, typ: "JWT" }, { iss: "psb", aud: TOKEN_AUDIENCE, iat: NOW_S, exp: NOW_S + 60 });
      const err = await refusal(verifyDepartmentToken(token, lookup, MAX_AGE, NOW));
      expect(err.message).toBe("token header names no key (kid)");
    });

    it("refuses a payload changed after signing (iss swapped)", async () => {
      const { lookup } = registry(cred, other);
      const [h, p, s] = signDepartmentToken(cred, 60, NOW).split(".");
      const claims = decode(p);
      const tampered = `${h}.${b64url(JSON.stringify({ ...claims, iss: "samr" }))}.${s}`;
      const err = await refusal(verifyDepartmentToken(tampered, lookup, MAX_AGE, NOW));
      expect(err.message).toBe("token signature does not verify");
    });

    it("refuses a payload whose exp was stretched after signing", async () => {
      const { lookup } = registry(cred);
      const [h, p, s] = signDepartmentToken(cred, 60, NOW).split(".");
      const tampered = `${h}.${b64url(JSON.stringify({ ...decode(p), exp: NOW_S + 100 }))}.${s}`;
      const err = await refusal(verifyDepartmentToken(tampered, lookup, MAX_AGE, NOW + 90_000));
      expect(err.message).toBe("token signature does not verify");
    });

    it("refuses a token signed by another key but naming this key's kid", async () => {
      const { lookup } = registry(cred, other);
      const impostor: DepartmentCredential = { ...other, department: "psb", keyId: cred.keyId };
      const err = await refusal(verifyDepartmentToken(signDepartmentToken(impostor, 60, NOW), lookup, MAX_AGE, NOW));
      expect(err.message).toBe("token signature does not verify");
    });

    it("refuses a signature taken from another token", async () => {
      const { lookup } = registry(cred);
      const [h1, p1] = signDepartmentToken(cred, 60, NOW).split(".");
      const [, , s2] = signDepartmentToken(cred, 60, NOW).split(".");
      const err = await refusal(verifyDepartmentToken(`${h1}.${p1}.${s2}`, lookup, MAX_AGE, NOW));
      expect(err.message).toBe("token signature does not verify");
    });

    it("refuses a correctly signed token whose iss is another department", async () => {
      const { lookup } = registry(cred);
      const token = forge(cred, { alg: jwtAlg, kid: cred.keyId, typ: "JWT" }, { iss: "samr", aud: TOKEN_AUDIENCE, iat: NOW_S, exp: NOW_S + 60 });
      const err = await refusal(verifyDepartmentToken(token, lookup, MAX_AGE, NOW));
      expect(err.message).toBe(`token issuer samr does not own key ${cred.keyId}`);
    });

    it("refuses a header alg that does not match the registered key", async () => {
      const { lookup } = registry(cred);
      const wrongAlg = jwtAlg === "EdDSA" ? "SM2-SM3" : "EdDSA";
      for (const alg of [wrongAlg, "none", "HS256"]) {
        const token = forge(cred, { alg, kid: cred.keyId, typ: "JWT" }, { iss: "psb", aud: TOKEN_AUDIENCE, iat: NOW_S, exp: NOW_S + 60 });
        const err = await refusal(verifyDepartmentToken(token, lookup, MAX_AGE, NOW));
        expect(err.message).toBe(`token alg ${alg} does not match key ${cred.keyId}`);
      }
    });

    it("refuses the wrong audience", async () => {
      const { lookup } = registry(cred);
      for (const aud of ["other-hub", undefined, ["tongban"]]) {
        const token = forge(cred, { alg: jwtAlg, kid: cred.keyId, typ: "JWT" }, { iss: "psb", aud, iat: NOW_S, exp: NOW_S + 60 });
        const err = await refusal(verifyDepartmentToken(token, lookup, MAX_AGE, NOW));
        expect(err.message).toBe('token audience must be "tongban"');
      }
    });

    it("refuses a token without numeric iat and exp", async () => {
      const { lookup } = registry(cred);
      for (const claims of [
        { iss: "psb", aud: TOKEN_AUDIENCE, exp: NOW_S + 60 },
        { iss: "psb", aud: TOKEN_AUDIENCE, iat: NOW_S },
        { iss: "psb", aud: TOKEN_AUDIENCE, iat: String(NOW_S), exp: String(NOW_S + 60) },
      ]) {
        const token = forge(cred, { alg: jwtAlg, kid: cred.keyId, typ: "JWT" }, claims);
        const err = await refusal(verifyDepartmentToken(token, lookup, MAX_AGE, NOW));
        expect(err.message).toBe("token needs iat and exp");
      }
    });

    it("refuses an expired token once the clock skew has passed", async () => {
      const { lookup } = registry(cred);
      const token = signDepartmentToken(cred, 60, NOW);
      const expS = NOW_S + 60;
      // still inside the tolerated skew
      await expect(verifyDepartmentToken(token, lookup, MAX_AGE, (expS + CLOCK_SKEW_SECONDS - 1) * 1000)).resolves.toBe("psb");
      for (const at of [expS + CLOCK_SKEW_SECONDS, expS + 3600]) {
        const err = await refusal(verifyDepartmentToken(token, lookup, MAX_AGE, at * 1000));
        expect(err.message).toBe("token has expired");
      }
    });

    it("refuses a token whose lifetime is longer than maxAge, even while fresh", async () => {
      const { lookup } = registry(cred);
      await expect(verifyDepartmentToken(signDepartmentToken(cred, MAX_AGE, NOW), lookup, MAX_AGE, NOW)).resolves.toBe("psb");
      const err = await refusal(verifyDepartmentToken(signDepartmentToken(cred, MAX_AGE + 1, NOW), lookup, MAX_AGE, NOW));
      expect(err.message).toBe(`token lifetime exceeds ${MAX_AGE} s`);
      const longLived = signDepartmentToken(cred, 365 * 86_400, NOW);
      expect((await refusal(verifyDepartmentToken(longLived, lookup, MAX_AGE, NOW))).message).toBe(`token lifetime exceeds ${MAX_AGE} s`);
    });

    it("tolerates a department clock up to 30 s ahead but refuses more", async () => {
      const { lookup } = registry(cred);
      const ahead = (s: number) => signDepartmentToken(cred, 60, NOW + s * 1000);
      await expect(verifyDepartmentToken(ahead(CLOCK_SKEW_SECONDS), lookup, MAX_AGE, NOW)).resolves.toBe("psb");
      for (const s of [CLOCK_SKEW_SECONDS + 1, 3600]) {
        const err = await refusal(verifyDepartmentToken(ahead(s), lookup, MAX_AGE, NOW));
        expect(err.message).toBe("token is issued in the future");
      }
    });

    it.each([
      ["an empty string", ""],
      ["one part", "abc"],
      ["two parts", "abc.def"],
      ["four parts", "a.b.c.d"],
    ])("refuses %s as not a compact JWT", async (_label, token) => {
      const { lookup } = registry(cred);
      const err = await refusal(verifyDepartmentToken(token, lookup, MAX_AGE, NOW));
      expect(err.message).toBe("token is not a compact JWT (header.payload.signature)");
    });

    it.each([
      ["empty parts", "..", "header"],
      ["non-JSON header", `${b64url("not json")}.${b64url("{}")}.sig`, "header"],
      ["non-JSON payload", `${b64url('{"kid":"k"}')}.${b64url("{nope")}.sig`, "payload"],
      ["plain text", "hello.world.again", "header"],
    ])("refuses %s as not base64url JSON", async (_label, token, part) => {
      const { lookup, seen } = registry(cred);
      const err = await refusal(verifyDepartmentToken(token, lookup, MAX_AGE, NOW));
      expect(err.message).toBe(`token ${part} is not base64url JSON`);
      expect(seen).toEqual([]);
    });

    it.each([
      ["a numeric kid", '{"kid":42}'],
      ["an empty kid", '{"kid":""}'],
    ])("refuses %s as naming no key", async (_label, header) => {
      const { lookup } = registry(cred);
      const p = signDepartmentToken(cred, 60, NOW).split(".")[1];
      const err = await refusal(verifyDepartmentToken(`${b64url(header)}.${p}.sig`, lookup, MAX_AGE, NOW));
      expect(err.message).toBe("token header names no key (kid)");
    });

    it.each([
      ["garbage", "AAAA"],
      ["empty", ""],
      ["not base64url", "!!!***"],
    ])("refuses a %s signature", async (_label, sig) => {
      const { lookup } = registry(cred);
      const [h, p] = signDepartmentToken(cred, 60, NOW).split(".");
      const err = await refusal(verifyDepartmentToken(`${h}.${p}.${sig}`, lookup, MAX_AGE, NOW));
      expect(err.message).toBe("token signature does not verify");
    });
  });
});

describe("department tokens across algorithms", () => {
  it("refuses an Ed25519 token checked against an SM2 registration under the same kid", async () => {
    const ed = createDepartmentCredential("psb", "ED25519");
    const sm2 = createDepartmentCredential("psb", "SM2-SM3");
    const lookup = async () => ({ department: "psb", algorithm: sm2.algorithm, publicKeyPem: sm2.publicKeyPem });
    const err = await refusal(verifyDepartmentToken(signDepartmentToken(ed, 60, NOW), lookup, MAX_AGE, NOW));
    expect(err.message).toBe(`token alg EdDSA does not match key ${ed.keyId}`);
  });

  it("defaults to Ed25519 and a 300 s lifetime from the current time", async () => {
    const cred = createDepartmentCredential("tax");
    expect(cred.algorithm).toBe("ED25519");
    const token = signDepartmentToken(cred);
    const claims = decode(token.split(".")[1]);
    expect(claims.exp - claims.iat).toBe(300);
    expect(Math.abs(claims.iat - Date.now() / 1000)).toBeLessThan(5);
    await expect(verifyDepartmentToken(token, registry(cred).lookup, 300)).resolves.toBe("tax");
  });
});

describe("verifyDepartmentToken: parts that are JSON but not objects", () => {
  it.each(["null", "[]", "42", '"kid"'])("refuses a header of %s with a TokenError", async (json) => {
    const token = `${b64url(json)}.${b64url("{}")}.x`;
    await expect(verifyDepartmentToken(token, async () => undefined, MAX_AGE, NOW)).rejects.toThrow(
      new TokenError("token header is not a JSON object"),
    );
  });
});

describe("verifyDepartmentTokenClaims: claims that agree", () => {
  const NOW2 = Date.UTC(2026, 10, 30, 12, 0, 0);
  const cred = createDepartmentCredential("psb");
  const lookup = async (kid: string) => (kid === cred.keyId ? { department: "psb", algorithm: cred.algorithm, publicKeyPem: cred.publicKeyPem } : undefined);
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const signed = (header: object, payload: object) => {
    const data = `${b64(header)}.${b64(payload)}`;
    return `${data}.${crypto.sign(null, Buffer.from(data), crypto.createPrivateKey(cred.privateKeyPem)).toString("base64url")}`;
  };
  const iat = Math.floor(NOW2 / 1000);
  const good = { iss: "psb", aud: "tongban", iat, exp: iat + 60, jti: "0b8f2c1e-aaaa-4bbb-8ccc-123456789abc" };
  const header = { alg: "EdDSA", kid: cred.keyId, typ: "JWT" };
  const why = async (token: string) => verifyDepartmentTokenClaims(token, lookup, 300, NOW2).then(() => "accepted", (e: Error) => e.message);

  it("returns the department, the jti and the expiry", async () => {
    await expect(verifyDepartmentTokenClaims(signed(header, good), lookup, 300, NOW2)).resolves.toEqual({ department: "psb", jti: good.jti, exp: good.exp });
  });
  it("refuses a token without a usable jti, of another typ, expiring before issue, or not valid yet", async () => {
    const { jti: _jti, ...noJti } = good;
    expect(await why(signed(header, noJti))).toMatch(/needs a jti/);
    expect(await why(signed(header, { ...good, jti: "short" }))).toMatch(/needs a jti/);
    expect(await why(signed(header, { ...good, jti: 42 }))).toMatch(/needs a jti/);
    expect(await why(signed({ ...header, typ: "at+jwt" }, good))).toMatch(/typ/);
    expect(await why(signed(header, { ...good, exp: iat - 1 }))).toMatch(/expires before it is issued/);
    expect(await why(signed(header, { ...good, nbf: iat + 120 }))).toMatch(/nbf/);
    expect(await why(signed(header, { ...good, nbf: iat }))).toBe("accepted");
  });
});
