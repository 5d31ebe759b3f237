/**
 * The hostile-input suite's kit: what a case sees of the hub (addresses, credentials, tokens, an
 * enterprise and its owner, uploaded materials), how a case calls it over HTTP or gRPC, and the
 * outcome it reports — a status, the error's reason code and the field it names.
 */
import { status as grpcStatus, type ServiceError } from "@grpc/grpc-js";
import type { Credential, HubClient } from "../../support/grpc-client";
import type { SyntheticPerson } from "../../../services/identity/seed/population";

export interface HostileContext {
  base: string;
  /** A call on the hub's bus, as another service or process on it would make it. */
  call: (action: string, params: unknown, meta?: unknown) => Promise<unknown>;
  grpc: HubClient;
  cred: Record<"data" | "samr" | "tax" | "hrss" | "psb" | "civil", Credential>;
  owner: SyntheticPerson;
  stranger: SyntheticPerson;
  employee: SyntheticPerson;
  ownerToken: string;
  strangerToken: string;
  /** The owner's enterprise (legal representative: owner), opened by START_BUSINESS. */
  creditCode: string;
  enterpriseName: string;
  /** The owner's completed START_BUSINESS. */
  completedApplication: string;
  /** Material ids by type: the owner's and the stranger's uploads. */
  ownerMaterials: Record<string, string>;
  strangerMaterials: Record<string, string>;
}

/** What a call answered. */
export interface Outcome {
  /** HTTP status, or the gRPC status name ("OK" when the call succeeded). */
  status: number | string;
  code?: string;
  field?: string;
}

export interface HostileCase {
  name: string;
  run: (c: HostileContext) => Promise<Outcome>;
  expect: { status: number | string; code?: string; field?: string };
}

/** An HTTP call to the portal: JSON body (or a raw one with its content type). */
export async function http(c: HostileContext, method: string, path: string, o: { token?: string; body?: unknown; raw?: string | Buffer; type?: string; headers?: Record<string, string> } = {}): Promise<Outcome> {
  const headers: Record<string, string> = { ...o.headers };
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  const payload = o.raw ?? (o.body === undefined ? undefined : JSON.stringify(o.body));
  if (payload !== undefined && !("content-type" in headers)) headers["content-type"] = o.type ?? "application/json";
  const res = await fetch(`${c.base}${path}`, { method, headers, body: payload });
  const text = await res.text();
  let body: { error?: { code?: string; field?: string } } | undefined;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: res.status, code: body?.error?.code, field: body?.error?.field };
}

/** A gRPC call as a department (a fresh token per call); the outcome of its status. */
export async function grpc(c: HostileContext, target: string, request: object, as: Credential | undefined, extra: Record<string, string> = {}): Promise<Outcome> {
  try {
    await c.grpc.call(target, request, as, extra);
    return { status: "OK" };
  } catch (err) {
    return fromServiceError(err as ServiceError);
  }
}

/** The outcome of raw bytes sent as a request. */
export async function grpcRaw(c: HostileContext, target: string, bytes: Buffer, as: Credential): Promise<Outcome> {
  try {
    await c.grpc.callRaw(target, bytes, as);
    return { status: "OK" };
  } catch (err) {
    return fromServiceError(err as ServiceError);
  }
}

function fromServiceError(e: ServiceError): Outcome {
  const text = (key: string) => {
    const v = e.metadata?.get(key)?.[0];
    return v === undefined ? undefined : decodeURIComponent(String(v));
  };
  return { status: grpcStatus[e.code] ?? String(e.code), code: text("reason-code"), field: text("field") };
}

/** A case expecting a refusal: status, and (when given) the field named and the reason code. */
export const refuse = (name: string, run: HostileCase["run"], status: number | string, field?: string, code?: string): HostileCase => ({
  name,
  run,
  expect: { status, ...(field !== undefined ? { field } : {}), ...(code !== undefined ? { code } : {}) },
});

/**
 * A bus call's outcome: the error's code (400, 401, 404...) and type as status and code, and the
 * field it names; a JavaScript error (TypeError...) is status 500 with its name as the code.
 */
export async function bus(c: HostileContext, action: string, params: unknown, meta: unknown = { caller: { department: "data" } }): Promise<Outcome> {
  try {
    await c.call(action, params, meta);
    return { status: "OK" };
  } catch (err) {
    const e = err as { code?: unknown; type?: string; name?: string; data?: { field?: string } };
    return { status: typeof e.code === "number" ? e.code : 500, code: e.type ?? e.name, field: e.data?.field };
  }
}
