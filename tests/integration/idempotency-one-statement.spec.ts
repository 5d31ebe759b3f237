/**
 * onceInOneStatement: the key, its answer and the change in one statement. The change happens once
 * per key, however many calls race with it; a repeated key answers with the first answer; a key
 * reused for another request is refused; a change that fails leaves no key behind. On PostgreSQL
 * and on PGlite.
 */
import type { Database } from "../../services/common/db/database";
import { databaseDrivers, type OpenedDatabase } from "../support/drivers";
import { onceInOneStatement } from "../../services/common/idempotency";
import { migrate } from "../../services/common/db/migrations";
import { projectPath } from "../../services/common/paths";

const write = (id: string, label: string) => ({
  sql: "INSERT INTO things (id, label) SELECT $5, $6 WHERE EXISTS (SELECT 1 FROM $claimed)",
  params: [id, label],
});

function describeDriver(name: string, open: () => Promise<OpenedDatabase>) {
  describe(`onceInOneStatement on ${name}`, () => {
    let db: Database;
    let done: () => Promise<void>;
    beforeAll(async () => {
      ({ db, done } = await open());
      // The service schema's common tables (idempotency_keys among them), as a service's start makes them.
      await migrate(db, projectPath("services", "common", "migrations"));
      await db.exec("CREATE TABLE things (id text PRIMARY KEY, label text NOT NULL)");
    });
    afterAll(async () => done());

    const count = async (id: string) => (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM things WHERE id = $1", [id])).rows[0].n;

    it("changes once per key and answers a repeat with the first answer", async () => {
      const first = await onceInOneStatement(db, "t:put", "key-00000001", { id: "a" }, { answer: "first" }, write("a", "one"));
      const again = await onceInOneStatement(db, "t:put", "key-00000001", { id: "a" }, { answer: "second" }, write("a-again", "two"));
      expect([first, again]).toEqual([{ answer: "first" }, { answer: "first" }]);
      expect([await count("a"), await count("a-again")]).toEqual([1, 0]);
    });

    it("refuses a key reused for another request", async () => {
      await expect(onceInOneStatement(db, "t:put", "key-00000001", { id: "b" }, {}, write("b", "x"))).rejects.toMatchObject({
        data: { reasonCode: "IDEMPOTENCY_KEY_REUSED" },
      });
      expect(await count("b")).toBe(0);
    });

    it("lets one of many racing calls change, and answers all of them alike", async () => {
      const answers = await Promise.all(
        Array.from({ length: 8 }, (_, i) => onceInOneStatement(db, "t:put", "key-00000002", { id: "c" }, { by: i }, write(`c-${i}`, "race"))),
      );
      expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
      const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM things WHERE id LIKE 'c-%'");
      expect(rows[0].n).toBe(1);
    });

    it("leaves no key when the change fails, so the call can be made again", async () => {
      await db.query("INSERT INTO things (id, label) VALUES ('taken', 'x')");
      await expect(onceInOneStatement(db, "t:put", "key-00000003", { id: "taken" }, {}, write("taken", "y"))).rejects.toMatchObject({ code: "23505" });
      const { rows } = await db.query("SELECT 1 FROM idempotency_keys WHERE scope = 't:put' AND key = 'key-00000003'");
      expect(rows).toEqual([]);
      expect(await onceInOneStatement(db, "t:put", "key-00000003", { id: "taken" }, { ok: true }, write("free", "y"))).toEqual({ ok: true });
    });
  });
}

for (const [name, open] of databaseDrivers("once1", 4)) describeDriver(name, open);
