/**
 * GET /v1/lookup: progress of an application by its id and query code (查询码), without signing in
 * — for the applicant's family, an agent, or a phone. No personal data: no form, outputs, decisions
 * or receipt. A wrong code answers like an unknown application (404). The code has 10^8 values, so
 * failed attempts are limited per client address (LOOKUP_FAILURES_ALLOWED per window → 429). The
 * failure count is read before the look-up, so a burst of parallel guesses could overshoot it; an
 * atomic cap on all attempts (LOOKUP_ATTEMPTS_ALLOWED) bounds that burst.
 */
import { callBus, type PortalDeps } from "./deps";
import { rateLimited } from "../../../services/common/metrics";
import { HttpError, toSnake } from "./http-kit";
import type { PortalRequest, Reply } from "./router";

export const LOOKUP_FAILURES_ALLOWED = 20;
export const LOOKUP_ATTEMPTS_ALLOWED = 120;
export const LOOKUP_WINDOW_MS = 10 * 60_000;

const failuresKey = (ip: string) => `portal:lookup-failures:${ip}`;
const attemptsKey = (ip: string) => `portal:lookup-attempts:${ip}`;

export async function lookupApplication(req: PortalRequest, deps: PortalDeps): Promise<Reply> {
  const key = failuresKey(req.ip);
  const failures = Number((await deps.rt.store.get(key)) ?? 0);
  const attempts = await deps.rt.store.increment(attemptsKey(req.ip), LOOKUP_WINDOW_MS);
  if (failures >= LOOKUP_FAILURES_ALLOWED || attempts > LOOKUP_ATTEMPTS_ALLOWED) {
    rateLimited.inc({ limit: "lookup" });
    throw new HttpError(
      429,
      "RESOURCE_EXHAUSTED",
      `too many look-ups from this address; try again in ${LOOKUP_WINDOW_MS / 60_000} minutes`,
      undefined,
      { "retry-after": String(LOOKUP_WINDOW_MS / 1000) },
    );
  }
  try {
    const applicationId = req.query.get("application_id");
    const queryCode = req.query.get("query_code");
    if (!applicationId) throw new HttpError(400, "INVALID_ARGUMENT", "application_id: is required (query parameter)", "application_id");
    if (!queryCode) throw new HttpError(400, "INVALID_ARGUMENT", "query_code: is required (query parameter)", "query_code");
    const view = await callBus(deps, req, "bundles.lookup", { applicationId, queryCode });
    return { status: 200, body: toSnake(view) };
  } catch (err) {
    const status = err instanceof HttpError ? err.status : (err as { code?: number }).code;
    // Only the caller's mistakes count (a wrong code, a bad id), not the hub's own failures.
    if (typeof status === "number" && status >= 400 && status < 500) await deps.rt.store.increment(key, LOOKUP_WINDOW_MS);
    throw err;
  }
}
