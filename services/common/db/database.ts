/**
 * One database interface over PostgreSQL (pg) and embedded PGlite, so services run the same SQL
 * on both. Each service opens its own handle on its own schema: no service reads another's tables.
 */
import fs from "node:fs";
import path from "node:path";
import { Pool, type PoolClient } from "pg";
import type { Config } from "../config";

export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

export interface Queryable {
  /** One statement with $1-style parameters. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<T>>;
}

export interface Database extends Queryable {
  readonly kind: "postgres" | "pglite";
  readonly schema: string;
  /** Several statements, no parameters (migrations). */
  exec(sql: string): Promise<void>;
  /** Runs fn in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

const SCHEMA_NAME = /^[a-z][a-z0-9_]{0,62}$/;

/** Opens the database of one service's schema: PostgreSQL when DATABASE_URL is set, else PGlite. */
export async function openDatabase(config: Config, schema: string): Promise<Database> {
  if (!SCHEMA_NAME.test(schema)) throw new Error(`invalid schema name "${schema}"`);
  return config.databaseUrl
    ? openPostgres(config.databaseUrl, schema, config.databasePoolSize)
    : openPglite(path.join(config.dataDir, "pglite", schema), schema);
}

async function openPostgres(url: string, schema: string, max: number): Promise<Database> {
  // search_path per connection lets every service write unqualified table names in its own schema.
  const pool = new Pool({ connectionString: url, max, options: `-c search_path=${schema}` });
  // An idle client's error (server restart) must not crash the process; the next query reconnects.
  pool.on("error", () => undefined);
  await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`).catch((err: unknown) => {
    // Concurrent CREATE SCHEMA IF NOT EXISTS from replicas can race on the catalog's unique index.
    if ((err as { code?: string }).code !== "23505") throw err;
  });
  const wrap = (c: Pool | PoolClient): Queryable => ({
    async query<T>(sql: string, params?: unknown[]) {
      const r = await c.query(sql, params as unknown[]);
      return { rows: r.rows as T[], rowCount: r.rowCount ?? 0 };
    },
  });
  return {
    kind: "postgres",
    schema,
    ...wrap(pool),
    async exec(sql) {
      await pool.query(sql);
    },
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const result = await fn(wrap(client));
        await client.query("COMMIT");
        return result;
      } catch (err) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    async ping() {
      await pool.query("SELECT 1");
    },
    async close() {
      await pool.end();
    },
  };
}

/**
 * PGlite is single-process: a second process opening the same directory would corrupt it. A pid
 * file guards the directory; a stale one (its process gone) is taken over.
 */
function lockDirectory(dir: string): () => void {
  const file = path.join(dir, "tongban.pid");
  for (;;) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: "wx" });
      return () => fs.rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const holder = Number(fs.readFileSync(file, "utf8"));
      let alive = false;
      try {
        alive = holder > 0 && holder !== process.pid && process.kill(holder, 0);
      } catch {
        alive = false;
      }
      if (alive) {
        throw new Error(`the embedded database ${dir} is in use by process ${holder}; stop it, or set DATABASE_URL to share a PostgreSQL server`);
      }
      fs.rmSync(file, { force: true });
    }
  }
}

async function openPglite(dir: string, schema: string): Promise<Database> {
  fs.mkdirSync(dir, { recursive: true });
  const unlock = lockDirectory(dir);
  // Loaded lazily: the wasm build is only needed on the embedded default.
  const { PGlite } = await import("@electric-sql/pglite");
  const db = await PGlite.create(dir);
  await db.exec(`CREATE SCHEMA IF NOT EXISTS ${schema}; SET search_path TO ${schema};`);
  const wrap = (c: { query: typeof db.query }): Queryable => ({
    async query<T>(sql: string, params?: unknown[]) {
      const r = await c.query<T>(sql, params);
      // PGlite reports affectedRows 0 for a SELECT: the rows returned count then.
      return { rows: r.rows, rowCount: Math.max(r.affectedRows ?? 0, r.rows.length) };
    },
  });
  return {
    kind: "pglite",
    schema,
    ...wrap(db),
    async exec(sql) {
      await db.exec(sql);
    },
    // PGlite has one connection: its transaction() holds it exclusively until fn settles.
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx))),
    async ping() {
      await db.query("SELECT 1");
    },
    async close() {
      await db.close();
      unlock();
    },
  };
}
