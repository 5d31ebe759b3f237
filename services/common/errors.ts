/**
 * Typed errors shared by every service. They travel over the bus as moleculer errors
 * (type + code + data survive serialisation) and the edges map `type` to a gRPC or HTTP status
 * in one table (gateway/status-map.ts).
 */
import { Errors } from "moleculer";

export const ErrorType = {
  InvalidArgument: "INVALID_ARGUMENT",
  NotFound: "NOT_FOUND",
  AlreadyExists: "ALREADY_EXISTS",
  FailedPrecondition: "FAILED_PRECONDITION",
  PermissionDenied: "PERMISSION_DENIED",
  Unauthenticated: "UNAUTHENTICATED",
  ResourceExhausted: "RESOURCE_EXHAUSTED",
  Unavailable: "UNAVAILABLE",
  Internal: "INTERNAL",
} as const;
export type ErrorTypeName = (typeof ErrorType)[keyof typeof ErrorType];

/** What a value is, in a refusal's words: "number", "object", "list" for an array, "null" ("got number", as the identity checks say it). */
export function kindOf(value: unknown): string {
  if (Array.isArray(value)) return "list";
  if (value === null) return "null";
  return typeof value;
}

/**
 * Caller-given text as an error may repeat it: at most `max` characters, then "…". A refusal that
 * echoed a 100,000-character value whole was larger than the request it refused (and a gRPC client
 * lost the answer to the size of its trailers); a value that is no text is named by its kind, as
 * String() of an object can throw or say nothing useful.
 */
export function shown(value: unknown, max = 200): string {
  if (typeof value !== "string") return `(${kindOf(value)})`;
  return value.length > max ? `${value.slice(0, max)}…` : value;
}

/** Bad input: names the field and the reason, e.g. `id_number: check character should be X`. Both are cut to a readable length (shown). */
export function invalidArgument(field: string, reason: string): Errors.MoleculerClientError {
  const f = shown(field, 200);
  const r = shown(reason, 1000);
  return new Errors.MoleculerClientError(`${f}: ${r}`, 400, ErrorType.InvalidArgument, { field: f, reason: r });
}

/**
 * Runs `check`, and names the field of an INVALID_ARGUMENT it throws as the caller knows it:
 * `rename` gets the field the check named and gives the one to name instead (undefined: the error
 * goes on as it is). The reason is kept; any other error goes on unchanged.
 */
export function renamingField<T>(check: () => T, rename: (field: string) => string | undefined): T {
  try {
    return check();
  } catch (err) {
    const data = (err as { type?: string; data?: { field?: string; reason?: string } }).data;
    const renamed = (err as { type?: string }).type === ErrorType.InvalidArgument && data?.reason ? rename(data.field ?? "") : undefined;
    if (renamed === undefined) throw err;
    throw invalidArgument(renamed, data!.reason!);
  }
}

/** No such record; an id that is no text, or too long to repeat, is shown cut (shown). */
export function notFound(what: string, id: unknown): Errors.MoleculerClientError {
  const shownId = shown(id, 200);
  return new Errors.MoleculerClientError(`${what} ${shownId} not found`, 404, ErrorType.NotFound, { what, id: shownId });
}

/** A business rule refuses the request; `reasonCode` is stable, `message` is for people. */
export function failedPrecondition(reasonCode: string, message: string): Errors.MoleculerClientError {
  return new Errors.MoleculerClientError(`${reasonCode}: ${message}`, 412, ErrorType.FailedPrecondition, {
    reasonCode,
  });
}

/**
 * The caller is known but may not do this; `detail` names the field whose value the caller may
 * not act on and a stable reason code, when there is one.
 */
export function permissionDenied(message: string, detail?: { field?: string; reasonCode?: string }): Errors.MoleculerClientError {
  return new Errors.MoleculerClientError(message, 403, ErrorType.PermissionDenied, detail);
}

/** The caller could not be identified. */
export function unauthenticated(message: string): Errors.MoleculerClientError {
  return new Errors.MoleculerClientError(message, 401, ErrorType.Unauthenticated);
}

/** A dependency is down; safe to retry (moleculer retries only errors marked retryable). */
export function unavailable(message: string): Errors.MoleculerRetryableError {
  return new Errors.MoleculerRetryableError(message, 503, ErrorType.Unavailable);
}

/** Turns an array of problems into one INVALID_ARGUMENT naming the first, keeping all in data. */
export function firstInvalid(problems: Array<{ field: string; reason: string }>): void {
  if (problems.length === 0) return;
  const err = invalidArgument(problems[0].field, problems[0].reason);
  (err.data as Record<string, unknown>).violations = problems;
  throw err;
}

/** The stable reason code of a refused call (FAILED_PRECONDITION), if any. */
export function reasonCodeOf(err: unknown): string | undefined {
  return (err as { data?: { reasonCode?: string } } | undefined)?.data?.reasonCode;
}
