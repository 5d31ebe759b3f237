/**
 * protobuf's JSON mapping of google.protobuf.Timestamp for the CLI: @grpc/proto-loader hands
 * Timestamps over as { seconds, nanos } objects; people, jq and the hub's public verification
 * endpoints read and write RFC 3339 text (2026-11-30T08:00:00.000Z), as the JSON mapping says.
 * Answers are printed with Timestamps as text, and requests may give them as text (read back).
 * Walks the message descriptors proto-loader loaded, so only fields typed Timestamp change.
 */
import type { PackageDefinition } from "@grpc/proto-loader";
import { descriptorOf, isMapField, typeKey } from "../services/common/proto-descriptors";

const TIMESTAMP = "google.protobuf.Timestamp";

/** `value` (an answer of message `typeName`) with every Timestamp as RFC 3339 text. */
export function timestampsToText(def: PackageDefinition, typeName: string, value: unknown): unknown {
  return walk(def, typeName, value, (ts) => {
    const t = ts as { seconds?: string | number; nanos?: number } | null;
    if (!t || typeof t !== "object") return t;
    return new Date(Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6)).toISOString();
  });
}

/** `value` (a request of message `typeName`) with Timestamps given as text turned into { seconds, nanos }. */
export function timestampsFromText(def: PackageDefinition, typeName: string, value: unknown): unknown {
  return walk(def, typeName, value, (ts) => {
    if (typeof ts !== "string") return ts;
    const ms = Date.parse(ts);
    if (Number.isNaN(ms)) throw new Error(`"${ts}" is not an RFC 3339 time`);
    return { seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1e6 };
  });
}

function walk(def: PackageDefinition, typeName: string, value: unknown, convert: (ts: unknown) => unknown): unknown {
  const message = descriptorOf(def, typeName);
  if (!message || value === null || typeof value !== "object" || Array.isArray(value)) return value;
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const f of message.field) {
    if (f.type !== "TYPE_MESSAGE" || !(f.name in out) || isMapField(message, f)) continue;
    const inner = typeKey(def, f.typeName, typeName) ?? f.typeName.replace(/^\./, "");
    const one = (v: unknown) => (inner === TIMESTAMP ? convert(v) : walk(def, inner, v, convert));
    const v = out[f.name];
    out[f.name] = f.label === "LABEL_REPEATED" && Array.isArray(v) ? v.map(one) : one(v);
  }
  return out;
}
