/**
 * The applicant's applications: submit once (idempotent by the portal's client key), list, follow
 * the per-step timeline, and supply a material the application waits for. Another applicant's
 * application answers exactly like a missing one (404).
 */
import { applicantOf, callBus, type PortalDeps } from "./deps";
import { ifNoneMatchOf, preferredWaitSeconds } from "./conditional";
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

/** GET /v1/applications */
export async function myApplications(req: PortalRequest, deps: PortalDeps): Promise<Reply> {
  return { status: 200, body: toSnake(await callBus(deps, req, "bundles.mine", { applicant: applicantOf(req) })) };
}

/**
 * GET /v1/applications/{id}: status, timeline and the applicant's rating once given, with its ETag.
 * With `If-None-Match` naming the tag the client has: 304 while unchanged; with `Prefer: wait=N`
 * as well, a running application's read first waits up to N seconds (≤ 30) for a change
 * (`Preference-Applied: wait=N` says it did), so a portal following a case need not poll.
 */
export async function applicationStatus(req: PortalRequest, deps: PortalDeps): Promise<Reply> {
  const wait = preferredWaitSeconds(req.raw);
  const ifNoneMatch = ifNoneMatchOf(req.raw);
  const waitMs = ifNoneMatch === undefined ? 0 : (wait ?? 0) * 1000;
  const { receipt, etag, notModified, waitedMs, ...view } = await callBus<Record<string, unknown>>(
    deps,
    req,
    "bundles.status",
    { applicationId: req.params.id, applicant: applicantOf(req), ...(ifNoneMatch === undefined ? {} : { ifNoneMatch, waitMs }) },
    waitMs,
  );
  const headers: Record<string, string> = { etag: String(etag) };
  if (typeof waitedMs === "number" && waitedMs > 0) headers["preference-applied"] = `wait=${waitedMs / 1000}`;
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
