/**
 * The HTTP server on PORT. For now it answers GET /healthz: 200 when the broker, the databases of
 * this process and, where configured, NATS and Redis are up; 503 naming what is down otherwise.
 * The portal API joins it later.
 */
import http from "node:http";
import type { ServiceBroker, ServiceSchema } from "moleculer";
import type { Runtime } from "../../services/common/runtime";

/** Registers the process-wide checks: the broker itself, NATS and Redis when configured. */
function registerProcessChecks(broker: ServiceBroker, rt: Runtime) {
  rt.health.register("broker", async () => {
    if (!broker.started) throw new Error("broker is not started");
  });
  if (rt.config.natsUrl) {
    rt.health.register("nats", async () => {
      const transit = broker.transit as unknown as { connected?: boolean } | undefined;
      if (!transit?.connected) throw new Error(`not connected to ${rt.config.natsUrl}`);
    });
  }
  if (rt.config.redisUrl) rt.health.register("redis", () => rt.store.ping());
}

function send(res: http.ServerResponse, code: number, body: unknown) {
  const json = JSON.stringify(body);
  res.writeHead(code, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(json) });
  res.end(json);
}

/** The HTTP service schema. */
export function httpService(rt: Runtime): ServiceSchema {
  let server: http.Server | undefined;
  return {
    name: "http",
    actions: {
      port: { visibility: "public", handler: () => ({ port: (server?.address() as { port?: number } | null)?.port }) },
    },
    async started() {
      registerProcessChecks(this.broker, rt);
      server = http.createServer((req, res) => {
        const url = new URL(req.url ?? "/", "http://localhost");
        if (url.pathname === "/healthz" && (req.method === "GET" || req.method === "HEAD")) {
          rt.health.run().then(
            (h) => send(res, h.ok ? 200 : 503, { status: h.ok ? "ok" : "down", down: h.down, checks: h.checks }),
            (err: Error) => send(res, 503, { status: "down", error: err.message }),
          );
          return;
        }
        send(res, 404, { error: { code: "NOT_FOUND", message: `no route ${req.method} ${url.pathname}` } });
      });
      await new Promise<void>((resolve, reject) => {
        server!.once("error", reject);
        server!.listen(rt.config.httpPort, "0.0.0.0", () => resolve());
      });
      this.logger.info(`HTTP listening on port ${(server.address() as { port: number }).port}`);
    },
    async stopped() {
      const s = server;
      server = undefined;
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };
}
