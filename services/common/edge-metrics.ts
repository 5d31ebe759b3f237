/**
 * Calls answered at the hub's edges (the gRPC edge, the portal), counted by edge, method (route)
 * and status in this process — every refusal and every failure is counted as well as logged, so a
 * rise of 4xx or of 5xx/INTERNAL shows without reading logs. Read with the gateway's public
 * `http.edgeCalls` action; when moleculer's metrics are on (METRICS=true) the same counts also go
 * to its registry as `tongban.edge.calls.total` (and so to a reporter, `$node.metrics`).
 *
 * Kept apart from moleculer's metrics on purpose: those time every internal call, which cost
 * 15–20 % of 开办企业 throughput in the bundle benchmark (measured in alternating runs).
 */
import type { ServiceBroker } from "moleculer";

export const EDGE_CALLS = "tongban.edge.calls.total";

const counts = new Map<string, { edge: string; method: string; status: string; count: number }>();

/** Counts one answered call; `status` is the HTTP status (e.g. "400") or the gRPC status name (e.g. "INVALID_ARGUMENT"). */
export function countEdgeCall(broker: ServiceBroker, edge: "grpc" | "portal", method: string, status: string): void {
  const key = `${edge}\u0000${method}\u0000${status}`;
  const entry = counts.get(key);
  if (entry) entry.count++;
  else counts.set(key, { edge, method, status, count: 1 });
  if (!broker.isMetricsEnabled()) return;
  const metrics = broker.metrics;
  if (!metrics.getMetric(EDGE_CALLS)) {
    metrics.register({ type: "counter", name: EDGE_CALLS, labelNames: ["edge", "method", "status"], description: "Calls answered at the hub's edges, by edge, method or route, and status", unit: "call" });
  }
  metrics.increment(EDGE_CALLS, { edge, method, status });
}

/** Every count of this process: [{ edge, method, status, count }]. */
export function edgeCallCounts(): Array<{ edge: string; method: string; status: string; count: number }> {
  return [...counts.values()].map((c) => ({ ...c }));
}
