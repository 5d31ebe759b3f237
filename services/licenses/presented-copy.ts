/**
 * A licence copy presented from outside (POST /v1/verify/licence, bus `licenses.verifyPublic`) as
 * protobuf JSON. The JSON mapping lets a parser accept a field under its lowerCamelCase name or its
 * proto name (holderName / holder_name), and ts-proto's fromJSON silently prefers the camelCase one.
 * A copy naming the same field twice could therefore be judged on one value while a relying party
 * shows the other ("valid" next to a forged holder name); such a copy is refused, naming the field.
 * Text that PostgreSQL cannot hold (NUL) is refused too, before it reaches a query, and an issue
 * time written otherwise than the hub wrote it (the signed text).
 */
import { invalidArgument, shown } from "../common/errors";
import { Licence } from "../../proto/gen/tongban/licenses/v1/licenses";
import { jsonName } from "../common/json-names";

/** How the hub writes a licence's issue time (Date.toISOString). */
const ISSUED_AT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** The first property of `obj` that names a field another property named already in the other spelling: { key, first }. */
export function twinProperty(obj: Record<string, unknown>): { key: string; first: string } | undefined {
  const seen = new Map<string, string>();
  for (const key of Object.keys(obj)) {
    const canonical = jsonName(key);
    const first = seen.get(canonical);
    if (first !== undefined) return { key, first };
    seen.set(canonical, key);
  }
  return undefined;
}

const twice = (twin: { key: string; first: string }) => `names the field of ${twin.first} again (camelCase and snake_case spell one field); give each field once`;

/** No licence nests objects deeper than this (fields, signature): a deeper copy is no licence. */
const MAX_DEPTH = 8;

function refuseNul(value: unknown, path: string, depth = 0): void {
  if (typeof value === "string") {
    if (value.includes("\u0000")) throw invalidArgument(path, "must not contain the NUL character");
  } else if (value !== null && typeof value === "object") {
    if (depth >= MAX_DEPTH) throw invalidArgument(path, `nests objects more than ${MAX_DEPTH} deep: no licence does`);
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) refuseNul(v, `${path}.${shown(k, 64)}`, depth + 1);
  }
}

/**
 * The presented JSON as a Licence.
 * @throws INVALID_ARGUMENT (field "licence" or "licence.<name>") when it is not an object, names a
 *         field twice (either spelling, also inside signature) or holds a NUL character.
 */
export function presentedLicence(presented: unknown): Licence {
  if (presented === null || typeof presented !== "object" || Array.isArray(presented)) throw invalidArgument("licence", "must be a licence object as the hub issued it");
  const copy = presented as Record<string, unknown>;
  const twin = twinProperty(copy);
  if (twin) throw invalidArgument(`licence.${twin.key}`, twice(twin));
  const signature = copy.signature;
  if (signature !== null && typeof signature === "object" && !Array.isArray(signature)) {
    const inSignature = twinProperty(signature as Record<string, unknown>);
    if (inSignature) throw invalidArgument(`licence.signature.${inSignature.key}`, twice(inSignature));
  }
  refuseNul(copy, "licence");
  // The issue time is signed as the hub wrote it; another spelling of the same instant (+00:00, more
  // digits) would verify here after normalising, yet fail every verifier that checks the text.
  for (const name of ["issuedAt", "issued_at"]) {
    const t = copy[name];
    if (t !== undefined && t !== null && (typeof t !== "string" || !ISSUED_AT.test(t))) {
      throw invalidArgument(`licence.${name}`, "must be the issue time exactly as the licence gives it (RFC 3339 UTC with milliseconds, e.g. 2026-11-30T08:00:00.000Z)");
    }
  }
  return Licence.fromJSON(copy);
}
