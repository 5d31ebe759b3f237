/**
 * Calls answered at the hub's edges (the gRPC edge, the portal), counted by edge, method (route)
 * and status in this process — every refusal and every failure is counted as well as logged, so a
 * rise of 4xx or of 5xx/INTERNAL shows without reading logs. Exported at /metrics as
 * `tongban_edge_calls_total{edge,method,department,status}` (metrics.ts), and read in process with
 * the gateway's public `http.edgeCalls` action.
 */
import { edgeCalls } from "./metrics";

/**
 * Counts one answered call; `status` is the HTTP status (e.g. "400") or the gRPC status name (e.g.
 * "INVALID_ARGUMENT"); `department` the caller when known ("" before authentication).
 */
export function countEdgeCall(edge: "grpc" | "portal", method: string, status: string, department = ""): void {
  edgeCalls.inc({ edge, method, department, status });
}

/** Every count of this process, by edge, method and status (summed over departments), read from the counter. */
export async function edgeCallCounts(): Promise<Array<{ edge: string; method: string; status: string; count: number }>> {
  const counts = new Map<string, { edge: string; method: string; status: string; count: number }>();
  for (const { labels, value } of (await edgeCalls.get()).values) {
    const [edge, method, status] = [String(labels.edge), String(labels.method), String(labels.status)];
    const key = `${edge}\u0000${method}\u0000${status}`;
    const entry = counts.get(key) ?? { edge, method, status, count: 0 };
    entry.count += value;
    counts.set(key, entry);
  }
  return [...counts.values()];
}
