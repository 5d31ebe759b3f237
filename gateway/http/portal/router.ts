/**
 * A tiny router: routes are (method, path template, who may call, handler); `{name}` in a template
 * matches one path segment. A known path with another method is 405 (with Allow), anything else 404.
 */
import type http from "node:http";
import { HttpError } from "./http-kit";

export type Method = "GET" | "POST";

/** Who may call a route: anyone, a portal system with its department token, or a signed-in applicant. */
export type Audience = "public" | "department" | "applicant";

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
  /** The JSON body, read under the route's size limit. */
  body(): Promise<Record<string, unknown>>;
}

/** What a handler answers. */
export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface Route<D> {
  method: Method;
  /** e.g. "/v1/applications/{id}/rating" (also the OpenAPI path). */
  path: string;
  audience: Audience;
  /** Largest request body accepted, bytes (routes with a body). */
  bodyLimit?: number;
  handler: (req: PortalRequest, deps: D) => Promise<Reply>;
}

interface Compiled<D> {
  route: Route<D>;
  pattern: RegExp;
  names: string[];
}

export interface Match<D> {
  route: Route<D>;
  params: Record<string, string>;
}

/** Matches requests against a route table. */
export class Router<D> {
  private readonly compiled: Compiled<D>[];

  constructor(readonly routes: readonly Route<D>[]) {
    this.compiled = routes.map((route) => {
      const names: string[] = [];
      const source = route.path
        .split("/")
        .map((part) => {
          const name = /^\{(\w+)\}$/.exec(part)?.[1];
          if (!name) return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
          names.push(name);
          return "([^/]+)";
        })
        .join("/");
      return { route, pattern: new RegExp(`^${source}$`), names };
    });
  }

  /** The route for a method and path; throws 404 or 405. */
  match(method: string, pathname: string): Match<D> {
    const allowed: string[] = [];
    for (const c of this.compiled) {
      const m = c.pattern.exec(pathname);
      if (!m) continue;
      if (c.route.method !== method) {
        allowed.push(c.route.method);
        continue;
      }
      const params: Record<string, string> = {};
      c.names.forEach((name, i) => {
        try {
          params[name] = decodeURIComponent(m[i + 1]);
        } catch {
          throw new HttpError(400, "INVALID_ARGUMENT", `${name}: is not a valid URL path segment`, name);
        }
      });
      return { route: c.route, params };
    }
    if (allowed.length > 0) {
      throw new HttpError(405, "METHOD_NOT_ALLOWED", `${method} is not allowed on ${pathname} (allowed: ${allowed.join(", ")})`, undefined, {
        allow: allowed.join(", "),
      });
    }
    throw new HttpError(404, "NOT_FOUND", `no route ${method} ${pathname} (see GET /openapi.json)`);
  }
}
