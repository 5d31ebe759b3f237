/** What the portal's handlers are given, and how they call the services on the bus. */
import type { ServiceBroker } from "moleculer";
import type { Runtime } from "../../../services/common/runtime";
import type { CallerChecks } from "../../grpc/caller-checks";
import { ONE_WINDOW } from "../../orchestrator/engine";
import { HttpError } from "./http-kit";
import type { PortalRequest } from "./router";

export interface PortalDeps {
  broker: ServiceBroker;
  rt: Runtime;
  /** MAC key of applicant tokens (see auth.ts). */
  tokenKey: Buffer;
  /** Department token verification, shared with the gRPC edge's logic. */
  checks: CallerChecks;
  /** MAC key of officer tokens (see officer-auth.ts). */
  officerKey: Buffer;
  /** The OpenAPI document generated from the routes' schemas (set once the app is ready). */
  openapi?: () => unknown;
}

/**
 * Calls a service action as the one window (the hub's portal acts as department `data`), under
 * the request's id so the call can be followed in the logs. The applicant is always a parameter
 * taken from the verified token, never from the request body.
 */
export function callBus<T>(deps: PortalDeps, req: PortalRequest, action: string, params: object): Promise<T> {
  return deps.broker.call<T, object>(action, params, { meta: { caller: { department: ONE_WINDOW }, purpose: PORTAL_PURPOSE }, requestID: req.requestId });
}

/** The purpose the data-use log records for what the portal reads on an applicant's request. */
const PORTAL_PURPOSE = "一网通办门户：申请人本人办事 (one-window portal, at the applicant's request)";

/** Calls a service action as the department of an officer or member route (the services scope what it sees). */
export function callAsDepartment<T>(deps: PortalDeps, req: PortalRequest, action: string, params: object): Promise<T> {
  return deps.broker.call<T, object>(action, params, { meta: { caller: { department: departmentOf(req) } }, requestID: req.requestId });
}

/** The department calling a member or officer route. */
export function departmentOf(req: PortalRequest): string {
  if (!req.department) throw new HttpError(401, "TOKEN_MISSING", "this route needs a department or officer token");
  return req.department;
}

/** The signed-in applicant's ID number (set by the router on applicant routes). */
export function applicantOf(req: PortalRequest): string {
  if (!req.applicant) throw new HttpError(401, "TOKEN_MISSING", "this route needs an applicant token");
  return req.applicant;
}

/** The portal system calling (department routes) or that obtained the applicant's token. */
export function portalOf(req: PortalRequest): string {
  if (!req.portal) throw new HttpError(401, "TOKEN_MISSING", "this route needs a department token");
  return req.portal;
}
