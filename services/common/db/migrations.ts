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

/**
 * Reads `NNN_name.sql` files from a folder, sorted by version. A `prefix` keeps the versions of a
 * shared folder (e.g. "common-001") apart from the service's own ("001").
 */
export function readMigrations(dir: string, prefix = ""): MigrationFile[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{3,}_[a-z0-9_]+\.sql$/.test(f))
    // Numeric order: 1000_x.sql comes after 999_y.sql.
    .sort((a, b) => Number(a.split("_", 1)[0]) - Number(b.split("_", 1)[0]) || a.localeCompare(b))
    .map((f) => {
      const sql = fs.readFileSync(path.join(dir, f), "utf8");
      const [version] = f.split("_", 1);
      return { version: `${prefix}${version}`, name: `${prefix}${f}`, sql, checksum: crypto.createHash("sha256").update(sql).digest("hex") };
    });
}

/**
 * Applies the migrations not yet recorded: first the ones every schema gets (services/common/
 * migrations: idempotency keys and the like), then the service's own. Returns the names applied now.
 */
export async function migrate(db: Database, dir: string, commonDir?: string): Promise<string[]> {
  const files = [...(commonDir ? readMigrations(commonDir, "common-") : []), ...readMigrations(dir)];
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
  // Copies sql[i..stop) into the current statement and moves on.
  const take = (stop: number) => {
    current += sql.slice(i, stop);
    i = stop;
  };
  const until = (needle: string, from: number) => {
    const end = sql.indexOf(needle, from);
    return end < 0 ? sql.length : end + needle.length;
  };
  while (i < sql.length) {
    const rest = sql.slice(i);
    const dollar = /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/.exec(rest);
    if (dollar) take(until(dollar[0], i + dollar[0].length));
    else if (rest.startsWith("--")) i = until("\n", i);
    else if (rest.startsWith("/*")) i = until("*/", i + 2);
    else if (/^[Ee]'/.test(rest)) {
      // Escape string: a backslash escapes the next character, a doubled quote is one quote.
      let j = i + 2;
      while (j < sql.length && sql[j] !== "'") j += sql[j] === "\\" ? 2 : 1;
      take(Math.min(j + 1, sql.length));
    } else if (sql[i] === "'") take(until("'", i + 1));
    else if (sql[i] === '"') take(until('"', i + 1));
    else if (sql[i] === ";") {
      if (current.trim()) out.push(current.trim());
      current = "";
      i++;
    } else take(i + 1);
  }
  if (current.trim()) out.push(current.trim());
  return out;
}
