#!/usr/bin/env node
/**
 * Starts a Tongban process. Configuration comes from the environment (see .env.example);
 * SERVICES picks what this process hosts. A wrong setting stops it with the variable's name.
 */
import { ConfigError, loadConfig } from "../services/common/config";
import { rootLogger } from "../services/common/logger";
import { bootstrap } from "../services/bootstrap";
import { startHub } from "../services/hub";

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
  const log = rootLogger(config.logLevel);
  const hub = await startHub(config);
  await bootstrap(hub);
  log.info(
    {
      services: config.services,
      transport: config.natsUrl ? "nats" : "in-process",
      database: config.databaseUrl ? "postgresql" : `pglite (${config.dataDir})`,
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
  rootLogger().fatal({ err }, "failed to start");
  process.exit(1);
});
