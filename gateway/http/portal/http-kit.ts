/**
 * What every portal route shares: the error body (one shape for every 4xx/5xx, mapped through
 * gateway/status-map.ts), reading a JSON body under a size limit while it streams in, and the
 * snake_case the portal API speaks (the services answer in camelCase).
 */
import type http from "node:http";
import { status as grpcStatus } from "@grpc/grpc-js";
import { mapError } from "../../status-map";

/** The body of every error response. */
export interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

/** An error the portal itself answers with (routing, authentication, body), not one from a service. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "HttpError";
  }
}

/** An error response for anything thrown: HttpError as it is, service errors through mapError. */
export function errorReply(err: unknown): { status: number; body: ErrorBody; headers: Record<string, string>; internal: boolean } {
  if (err instanceof HttpError) {
    const error = { code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) };
    return { status: err.status, body: { error }, headers: err.headers, internal: false };
  }
  const mapped = mapError(err);
  const data = mapped.data as Record<string, unknown> | unknown[] | undefined;
  // moleculer's parameter validator puts a list of problems in data; the services put { field, reasonCode }.
  const first = (Array.isArray(data) ? data[0] : data) as Record<string, unknown> | undefined;
  const field = typeof first?.field === "string" ? first.field : undefined;
  const code = typeof first?.reasonCode === "string" ? first.reasonCode : grpcStatus[mapped.grpc];
  const headers: Record<string, string> = mapped.http === 429 || mapped.http === 503 ? { "retry-after": "5" } : {};
  return { status: mapped.http, body: { error: { code, message: mapped.message, ...(field ? { field } : {}) } }, headers, internal: !mapped.expose };
}

/** Writes a JSON response (with the request id). */
export function writeJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const json = body === undefined ? "" : JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": String(Buffer.byteLength(json)),
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    ...headers,
  });
  res.end(json);
}

const tooLarge = (limit: number) =>
  new HttpError(413, "PAYLOAD_TOO_LARGE", `the request body is larger than ${limit} bytes`, "body", { connection: "close" });

/**
 * Reads a JSON object body of at most `limit` bytes. The limit is enforced while the body streams
 * in (and up front from Content-Length), so an oversize upload is never buffered: 413. A body that
 * is not application/json is 415; one that does not parse, or is not an object, 400 naming `body`.
 */
export async function readJsonBody(req: http.IncomingMessage, limit: number): Promise<Record<string, unknown>> {
  const [typePart, ...parameters] = String(req.headers["content-type"] ?? "").split(";");
  const type = typePart.trim().toLowerCase();
  if (type !== "application/json") {
    // Also a CSRF guard: a browser sends application/json cross-site only after a preflight.
    throw new HttpError(415, "UNSUPPORTED_MEDIA_TYPE", `send the body as application/json (got ${type || "no content type"})`, "body");
  }
  // JSON is UTF-8 (RFC 8259 §8.1): a body declared in another charset (GBK, say) would be decoded
  // wrongly and stored garbled, so it is refused rather than guessed.
  const charset = parameters.map((p) => p.trim().toLowerCase()).find((p) => p.startsWith("charset="))?.slice("charset=".length).replace(/^"|"$/g, "");
  if (charset !== undefined && charset !== "utf-8" && charset !== "utf8") {
    throw new HttpError(415, "UNSUPPORTED_MEDIA_TYPE", `send the body as UTF-8 JSON (got charset ${charset.slice(0, 40)})`, "body");
  }
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw tooLarge(limit);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off("data", onData);
        req.resume(); // discard the rest; the connection closes with the 413
        chunks.length = 0;
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.once("end", () => resolve());
    req.once("error", reject);
  });
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch (err) {
    throw new HttpError(400, "INVALID_ARGUMENT", `body: is not valid JSON (${(err as Error).message})`, "body");
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new HttpError(400, "INVALID_ARGUMENT", "body: must be a JSON object", "body");
  }
  if (depthExceeds(value, MAX_BODY_DEPTH)) {
    throw new HttpError(400, "INVALID_ARGUMENT", `body: is nested deeper than ${MAX_BODY_DEPTH} levels`, "body");
  }
  return value as Record<string, unknown>;
}

/** How deep a body may nest objects and lists: far more than any form needs, far less than a stack holds. */
export const MAX_BODY_DEPTH = 32;

/**
 * Whether `value` nests objects or lists deeper than `max` levels. Iterative, so a body nested
 * 10,000 levels deep is refused here instead of overflowing the stack in whatever walks it next
 * (it answered 500 when an error message was built from it).
 */
export function depthExceeds(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (depth > max) return true;
    for (const child of Object.values(v as Record<string, unknown>)) stack.push([child, depth + 1]);
  }
  return false;
}

/** Refuses properties a body does not take, so a misspelt one is not silently ignored. */
export function onlyKeys(body: Record<string, unknown>, allowed: readonly string[]): void {
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) throw new HttpError(400, "INVALID_ARGUMENT", `${key}: is not a property of this request (expected ${allowed.join(", ")})`, key);
  }
}

const CAMEL = /^[a-z][a-zA-Z0-9]*$/;

/**
 * The portal's snake_case form of a service reply: camelCase keys become snake_case at every level;
 * other keys (material types like PREMISES_PROOF, canonical field names like enterprise.address,
 * step keys) stay as they are. Undefined values are dropped as JSON would.
 */
export function toSnake(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toSnake);
  if (value === null || typeof value !== "object" || value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined) continue;
    out[CAMEL.test(key) ? key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) : key] = toSnake(v);
  }
  return out;
}
