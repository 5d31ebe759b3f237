import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { canonicalBytes } from "../../../services/common/canonical";
import {
  SIGNATURE_ALGORITHMS,
  SignatureAlgorithm,
  generateSigningKey,
  isDerSignature,
  isSignatureAlgorithm,
  keyIdFor,
  SM2_DEFAULT_SIGNER_ID,
  signContent,
  signContentOffThread,
  signerIdOf,
  verifyContent,
} from "../../../services/licenses/signing/signer";
import { signaturesMadeOnThreads } from "../../../services/licenses/signing/signing-threads";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function sampleLicence(): { [key: string]: Json } {
  return {
    licenceNo: "BL-20261122-7K3M9Q2XWD-V",
    typeCode: "BL",
    holder: { name: "杭州示例科技有限公司", idType: "USCC", idNumber: "91330100MA2XXXXX0X" },
    issuer: { code: "330100", name: "杭州市市场监督管理局" },
    issuedAt: "2026-11-22T02:00:00.000Z",
    validFrom: "2026-11-22",
    validUntil: null,
    version: 1,
    revoked: false,
    fields: { registeredCapital: "1000万元", businessScope: "软件开发", employees: 42, branches: ["西湖区", "滨江区"] },
  };
}

/** Every path to a leaf, plus every object/array path, so each field is mutated and deleted. */
function allPaths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== "object") return [prefix];
  const entries: [string | number, Json][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  return [...(prefix.length ? [prefix] : []), ...entries.flatMap(([k, v]) => allPaths(v, [...prefix, k]))];
}

function mutateLeaf(v: Json): Json {
  if (typeof v === "string") return `${v}x`;
  if (typeof v === "number") return v + 1;
  if (typeof v === "boolean") return !v;
  if (v === null) return "";
  return Array.isArray(v) ? [...v, 0] : { ...v, injected: true };
}

function withChange(path: (string | number)[], change: (parent: any, key: string | number) => void): Json {
  const copy = structuredClone(sampleLicence());
  let parent: any = copy;
  for (const key of path.slice(0, -1)) parent = parent[key];
  change(parent, path[path.length - 1]);
  return copy;
}

