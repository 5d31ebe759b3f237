/**
 * Encryption at rest for private signing keys, keyed by the LICENSE_KEY_SECRET master secret.
 *
 * Format: `v1:<salt b64>:<iv b64>:<tag b64>:<ciphertext b64>`. The AES-256-GCM key is
 * HKDF-SHA256(masterSecret, salt) with a fresh random salt per sealed key, so no two keys
 * share an encryption key and IV reuse across keys is impossible. HKDF (not scrypt) because
 * LICENSE_KEY_SECRET is meant to be a random high-entropy secret, not a human password;
 * a stretching KDF would only slow every key load without adding security.
 */
import * as crypto from "node:crypto";
import { Memo } from "../../common/memo";

const VERSION = "v1";
const SALT_BYTES = 16;
const IV_BYTES = 12; // the GCM-native nonce size; other sizes get hashed internally
const TAG_BYTES = 16;
// Domain separation: the same master secret may be reused for other purposes later.
const HKDF_INFO = Buffer.from("tongban/licenses/signing-key/v1", "utf8");
const DECRYPT_ERROR = "cannot decrypt signing key: wrong LICENSE_KEY_SECRET or corrupted key";

/** Encrypts a PEM private key with AES-256-GCM under a key derived from `masterSecret`. */
export function sealPrivateKey(privateKeyPem: string, masterSecret: string): string {
  if (typeof privateKeyPem !== "string" || privateKeyPem.length === 0) {
    throw new TypeError("sealPrivateKey: privateKeyPem must be a non-empty string");
  }
  const salt = crypto.randomBytes(SALT_BYTES);
  const iv = crypto.randomBytes(IV_BYTES);
  const cipher = crypto.createCipheriv("aes-256-gcm", deriveKey(masterSecret, salt), iv, {
    authTagLength: TAG_BYTES,
  });
  // Authenticating the version and salt stops a downgrade or salt swap from going unnoticed.
  cipher.setAAD(aad(salt));
  const ciphertext = Buffer.concat([cipher.update(privateKeyPem, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, salt, iv, tag, ciphertext].map((p) => (typeof p === "string" ? p : p.toString("base64"))).join(":");
}

/**
 * Keys opened in this process, by sealed value and secret: every licence and receipt is signed with
 * the active key, and deriving and decrypting it each time cost more than the signature.
 */
const opened = new Memo<string>(Infinity, 64);

/** Decrypts a value from sealPrivateKey; throws a clear Error on a wrong secret or any tampering. */
export function openPrivateKey(sealed: string, masterSecret: string): string {
  const id = `${crypto.createHash("sha256").update(String(masterSecret)).digest("base64")}:${sealed}`;
  return opened.get(id, () => openSealed(sealed, masterSecret));
}

function openSealed(sealed: string, masterSecret: string): string {
  const parts = typeof sealed === "string" ? sealed.split(":") : [];
  if (parts.length !== 5 || parts[0] !== VERSION) {
    throw new Error(`${DECRYPT_ERROR} (unrecognised format)`);
  }
  const [salt, iv, tag, ciphertext] = parts.slice(1).map(strictBase64);
  if (!salt || !iv || !tag || !ciphertext || salt.length !== SALT_BYTES || iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
    throw new Error(`${DECRYPT_ERROR} (malformed field)`);
  }
  const key = deriveKey(masterSecret, salt);
  try {
    const decipher = crypto.createDecipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad(salt));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString("utf8");
  } catch {
    // GCM cannot tell a wrong key from tampering, and OpenSSL's message is unhelpful to operators.
    throw new Error(DECRYPT_ERROR);
  }
}

/** True if `value` looks like output of sealPrivateKey (used to reject plaintext PEMs in storage). */
export function isSealedPrivateKey(value: unknown): boolean {
  return typeof value === "string" && value.startsWith(`${VERSION}:`) && value.split(":").length === 5;
}

function deriveKey(masterSecret: string, salt: Buffer): Buffer {
  if (typeof masterSecret !== "string" || masterSecret.length === 0) {
    // An empty secret would "work" and leave every key effectively unencrypted.
    throw new Error("LICENSE_KEY_SECRET is empty: refusing to seal/open signing keys");
  }
  return Buffer.from(crypto.hkdfSync("sha256", Buffer.from(masterSecret, "utf8"), salt, HKDF_INFO, 32));
}

function aad(salt: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${VERSION}:`, "utf8"), salt]);
}

// Buffer.from ignores invalid characters; require an exact round trip so edits are caught here.
function strictBase64(text: string): Buffer | undefined {
  const buf = Buffer.from(text, "base64");
  return buf.length > 0 && buf.toString("base64") === text ? buf : undefined;
}
