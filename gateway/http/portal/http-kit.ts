/**
 * What every portal route shares: the error body (one shape for every 4xx/5xx, mapped through
 * gateway/status-map.ts) and the
 * snake_case the portal API speaks (the services answer in camelCase).
 */
import { status as grpcStatus } from "@grpc/grpc-js";
import { mapError } from "../../status-map";

/** The body of every error response. */
export interface ErrorBody {
  error: { code: string; message: string; field?: string; problems?: Array<{ field: string; reason: string }> };
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

const CAMEL = /^[a-z][a-zA-Z0-9]*$/;

/** Keys already converted: replies repeat a small vocabulary, and a status poll converts ~100 keys. Bounded, as keys may come from data. */
const snakeKeys = new Map<string, string>();

function snakeKey(key: string): string {
  let snake = snakeKeys.get(key);
  if (snake === undefined) {
    snake = CAMEL.test(key) ? key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) : key;
    if (snakeKeys.size < 4096) snakeKeys.set(key, snake);
  }
  return snake;
}

/**
 * The portal's snake_case form of a service reply: camelCase keys become snake_case at every level;
 * other keys (material types like PREMISES_PROOF, canonical field names like enterprise.address,
 * step keys) stay as they are. Undefined values are dropped as JSON would.
 */
export function toSnake(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toSnake);
  if (value === null || typeof value !== "object" || value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined) continue;
    out[snakeKey(key)] = toSnake(v);
  }
  return out;
}
