#!/usr/bin/env node
/**
 * Starts a Tongban process (`tongban start`, the default) or runs an administration command
 * (`tongban seed`, `tongban credentials`; see services/admin.ts). Configuration comes from the
 * environment (see .env.example); SERVICES picks what a process hosts. A wrong setting stops it
 * with the variable's name.
 */
import { ConfigError, loadConfig } from "../services/common/config";
import { rootLogger } from "../services/common/logger";
import { bootstrap } from "../services/bootstrap";
import { startHub } from "../services/hub";
import { runAdminCommand } from "../services/admin";
import { limitHeapGrowth } from "../services/common/heap";
import { endQuietlyWhenOutputCloses } from "./closed-pipe";

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const [command = "start", ...args] = process.argv.slice(2);
  if (command !== "start") {
    // A command prints its result; the broker's start-up chatter would bury it.
    const quiet = { ...config, logLevel: config.logLevel === "info" ? ("warn" as const) : config.logLevel };
    endQuietlyWhenOutputCloses();
    try {
      process.stdout.write(`${await runAdminCommand(command, args, quiet)}\n`);
      process.exit(0);
    } catch (err) {
      process.stderr.write(`${(err as Error).message}\n`);
      process.exit(1);
    }
  }
  const log = rootLogger(config.logLevel);
  limitHeapGrowth(config.heapGrowingPercent);
  const hub = await startHub(config);
  await bootstrap(hub);
  log.info(
    {
      services: config.services,
      transport: config.natsUrl ? "nats" : "in-process",
      database: !config.services.some((s) => s !== "gateway") ? "none" : config.databaseUrl ? "postgresql" : `pglite (${config.dataDir})`,
      store: config.redisUrl ? "redis" : "in-process",
    },
    `Tongban ready${config.services.includes("gateway") ? `: gRPC on ${config.grpcPort}, HTTP on ${config.httpPort}` : ""}`,
  );
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: stopping`);
    await hub.stop().catch((err) => log.error({ err }, "error while stopping"));
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).message}\n`);
  rootLogger().fatal({ err }, "failed");
  process.exit(1);
});
