/**
 * One table from a service error (moleculer error type or name) to the gRPC status and the HTTP
 * status the edges answer with. Anything not listed is INTERNAL and its message is not revealed.
 */
import { status } from "@grpc/grpc-js";

interface Mapped {
  grpc: status;
  http: number;
  /** Whether the original message is safe and useful to show the caller. */
  expose: boolean;
}

const BY_TYPE: Record<string, Mapped> = Object.assign(Object.create(null) as Record<string, Mapped>, {
  INVALID_ARGUMENT: { grpc: status.INVALID_ARGUMENT, http: 400, expose: true },
  NOT_FOUND: { grpc: status.NOT_FOUND, http: 404, expose: true },
  ALREADY_EXISTS: { grpc: status.ALREADY_EXISTS, http: 409, expose: true },
  FAILED_PRECONDITION: { grpc: status.FAILED_PRECONDITION, http: 422, expose: true },
  PERMISSION_DENIED: { grpc: status.PERMISSION_DENIED, http: 403, expose: true },
  UNAUTHENTICATED: { grpc: status.UNAUTHENTICATED, http: 401, expose: true },
  RESOURCE_EXHAUSTED: { grpc: status.RESOURCE_EXHAUSTED, http: 429, expose: true },
  UNAVAILABLE: { grpc: status.UNAVAILABLE, http: 503, expose: true },
  // moleculer's own errors
  SERVICE_NOT_FOUND: { grpc: status.UNAVAILABLE, http: 503, expose: false },
  SERVICE_NOT_AVAILABLE: { grpc: status.UNAVAILABLE, http: 503, expose: false },
  REQUEST_TIMEOUT: { grpc: status.DEADLINE_EXCEEDED, http: 504, expose: false },
  QUEUE_FULL: { grpc: status.RESOURCE_EXHAUSTED, http: 429, expose: false },
  VALIDATION_ERROR: { grpc: status.INVALID_ARGUMENT, http: 400, expose: true },
});

const FALLBACK_MESSAGE: Partial<Record<status, string>> = {
  [status.UNAVAILABLE]: "the service behind this method is not reachable; try again shortly",
  [status.DEADLINE_EXCEEDED]: "the service did not answer in time; the call is safe to retry with the same idempotency key",
  [status.RESOURCE_EXHAUSTED]: "too many requests in flight; retry later",
  [status.INTERNAL]: "internal error",
};

export interface MappedError extends Mapped {
  message: string;
  data?: Record<string, unknown>;
}

/** Maps any error thrown by a service call to what an edge returns. */
export function mapError(err: unknown): MappedError {
  const e = (err ?? {}) as { type?: unknown; message?: string; data?: Record<string, unknown> };
  const m = (typeof e.type === "string" && BY_TYPE[e.type]) || { grpc: status.INTERNAL, http: 500, expose: false };
  const message = m.expose && e.message ? e.message : (FALLBACK_MESSAGE[m.grpc] ?? "internal error");
  return { ...m, message, data: m.expose ? e.data : undefined };
}
