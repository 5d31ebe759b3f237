/**
 * Calls answered at the hub's edges (the gRPC edge, the portal), counted by edge, method (route)
 * and status in this process — every refusal and every failure is counted as well as logged, so a
 * rise of 4xx or of 5xx/INTERNAL shows without reading logs. Exported at /metrics as
 * `tongban_edge_calls_total{edge,method,department,status}` (metrics.ts), and read in process with
 * the gateway's public `http.edgeCalls` action.
 */
import { edgeCalls } from "./metrics";

const counts = new Map<string, { edge: string; method: string; status: string; count: number }>();

/**
 * Counts one answered call; `status` is the HTTP status (e.g. "400") or the gRPC status name (e.g.
 * "INVALID_ARGUMENT"); `department` the caller when known ("" before authentication).
 */
export function countEdgeCall(edge: "grpc" | "portal", method: string, status: string, department = ""): void {
  const key = `${edge}\u0000${method}\u0000${status}`;
  const entry = counts.get(key);
  if (entry) entry.count++;
  else counts.set(key, { edge, method, status, count: 1 });
  edgeCalls.inc({ edge, method, department, status });
}

/** Every count of this process: [{ edge, method, status, count }]. */
export function edgeCallCounts(): Array<{ edge: string; method: string; status: string; count: number }> {
  return [...counts.values()].map((c) => ({ ...c }));
}
