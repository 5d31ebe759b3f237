/**
 * Deterministic JSON serialisation (RFC 8785 / JCS style) for signing licence content.
 *
 * A signature is only verifiable if signer and verifier derive the exact same bytes from
 * the same logical document, whatever key order the database, the JSON parser or the
 * caller produced. Hence: sorted keys, no whitespace, and a hard failure (rather than the
 * silent dropping JSON.stringify does) for values that have no faithful JSON form.
 */

/** Serialises `value` to canonical JSON; throws TypeError for values with no faithful JSON form. */
export function canonicalJson(value: unknown): string {
  const out = serialise(value, new Set<object>(), "$");
  if (out === undefined) {
    // A top-level undefined/omitted value would sign the empty string, which is never intended.
    throw new TypeError("canonicalJson: top-level value is undefined");
  }
  return out;
}

/** UTF-8 bytes of `canonicalJson(value)`; this is what signatures are computed over. */
export function canonicalBytes(value: unknown): Buffer {
  return Buffer.from(canonicalJson(value), "utf8");
}

/** Returns undefined for values that must be omitted as object properties. */
function serialise(value: unknown, stack: Set<object>, path: string): string | undefined {
  // Honour toJSON (Date -> ISO string, Buffer -> {type,data}) exactly like JSON.stringify,
  // so a Date issuedAt signs identically to its stored ISO string.
  if (value !== null && typeof value === "object" && typeof (value as { toJSON?: unknown }).toJSON === "function") {
    value = (value as { toJSON: (key: string) => unknown }).toJSON("");
  }

  switch (typeof value) {
    case "undefined":
      return undefined;
    case "string":
      return JSON.stringify(value);
    case "boolean":
      return value ? "true" : "false";
    case "number":
      if (!Number.isFinite(value)) {
        throw new TypeError(`canonicalJson: non-finite number at ${path}`);
      }
      // JSON.stringify uses the ECMAScript shortest round-trip form, which is what RFC 8785 mandates.
      return JSON.stringify(value);
    case "bigint":
      throw new TypeError(`canonicalJson: bigint at ${path} (encode it as a string)`);
    case "function":
      throw new TypeError(`canonicalJson: function at ${path}`);
    case "symbol":
      throw new TypeError(`canonicalJson: symbol at ${path}`);
    case "object":
      break;
  }

  if (value === null) return "null";
  const obj = value as object;

  // Map/Set would stringify to "{}" and silently leave their content unsigned.
  if (obj instanceof Map || obj instanceof Set) {
    throw new TypeError(`canonicalJson: ${obj instanceof Map ? "Map" : "Set"} at ${path} (convert to object/array)`);
  }
  if (stack.has(obj)) {
    throw new TypeError(`canonicalJson: circular reference at ${path}`);
  }
  stack.add(obj);
  try {
    if (Array.isArray(obj)) {
      // Array holes/undefined become null, as in JSON.stringify: positions must not shift.
      const items = obj.map((item, i) => serialise(item, stack, `${path}[${i}]`) ?? "null");
      return `[${items.join(",")}]`;
    }
    // Default sort compares UTF-16 code units, which is exactly the RFC 8785 ordering.
    const keys = Object.keys(obj).sort();
    const parts: string[] = [];
    for (const key of keys) {
      const member = serialise((obj as Record<string, unknown>)[key], stack, `${path}.${key}`);
      if (member !== undefined) parts.push(`${JSON.stringify(key)}:${member}`);
    }
    return `{${parts.join(",")}}`;
  } finally {
    stack.delete(obj);
  }
}
