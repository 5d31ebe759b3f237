/**
 * The portal's route table types: (method, path template, who may call, schema, handler). Routing
 * itself is Fastify's (portal.ts); `allowedMethods` tells a 405 from a 404 for a path no route of
 * that method matches. `{name}` in a template matches one path segment.
 */
import type http from "node:http";
import type { RouteSchema } from "./schemas";

export type Method = "GET" | "POST";

/**
 * Who may call a route: anyone; a portal system with its department token (portal role); any
 * member department with its department token; a signed-in applicant; an officer with an officer
 * token (supervision pages).
 */
export type Audience = "public" | "department" | "member" | "applicant" | "officer";

/** The request as a handler sees it. */
export interface PortalRequest {
  raw: http.IncomingMessage;
  requestId: string;
  /** The client address (rate limits). */
  ip: string;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The signed-in applicant's ID number (applicant routes). */
  applicant?: string;
  /** The portal system that obtained the applicant's token, or that calls (department routes). */
  portal?: string;
  /** The department calling (member and officer routes). */
  department?: string;
  /** The JSON body, already parsed and checked against the route's schema. */
  body(): Promise<Record<string, unknown>>;
  /**
   * Calls `fn` once if the client goes away before the answer is sent (a held read ends early);
   * returns the function that stops watching.
   */
  onClientGone(fn: () => void): () => void;
}

/** What a handler answers. */
export interface Reply {
  status: number;
  /** Sent as JSON, unless `contentType` is given: then it is text sent as it is. */
  body: unknown;
  headers?: Record<string, string>;
  contentType?: string;
}

export interface Route<D> {
  method: Method;
  /** e.g. "/v1/applications/{id}/rating" (also the OpenAPI path). */
  path: string;
  audience: Audience;
  /** Largest request body accepted, bytes (routes with a body). */
  bodyLimit?: number;
  schema: RouteSchema;
  handler: (req: PortalRequest, deps: D) => Promise<Reply>;
}

/** A template as a regular expression over a path. */
const patternOf = (template: string) =>
  new RegExp(`^${template.split("/").map((part) => (/^\{\w+\}$/.test(part) ? "[^/]+" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))).join("/")}$`);

/** The methods of the routes whose template matches `pathname` (empty: no such path). */
export function allowedMethods(routes: ReadonlyArray<{ method: Method; path: string }>, pathname: string): Method[] {
  return [...new Set(routes.filter((r) => patternOf(r.path).test(pathname)).map((r) => r.method))];
}

/** Fastify's form of a template: /v1/applications/:id. */
export const fastifyPath = (template: string) => template.replace(/\{(\w+)\}/g, ":$1");
