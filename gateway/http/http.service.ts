/**
 * The gateway's HTTP server on PORT: health (/healthz, /livez; see services/common/health-http.ts).
 * The portal API joins it in a later issue.
 */
import type http from "node:http";
import type { ServiceSchema } from "moleculer";
import { listen, sendJson, serveHealth } from "../../services/common/health-http";
import type { Runtime } from "../../services/common/runtime";

/** The HTTP service schema. */
export function httpService(rt: Runtime): ServiceSchema {
  let server: http.Server | undefined;
  return {
    name: "http",
    actions: {
      port: { visibility: "public", handler: () => ({ port: (server?.address() as { port?: number } | null)?.port }) },
    },
    async started() {
      server = await listen((req, res) => {
        if (serveHealth(req, res, rt)) return;
        const url = new URL(req.url ?? "/", "http://localhost");
        sendJson(res, 404, { error: { code: "NOT_FOUND", message: `no route ${req.method} ${url.pathname}` } });
      }, rt.config.httpPort);
      this.logger.info(`HTTP listening on port ${(server.address() as { port: number }).port}`);
    },
    async stopped() {
      const s = server;
      server = undefined;
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };
}
