/**
 * 好差评 through the portal (gateway/supervision): the applicant rates a finished application once
 * (and, if they wish, single departments of it), sees the follow-up of a bad rating, and is called
 * back (回访) to rate how it was handled. The applicant is always the one from the token.
 */
import { applicantOf, callBus, portalOf, type PortalDeps } from "./deps";
import { toSnake } from "./http-kit";
import type { PortalRequest, Reply } from "./router";

/** POST /v1/applications/{id}/rating: 201 when rated, 200 when the same rating was given before. */
export async function rateApplication(req: PortalRequest, deps: PortalDeps): Promise<Reply> {
  const body = await req.body();
  const r = await callBus<{ rating: unknown; created: boolean }>(deps, req, "supervision.rate", {
    applicationId: req.params.id,
    applicant: applicantOf(req),
    portal: portalOf(req),
    rating: body,
  });
  return { status: r.created ? 201 : 200, body: toSnake(r.rating) };
}

/** GET /v1/applications/{id}/rating: the rating (or null) and the rectification cases it opened, with the departments' answers. */
export async function applicationFeedback(req: PortalRequest, deps: PortalDeps): Promise<Reply> {
  const r = await callBus(deps, req, "supervision.feedback", { applicationId: req.params.id, applicant: applicantOf(req) });
  return { status: 200, body: toSnake(r) };
}

/** POST /v1/rectifications/{rectification_id}/revisit: 回访, the applicant rates how their complaint was handled. */
export async function revisitRectification(req: PortalRequest, deps: PortalDeps): Promise<Reply> {
  const body = await req.body();
  const r = await callBus(deps, req, "supervision.revisit", { rectificationId: req.params.rectification_id, applicant: applicantOf(req), score: body.score, comment: body.comment });
  return { status: 200, body: toSnake(r) };
}
