/**
 * An answer an action gave without some fields, filled with their proto3 defaults before the edge
 * encodes it. ts-proto's encoders write a missing number as `undefined` and throw ("invalid int32:
 * undefined"), which grpc-js answers INTERNAL "Error serializing response": a correct result lost
 * to a missing zero. The descriptors come from the .proto files (@grpc/proto-loader, as loaded for
 * reflection); only an answer that failed to encode is walked, so a well-formed one costs nothing.
 */
import type { PackageDefinition } from "@grpc/proto-loader";
import { descriptorOf, isMapField, typeKey, type EnumDescriptor } from "../../services/common/proto-descriptors";
import { jsonName } from "../../services/common/json-names";

const NUMBERS = new Set(["TYPE_INT32", "TYPE_UINT32", "TYPE_SINT32", "TYPE_FIXED32", "TYPE_SFIXED32", "TYPE_DOUBLE", "TYPE_FLOAT"]);
const LONGS = new Set(["TYPE_INT64", "TYPE_UINT64", "TYPE_SINT64", "TYPE_FIXED64", "TYPE_SFIXED64"]);


/** Fills answers of the messages a package definition holds. */
export class AnswerDefaults {
  constructor(private readonly pkg: PackageDefinition) {}

  /** `value` of message `fullName` (e.g. tongban.gateway.v1.Rectification) with every missing scalar, list and map at its default. */
  fill(fullName: string, value: unknown): unknown {
    const message = descriptorOf(this.pkg, fullName);
    if (!message || value === null || typeof value !== "object" || Array.isArray(value)) return value;
    const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    for (const f of message.field) {
      const key = jsonName(f.name);
      const v = out[key];
      if (isMapField(message, f)) {
        if (v === undefined || v === null) out[key] = {};
        continue;
      }
      const messageName = f.type === "TYPE_MESSAGE" ? typeKey(this.pkg, f.typeName, fullName) : undefined;
      if (f.label === "LABEL_REPEATED") {
        if (v === undefined || v === null) out[key] = [];
        else if (messageName && Array.isArray(v)) out[key] = v.map((item) => this.fill(messageName, item));
        continue;
      }
      if (v !== undefined && v !== null) {
        if (messageName) out[key] = this.fill(messageName, v);
        continue;
      }
      if (NUMBERS.has(f.type)) out[key] = 0;
      else if (LONGS.has(f.type)) out[key] = "0";
      else if (f.type === "TYPE_BOOL") out[key] = false;
      else if (f.type === "TYPE_STRING") out[key] = "";
      else if (f.type === "TYPE_BYTES") out[key] = Buffer.alloc(0);
      else if (f.type === "TYPE_ENUM") {
        const enumName = typeKey(this.pkg, f.typeName, fullName);
        const e = enumName ? descriptorOf<EnumDescriptor>(this.pkg, enumName) : undefined;
        const zero = e?.value.find((x) => x.number === 0);
        if (zero) out[key] = zero.name;
      } else if (messageName) out[key] = undefined; // an absent message stays absent
    }
    return out;
  }
}

/**
 * A method's response encoder that, when encoding fails, fills the answer's defaults and tries
 * once more (`onFilled` is told, to log it: the action should give every field).
 */
export function tolerantEncoder(encode: (value: unknown) => Buffer, fill: (value: unknown) => unknown, onFilled: (err: Error) => void): (value: unknown) => Buffer {
  return (value: unknown) => {
    try {
      return encode(value);
    } catch (err) {
      const filled = encode(fill(value));
      onFilled(err as Error);
      return filled;
    }
  };
}
