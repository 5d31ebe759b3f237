/** Migrations on a real PostgreSQL server and on PGlite: order, idempotence, races, edits, failures. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadConfig } from "../../services/common/config";
import { openDatabase, type Database } from "../../services/common/db/database";
import { migrate } from "../../services/common/db/migrations";
import { createTestDatabase, dropTestDatabase } from "../support/postgres";
import { requireServers } from "../support/servers";

function migrationsDir(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tongban-mig-"));
  for (const [name, sql] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), sql);
  return dir;
}

const FILES = {
  "001_things.sql": "CREATE TABLE things (id int PRIMARY KEY, label text NOT NULL);",
  "002_seed.sql": "INSERT INTO things VALUES (1, 'a;b'), (2, 'c');\n-- a comment; with a semicolon\nCREATE INDEX things_label ON things (label);",
  "010_more.sql": "ALTER TABLE things ADD COLUMN note text NOT NULL DEFAULT '';",
};

function suite(name: string, open: (schema: string) => Promise<Database>, cleanup: () => Promise<void>) {
  describe(name, () => {
    const opened: Database[] = [];
    const db = async (schema: string) => {
      const d = await open(schema);
      opened.push(d);
      return d;
    };
    afterAll(async () => {
      await Promise.all(opened.map((d) => d.close()));
      await cleanup();
    });

    it("applies files in order once, and a second run applies none", async () => {
      const d = await db("mig_order");
      const dir = migrationsDir(FILES);
      expect(await migrate(d, dir)).toEqual(["001_things.sql", "002_seed.sql", "010_more.sql"]);
      expect(await migrate(d, dir)).toEqual([]);
      const { rows } = await d.query<{ label: string; note: string }>("SELECT label, note FROM things ORDER BY id");
      expect(rows).toEqual([{ label: "a;b", note: "" }, { label: "c", note: "" }]);
    });

    it("refuses to start when an applied file was edited", async () => {
      const d = await db("mig_edit");
      const dir = migrationsDir(FILES);
      await migrate(d, dir);
      fs.writeFileSync(path.join(dir, "001_things.sql"), FILES["001_things.sql"].replace("label", "title"));
      await expect(migrate(d, dir)).rejects.toThrow(/001_things\.sql in schema mig_edit was changed after it was applied/);
    });

    it("rolls a failing migration back whole: nothing of the run is recorded or created", async () => {
      const d = await db("mig_fail");
      const dir = migrationsDir({ ...FILES, "011_broken.sql": "CREATE TABLE other (x int); SELECT no_such_column FROM things;" });
      await expect(migrate(d, dir)).rejects.toThrow(/no_such_column/);
      const { rows } = await d.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'mig_fail'");
      expect(rows).toEqual([]);
    });
  });
}

let pg: { name: string; url: string } | undefined;
suite(
  "on PostgreSQL",
  async (schema) => {
    if (!pg) {
      await requireServers();
      pg = await createTestDatabase();
    }
    return openDatabase(loadConfig({ DATABASE_URL: pg.url, SERVICES: "identity" }), schema);
  },
  async () => {
    if (pg) await dropTestDatabase(pg.name);
  },
);

const pgliteDir = fs.mkdtempSync(path.join(os.tmpdir(), "tongban-mig-pglite-"));
suite(
  "on PGlite",
  (schema) => openDatabase(loadConfig({ DATA_DIR: pgliteDir }), schema),
  async () => fs.rmSync(pgliteDir, { recursive: true, force: true }),
);

describe("several replicas starting at once on PostgreSQL", () => {
  it("apply each migration exactly once", async () => {
    await requireServers();
    const { name, url } = await createTestDatabase();
    const config = loadConfig({ DATABASE_URL: url, SERVICES: "identity" });
    const dir = migrationsDir(FILES);
    const replicas = await Promise.all(Array.from({ length: 4 }, () => openDatabase(config, "mig_race")));
    try {
      const results = await Promise.all(replicas.map((d) => migrate(d, dir)));
      expect(results.flat().sort()).toEqual(["001_things.sql", "002_seed.sql", "010_more.sql"]);
      const { rows } = await replicas[0].query<{ n: number }>("SELECT count(*)::int AS n FROM things");
      expect(rows[0].n).toBe(2);
    } finally {
      await Promise.all(replicas.map((d) => d.close()));
      await dropTestDatabase(name);
    }
  });
});
