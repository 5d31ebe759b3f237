/** How the orchestrator reads a department's answer: done, try again later, or refused for good. */

/** moleculer and hub error types after which the same call may succeed later. */
const RETRYABLE_TYPES = new Set(["UNAVAILABLE", "SERVICE_NOT_FOUND", "SERVICE_NOT_AVAILABLE", "REQUEST_TIMEOUT", "QUEUE_FULL", "REQUEST_SKIPPED", "REQUEST_REJECTED"]);

export interface StepError {
  type: string;
  reasonCode?: string;
  message: string;
}

/** A refusal (bad input, a rule, a rejection) is final; a fault of the infrastructure is retried. */
export function isRetryable(err: unknown): boolean {
  const e = err as { retryable?: boolean; type?: string; code?: number };
  if (e?.retryable) return true;
  if (e?.type && RETRYABLE_TYPES.has(e.type)) return true;
  return !e?.type && (e?.code === undefined || e.code >= 500);
}

/**
 * How a department call ended, for the call-duration metric and the adaptive call window: an
 * answer (`ok`), a refusal the department gave (`refused`: also an answer), or a fault of the
 * infrastructure (`fault`: retried, isRetryable).
 */
export function callOutcome(failure: unknown): "ok" | "refused" | "fault" {
  if (failure === undefined) return "ok";
  return isRetryable(failure) ? "fault" : "refused";
}

/** What is kept of an error on the step and shown to the applicant. */
export function describeError(err: unknown): StepError {
  const e = err as { type?: string; message?: string; data?: { reasonCode?: string } };
  return { type: e?.type ?? "INTERNAL", reasonCode: e?.data?.reasonCode, message: String(e?.message ?? err).slice(0, 1000) };
}

/** Seconds to wait before attempt n+1 of a retryable failure: 1, 2, 4 … at most 60. */
export function backoffSeconds(attempts: number): number {
  return Math.min(60, 2 ** Math.max(0, attempts - 1));
}

/** Error types that say "too much at once": the department is there, the replica asked too much. */
const OVERLOAD_TYPES = new Set(["REQUEST_TIMEOUT", "QUEUE_FULL"]);

/** The longest wait before retrying after an overload (s). */
const OVERLOAD_MAX_DELAY_SECONDS = 4;

/** Whether a failure says the department is overloaded rather than down (see OVERLOAD_TYPES). */
export function isOverload(err: unknown): boolean {
  const type = (err as { type?: string } | undefined)?.type;
  return type !== undefined && OVERLOAD_TYPES.has(type);
}

/**
 * Seconds to wait before retrying a failed call made `attempts` times. A department that is down
 * (unavailable, not found) is waited for with the full exponential back-off (backoffSeconds, up to
 * 60 s). An overload (a timeout, a full queue) is not an outage: the replica's call window already
 * halves for it (call-limit.ts), and a timed-out call usually reached the department, whose answer
 * is kept under the idempotency key, so the retry is cheap; waiting a minute for it only leaves the
 * case idle while the department is free again (measured: a loaded multi-process run spent its
 * time in 16-60 s back-offs at 0.2 of a core). Its back-off stops at OVERLOAD_MAX_DELAY_SECONDS.
 */
export function retryDelaySeconds(err: unknown, attempts: number): number {
  const delay = backoffSeconds(attempts);
  return isOverload(err) ? Math.min(OVERLOAD_MAX_DELAY_SECONDS, delay) : delay;
}

/**
 * Whether a failed call is tried again: a retryable failure (isRetryable) always within
 * `maxAttempts`, and after that until the step's committed deadline, so an outage or overload of
 * hours delays a case instead of failing it; a refusal never.
 */
export function shouldRetry(err: unknown, attempts: number, maxAttempts: number, deadline: Date | string | null, now: Date): boolean {
  if (!isRetryable(err)) return false;
  if (attempts < maxAttempts) return true;
  return deadline !== null && now.getTime() < new Date(deadline).getTime();
}
