/**
 * One service schema's database handle on each driver the hub runs on, for tests of the database
 * layer that must hold on both: PostgreSQL (a fresh test database) and PGlite (a fresh DATA_DIR).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadConfig } from "../../services/common/config";
import { openDatabase, type Database } from "../../services/common/db/database";
import { createTestDatabase, dropTestDatabase } from "./postgres";
import { requireServers } from "./servers";

export interface OpenedDatabase {
  db: Database;
  /** Closes the handle and removes its database. */
  done: () => Promise<void>;
}

/** Each driver's name and how to open a handle on `schema` (pool of `poolSize` on PostgreSQL). */
export function databaseDrivers(schema: string, poolSize = 4): Array<[string, () => Promise<OpenedDatabase>]> {
  return [
    [
      "PostgreSQL",
      async () => {
        await requireServers();
        const pg = await createTestDatabase();
        const db = await openDatabase(loadConfig({ DATABASE_URL: pg.url, DATABASE_POOL_SIZE: String(poolSize), SERVICES: "identity" }), schema);
        return { db, done: async () => (await db.close(), await dropTestDatabase(pg.name)) };
      },
    ],
    [
      "PGlite",
      async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tongban-${schema}-`));
        const db = await openDatabase(loadConfig({ DATA_DIR: dir, SERVICES: "identity" }), schema);
        return { db, done: async () => (await db.close(), fs.rmSync(dir, { recursive: true, force: true })) };
      },
    ],
  ];
}
