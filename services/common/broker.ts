/**
 * The one broker configuration every process uses. moleculer ships with its fault tolerance off
 * (requestTimeout 0 waits forever); the values here are the hub's, explained beside each.
 */
import crypto from "node:crypto";
import { ServiceBroker, type BrokerOptions } from "moleculer";
import type { Config } from "./config";
import { moleculerLoggerOptions } from "./logger";
import { kindOf } from "./errors";
import { DataExceptionMiddleware } from "./data-exceptions";
import { RequestShapeMiddleware } from "./request-shapes";
import { CallMetaMiddleware } from "./call-meta";
import { ActionScopeMiddleware, enableDatabaseSpans, tracingOptions } from "./tracing";

/** Broker options for a process with this configuration. */
export function brokerOptions(config: Config): BrokerOptions {
  return {
    namespace: config.namespace,
    nodeID: config.nodeId,
    // No NATS_URL: every service lives in this process and calls stay in memory.
    transporter: config.natsUrl
      ? { type: "NATS", options: { url: config.natsUrl, maxReconnectAttempts: -1, reconnectTimeWait: 500 } }
      : null,
    serializer: "JSON",
    logger: moleculerLoggerOptions(config.logLevel),
    // A department call should answer in well under a second; 10 s (REQUEST_TIMEOUT_MS) bounds a
    // hung peer without cutting off a slow database transaction.
    requestTimeout: config.requestTimeoutMs,
    // Only errors marked retryable (timeouts, a node gone mid-call, UNAVAILABLE) are retried:
    // never a refusal or bad input. Retrying a state change is safe because every state-changing
    // action takes an idempotency key. 3 retries at 100/200/400 ms ride out a replica restart.
    retryPolicy: {
      enabled: true,
      retries: 3,
      delay: 100,
      maxDelay: 2000,
      factor: 2,
      check: (err: Error) => Boolean((err as { retryable?: boolean }).retryable),
    },
    // An endpoint failing half of at least 20 calls within 60 s is skipped for 10 s, so a sick
    // replica stops taking traffic while healthy ones serve. Only server faults (code >= 500) count.
    circuitBreaker: {
      enabled: true,
      threshold: 0.5,
      minRequestCount: 20,
      windowTime: 60,
      halfOpenTime: 10_000,
      // Server faults open it: a sick replica. A JavaScript error thrown by a handler (TypeError,
      // RangeError...) is the request's path through the code, not the replica's health: counted,
      // a few malformed calls made an action unavailable to every caller for halfOpenTime.
      check: (err: Error) => !isProgrammingError(err) && ((err as { code?: number }).code ?? 500) >= 500,
    },
    // Bounds concurrent handler executions per action so a burst queues instead of exhausting the
    // database pool; beyond the queue the caller gets a retryable QueueIsFullError.
    bulkhead: { enabled: true, concurrency: 32, maxQueueSize: 1000 },
    // Lets in-flight requests finish on shutdown before the broker stops.
    tracking: { enabled: true, shutdownTimeout: 10_000 },
    // Read-mostly lookups (department registry, licence types) are cached; Redis shares the cache.
    cacher: config.redisUrl
      ? { type: "Redis", options: { prefix: `${config.namespace}-cache`, ttl: 60, redis: config.redisUrl, keygen: cacheKey } }
      : { type: "Memory", options: { ttl: 60, clone: true, keygen: cacheKey } },
    registry: { strategy: "RoundRobin", preferLocal: true },
    heartbeatInterval: 5,
    heartbeatTimeout: 15,
    // moleculer's own metrics (every call timed, the transporter, $node.metrics), in GET /metrics
    // beside the hub's own (services/common/metrics.ts formats moleculer's registry itself: no
    // reporter, no server of moleculer's). Histograms keep buckets, not quantiles (Prometheus
    // computes those from buckets): the quantile windows were what cost 15-20 % of the bundle
    // benchmark's throughput; without them alternating runs measured no difference (issue 9 note).
    // METRICS=false turns them off.
    metrics: { enabled: config.metrics, reporter: [], defaultQuantiles: [] },
    // Traces to a Zipkin-format collector when TRACING_ZIPKIN_URL is set (tracing.ts); off otherwise.
    tracing: tracingOptions(config),
    // Bad values that reach the database are the caller's (400), not the hub's (data-exceptions.ts);
    // a bus caller's request whose fields are not of their proto kinds is refused before the action
    // runs (request-shapes.ts).
    // Each action keeps the meta it was called with, whatever its nested calls say (call-meta.ts).
    middlewares: config.tracingZipkinUrl
      ? [CallMetaMiddleware, DataExceptionMiddleware, RequestShapeMiddleware, ActionScopeMiddleware]
      : [CallMetaMiddleware, DataExceptionMiddleware, RequestShapeMiddleware],
  };
}

/** Creates a broker for this configuration. */
export function createBroker(config: Config): ServiceBroker {
  enableDatabaseSpans(Boolean(config.tracingZipkinUrl));
  return new ServiceBroker(brokerOptions(config));
}

/** An error JavaScript itself throws for code that went wrong (not a refusal, not a dependency down). */
function isProgrammingError(err: unknown): boolean {
  return err instanceof TypeError || err instanceof RangeError || err instanceof ReferenceError || err instanceof SyntaxError;
}

/** Cache keys longer than this are hashed (a key field can hold text as long as the request). */
const CACHE_KEY_MAX = 200;

/**
 * The cache key of a call to an action cached by `keys` (every cached action of the hub names
 * them; `this` is the cacher): `<action>:` and each key's value as JSON when it is text, a number or true/false, else by
 * its kind, so that a value no check has seen yet (the cacher runs before the action's middlewares)
 * is never walked: moleculer's own key builder recursed into a 10,000-deep object and threw a
 * RangeError before any check ran. Values as JSON keep "a|b"+"c" apart from "a"+"b|c"; a key
 * over CACHE_KEY_MAX characters is its SHA-256.
 */
export function cacheKey(
  this: { defaultKeygen(action: string, params: unknown, meta: unknown, keys: string[] | null): string } | undefined,
  action: string,
  params: Record<string, unknown> | null,
  meta: Record<string, unknown> | null,
  keys: string[] | null,
): string {
  // An action cached without keys (none in the hub) keys on all its params, moleculer's way.
  if (!keys) {
    if (!this) throw new Error(`cacheKey: ${action} names no cache keys`);
    return this.defaultKeygen(action, params, meta, keys);
  }
  const prefix = `${action}:`;
  if (keys.length === 0) return action;
  const parts = keys.map((key) => {
    const value = key.startsWith("#") ? meta?.[key.slice(1)] : params?.[key];
    if (value === undefined || value === null) return "null";
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return JSON.stringify(value);
    return `(${kindOf(value)})`;
  });
  const joined = parts.join("|");
  return prefix + (joined.length > CACHE_KEY_MAX ? crypto.createHash("sha256").update(joined).digest("base64") : joined);
}
