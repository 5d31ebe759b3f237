/**
 * The gateway's HTTP server on PORT: health (/healthz, /livez; see services/common/health-http.ts)
 * and the portal API (portal/portal.ts, described at GET /openapi.json).
 */
import type http from "node:http";
import type { ServiceSchema } from "moleculer";
import { edgeCallCounts } from "../../services/common/edge-metrics";
import { listen } from "../../services/common/health-http";
import type { Runtime } from "../../services/common/runtime";
import { statusWatchOf } from "../orchestrator/status-watch";
import { createPortal, type Portal } from "./portal/portal";

/** The HTTP service schema. */
export function httpService(rt: Runtime): ServiceSchema {
  let server: http.Server | undefined;
  let portal: Portal | undefined;
  return {
    name: "http",
    events: {
      // A department key was added or revoked: verify portal systems against the registry again.
      "departments.changed": {
        handler() {
          portal?.clearCaches();
        },
      },
    },
    actions: {
      port: { visibility: "public", handler: () => ({ port: (server?.address() as { port?: number } | null)?.port }) },
      /** Calls answered at this process's edges by edge, method and status (services/common/edge-metrics.ts). */
      edgeCalls: { visibility: "public", handler: async () => ({ calls: await edgeCallCounts() }) },
    },
    async started() {
      const api = await createPortal(this.broker, rt);
      portal = api;
      // Health (/healthz, /livez) is a route of the portal app too, documented with it.
      server = await listen((req, res) => api.handle(req, res), rt.config.httpPort);
      this.logger.info(`HTTP listening on port ${(server.address() as { port: number }).port}`);
    },
    async stopped() {
      // Held status reads are answered now, or closing the server would wait for them (up to 30 s).
      statusWatchOf(this.broker)?.close();
      const s = server;
      const api = portal;
      server = undefined;
      portal = undefined;
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
      await api?.close();
    },
  };
}
