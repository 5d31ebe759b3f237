/**
 * A moleculer node with one `echo` action, run as a child process by the bundle benchmark's
 * request/reply baseline. Uses the hub's broker options (JSON serializer, bulkhead, retries,
 * circuit breaker) on the NATS given in NATS_URL, namespace BENCH_NAMESPACE.
 */
import { ServiceBroker } from "moleculer";
import { brokerOptions } from "../../services/common/broker";
import type { Config } from "../../services/common/config";

async function main() {
  const config = {
    namespace: process.env.BENCH_NAMESPACE ?? "bench-echo",
    nodeId: `bench-echo-server-${process.pid}`,
    natsUrl: process.env.NATS_URL,
    redisUrl: undefined,
    logLevel: "warn",
    requestTimeoutMs: 10_000,
  } as unknown as Config;
  const broker = new ServiceBroker({ ...brokerOptions(config), logger: false, cacher: undefined });
  broker.createService({ name: "echo", actions: { echo: (ctx: { params: unknown }) => ctx.params } });
  await broker.start();
  process.stdout.write("echo ready\n");
  const stop = () => void broker.stop().finally(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
