/**
 * The HTTP server on PORT. GET /healthz: 200 when the broker, the databases of this process and,
 * where configured, NATS and Redis are up; 503 naming what is down otherwise. GET /livez: 200
 * while the process runs (for liveness probes that must not restart pods when a dependency is
 * down). The portal API joins it later.
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
    // A PING/PONG round trip: a connection flag can stay set while the server is gone, and
    // nats.js holds a flush until it has reconnected, which the health timeout turns into "down".
    rt.health.register("nats", async () => {
      const tx = (broker.transit as unknown as { tx?: { client?: { flush(): Promise<void> } } } | undefined)?.tx;
      if (!tx?.client) throw new Error(`not connected to ${rt.config.natsUrl}`);
      await withTimeout(tx.client.flush(), 1500, `no answer from NATS at ${rt.config.natsUrl}`);
    });
  }
  if (rt.config.redisUrl) rt.health.register("redis", () => rt.store.ping());
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)))]).finally(() =>
    clearTimeout(timer),
  );
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
        // Liveness: the process answers. Readiness and dependencies are /healthz.
        if (url.pathname === "/livez" && (req.method === "GET" || req.method === "HEAD")) {
          send(res, 200, { status: "alive" });
          return;
        }
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
