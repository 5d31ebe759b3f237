/**
 * The portal HTTP API as the one-window portal uses it (README "开办企业 through the portal API"):
 * a session signed in by the portal department `data`, material uploads, submissions, status.
 */
import http from "node:http";
import { tokenFor, type Credential } from "../support/grpc-client";

export interface HttpAnswer<T = any> {
  status: number;
  body: T;
  /** The ETag answered, if any (conditional status reads). */
  etag?: string;
}

/** An HTTP failure or a refused request, with the hub's error code and message. */
export class PortalError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

const REQUEST_TIMEOUT_MS = 60_000;

export class Portal {
  // An idle kept-alive connection is closed here after 30 s, before the server closes it (Node's
  // keep-alive timeout there, 72 s): a request sent on a connection the server is closing at that
  // moment fails with "socket hang up" (seen once in an embedded run, a phase after sockets idled).
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 256, timeout: 30_000 });

  constructor(readonly base: string, private readonly portalCredential: Credential) {}

  /** Closes the kept-alive connections. */
  close(): void {
    this.agent.destroy();
  }

  /**
   * One request over a kept-alive connection (node:http: a load generator on the hub's own machine
   * should cost the hub as little CPU as it can; fetch took about twice as much per request here).
   */
  request<T = any>(method: string, url: string, token: string | undefined, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<HttpAnswer<T>> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string | number> = { ...extraHeaders };
    if (token) headers.authorization = `Bearer ${token}`;
    if (payload) {
      headers["content-type"] = "application/json";
      headers["content-length"] = payload.length;
    }
    const where = `${method} ${url.split("?")[0]}`;
    return new Promise<HttpAnswer<T>>((resolve, reject) => {
      const req = http.request(`${this.base}${url}`, { method, headers, agent: this.agent, timeout: REQUEST_TIMEOUT_MS }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", (err) => reject(new PortalError(0, (err as NodeJS.ErrnoException).code ?? err.name, `${where}: ${err.message}`)));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let parsed: any;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            parsed = { error: { code: "NOT_JSON", message: text.slice(0, 200) } };
          }
          const etag = res.headers.etag;
          resolve({ status: res.statusCode ?? 0, body: parsed, ...(etag ? { etag } : {}) });
        });
      });
      req.on("timeout", () => req.destroy(Object.assign(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`), { code: "TimeoutError" })));
      req.on("error", (err) => reject(new PortalError(0, (err as NodeJS.ErrnoException).code ?? err.name, `${where}: ${err.message}`)));
      req.end(payload);
    });
  }

  /** Like request, but throws a PortalError unless the status is 2xx. */
  async ok<T = any>(method: string, url: string, token: string | undefined, body?: unknown): Promise<HttpAnswer<T>> {
    const a = await this.request<T>(method, url, token, body);
    if (a.status < 200 || a.status > 299) {
      const e = (a.body as { error?: { code?: string; message?: string; field?: string } })?.error;
      throw new PortalError(a.status, e?.code ?? `HTTP_${a.status}`, `${method} ${url.split("?")[0]}: HTTP ${a.status} ${e?.code ?? ""}${e?.field ? ` (${e.field})` : ""}: ${e?.message ?? ""}`);
    }
    return a;
  }

  /** POST /v1/sessions as the portal department for a citizen; returns the applicant token. */
  async signIn(idNumber: string): Promise<string> {
    const a = await this.ok<{ token: string }>("POST", "/v1/sessions", tokenFor(this.portalCredential), { id_number: idNumber });
    return a.body.token;
  }

  /** POST /v1/materials with a PDF; returns the material id. */
  async uploadPdf(token: string, typeCode: string, fileName: string, bytes: Buffer): Promise<string> {
    const a = await this.ok<{ material_id: string }>("POST", "/v1/materials", token, {
      type_code: typeCode,
      file_name: fileName,
      content_type: "application/pdf",
      content_base64: bytes.toString("base64"),
    });
    return a.body.material_id;
  }
}

/** A small valid PDF whose bytes are unique to `label` (the store is content-addressed). */
export function pdf(label: string): Buffer {
  return Buffer.from(`%PDF-1.4\n% ${label}\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n`, "utf8");
}
