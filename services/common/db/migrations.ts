/**
 * Plain-SQL migrations per service: files `NNN_name.sql` in the service's migrations folder, applied
 * in order at start inside one transaction each and recorded in `<schema>.schema_migrations`.
 * An advisory lock lets several replicas start at once; an edited, already-applied file stops the start.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Database } from "./database";

export interface MigrationFile {
  version: string;
  name: string;
  sql: string;
  checksum: string;
}

/** Reads `NNN_name.sql` files from a folder, sorted by version. */
export function readMigrations(dir: string): MigrationFile[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{3,}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((f) => {
      const sql = fs.readFileSync(path.join(dir, f), "utf8");
      const [version] = f.split("_", 1);
      return { version, name: f, sql, checksum: crypto.createHash("sha256").update(sql).digest("hex") };
    });
}

/** Applies the migrations not yet recorded; returns the names applied now. */
export async function migrate(db: Database, dir: string): Promise<string[]> {
  const files = readMigrations(dir);
  const applied: string[] = [];
  await db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`tongban.migrate.${db.schema}`]);
    await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version text PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await tx.query<{ version: string; name: string; checksum: string }>(
      "SELECT version, name, checksum FROM schema_migrations",
    );
    const done = new Map(rows.map((r) => [r.version, r]));
    for (const file of files) {
      const prior = done.get(file.version);
      if (prior) {
        if (prior.checksum !== file.checksum) {
          throw new Error(`migration ${file.name} in schema ${db.schema} was changed after it was applied; add a new migration instead`);
        }
        continue;
      }
      for (const statement of splitStatements(file.sql)) await tx.query(statement);
      await tx.query("INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)", [
        file.version,
        file.name,
        file.checksum,
      ]);
      applied.push(file.name);
    }
  });
  return applied;
}

/**
 * Splits a migration into statements so each runs through the transaction's query() (PGlite's
 * transaction handle takes one statement at a time). Dollar-quoted bodies and quoted strings are respected.
 */
export function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let current = "";
  let i = 0;
  while (i < sql.length) {
    const rest = sql.slice(i);
    const dollar = /^\$[A-Za-z_]*\$/.exec(rest);
    if (dollar) {
      const end = sql.indexOf(dollar[0], i + dollar[0].length);
      const stop = end < 0 ? sql.length : end + dollar[0].length;
      current += sql.slice(i, stop);
      i = stop;
    } else if (rest.startsWith("--")) {
      const nl = sql.indexOf("\n", i);
      i = nl < 0 ? sql.length : nl + 1;
    } else if (sql[i] === "'") {
      const end = sql.indexOf("'", i + 1);
      const stop = end < 0 ? sql.length : end + 1;
      current += sql.slice(i, stop);
      i = stop;
    } else if (sql[i] === ";") {
      if (current.trim()) out.push(current.trim());
      current = "";
      i++;
    } else {
      current += sql[i++];
    }
  }
  if (current.trim()) out.push(current.trim());
  return out;
}
