import { isSealedPrivateKey, openPrivateKey, sealPrivateKey } from "../../../services/licenses/signing/key-vault";
import { generateSigningKey, SM2_DEFAULT_SIGNER_ID, signContent, verifyContent } from "../../../services/licenses/signing/signer";

const SECRET = "k3y-vault-test-secret-0123456789abcdef";
const DECRYPT_ERROR = /^cannot decrypt signing key: wrong LICENSE_KEY_SECRET or corrupted key/;

describe("key vault", () => {
  const key = generateSigningKey("SM2-SM3");
  const sealed = sealPrivateKey(key.privateKeyPem, SECRET);

  it("round-trips a private key, and the opened key still signs", () => {
    const opened = openPrivateKey(sealed, SECRET);
    expect(opened).toBe(key.privateKeyPem);
    const sig = signContent({ a: 1 }, "SM2-SM3", opened);
    expect(verifyContent({ a: 1 }, sig, "SM2-SM3", key.publicKeyPem, SM2_DEFAULT_SIGNER_ID)).toBe(true);
  });

  it("uses a self-describing v1 format and never contains the plaintext", () => {
    const parts = sealed.split(":");
    expect(parts).toHaveLength(5);
    expect(parts[0]).toBe("v1");
    expect(Buffer.from(parts[2], "base64")).toHaveLength(12);
    expect(Buffer.from(parts[3], "base64")).toHaveLength(16);
    expect(sealed).not.toContain("PRIVATE KEY");
    expect(isSealedPrivateKey(sealed)).toBe(true);
    expect(isSealedPrivateKey(key.privateKeyPem)).toBe(false);
  });

  it("is randomised: sealing twice gives different outputs", () => {
    expect(sealPrivateKey(key.privateKeyPem, SECRET)).not.toBe(sealed);
  });

  it("throws the clear error on a wrong master secret", () => {
    expect(() => openPrivateKey(sealed, `${SECRET}x`)).toThrow(DECRYPT_ERROR);
    expect(() => openPrivateKey(sealed, "another secret")).toThrow(DECRYPT_ERROR);
  });

  it.each([1, 2, 3, 4])("throws the clear error when field %i is tampered with", (index) => {
    const parts = sealed.split(":");
    const bytes = Buffer.from(parts[index], "base64");
    bytes[bytes.length - 1] ^= 0x01;
    parts[index] = bytes.toString("base64");
    expect(() => openPrivateKey(parts.join(":"), SECRET)).toThrow(DECRYPT_ERROR);
  });

  it.each([
    ["empty", ""],
    ["plaintext PEM", "-----BEGIN PRIVATE KEY-----"],
    ["unknown version", sealed.replace(/^v1:/, "v9:")],
    ["missing field", sealed.split(":").slice(0, 4).join(":")],
    ["non-base64 field", sealed.replace(/:([^:]+)$/, ":!!!$1")],
    ["truncated ciphertext", sealed.slice(0, -8)],
  ])("throws the clear error for a %s value", (_name, bad) => {
    expect(() => openPrivateKey(bad, SECRET)).toThrow(DECRYPT_ERROR);
  });

  it("refuses an empty master secret", () => {
    expect(() => sealPrivateKey(key.privateKeyPem, "")).toThrow(/LICENSE_KEY_SECRET is empty/);
    expect(() => openPrivateKey(sealed, "")).toThrow(/LICENSE_KEY_SECRET is empty/);
  });
});
