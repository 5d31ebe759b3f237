/**
 * Health over HTTP for every process. GET /healthz: 200 when the broker, this process's databases
 * and, where configured, NATS and Redis are up; 503 naming what is down otherwise. GET /livez: 200
 * while the process runs (liveness probes must not restart a pod because a dependency is down).
 * The gateway serves these on PORT beside its API; other processes on HEALTH_PORT when it is set.
 */
import http from "node:http";
import type { ServiceBroker, ServiceSchema } from "moleculer";
import type { Runtime } from "./runtime";
import { METRICS_CONTENT_TYPE, renderMetrics } from "./metrics";

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)))]).finally(() =>
    clearTimeout(timer),
  );
}

/** Registers the process-wide checks: the broker itself, NATS and Redis when configured. */
export function registerProcessChecks(broker: ServiceBroker, rt: Runtime): void {
  rt.health.register("broker", async () => {
    if (!broker.started) throw new Error("broker is not started");
  });
  if (rt.config.natsUrl) {
    // A PING/PONG round trip: a connection flag can stay set while the server is gone, and
    // nats.js holds a flush until it has reconnected, which the timeout turns into "down".
    rt.health.register("nats", async () => {
      const tx = (broker.transit as unknown as { tx?: { client?: { flush(): Promise<void> } } } | undefined)?.tx;
      if (!tx?.client) throw new Error(`not connected to ${rt.config.natsUrl}`);
      await withTimeout(tx.client.flush(), 1500, `no answer from NATS at ${rt.config.natsUrl}`);
    });
  }
  if (rt.config.redisUrl) rt.health.register("redis", () => rt.store.ping());
}

/** Writes a JSON response. */
export function sendJson(res: http.ServerResponse, code: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(code, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(json) });
  res.end(json);
}

/** The answer to GET /healthz: 200 when every check is up, 503 naming what is down. */
export async function healthReport(rt: Runtime): Promise<{ status: number; body: Record<string, unknown> }> {
  try {
    const h = await rt.health.run();
    return { status: h.ok ? 200 : 503, body: { status: h.ok ? "ok" : "down", down: h.down, checks: h.checks } };
  } catch (err) {
    return { status: 503, body: { status: "down", error: (err as Error).message } };
  }
}

/** The answer to GET /livez: the process runs. */
export const LIVENESS = { status: "alive" } as const;

/** Answers /healthz, /livez and /metrics (with the broker); false when the request is for another path. */
export function serveHealth(req: http.IncomingMessage, res: http.ServerResponse, rt: Runtime, broker?: ServiceBroker): boolean {
  const path = new URL(req.url ?? "/", "http://localhost").pathname;
  if (req.method !== "GET" && req.method !== "HEAD") return false;
  if (path === "/livez") {
    sendJson(res, 200, LIVENESS);
    return true;
  }
  if (path === "/healthz") {
    void healthReport(rt).then((h) => sendJson(res, h.status, h.body));
    return true;
  }
  if (path === "/metrics" && broker) {
    renderMetrics(broker, rt).then(
      (text) => {
        res.writeHead(200, { "content-type": METRICS_CONTENT_TYPE, "cache-control": "no-store" });
        res.end(text);
      },
      (err: unknown) => sendJson(res, 500, { error: { code: "INTERNAL", message: `metrics: ${(err as Error).message}` } }),
    );
    return true;
  }
  return false;
}

/** Starts an HTTP server on a port; resolves to the server once it listens. */
export async function listen(handler: http.RequestListener, port: number): Promise<http.Server> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "0.0.0.0", () => resolve());
  });
  return server;
}

/** A health-only HTTP service for processes that host no gateway (HEALTH_PORT). */
export function healthService(rt: Runtime, port: number): ServiceSchema {
  let server: http.Server | undefined;
  return {
    name: "health",
    async started() {
      server = await listen((req, res) => {
        if (!serveHealth(req, res, rt, this.broker)) sendJson(res, 404, { error: { code: "NOT_FOUND", message: "health and metrics only: /healthz, /livez, /metrics" } });
      }, port);
      this.logger.info(`health listening on port ${(server.address() as { port: number }).port}`);
    },
    async stopped() {
      const s = server;
      server = undefined;
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };
}
