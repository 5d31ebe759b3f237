/**
 * The embedded default keeps every schema of a process in one PGlite instance (DATA_DIR/pglite)
 * with one connection: each handle's statements must land in its own schema however they
 * interleave, and a statement that would wait for an open transaction is refused, not hung.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadConfig } from "../../services/common/config";
import { openDatabase, type Database } from "../../services/common/db/database";
import { migrate } from "../../services/common/db/migrations";

const dirs: string[] = [];
function dataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tongban-pglite-shared-"));
  dirs.push(dir);
  return dir;
}
const open = (dir: string, schema: string) => openDatabase(loadConfig({ DATA_DIR: dir, LOG_LEVEL: "silent" }), schema);

afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe("one PGlite instance for every schema of a process", () => {
  const dir = dataDir();
  let a: Database;
  let b: Database;

  beforeAll(async () => {
    [a, b] = await Promise.all([open(dir, "shared_a"), open(dir, "shared_b")]);
    // The same unqualified table name in both schemas, with different columns and contents.
    await a.exec("CREATE TABLE items (id int PRIMARY KEY, owner text NOT NULL); CREATE TABLE only_a (x int)");
    await b.exec("CREATE TABLE items (id int PRIMARY KEY, label text NOT NULL, owner text NOT NULL)");
  }, 60_000);

  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it("keeps the data in DATA_DIR/pglite, one database for all schemas", () => {
    expect(a.kind).toBe("pglite");
    expect(fs.existsSync(path.join(dir, "pglite", "PG_VERSION"))).toBe(true);
    expect(fs.existsSync(path.join(dir, "pglite", "shared_a"))).toBe(false);
    expect(fs.readFileSync(path.join(dir, "pglite", "tongban.pid"), "utf8")).toBe(String(process.pid));
    // The cluster was made aside (initdb in a child process) and moved in whole.
    expect(fs.readdirSync(dir)).toEqual(["pglite"]);
  });

  it("starts with the small buffer pool the cluster was created with", async () => {
    expect((await a.query<{ shared_buffers: string }>("SHOW shared_buffers")).rows).toEqual([{ shared_buffers: "32MB" }]);
  });

  it("lets no handle see another schema's tables", async () => {
    await expect(b.query("SELECT * FROM only_a")).rejects.toThrow(/only_a/);
    const columns = async (db: Database) =>
      (await db.query<{ column_name: string }>(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'items' ORDER BY ordinal_position",
      )).rows.map((r) => r.column_name);
    expect(await columns(a)).toEqual(["id", "owner"]);
    expect(await columns(b)).toEqual(["id", "label", "owner"]);
    expect((await a.query<{ s: string }>("SELECT current_schema() AS s")).rows[0].s).toBe("shared_a");
    expect((await b.query<{ s: string }>("SELECT current_schema() AS s")).rows[0].s).toBe("shared_b");
  });

  it("puts interleaved concurrent statements and transactions of two handles each in its own schema", async () => {
    const n = 40;
    await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        // Alternate plain statements and multi-statement transactions on both handles at once.
        if (i % 2 === 0) {
          await a.query("INSERT INTO items (id, owner) VALUES ($1, 'a')", [i]);
          await b.query("INSERT INTO items (id, label, owner) VALUES ($1, 'plain', 'b')", [i]);
        } else {
          await Promise.all([
            a.transaction(async (tx) => {
              await tx.query("INSERT INTO items (id, owner) VALUES ($1, 'a')", [i]);
              await new Promise((r) => setTimeout(r, 1));
              const { rows } = await tx.query<{ s: string }>("SELECT current_schema() AS s");
              expect(rows[0].s).toBe("shared_a");
            }),
            b.transaction(async (tx) => {
              await tx.query("INSERT INTO items (id, label, owner) VALUES ($1, 'tx', 'b')", [i]);
              const { rows } = await tx.query<{ s: string }>("SELECT current_schema() AS s");
              expect(rows[0].s).toBe("shared_b");
            }),
          ]);
        }
      }),
    );
    const owners = async (db: Database) => (await db.query<{ owner: string; n: number }>("SELECT owner, count(*)::int AS n FROM items GROUP BY owner")).rows;
    expect(await owners(a)).toEqual([{ owner: "a", n }]);
    expect(await owners(b)).toEqual([{ owner: "b", n }]);
  });

  it("rolls back a failed transaction of one handle without touching the other's", async () => {
    const failing = a.transaction(async (tx) => {
      await tx.query("INSERT INTO items (id, owner) VALUES (1000, 'a')");
      throw new Error("refused");
    });
    const passing = b.transaction((tx) => tx.query("INSERT INTO items (id, label, owner) VALUES (1000, 'kept', 'b')"));
    await expect(failing).rejects.toThrow("refused");
    await passing;
    expect((await a.query("SELECT 1 FROM items WHERE id = 1000")).rowCount).toBe(0);
    expect((await b.query("SELECT 1 FROM items WHERE id = 1000")).rowCount).toBe(1);
  });

  it("refuses a statement that would wait for the transaction it is issued from, instead of hanging", async () => {
    await expect(a.transaction(() => b.query("SELECT 1"))).rejects.toThrow(/inside an open transaction on schema shared_a/);
    await expect(a.transaction(() => a.query("SELECT 1"))).rejects.toThrow(/would wait forever/);
    // The connection is free again afterwards.
    expect((await b.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
  });

  it("migrates each schema on the shared instance apart", async () => {
    const migrations = fs.mkdtempSync(path.join(os.tmpdir(), "tongban-pglite-shared-mig-"));
    dirs.push(migrations);
    fs.writeFileSync(path.join(migrations, "001_things.sql"), "CREATE TABLE things (id int PRIMARY KEY);");
    const [c, d] = await Promise.all([open(dir, "shared_c"), open(dir, "shared_d")]);
    try {
      expect(await Promise.all([migrate(c, migrations), migrate(d, migrations)])).toEqual([["001_things.sql"], ["001_things.sql"]]);
      expect(await migrate(c, migrations)).toEqual([]);
      await c.query("INSERT INTO things VALUES (1)");
      expect((await d.query("SELECT * FROM things")).rowCount).toBe(0);
    } finally {
      await Promise.all([c.close(), d.close()]);
    }
  });
});

describe("the shared instance's life", () => {
  it("closes with its last handle and opens again on the same directory", async () => {
    const dir = dataDir();
    const first = await open(dir, "life_a");
    const second = await open(dir, "life_b");
    await first.exec("CREATE TABLE t (x int); INSERT INTO t VALUES (7)");
    await first.close();
    // Still open for the other handle.
    expect((await second.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
    await second.close();
    expect(fs.existsSync(path.join(dir, "pglite", "tongban.pid"))).toBe(false);
    await expect(second.query("SELECT 1")).rejects.toThrow();

    const again = await open(dir, "life_a");
    try {
      expect((await again.query<{ x: number }>("SELECT x FROM t")).rows).toEqual([{ x: 7 }]);
    } finally {
      await again.close();
    }
  }, 60_000);

  it("moves the per-schema databases of an earlier version aside and starts a fresh one", async () => {
    const dir = dataDir();
    // The old layout: DATA_DIR/pglite/<schema>, each a PostgreSQL data directory.
    fs.mkdirSync(path.join(dir, "pglite", "identity"), { recursive: true });
    fs.writeFileSync(path.join(dir, "pglite", "identity", "PG_VERSION"), "17\n");
    const db = await open(dir, "identity");
    try {
      expect(fs.existsSync(path.join(dir, "pglite", "PG_VERSION"))).toBe(true);
      const aside = fs.readdirSync(dir).filter((f) => f.startsWith("pglite-per-schema-"));
      expect(aside).toHaveLength(1);
      expect(fs.existsSync(path.join(dir, aside[0], "identity", "PG_VERSION"))).toBe(true);
    } finally {
      await db.close();
    }
  }, 60_000);
});
