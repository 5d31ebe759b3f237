/**
 * Traces (off by default; TRACING_ZIPKIN_URL turns them on): moleculer's tracing with its Zipkin
 * exporter (JSON v2 to `<url>/api/v2/spans`), which Zipkin, Jaeger and the OpenTelemetry
 * Collector's zipkin receiver all take. A span per action call on every node — the edges, the
 * orchestrator, each department — joined across the bus by moleculer's context propagation; a
 * span per database statement or transaction under the action that ran it; and the orchestrator's
 * department calls made in the trace of the application's submission, so one trace follows a
 * bundle from the portal request to every department and its database. A trace id is the request
 * id (x-request-id) that every log line of the request carries.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import crypto from "node:crypto";
import { TracerExporters, type BrokerOptions, type Context, type Middleware, type ServiceBroker, type Span } from "moleculer";
import type { Config } from "./config";

/** The context of the action being run, for spans below it (database statements). */
const actionScope = new AsyncLocalStorage<Context>();

/**
 * A Zipkin id (16 lower-case hex characters) for any moleculer id: a UUID's first 16 hex digits
 * (as moleculer's exporter does), anything else — a caller's own x-request-id — hashed, so an odd
 * id never makes the collector refuse a batch.
 */
export function zipkinId(id: string | null | undefined): string | null {
  if (!id) return null;
  const hex = id.replace(/-/g, "").toLowerCase();
  return /^[0-9a-f]{16,}$/.test(hex) ? hex.slice(0, 16) : crypto.createHash("sha256").update(id).digest("hex").slice(0, 16);
}

/** moleculer's Zipkin exporter with ids that are always valid Zipkin ids, and a service name on every span. */
class HubZipkinExporter extends TracerExporters.Zipkin {
  convertID(id: string | null | undefined): string | null {
    return zipkinId(id);
  }

  makePayload(span: Span): Record<string, unknown> {
    const payload = (TracerExporters.Zipkin.prototype as unknown as { makePayload(s: Span): Record<string, any> }).makePayload.call(this, span);
    const serviceName = payload.localEndpoint?.serviceName ?? "tongban";
    payload.localEndpoint = { serviceName };
    delete payload.remoteEndpoint;
    if (payload.parentId === null) delete payload.parentId;
    return payload;
  }
}

/** moleculer's tracing options for a configuration (disabled without TRACING_ZIPKIN_URL). */
export function tracingOptions(config: Config): BrokerOptions["tracing"] {
  if (!config.tracingZipkinUrl) return { enabled: false };
  return {
    enabled: true,
    sampling: { rate: config.tracingSampleRate },
    // Spans carry the action, the caller and the nodes, never parameters, meta or answers (personal data).
    actions: true,
    events: true,
    tags: { action: { params: false, meta: false, response: false }, event: { params: false, meta: false } },
    stackTrace: false,
    defaultTags: { namespace: config.namespace },
    // An exporter instance (moleculer takes one; its types only name option objects).
    exporter: [new HubZipkinExporter({ baseURL: config.tracingZipkinUrl, interval: 1, payloadOptions: { debug: false, shared: false } }) as never],
  };
}

/** Runs every local action inside its context, so spans below it find their parent. */
export const ActionScopeMiddleware: Middleware = {
  name: "ActionScope",
  localAction(next: (ctx: Context) => Promise<unknown>) {
    return (ctx: Context) => actionScope.run(ctx, () => next(ctx));
  },
} as unknown as Middleware;

let enabled = false;

/** Turns database spans on for this process (the broker sets it when tracing is on). */
export function enableDatabaseSpans(on: boolean): void {
  enabled = on;
}

/**
 * Runs `work` inside a span named `name` under the current action's span (a database statement or
 * transaction); runs it as it is when tracing is off or no action is being run.
 */
export async function inSpan<T>(name: string, tags: Record<string, unknown>, work: () => Promise<T>): Promise<T> {
  if (!enabled) return work();
  const ctx = actionScope.getStore() as (Context & { span?: Span }) | undefined;
  const parent = ctx?.span;
  if (!ctx || !parent) return work();
  const span = ctx.broker.tracer.startSpan(name, { parentSpan: parent, type: "db", tags, service: (parent as unknown as { service?: unknown }).service } as never);
  try {
    const value = await work();
    span.finish();
    return value;
  } catch (err) {
    span.setError(err as Error);
    span.finish();
    throw err;
  }
}

/**
 * A span for an orchestrator call in the application's trace (undefined when tracing is off or
 * the application has none): passed as the call's parentSpan, and finished when the call ends.
 */
export function stepSpan(broker: ServiceBroker, traceId: string | undefined, name: string, tags: Record<string, unknown>): Span | undefined {
  if (!enabled || !traceId || !broker.isTracingEnabled()) return undefined;
  return broker.tracer.startSpan(name, { traceID: traceId, type: "orchestrator", tags, sampled: true, service: { name: "orchestrator", fullName: "orchestrator" } } as never);
}
