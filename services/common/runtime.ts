/**
 * What a process gives its services: configuration, the shared store and a health registry where
 * each service registers the checks /healthz runs (its database, the bus, Redis).
 */
import type { Config } from "./config";
import { openDatabase, type Database } from "./db/database";
import { migrate } from "./db/migrations";
import type { SharedStore } from "./shared-store";
import { projectPath } from "./paths";
import { chainPending, DataUseChainer } from "./data-use-chain";
import { rootLogger } from "./logger";

/** The data-use log's chaining passes of the databases this process opened (one per schema). */
const chainers = new Map<Database, DataUseChainer>();

export type HealthCheck = () => Promise<void>;

/** Named health checks of one process. */
export class HealthRegistry {
  private readonly checks = new Map<string, HealthCheck>();

  register(name: string, check: HealthCheck): void {
    this.checks.set(name, check);
  }

  unregister(name: string): void {
    this.checks.delete(name);
  }

  /** Runs every check with a time limit; `down` names each failing check and why. */
  async run(timeoutMs = 2000): Promise<{ ok: boolean; checks: Record<string, string>; down: string[] }> {
    const results = await Promise.all(
      [...this.checks].map(async ([name, check]) => {
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            check(),
            new Promise((_, reject) => {
              timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
            }),
          ]);
          return [name, "up"] as const;
        } catch (err) {
          return [name, `down: ${(err as Error).message}`] as const;
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    const checks = Object.fromEntries(results);
    const down = results.filter(([, s]) => s !== "up").map(([n]) => n);
    return { ok: down.length === 0, checks, down };
  }
}

export interface Runtime {
  config: Config;
  store: SharedStore;
  health: HealthRegistry;
  /** Databases opened in this process, one per schema, shared by the services of that schema. */
  databases: Map<string, Promise<Database>>;
}

/**
 * The database of a service's schema, opened and migrated once per process (two moleculer services
 * of one department share it). On the embedded default every schema's handle is on the process's
 * one PGlite instance, closed with the last handle. The process closes it on shutdown.
 */
export function openServiceDatabase(rt: Runtime, schema: string, service: string): Promise<Database> {
  let opening = rt.databases.get(schema);
  if (!opening) {
    opening = (async () => {
      const db = await openDatabase(rt.config, schema);
      // `service` names a folder under services/, or a project-relative folder (e.g. "gateway").
      const folder = service.includes("/") || service === "gateway" ? projectPath(service) : projectPath("services", service);
      await migrate(db, `${folder}/migrations`, projectPath("services", "common", "migrations"));
      rt.health.register(`database:${schema}`, () => db.ping());
      // Every schema keeps a data-use log: this process chains what its services write (data-use-chain.ts).
      const chainer = new DataUseChainer(db);
      chainer.start(rt.config.dataUseChainMs);
      chainers.set(db, chainer);
      return db;
    })();
    rt.databases.set(schema, opening);
    opening.catch(() => rt.databases.delete(schema));
  }
  return opening;
}

/** Closes every database this process opened. */
export async function closeDatabases(rt: Runtime): Promise<void> {
  const all = [...rt.databases.values()];
  rt.databases.clear();
  await Promise.all(
    all.map(async (p) => {
      const db = await p.catch(() => undefined);
      if (!db) return;
      const chainer = chainers.get(db);
      chainers.delete(db);
      // A last pass chains what the services wrote before the close (a failure leaves it to the next start).
      await chainer?.stop();
      if (chainer) while ((await chainPending(db).catch(() => 0)) > 0);
      await db.close();
    }),
  );
}

/** Runs a chaining pass of every schema this process opened, now (tests, the checkpoint before signing). */
export async function chainDataUsesNow(rt: Runtime): Promise<void> {
  for (const p of rt.databases.values()) {
    const db = await p.catch(() => undefined);
    if (db) while ((await chainPending(db)) > 0);
  }
}

/**
 * Warns when this process's pools could ask PostgreSQL for more connections than it allows:
 * DATABASE_POOL_SIZE connections per schema the process opened, against max_connections less the
 * superuser reserve. Past the server's limit a statement waits (up to 10 s) for a connection another
 * pool holds idle: the bundle benchmark fell from 12–17 to 3.3 开办企业/s with 24 × 6 pools against
 * max_connections 100. A warning, not a refusal: other processes share the server, and only the
 * operator knows how many. Answers the warning given, if any.
 */
export async function checkConnectionBudget(rt: Runtime): Promise<string | undefined> {
  if (!rt.config.databaseUrl || rt.databases.size === 0) return undefined;
  const db = await [...rt.databases.values()][0];
  const { rows } = await db.query<{ max: number; reserved: number }>(
    "SELECT current_setting('max_connections')::int AS max, current_setting('superuser_reserved_connections')::int AS reserved",
  );
  const allowed = rows[0].max - rows[0].reserved;
  // The gateway holds one more, outside its pool: the session listening for other replicas' changes (orchestrator/change-feed.ts).
  const listening = rt.config.services.includes("gateway") ? 1 : 0;
  const wanted = rt.config.databasePoolSize * rt.databases.size + listening;
  if (wanted <= allowed) return undefined;
  const warning =
    `DATABASE_POOL_SIZE ${rt.config.databasePoolSize} × ${rt.databases.size} schemas${listening ? " + 1 listening" : ""} = up to ${wanted} connections from this process alone, ` +
    `but PostgreSQL takes ${allowed} (max_connections ${rows[0].max} less ${rows[0].reserved} reserved): statements will wait for connections; ` +
    "lower DATABASE_POOL_SIZE or raise max_connections";
  rootLogger().child({ mod: "database" }).warn({ poolSize: rt.config.databasePoolSize, schemas: rt.databases.size, allowed }, warning);
  return warning;
}