describe.each(SIGNATURE_ALGORITHMS.map((a) => [a]))("signer with %s", (algorithm: SignatureAlgorithm) => {
  const key = generateSigningKey(algorithm);
  const licence = sampleLicence();
  const signature = signContent(licence, algorithm, key.privateKeyPem);
  const id = signerIdOf(algorithm);

  it("produces PEM keys and a keyId derived from the public key", () => {
    expect(key.algorithm).toBe(algorithm);
    expect(key.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(key.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(key.keyId).toMatch(algorithm === "SM2-SM3" ? /^sm2:[0-9a-f]{16}$/ : /^ed25519:[0-9a-f]{16}$/);
    expect(keyIdFor(algorithm, key.publicKeyPem)).toBe(key.keyId);
    expect(keyIdFor(algorithm, key.privateKeyPem)).toBe(key.keyId);
    expect(generateSigningKey(algorithm).keyId).not.toBe(key.keyId);
  });

  it("signs then verifies, independent of key order", () => {
    expect(verifyContent(licence, signature, algorithm, key.publicKeyPem, id)).toBe(true);
    const reordered = Object.fromEntries(Object.entries(sampleLicence()).reverse());
    expect(verifyContent(reordered, signature, algorithm, key.publicKeyPem, id)).toBe(true);
  });

  const paths = allPaths(licence);
  it("covers every field, including nested fields entries", () => {
    const names = paths.map((p) => p.join("."));
    expect(names).toEqual(expect.arrayContaining(["licenceNo", "validUntil", "fields.employees", "fields.branches.1", "holder.idNumber"]));
  });

  it.each(paths.map((p) => [p.join(".")]))("fails when %s is changed or removed", (name) => {
    const path = paths.find((p) => p.join(".") === name)!;
    const changed = withChange(path, (parent, k) => (parent[k] = mutateLeaf(parent[k])));
    expect(verifyContent(changed, signature, algorithm, key.publicKeyPem, id)).toBe(false);
    const removed = withChange(path, (parent, k) => (Array.isArray(parent) ? parent.splice(k as number, 1) : delete parent[k]));
    expect(verifyContent(removed, signature, algorithm, key.publicKeyPem, id)).toBe(false);
  });

  it("fails when an extra field is added, at top level or in fields", () => {
    expect(verifyContent({ ...sampleLicence(), extra: "x" }, signature, algorithm, key.publicKeyPem, id)).toBe(false);
    const nested = sampleLicence();
    (nested.fields as { [k: string]: Json }).extra = "";
    expect(verifyContent(nested, signature, algorithm, key.publicKeyPem, id)).toBe(false);
  });

  it("rejects a signature made by another key of the same algorithm", () => {
    const other = generateSigningKey(algorithm);
    const forged = signContent(licence, algorithm, other.privateKeyPem);
    expect(verifyContent(licence, forged, algorithm, key.publicKeyPem, id)).toBe(false);
  });

  it.each([
    ["empty", ""],
    ["not base64", "@@not base64!!"],
    ["random bytes", Buffer.alloc(64, 7).toString("base64")],
    ["truncated", signature.slice(0, 20)],
    ["with trailing junk", `${signature}AAAA`],
  ])("returns false (no throw) for a %s signature", (_name, bad) => {
    expect(verifyContent(licence, bad, algorithm, key.publicKeyPem, id)).toBe(false);
  });

  it("returns false for a malformed public key, a bad algorithm or unserialisable content", () => {
    expect(verifyContent(licence, signature, algorithm, "not a pem", id)).toBe(false);
    expect(verifyContent(licence, signature, "RSA" as SignatureAlgorithm, key.publicKeyPem)).toBe(false);
    expect(verifyContent({ n: NaN }, signature, algorithm, key.publicKeyPem, id)).toBe(false);
  });
});

describe("signer algorithm checks", () => {
  const sm2 = generateSigningKey("SM2-SM3");
  const ed = generateSigningKey("ED25519");

  it("isSignatureAlgorithm accepts only the supported names", () => {
    expect(SIGNATURE_ALGORITHMS).toEqual(["SM2-SM3", "ED25519"]);
    expect(isSignatureAlgorithm("SM2-SM3")).toBe(true);
    expect(isSignatureAlgorithm("ED25519")).toBe(true);
    expect(isSignatureAlgorithm("sm2-sm3")).toBe(false);
    expect(isSignatureAlgorithm(undefined)).toBe(false);
  });

  it("defaults to SM2-SM3", () => {
    expect(generateSigningKey().algorithm).toBe("SM2-SM3");
  });

  it("refuses to sign with a key of the other algorithm and never cross-verifies", () => {
    expect(() => signContent({ a: 1 }, "ED25519", sm2.privateKeyPem)).toThrow(/does not match/);
    expect(() => signContent({ a: 1 }, "SM2-SM3", ed.privateKeyPem)).toThrow(/does not match/);
    const edSig = signContent({ a: 1 }, "ED25519", ed.privateKeyPem);
    expect(verifyContent({ a: 1 }, edSig, "SM2-SM3", ed.publicKeyPem, SM2_DEFAULT_SIGNER_ID)).toBe(false);
    expect(verifyContent({ a: 1 }, edSig, "ED25519", ed.publicKeyPem, SM2_DEFAULT_SIGNER_ID)).toBe(false);
  });

  it("still verifies a stored SM2 signature (pins OpenSSL SM2 behaviour: real SM2, empty distinguishing ID)", () => {
    // Generated once on Node 20.20 / OpenSSL 3.0 and checked against an independent SM2
    // implementation. If this fails after a Node/OpenSSL upgrade, previously issued licences
    // would stop verifying: do not "fix" the vector, fix the signer.
    const publicKeyPem = [
      "-----BEGIN PUBLIC KEY-----",
      "MFkwEwYHKoZIzj0CAQYIKoEcz1UBgi0DQgAECnWyp4j3BJuS3ja/a1pC3HOmLidC",
      "5wY0CV/wUQ5bc6RJu5VO7Mk8j8L4bU2oLslCVBEin5oIEMxrnAYGbHdewA==",
      "-----END PUBLIC KEY-----",
      "",
    ].join("\n");
    const content = { licenceNo: "BL-20261122-7K3M9Q2XWD-X", holder: "张三", fields: { b: 1, a: [true, null] } };
    const sig = "MEYCIQDcMffQvHg4cYCeUNTB+Xvmk+TTSJxgO0SC6bT1tTXoRgIhAPkFqL2KhWRteCJ4T+j3xRSwvGFEkjXaIeFXurA1LGuh";
    expect(keyIdFor("SM2-SM3", publicKeyPem)).toBe("sm2:3ec25196327ab5c8");
    expect(verifyContent(content, sig, "SM2-SM3", publicKeyPem)).toBe(true);
    expect(verifyContent({ ...content, holder: "李四" }, sig, "SM2-SM3", publicKeyPem)).toBe(false);
    // Made with the empty ID, it is not a signature under the standard ID.
    expect(verifyContent(content, sig, "SM2-SM3", publicKeyPem, SM2_DEFAULT_SIGNER_ID)).toBe(false);
  });
});

describe("SM2 with the standard signer ID (GM/T 0009, GB/T 35276), checked by OpenSSL as an independent implementation", () => {
  const key = generateSigningKey("SM2-SM3");
  const content = { number: "1.2.156.3005.2.11100000EKJ5T3YT4M001.11510100PB8UYH3138.20261201K3M9Q2XWD7.001.0", holder: "成都示例科技有限公司", fields: { a: "住所" } };
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "sm2-"));
    fs.writeFileSync(path.join(dir, "pub.pem"), key.publicKeyPem);
    fs.writeFileSync(path.join(dir, "priv.pem"), key.privateKeyPem);
    fs.writeFileSync(path.join(dir, "content.json"), canonicalBytes(content));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" }).toString();

  it("a hub signature verifies in OpenSSL with distid:1234567812345678, and not with the empty ID", () => {
    fs.writeFileSync(path.join(dir, "sig.der"), Buffer.from(signContent(content, "SM2-SM3", key.privateKeyPem), "base64"));
    const verify = (...opt: string[]) => ["pkeyutl", "-verify", "-pubin", "-inkey", "pub.pem", "-rawin", "-in", "content.json", "-sigfile", "sig.der", "-digest", "sm3", ...opt];
    expect(openssl(...verify("-pkeyopt", `distid:${SM2_DEFAULT_SIGNER_ID}`))).toMatch(/Signature Verified Successfully/);
    expect(() => openssl(...verify())).toThrow();
  });

  it("an OpenSSL signature with the standard ID verifies in the hub; one with the empty ID does not", () => {
    openssl("pkeyutl", "-sign", "-inkey", "priv.pem", "-rawin", "-in", "content.json", "-digest", "sm3", "-pkeyopt", `distid:${SM2_DEFAULT_SIGNER_ID}`, "-out", "theirs.der");
    const theirs = fs.readFileSync(path.join(dir, "theirs.der")).toString("base64");
    expect(verifyContent(content, theirs, "SM2-SM3", key.publicKeyPem, SM2_DEFAULT_SIGNER_ID)).toBe(true);
    expect(verifyContent({ ...content, holder: "x" }, theirs, "SM2-SM3", key.publicKeyPem, SM2_DEFAULT_SIGNER_ID)).toBe(false);
    openssl("pkeyutl", "-sign", "-inkey", "priv.pem", "-rawin", "-in", "content.json", "-digest", "sm3", "-out", "empty.der");
    const empty = fs.readFileSync(path.join(dir, "empty.der")).toString("base64");
    expect(verifyContent(content, empty, "SM2-SM3", key.publicKeyPem, SM2_DEFAULT_SIGNER_ID)).toBe(false);
    // ...which is how licences signed before the standard ID keep verifying.
    expect(verifyContent(content, empty, "SM2-SM3", key.publicKeyPem, "")).toBe(true);
  });

  it("refuses a genuine signature re-encoded with a padded INTEGER, as OpenSSL does (DER has one encoding)", () => {
    const der = Buffer.from(signContent(content, "SM2-SM3", key.privateKeyPem), "base64");
    // SEQUENCE { INTEGER r, INTEGER s }: r gains a needless leading 0x00 (the same number, not DER).
    const rLen = der[3];
    const r = der.subarray(4, 4 + rLen);
    const rest = der.subarray(4 + rLen);
    const padded = Buffer.concat([Buffer.from([0x30, der[1] + 1, 0x02, rLen + 1, 0x00]), r, rest]);
    fs.writeFileSync(path.join(dir, "padded.der"), padded);
    const verify = ["pkeyutl", "-verify", "-pubin", "-inkey", "pub.pem", "-rawin", "-in", "content.json", "-sigfile", "padded.der", "-digest", "sm3", "-pkeyopt", `distid:${SM2_DEFAULT_SIGNER_ID}`];
    expect(() => openssl(...verify)).toThrow();
    expect(verifyContent(content, padded.toString("base64"), "SM2-SM3", key.publicKeyPem, SM2_DEFAULT_SIGNER_ID)).toBe(false);
    expect(verifyContent(content, der.toString("base64"), "SM2-SM3", key.publicKeyPem, SM2_DEFAULT_SIGNER_ID)).toBe(true);
    // A negative INTEGER (high bit set, no zero byte before it) is refused too.
    expect(isDerSignature(Buffer.from([0x30, 0x06, 0x02, 0x01, 0x80, 0x02, 0x01, 0x01]))).toBe(false);
    expect(isDerSignature(Buffer.from([0x30, 0x07, 0x02, 0x02, 0x00, 0x80, 0x02, 0x01, 0x01]))).toBe(true);
  });

  it("a signature made on a signing thread is the same kind: OpenSSL verifies it with the standard ID, and so does the hub", async () => {
    fs.writeFileSync(path.join(dir, "thread.der"), Buffer.from(await signContentOffThread(content, "SM2-SM3", key.privateKeyPem), "base64"));
    const verify = (...opt: string[]) => ["pkeyutl", "-verify", "-pubin", "-inkey", "pub.pem", "-rawin", "-in", "content.json", "-sigfile", "thread.der", "-digest", "sm3", ...opt];
    expect(openssl(...verify("-pkeyopt", `distid:${SM2_DEFAULT_SIGNER_ID}`))).toMatch(/Signature Verified Successfully/);
    expect(() => openssl(...verify())).toThrow();
  });

  it("accepts no signer ID but the standard one or the empty one", () => {
    const sig = signContent(content, "SM2-SM3", key.privateKeyPem);
    expect(verifyContent(content, sig, "SM2-SM3", key.publicKeyPem, "ALICE123@YAHOO.COM")).toBe(false);
  });
});

