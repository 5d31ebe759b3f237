/**
 * The applicant's applications: submit once (idempotent by the portal's client key), list, follow
 * the per-step timeline, and supply a material the application waits for. Another applicant's
 * application answers exactly like a missing one (404).
 */
import { applicantOf, callBus, type PortalDeps } from "./deps";
import { statusWatchOf } from "../../orchestrator/status-watch";
import { preferredWaitSeconds } from "./conditional";
import { toSnake } from "./http-kit";
import type { PortalRequest, Reply } from "./router";

interface Submitted {
  applicationId: string;
  queryCode: string;
  created: boolean;
}

/** POST /v1/applications: 201 when created, 200 when the client key returns the existing one. */
export async function submitApplication(req: PortalRequest, deps: PortalDeps): Promise<Reply> {
  const body = await req.body();
  const r = await callBus<Submitted>(deps, req, "bundles.submit", {
    applicant: applicantOf(req),
    bundleCode: body.bundle_code,
    clientKey: body.client_key,
    form: body.form,
    materials: body.materials,
    consent: consentOf(body.consent),
  });
  return {
    status: r.created ? 201 : 200,
    body: { application_id: r.applicationId, query_code: r.queryCode },
    headers: { location: `/v1/applications/${encodeURIComponent(r.applicationId)}` },
  };
}

/** The consent of a body (snake_case) as the bus takes it. */
function consentOf(c: unknown): unknown {
  if (c === null || typeof c !== "object" || Array.isArray(c)) return c;
  const { confirmed, refused, preview_digest } = c as Record<string, unknown>;
  return { confirmed, refused, ...(preview_digest === undefined ? {} : { previewDigest: preview_digest }) };
}

/** GET /v1/applications: the applicant's applications, newest first, by pages (page_size, page_token). */
export async function myApplications(req: PortalRequest, deps: PortalDeps): Promise<Reply> {
  const pageSize = req.query.get("page_size");
  const result = await callBus(deps, req, "bundles.mine", {
    applicant: applicantOf(req),
    pageSize: pageSize === null ? undefined : Number(pageSize),
    pageToken: req.query.get("page_token") ?? "",
  });
  return { status: 200, body: toSnake(result) };
}

/**
 * GET /v1/applications/{id}: status, timeline and the applicant's rating once given, with its ETag.
 * With `If-None-Match` naming the tag the client has: 304 while unchanged; with `Prefer: wait=N`
 * as well, a running application's read first waits up to N seconds (≤ 30) for a change
 * (`Preference-Applied: wait=N` says it did), so a portal following a case need not poll. The wait
 * happens here, between two quick reads on the bus, on this process's status watch: it holds no
 * bus call, and a client that goes away ends it. `*` matches any view, so it is never waited on.
 */
export async function applicationStatus(req: PortalRequest, deps: PortalDeps): Promise<Reply> {
  const wait = preferredWaitSeconds(req.raw);
  // Node joins repeated If-None-Match headers into one list.
  const ifNoneMatch = req.raw.headers["if-none-match"];
  const applicationId = req.params.id;
  const applicant = applicantOf(req);
  const read = () => callBus<StatusAnswer>(deps, req, "bundles.status", { applicationId, applicant, ...(ifNoneMatch === undefined ? {} : { ifNoneMatch }) });
  const watch = ifNoneMatch !== undefined && ifNoneMatch.trim() !== "*" && wait ? statusWatchOf(deps.broker) : undefined;
  const deadline = Date.now() + (wait ?? 0) * 1000;
  let waited = false;
  for (;;) {
    // Subscribed before the read: a change written between the read and the wait still wakes it.
    const sub = watch?.subscribe(applicationId, applicant);
    let r: StatusAnswer;
    try {
      r = await read();
    } catch (err) {
      sub?.cancel();
      throw err;
    }
    const left = deadline - Date.now();
    if (!r.notModified || r.finished || !sub || left <= 0) {
      sub?.cancel();
      // A wait asked for and refused at a bound (too many waiting reads of this applicant or this
      // process): the 304 says when to ask again, so a client that follows the case does not spin.
      const refused = watch !== undefined && sub === undefined && r.notModified && !r.finished;
      return statusReply(r, waited ? wait : undefined, refused ? { "retry-after": String(RETRY_AFTER_REFUSED_WAIT_S) } : {});
    }
    waited = true;
    const waiting = sub.until(left);
    const gone = req.onClientGone(() => sub.cancel());
    const outcome = await waiting;
    gone();
    // The client left (nobody reads the answer) or the process stops: the view read is still current as far as known.
    if (outcome === "cancelled" || outcome === "closed") return statusReply(r, wait);
    if (outcome === "timeout") return statusReply(await read(), wait);
  }
}

/** What bundles.status answers: the view with its tag, or (with ifNoneMatch matching) that it is unchanged. */
type StatusAnswer = Record<string, unknown> & { etag: string; notModified?: boolean; finished?: boolean };

/** Seconds a client whose wait was refused at a bound is told to let pass before it asks again. */
const RETRY_AFTER_REFUSED_WAIT_S = 5;

/** A status answer as the portal sends it: 304 or the view, with ETag and, after a wait, Preference-Applied. */
function statusReply(r: StatusAnswer, waitedSeconds: number | undefined, extra: Record<string, string> = {}): Reply {
  const { receipt, etag, notModified, finished: _finished, ...view } = r;
  const headers: Record<string, string> = { ...extra, etag };
  if (waitedSeconds !== undefined) headers["preference-applied"] = `wait=${waitedSeconds}`;
  if (notModified) return { status: 304, body: undefined, headers };
  // The receipt goes out exactly as the hub signed it (its own camelCase keys), so the copy verifies
  // (POST /v1/verify/receipt, or offline with GET /v1/keys); the rest of the view is snake_case.
  return { status: 200, body: { ...(toSnake(view) as object), ...(receipt === undefined ? {} : { receipt }) }, headers };
}

/** POST /v1/applications/{id}/materials: supplies a deferred (容缺) or requested material. */
export async function supplementMaterial(req: PortalRequest, deps: PortalDeps): Promise<Reply> {
  const body = await req.body();
  const view = await callBus(deps, req, "bundles.supplement", {
    applicationId: req.params.id,
    applicant: applicantOf(req),
    materialType: body.material_type,
    materialId: body.material_id,
  });
  return { status: 200, body: toSnake(view) };
}

/** POST /v1/applications/{id}/withdrawal: the applicant withdraws (撤回) a running application. */
export async function withdrawApplication(req: PortalRequest, deps: PortalDeps): Promise<Reply> {
  const body = await req.body();
  const view = await callBus(deps, req, "bundles.withdraw", { applicationId: req.params.id, applicant: applicantOf(req), reason: body.reason });
  return { status: 200, body: toSnake(view) };
}

/** POST /v1/applications/{id}/steps/{step_key}/correction: corrects or drops a held step. */
export async function correctStep(req: PortalRequest, deps: PortalDeps): Promise<Reply> {
  const body = await req.body();
  const view = await callBus(deps, req, "bundles.correct", {
    applicationId: req.params.id,
    applicant: applicantOf(req),
    stepKey: req.params.step_key,
    fields: body.fields,
    item: body.item,
    drop: body.drop,
  });
  return { status: 200, body: toSnake(view) };
}
