/**
 * The portal API (HTTP/JSON) of the one-window portal: the route table, and one request's way
 * through it — route, authenticate (department or applicant token), handle, answer; every error
 * as { error: { code, message, field } }. Described in openapi.ts (GET /openapi.json).
 */
import crypto from "node:crypto";
import type http from "node:http";
import type { ServiceBroker } from "moleculer";
import { rootLogger } from "../../../services/common/logger";
import type { Runtime } from "../../../services/common/runtime";
import { resolveSecret } from "../../../services/common/secrets";
import { CallerChecks } from "../../grpc/caller-checks";
import { applicationStatus, correctStep, myApplications, submitApplication, supplementMaterial, withdrawApplication } from "./applications";
import { authoriseAgent, listAgents, myAuthorisations, revokeAgent } from "./agents";
import { applicantTokenKey, authenticatePortal, bearerToken, verifyApplicantToken } from "./auth";
import { bundleForm, listBundles } from "./bundles";
import type { PortalDeps } from "./deps";
import { errorReply, HttpError, readJsonBody, writeJson } from "./http-kit";
import { lookupApplication } from "./lookup";
import { listMaterials, MATERIAL_BODY_LIMIT, uploadMaterial } from "./materials";
import { OPENAPI } from "./openapi";
import { rateApplication, Ratings } from "./ratings";
import { Router, type PortalRequest, type Route } from "./router";
import { createSession } from "./sessions";

/** Largest body of routes other than uploads. */
export const JSON_BODY_LIMIT = 256 * 1024;

/** Every route of the portal API. */
export const ROUTES: readonly Route<PortalDeps>[] = [
  { method: "GET", path: "/openapi.json", audience: "public", handler: async () => ({ status: 200, body: OPENAPI }) },
  { method: "POST", path: "/v1/sessions", audience: "department", bodyLimit: JSON_BODY_LIMIT, handler: createSession },
  { method: "GET", path: "/v1/bundles", audience: "applicant", handler: listBundles },
  { method: "GET", path: "/v1/bundles/{code}/form", audience: "applicant", handler: bundleForm },
  { method: "POST", path: "/v1/materials", audience: "applicant", bodyLimit: MATERIAL_BODY_LIMIT, handler: uploadMaterial },
  { method: "GET", path: "/v1/materials", audience: "applicant", handler: listMaterials },
  { method: "POST", path: "/v1/applications", audience: "applicant", bodyLimit: JSON_BODY_LIMIT, handler: submitApplication },
  { method: "GET", path: "/v1/applications", audience: "applicant", handler: myApplications },
  { method: "GET", path: "/v1/applications/{id}", audience: "applicant", handler: applicationStatus },
  { method: "POST", path: "/v1/applications/{id}/materials", audience: "applicant", bodyLimit: JSON_BODY_LIMIT, handler: supplementMaterial },
  { method: "POST", path: "/v1/applications/{id}/withdrawal", audience: "applicant", bodyLimit: JSON_BODY_LIMIT, handler: withdrawApplication },
  { method: "POST", path: "/v1/applications/{id}/steps/{step_key}/correction", audience: "applicant", bodyLimit: JSON_BODY_LIMIT, handler: correctStep },
  { method: "POST", path: "/v1/applications/{id}/rating", audience: "applicant", bodyLimit: JSON_BODY_LIMIT, handler: rateApplication },
  { method: "GET", path: "/v1/lookup", audience: "public", handler: lookupApplication },
  { method: "POST", path: "/v1/enterprises/{credit_code}/agents", audience: "applicant", bodyLimit: JSON_BODY_LIMIT, handler: authoriseAgent },
  { method: "GET", path: "/v1/enterprises/{credit_code}/agents", audience: "applicant", handler: listAgents },
  { method: "POST", path: "/v1/enterprises/{credit_code}/agents/{id_number}/revocation", audience: "applicant", bodyLimit: JSON_BODY_LIMIT, handler: revokeAgent },
  { method: "GET", path: "/v1/authorisations", audience: "applicant", handler: myAuthorisations },
];

/** The client address, for rate limits (the socket's peer; IPv4-mapped IPv6 written as IPv4). */
function clientIp(req: http.IncomingMessage): string {
  return (req.socket.remoteAddress ?? "unknown").replace(/^::ffff:/, "");
}

/** A request id from the caller (x-request-id) if sane, else a new one. */
function requestIdOf(req: http.IncomingMessage): string {
  const given = req.headers["x-request-id"];
  return typeof given === "string" && /^[A-Za-z0-9._-]{8,80}$/.test(given) ? given : crypto.randomUUID();
}

export interface Portal {
  /** Answers one request (health is answered before this, by the HTTP service). */
  handle(req: http.IncomingMessage, res: http.ServerResponse): void;
  /** Drops cached department keys (the registry changed). */
  clearCaches(): void;
}

/** Builds the portal on a broker: opens the ratings store and derives the applicant token key. */
export async function createPortal(broker: ServiceBroker, rt: Runtime): Promise<Portal> {
  const deps: PortalDeps = {
    broker,
    rt,
    tokenKey: applicantTokenKey(resolveSecret(rt.config, "hub-secret", rt.config.hubSecret)),
    checks: new CallerChecks(broker, rt.config.grpcTokenMaxAgeSeconds),
    ratings: await Ratings.open(rt),
  };
  const router = new Router(ROUTES);
  const log = rootLogger().child({ mod: "portal" });

  async function run(req: http.IncomingMessage, requestId: string) {
    const url = new URL(req.url ?? "/", "http://localhost");
    const { route, params } = router.match(req.method ?? "GET", url.pathname);
    const request: PortalRequest = {
      raw: req,
      requestId,
      ip: clientIp(req),
      params,
      query: url.searchParams,
      body: () => {
        if (!route.bodyLimit) throw new HttpError(400, "INVALID_ARGUMENT", "body: this route takes no body", "body");
        return readJsonBody(req, route.bodyLimit);
      },
    };
    if (route.audience === "department") request.portal = await authenticatePortal(deps.checks, req);
    if (route.audience === "applicant") {
      const claims = verifyApplicantToken(deps.tokenKey, bearerToken(req, "applicant"));
      request.applicant = claims.sub;
      request.portal = claims.azp;
    }
    return { route, reply: await route.handler(request, deps) };
  }

  return {
    handle(req, res) {
      const requestId = requestIdOf(req);
      const started = Date.now();
      run(req, requestId).then(
        ({ route, reply }) => {
          writeJson(res, reply.status, reply.body, { "x-request-id": requestId, ...reply.headers });
          log.debug({ requestId, method: req.method, route: route.path, status: reply.status, ms: Date.now() - started }, "portal ok");
        },
        (err: unknown) => {
          const e = errorReply(err);
          if (e.internal || e.status >= 500) log.error({ requestId, method: req.method, err }, "portal request failed");
          else log.info({ requestId, method: req.method, status: e.status, code: e.body.error.code }, "portal refused");
          if (!res.headersSent) writeJson(res, e.status, e.body, { "x-request-id": requestId, ...e.headers });
          else res.destroy();
        },
      );
    },
    clearCaches() {
      deps.checks.clear();
    },
  };
}
