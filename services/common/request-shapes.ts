/**
 * The shape of a bus caller's request, checked against its proto message before the action runs.
 *
 * A gRPC caller's request is decoded from protobuf, so every field has its proto type. A caller on
 * the bus (another department's process, the gateway, a script with NATS credentials) sends JSON
 * that ts-proto's `fromPartial` takes as it is: a list field given as text made it throw a bare
 * TypeError ("object.sealTypes?.map is not a function"), a map value given as an object became the
 * text "[object Object]", a number where text belongs reached checks that call string methods. This
 * middleware refuses such a request before the action sees it, with INVALID_ARGUMENT naming the
 * field in the proto's own spelling and path (`seal_types`, `investors[2].name`,
 * `fields["注册资本"]`) and what it must be, and nothing is read or written.
 *
 * Only the JSON kind of each field is checked, as the proto3 JSON mapping gives it with this
 * project's ts-proto options (proto/buf.gen.yaml): text for string fields, enums (names; their
 * numbers are accepted too) and timestamps (RFC 3339 text); numbers for 32-bit numbers and floats;
 * numbers or decimal text for 64-bit integers; true/false; lists; objects for messages and maps.
 * Whether a value is acceptable (a known enum name, a valid date, a credit code) stays with the
 * action's own checks, which say why in the terms of the field. Absent and null fields are left to
 * them too (proto3: null is the default). Fields the message does not have are ignored, as
 * `fromPartial` ignores them.
 */
import * as protoLoader from "@grpc/proto-loader";
import type { Context, Middleware } from "moleculer";
import { SERVED_SERVICES, METHOD_ROUTES } from "./contracts";
import { invalidArgument, kindOf, shown } from "./errors";
import { jsonName } from "./json-names";
import { projectPath } from "./paths";
import { descriptorOf, isMapField, typeKey, type FieldDescriptor, type MessageDescriptor } from "./proto-descriptors";

type PackageDefinition = protoLoader.PackageDefinition;

const NUMBERS = new Set(["TYPE_INT32", "TYPE_UINT32", "TYPE_SINT32", "TYPE_FIXED32", "TYPE_SFIXED32", "TYPE_DOUBLE", "TYPE_FLOAT"]);
const LONGS = new Set(["TYPE_INT64", "TYPE_UINT64", "TYPE_SINT64", "TYPE_FIXED64", "TYPE_SFIXED64"]);
/** A 64-bit integer written as text (proto3 JSON writes int64 as a string). */
const LONG_TEXT = /^-?\d{1,20}$/;
/** Nested messages deeper than this are refused (no proto of the hub nests nearly so deep). */
const MAX_DEPTH = 16;

/** A map key as it appears in a field path: quoted, and cut short (a key can be as long as the request). */
const keyInPath = (key: string) => JSON.stringify(shown(key, 32));

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) && !(v instanceof Date);

/** Checks request values against the request messages of every served method. */
export class RequestShapes {
  /** The request message's full name of each action that implements a proto method. */
  private readonly requestOf = new Map<string, string>();

  constructor(private readonly pkg: PackageDefinition) {
    for (const route of METHOD_ROUTES.values()) {
      const method = (pkg[route.service.fullName] as Record<string, { requestType?: { type?: { name?: string } } }> | undefined)?.[route.path.split("/").pop()!];
      const name = method?.requestType?.type?.name;
      if (!name) continue;
      const scope = route.service.fullName.slice(0, route.service.fullName.lastIndexOf("."));
      const full = pkg[`${scope}.${name}`] !== undefined ? `${scope}.${name}` : Object.keys(pkg).find((k) => k.endsWith(`.${name}`));
      if (full) this.requestOf.set(route.action, full);
    }
  }

  /** The request message an action takes (e.g. tongban.tax.v1.RegisterTaxpayerRequest), if it implements a proto method. */
  requestMessageOf(action: string): string | undefined {
    return this.requestOf.get(action);
  }

  /**
   * Refuses `params` of `action` whose fields do not have their proto JSON kind: throws
   * INVALID_ARGUMENT naming the first such field (`request` when params is no object). Actions
   * without a proto method pass unchecked.
   */
  check(action: string, params: unknown): void {
    const message = this.requestOf.get(action);
    if (message === undefined || params === undefined || params === null) return;
    if (!isPlainObject(params)) throw invalidArgument("request", `must be an object of the fields of ${message.split(".").pop()} (got ${kindOf(params)})`);
    this.checkMessage(message, params, "", 0);
  }

