/**
 * PostgreSQL handles run parameterised statements as named prepared statements. A prepared
 * `SELECT *` goes stale when another replica's migration adds a column; the handle must recover
 * instead of failing on that connection forever.
 */
import { loadConfig } from "../../services/common/config";
import { openDatabase, type Database } from "../../services/common/db/database";
import { createTestDatabase, dropTestDatabase, queryDatabase } from "../support/postgres";
import { requireServers } from "../support/servers";

describe("prepared statements on PostgreSQL", () => {
  let pg: { name: string; url: string };
  let db: Database;
  const SELECT = "SELECT * FROM things WHERE id = $1";

  beforeAll(async () => {
    await requireServers();
    pg = await createTestDatabase();
    // One connection, so the statement prepared below is the one the later calls meet.
    db = await openDatabase(loadConfig({ DATABASE_URL: pg.url, DATABASE_POOL_SIZE: "1", SERVICES: "identity" }), "prep");
    await db.exec("CREATE TABLE things (id int PRIMARY KEY, label text NOT NULL); INSERT INTO things VALUES (1, 'a'), (2, 'b');");
  });
  afterAll(async () => {
    await db.close();
    await dropTestDatabase(pg.name);
  });

  it("answers repeated statements with their own parameters", async () => {
    for (const [id, label] of [[1, "a"], [2, "b"], [1, "a"], [3, undefined]] as const) {
      const r = await db.query<{ label: string }>(SELECT, [id]);
      expect(r.rows[0]?.label).toBe(label);
    }
  });

  it("a statement prepared before another process added a column answers with the new column", async () => {
    await db.query(SELECT, [1]);
    await queryDatabase(pg.url, "ALTER TABLE prep.things ADD COLUMN note text NOT NULL DEFAULT 'n'");
    const r = await db.query<{ label: string; note: string }>(SELECT, [1]);
    expect(r.rows).toEqual([{ id: 1, label: "a", note: "n" }]);
  });

  it("a transaction that meets a stale statement fails whole, and the next one succeeds", async () => {
    await db.transaction((tx) => tx.query(SELECT, [2]));
    await queryDatabase(pg.url, "ALTER TABLE prep.things ADD COLUMN extra int NOT NULL DEFAULT 7");
    await expect(
      db.transaction(async (tx) => {
        await tx.query("UPDATE things SET label = $2 WHERE id = $1", [2, "changed"]);
        return tx.query(SELECT, [2]);
      }),
    ).rejects.toMatchObject({ code: "0A000" });
    // Nothing of the failed transaction was written, and the connection that held the stale plan is gone.
    const r = await db.transaction((tx) => tx.query<{ label: string; extra: number }>(SELECT, [2]));
    expect(r.rows).toEqual([{ id: 2, label: "b", note: "n", extra: 7 }]);
  });
});
