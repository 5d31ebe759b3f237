/** Idempotency keys for the calls one request makes on other services. */
import crypto from "node:crypto";

const MAX_KEY_LENGTH = 128;

/**
 * `${key}:${step}`, the key of one downstream call of a request, so a retry of the request repeats
 * no side effect. Keys may be up to 128 characters, so a long one is replaced by its SHA-256 to keep
 * the derived key within the same limit (still one key per request and step).
 */
export function derivedKey(key: string, step: string): string {
  const plain = `${key}:${step}`;
  if (plain.length <= MAX_KEY_LENGTH) return plain;
  return `${crypto.createHash("sha256").update(key).digest("hex")}:${step}`;
}
