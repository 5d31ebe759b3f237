import {
  SIGNATURE_ALGORITHMS,
  SignatureAlgorithm,
  generateSigningKey,
  isSignatureAlgorithm,
  keyIdFor,
  signContent,
  verifyContent,
} from "../../../services/licenses/signing/signer";

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
    expect(verifyContent(licence, signature, algorithm, key.publicKeyPem)).toBe(true);
    const reordered = Object.fromEntries(Object.entries(sampleLicence()).reverse());
    expect(verifyContent(reordered, signature, algorithm, key.publicKeyPem)).toBe(true);
  });

  const paths = allPaths(licence);
  it("covers every field, including nested fields entries", () => {
    const names = paths.map((p) => p.join("."));
    expect(names).toEqual(expect.arrayContaining(["licenceNo", "validUntil", "fields.employees", "fields.branches.1", "holder.idNumber"]));
  });

  it.each(paths.map((p) => [p.join(".")]))("fails when %s is changed or removed", (name) => {
    const path = paths.find((p) => p.join(".") === name)!;
    const changed = withChange(path, (parent, k) => (parent[k] = mutateLeaf(parent[k])));
    expect(verifyContent(changed, signature, algorithm, key.publicKeyPem)).toBe(false);
    const removed = withChange(path, (parent, k) => (Array.isArray(parent) ? parent.splice(k as number, 1) : delete parent[k]));
    expect(verifyContent(removed, signature, algorithm, key.publicKeyPem)).toBe(false);
  });

  it("fails when an extra field is added, at top level or in fields", () => {
    expect(verifyContent({ ...sampleLicence(), extra: "x" }, signature, algorithm, key.publicKeyPem)).toBe(false);
    const nested = sampleLicence();
    (nested.fields as { [k: string]: Json }).extra = "";
    expect(verifyContent(nested, signature, algorithm, key.publicKeyPem)).toBe(false);
  });

  it("rejects a signature made by another key of the same algorithm", () => {
    const other = generateSigningKey(algorithm);
    const forged = signContent(licence, algorithm, other.privateKeyPem);
    expect(verifyContent(licence, forged, algorithm, key.publicKeyPem)).toBe(false);
  });

  it.each([
    ["empty", ""],
    ["not base64", "@@not base64!!"],
    ["random bytes", Buffer.alloc(64, 7).toString("base64")],
    ["truncated", signature.slice(0, 20)],
    ["with trailing junk", `${signature}AAAA`],
  ])("returns false (no throw) for a %s signature", (_name, bad) => {
    expect(verifyContent(licence, bad, algorithm, key.publicKeyPem)).toBe(false);
  });

  it("returns false for a malformed public key, a bad algorithm or unserialisable content", () => {
    expect(verifyContent(licence, signature, algorithm, "not a pem")).toBe(false);
    expect(verifyContent(licence, signature, "RSA" as SignatureAlgorithm, key.publicKeyPem)).toBe(false);
    expect(verifyContent({ n: NaN }, signature, algorithm, key.publicKeyPem)).toBe(false);
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
    expect(verifyContent({ a: 1 }, edSig, "SM2-SM3", ed.publicKeyPem)).toBe(false);
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
  });
});
