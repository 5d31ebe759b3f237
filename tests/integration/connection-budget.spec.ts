/**
 * A process whose pools (DATABASE_POOL_SIZE per schema) could take more connections than the
 * PostgreSQL server allows is told so at start: past the limit, statements wait for connections
 * that other pools hold idle (the bundle benchmark fell to a fifth). Real server, own database.
 */
import { loadConfig } from "../../services/common/config";
import { openDatabase, type Database } from "../../services/common/db/database";
import { rootLogger } from "../../services/common/logger";
import { checkConnectionBudget, HealthRegistry, type Runtime } from "../../services/common/runtime";
import { openSharedStore } from "../../services/common/shared-store";
import { createTestDatabase, dropTestDatabase, queryDatabase } from "../support/postgres";
import { requireServers } from "../support/servers";

let database: { name: string; url: string };
const opened: Database[] = [];

beforeAll(async () => {
  rootLogger("silent");
  await requireServers();
  database = await createTestDatabase();
}, 60_000);

afterAll(async () => {
  for (const db of opened) await db.close();
  if (database) await dropTestDatabase(database.name);
});

async function runtimeWith(poolSize: number, schemas: string[]): Promise<Runtime> {
  const config = loadConfig({ DATABASE_URL: database.url, DATABASE_POOL_SIZE: String(poolSize), SERVICES: "identity" });
  const databases = new Map<string, Promise<Database>>();
  for (const schema of schemas) {
    const db = await openDatabase(config, schema);
    opened.push(db);
    databases.set(schema, Promise.resolve(db));
  }
  return { config, store: openSharedStore(undefined, "t:"), health: new HealthRegistry(), databases };
}

describe("the connection budget", () => {
  it("warns when pool size × schemas exceeds what the server takes, naming both, and is quiet otherwise", async () => {
    const [{ max, reserved }] = await queryDatabase<{ max: number; reserved: number }>(
      database.url,
      "SELECT current_setting('max_connections')::int AS max, current_setting('superuser_reserved_connections')::int AS reserved",
    );
    const schemas = ["budget_a", "budget_b", "budget_c"];
    const over = Math.ceil((max - reserved + 1) / schemas.length);
    const warning = await checkConnectionBudget(await runtimeWith(over, schemas));
    expect(warning).toMatch(new RegExp(`^DATABASE_POOL_SIZE ${over} × 3 schemas = up to ${over * 3} connections from this process alone, but PostgreSQL takes ${max - reserved} `));
    expect(await checkConnectionBudget(await runtimeWith(10, schemas))).toBeUndefined();
  });
});
