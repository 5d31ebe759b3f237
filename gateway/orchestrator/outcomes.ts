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
