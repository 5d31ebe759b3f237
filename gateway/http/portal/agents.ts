/**
 * Authority over an enterprise through the portal (gateway/authority/agents.ts): the legal
 * representative authorises agents (经办人) for named bundles until a day, lists and revokes them;
 * an agent lists the enterprises they may file for. The signed-in applicant is always the one
 * acting (from the token); only the enterprise's legal representative manages its agents (403).
 */
import { applicantOf, callBus, portalOf, type PortalDeps } from "./deps";
import { toSnake } from "./http-kit";
import type { PortalRequest, Reply } from "./router";

/** POST /v1/enterprises/{credit_code}/agents: 201 when granted, 200 when the same grant was already open. */
export async function authoriseAgent(req: PortalRequest, deps: PortalDeps): Promise<Reply> {
  const body = await req.body();
  const r = await callBus<{ authorisation: unknown; created: boolean }>(deps, req, "bundles.authoriseAgent", {
    by: applicantOf(req),
    creditCode: req.params.credit_code,
    agentIdNumber: body.agent_id_number,
    bundleCodes: body.bundle_codes,
    validThrough: body.valid_through,
    portal: portalOf(req),
  });
  return { status: r.created ? 201 : 200, body: toSnake(r.authorisation) };
}

/** GET /v1/enterprises/{credit_code}/agents: every authorisation of the enterprise, newest first. */
export async function listAgents(req: PortalRequest, deps: PortalDeps): Promise<Reply> {
  const r = await callBus(deps, req, "bundles.listAgents", { by: applicantOf(req), creditCode: req.params.credit_code });
  return { status: 200, body: toSnake(r) };
}

/** POST /v1/enterprises/{credit_code}/agents/{id_number}/revocation: closes the agent's open authorisation (safe to retry). */
export async function revokeAgent(req: PortalRequest, deps: PortalDeps): Promise<Reply> {
  const body = await req.body();
  const r = await callBus(deps, req, "bundles.revokeAgent", {
    by: applicantOf(req),
    creditCode: req.params.credit_code,
    agentIdNumber: req.params.id_number,
    reason: body.reason,
  });
  return { status: 200, body: toSnake(r) };
}

/** GET /v1/authorisations: the open authorisations the signed-in applicant holds as an agent. */
export async function myAuthorisations(req: PortalRequest, deps: PortalDeps): Promise<Reply> {
  return { status: 200, body: toSnake(await callBus(deps, req, "bundles.heldAuthorisations", { agent: applicantOf(req) })) };
}
