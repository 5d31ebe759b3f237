/**
 * Calls answered at the hub's edges (the gRPC edge, the portal), counted by edge, method (route)
 * and status, in moleculer's metrics registry: `$node.metrics` lists them on any node, and the
 * Prometheus reporter exports them where one is configured. Every refusal and every failure is
 * counted as well as logged, so a rise of 4xx or of 5xx/INTERNAL is visible without reading logs.
 */
import type { ServiceBroker } from "moleculer";

export const EDGE_CALLS = "tongban.edge.calls.total";

/** Counts one answered call; `status` is the HTTP status (e.g. "400") or the gRPC status name (e.g. "INVALID_ARGUMENT"). */
export function countEdgeCall(broker: ServiceBroker, edge: "grpc" | "portal", method: string, status: string): void {
  if (!broker.isMetricsEnabled()) return;
  const metrics = broker.metrics;
  if (!metrics.getMetric(EDGE_CALLS)) {
    metrics.register({ type: "counter", name: EDGE_CALLS, labelNames: ["edge", "method", "status"], description: "Calls answered at the hub's edges, by edge, method or route, and status", unit: "call" });
  }
  metrics.increment(EDGE_CALLS, { edge, method, status });
}