  private checkMessage(fullName: string, value: Record<string, unknown>, path: string, depth: number): void {
    const message = descriptorOf<MessageDescriptor>(this.pkg, fullName);
    if (!message) return;
    if (depth > MAX_DEPTH) throw invalidArgument(path, `nests messages more than ${MAX_DEPTH} deep`);
    for (const f of message.field) {
      const v = value[jsonName(f.name)];
      if (v === undefined || v === null) continue;
      const at = path ? `${path}.${f.name}` : f.name;
      if (isMapField(message, f)) {
        if (!isPlainObject(v)) throw invalidArgument(at, `must be an object of keys and values (got ${kindOf(v)})`);
        const entry = message.nestedType?.find((n) => n.name === f.typeName.split(".").pop());
        const valueField = entry?.field.find((x) => x.name === "value");
        if (!valueField) continue;
        for (const [key, item] of Object.entries(v)) {
          if (item === null || item === undefined) continue;
          this.checkValue(fullName, valueField, item, `${at}[${keyInPath(key)}]`, depth);
        }
      } else if (f.label === "LABEL_REPEATED") {
        if (!Array.isArray(v)) throw invalidArgument(at, `must be a list (got ${kindOf(v)})`);
        v.forEach((item, i) => {
          if (item === null || item === undefined) throw invalidArgument(`${at}[${i}]`, "must not be null in a list");
          this.checkValue(fullName, f, item, `${at}[${i}]`, depth);
        });
      } else {
        this.checkValue(fullName, f, v, at, depth);
      }
    }
  }

  private checkValue(within: string, f: FieldDescriptor, v: unknown, at: string, depth: number): void {
    switch (f.type) {
      case "TYPE_STRING":
        if (typeof v !== "string") throw invalidArgument(at, `must be a string (got ${kindOf(v)})`);
        return;
      case "TYPE_BOOL":
        if (typeof v !== "boolean") throw invalidArgument(at, `must be true or false (got ${kindOf(v)})`);
        return;
      case "TYPE_ENUM":
        if (typeof v !== "string" && !(typeof v === "number" && Number.isInteger(v))) throw invalidArgument(at, `must be the name of a value (got ${kindOf(v)})`);
        return;
      case "TYPE_BYTES":
        if (!(v instanceof Uint8Array) && typeof v !== "string") throw invalidArgument(at, `must be bytes (got ${kindOf(v)})`);
        return;
      case "TYPE_MESSAGE": {
        const name = typeKey(this.pkg, f.typeName, within);
        if (name === "google.protobuf.Timestamp" || f.typeName.replace(/^\./, "") === "google.protobuf.Timestamp") {
          if (typeof v !== "string" && !(v instanceof Date)) throw invalidArgument(at, `must be an RFC 3339 time as text (got ${kindOf(v)})`);
          return;
        }
        if (!isPlainObject(v)) throw invalidArgument(at, `must be an object (got ${kindOf(v)})`);
        if (name) this.checkMessage(name, v, at, depth + 1);
        return;
      }
      default:
        if (NUMBERS.has(f.type)) {
          if (typeof v !== "number") throw invalidArgument(at, `must be a number (got ${kindOf(v)})`);
        } else if (LONGS.has(f.type)) {
          if (typeof v !== "number" && !(typeof v === "string" && LONG_TEXT.test(v))) throw invalidArgument(at, `must be a whole number, as a number or decimal text (got ${kindOf(v)})`);
        }
    }
  }
}

let shapes: RequestShapes | undefined;

/** The process's checker, from the proto files of every served service (loaded on first use, ~60 ms). */
export function requestShapes(): RequestShapes {
  shapes ??= new RequestShapes(protoLoader.loadSync(SERVED_SERVICES.map((s) => s.protoFile), { includeDirs: [projectPath("proto")], keepCase: true }));
  return shapes;
}

/**
 * The params of every local action: absent or null become `{}` (moleculer hands a bus caller's
 * `null` to the handler as it is, and handlers read `ctx.params.x`); anything else that is no
 * object is INVALID_ARGUMENT naming `request` (for an action that implements a proto method,
 * naming its message: RequestShapes.check, which then checks the fields).
 */
export const RequestShapeMiddleware: Middleware = {
  name: "RequestShapes",
  localAction(next: (ctx: Context) => Promise<unknown>, action: { name?: string }) {
    const name = action.name ?? "";
    const checker = requestShapes();
    const proto = checker.requestMessageOf(name) !== undefined;
    return (ctx: Context) => {
      try {
        if (ctx.params === null || ctx.params === undefined) ctx.params = {};
        else if (proto) checker.check(name, ctx.params);
        else if (!isPlainObject(ctx.params)) throw invalidArgument("request", `must be an object of named fields (got ${kindOf(ctx.params)})`);
      } catch (err) {
        // As a rejection, like every other refusal: a throw here would leave the call chain unwound.
        return Promise.reject(err);
      }
      return next(ctx);
    };
  },
} as unknown as Middleware;