describe("signing off the event loop (signing-threads.ts)", () => {
  it.each(SIGNATURE_ALGORITHMS.map((a) => [a]))("%s: 200 signatures at once each verify over their own content and no other", async (algorithm: SignatureAlgorithm) => {
    const key = generateSigningKey(algorithm);
    const contents = Array.from({ length: 200 }, (_, i) => ({ n: i, holder: `企业${i}` }));
    const before = signaturesMadeOnThreads();
    const signatures = await Promise.all(contents.map((c) => signContentOffThread(c, algorithm, key.privateKeyPem)));
    // SM2 goes to the threads (JavaScript arithmetic); Ed25519 is native and signs in place.
    expect(signaturesMadeOnThreads() - before).toBe(algorithm === "SM2-SM3" ? 200 : 0);
    const id = signerIdOf(algorithm);
    contents.forEach((c, i) => {
      expect(verifyContent(c, signatures[i], algorithm, key.publicKeyPem, id)).toBe(true);
      expect(verifyContent(contents[(i + 1) % contents.length], signatures[i], algorithm, key.publicKeyPem, id)).toBe(false);
    });
  });

  it("refuses a key of the other algorithm before anything is signed, as signContent does", async () => {
    const ed = generateSigningKey("ED25519");
    await expect(signContentOffThread({ a: 1 }, "SM2-SM3", ed.privateKeyPem)).rejects.toThrow(/does not match algorithm SM2-SM3/);
    expect(() => signContent({ a: 1 }, "SM2-SM3", ed.privateKeyPem)).toThrow(/does not match algorithm SM2-SM3/);
  });
});
