/**
 * The portal HTTP API as the one-window portal uses it (README "开办企业 through the portal API"):
 * a session signed in by the portal department `data`, material uploads, submissions, status.
 */
import { tokenFor, type Credential } from "../support/grpc-client";

export interface HttpAnswer<T = any> {
  status: number;
  body: T;
}

/** An HTTP failure or a refused request, with the hub's error code and message. */
export class PortalError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

const REQUEST_TIMEOUT_MS = 60_000;

export class Portal {
  constructor(readonly base: string, private readonly portalCredential: Credential) {}

  async request<T = any>(method: string, url: string, token: string | undefined, body?: unknown): Promise<HttpAnswer<T>> {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    let res: Response;
    try {
      res = await fetch(`${this.base}${url}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new PortalError(0, cause?.code ?? (err as Error).name, `${method} ${url.split("?")[0]}: ${cause?.message ?? (err as Error).message}`);
    }
    const text = await res.text();
    let parsed: any;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = { error: { code: "NOT_JSON", message: text.slice(0, 200) } };
    }
    return { status: res.status, body: parsed };
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
