/**
 * The hub's Prometheus metrics (text exposition format 0.0.4), served at GET /metrics by every
 * process — the gateway on PORT, the others on HEALTH_PORT — and documented in docs/metrics.md.
 *
 * - The hub's own, always on (prom-client, one registry per process): edge calls, rate-limit
 *   refusals, applications submitted and finished, dispatch lag and department call duration,
 *   material bytes stored — counted where they happen (a counter or a histogram bucket: no
 *   allocation per call); and, read from the databases when scraped, open applications by bundle
 *   and status, open steps by department and light, and each schema's outbox backlog and the age of
 *   its oldest undelivered event. Plus Node's process metrics (CPU, memory, event-loop lag, GC).
 * - moleculer's built-in metrics (request rates, latencies and errors per action, transporter
 *   packets) through its Prometheus reporter's formatter, appended unless METRICS=false; without
 *   quantile windows (broker.ts) they cost no measurable throughput.
 */
import type { ServiceBroker } from "moleculer";
import { MetricReporters } from "moleculer";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Runtime } from "./runtime";

export const registry = new Registry();
collectDefaultMetrics({ register: registry });

export const edgeCalls = new Counter({
  name: "tongban_edge_calls_total",
  help: "Calls answered at the hub's edges, by edge (grpc, portal), method or route, calling department (empty when not known) and status (gRPC status name or HTTP status)",
  labelNames: ["edge", "method", "department", "status"] as const,
  registers: [registry],
});

export const rateLimited = new Counter({
  name: "tongban_rate_limited_total",
  help: "Requests refused by a rate limit, by limit: auth_failures (failed authentications per address), department_calls (gRPC calls per department a minute), lookup (public look-ups per address)",
  labelNames: ["limit"] as const,
  registers: [registry],
});

export const applicationsSubmitted = new Counter({
  name: "tongban_applications_submitted_total",
  help: "Applications accepted by this gateway process, by bundle",
  labelNames: ["bundle"] as const,
  registers: [registry],
});

export const applicationsFinished = new Counter({
  name: "tongban_applications_finished_total",
  help: "Applications finished by this gateway process, by bundle and final status (COMPLETED, COMPENSATED)",
  labelNames: ["bundle", "status"] as const,
  registers: [registry],
});

export const dispatchLag = new Histogram({
  name: "tongban_step_dispatch_lag_seconds",
  help: "Time from a step becoming READY to its department call being made (this process), by department",
  labelNames: ["department"] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
  registers: [registry],
});

export const stepCallDuration = new Histogram({
  name: "tongban_step_call_seconds",
  help: "Duration of the orchestrator's department calls, by action and outcome (ok, refused: the department said no, fault: timeout or outage)",
  labelNames: ["action", "outcome"] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

export const calendarLastKnownYear = new Gauge({
  name: "tongban_calendar_last_known_year",
  help: "The last year whose national holidays (chinese-days, or WORKDAY_OVERRIDES) the working-day calendar knows; alert when it is the current year in December",
  registers: [registry],
});

export const materialBytes = new Counter({
  name: "tongban_material_bytes_stored_total",
  help: "Bytes of new material content stored (a content already held is not stored again)",
  registers: [registry],
});

export const openApplications = new Gauge({
  name: "tongban_applications_open",
  help: "Open applications (RUNNING, or FAILED while being compensated) by bundle and status, read when scraped",
  labelNames: ["bundle", "status"] as const,
  registers: [registry],
});

export const openSteps = new Gauge({
  name: "tongban_steps_open",
  help: "Steps of open applications that are ready or waiting (their committed time running), by department and light (GREEN, YELLOW, RED), read when scraped",
  labelNames: ["department", "light"] as const,
  registers: [registry],
});

const outboxPending = new Gauge({
  name: "tongban_outbox_pending",
  help: "Outbox deliveries not yet acknowledged, by schema, read when scraped",
  labelNames: ["schema"] as const,
  registers: [registry],
});

const outboxOldestAge = new Gauge({
  name: "tongban_outbox_oldest_undelivered_age_seconds",
  help: "Age of the oldest undelivered outbox event, by schema (0 when none), read when scraped",
  labelNames: ["schema"] as const,
  registers: [registry],
});

/** Work a service adds to a scrape (reading gauges from its database), per runtime. */
type Collector = () => Promise<void>;
const collectors = new WeakMap<Runtime, Collector[]>();

/** Adds a collector run at every scrape of this runtime's /metrics (e.g. the gateway's open cases). */
export function addCollector(rt: Runtime, collect: Collector): void {
  collectors.set(rt, [...(collectors.get(rt) ?? []), collect]);
}

/** Reads every schema's outbox backlog (each process its own schemas). */
async function readOutboxes(rt: Runtime): Promise<void> {
  outboxPending.reset();
  outboxOldestAge.reset();
  for (const [schema, opening] of rt.databases) {
    const db = await opening.catch(() => undefined);
    if (!db) continue;
    const { rows } = await db.query<{ pending: string; oldest: string | null }>(
      `SELECT count(*) AS pending, extract(epoch FROM now() - min(e.created_at)) AS oldest
       FROM outbox_deliveries d JOIN outbox_events e ON e.event_id = d.event_id WHERE d.delivered_at IS NULL`,
    );
    outboxPending.set({ schema }, Number(rows[0]?.pending ?? 0));
    outboxOldestAge.set({ schema }, Math.max(0, Number(rows[0]?.oldest ?? 0)));
  }
}

/** moleculer's reporter, used only to format its registry (no server of its own). */
class MoleculerText extends MetricReporters.Prometheus {
  constructor(private readonly source: ServiceBroker) {
    // moleculer's names (moleculer_*, process_*, os_*) meet none of the hub's or prom-client's (checked in metrics.spec).
    super({});
  }
  text(): string {
    // The reporter formats `this.registry`; init() would also start its HTTP server, which the hub does not want.
    (this as unknown as { registry: unknown }).registry = this.source.metrics;
    return wellFormed((this as unknown as { generatePrometheusResponse(): string }).generatePrometheusResponse());
  }
}

/**
 * moleculer's formatter writes, inside a family, samples of other names (a histogram's _min, _mean,
 * _variance, _stddev, _max; a counter's _rate) and quantile samples inside a histogram: a strict
 * parser splits such a family. Keeps of each family the samples the text format defines for its
 * type (the name itself; a histogram's _bucket, _sum and _count).
 */
export function wellFormed(text: string): string {
  let family = "";
  let type = "";
  const kept: string[] = [];
  for (const line of text.split("\n")) {
    const declared = /^# TYPE (\S+) (\S+)/.exec(line);
    if (declared) [, family, type] = declared;
    if (line === "" || line.startsWith("#")) {
      kept.push(line);
      continue;
    }
    const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0] ?? "";
    const allowed = type === "histogram" ? [`${family}_bucket`, `${family}_sum`, `${family}_count`] : [family];
    if (allowed.includes(name) && !(type === "histogram" && /[{,]quantile="/.test(line))) kept.push(line);
  }
  return kept.join("\n");
}

/** The whole exposition of this process (text format 0.0.4). */
export async function renderMetrics(broker: ServiceBroker, rt: Runtime): Promise<string> {
  await readOutboxes(rt);
  for (const collect of collectors.get(rt) ?? []) await collect();
  const own = await registry.metrics();
  return broker.isMetricsEnabled() ? `${own}\n${new MoleculerText(broker).text()}` : own;
}

/** The content type of the exposition. */
export const METRICS_CONTENT_TYPE = registry.contentType;
