/**
 * `once` with reads (services/common/idempotency.ts): statements sent with the key's claim whose
 * results the change gets — here, as in the departments, the change's first insert. A new key
 * keeps the insert with the change; a key used before rolls the transaction back (the insert that
 * travelled with the claim is undone) and answers the first result; a key reused for another
 * request is refused with nothing written; a change that refuses undoes the insert and leaves the
 * key unclaimed. On PostgreSQL and on PGlite.
 */
import crypto from "node:crypto";
import type { Database, Statement } from "../../services/common/db/database";
import { migrate } from "../../services/common/db/migrations";
import { once } from "../../services/common/idempotency";
import { failedPrecondition } from "../../services/common/errors";
import { projectPath } from "../../services/common/paths";
import { databaseDrivers, type OpenedDatabase } from "../support/drivers";

const SCOPE = "test:register";
/** A registration with a fresh id each time it is built, as a name reservation's or an entity's. */
const insertOf = (holder: string): Statement => ({
  sql: "INSERT INTO registrations (id, holder) VALUES ($1, $2) ON CONFLICT (holder) DO NOTHING RETURNING id",
  params: [`R-${crypto.randomUUID()}`, holder],
});

function describeDriver(name: string, open: () => Promise<OpenedDatabase>) {
  describe(`once with reads on ${name}`, () => {
    let db: Database;
    let done: () => Promise<void>;
    beforeAll(async () => {
      ({ db, done } = await open());
      // The idempotency table, as every service schema has it.
      await migrate(db, projectPath("services", "tax", "migrations"), projectPath("services", "common", "migrations"));
      await db.exec("CREATE TABLE registrations (id text PRIMARY KEY, holder text NOT NULL UNIQUE)");
    });
    afterAll(async () => done());

    const register = (key: string, holder: string, refuse = false) => {
      const insert = insertOf(holder);
      return once(
        db,
        SCOPE,
        key,
        { holder },
        async (_tx, [inserted]) => {
          if (refuse) throw failedPrecondition("REFUSED", "refused after the insert");
          if (inserted.rows.length === 0) throw failedPrecondition("ALREADY_REGISTERED", `${holder} is registered`);
          return { id: (inserted.rows[0] as { id: string }).id };
        },
        [insert],
      );
    };
    const rowsOf = async (holder: string) => (await db.query<{ id: string }>("SELECT id FROM registrations WHERE holder = $1", [holder])).rows;

    it("keeps the insert that travelled with a new key's claim, and answers a retry with it, undoing the retry's own insert", async () => {
      const first = await register("once-reads-1", "holder-1");
      expect(await rowsOf("holder-1")).toEqual([first]);
      // The retry's insert (another id, the same holder) met the row and the used key: rolled back.
      expect(await register("once-reads-1", "holder-1")).toEqual(first);
      expect(await rowsOf("holder-1")).toEqual([first]);
    });

    it("rolls back an insert that travelled with a used key even when it wrote a row", async () => {
      const first = await register("once-reads-2", "holder-2");
      // The row is gone (a compensation deleted it): the retry's insert writes one, then is undone.
      await db.query("DELETE FROM registrations WHERE holder = 'holder-2'");
      expect(await register("once-reads-2", "holder-2")).toEqual(first);
      expect(await rowsOf("holder-2")).toEqual([]);
    });

    it("refuses a key reused for another request, writing nothing", async () => {
      await register("once-reads-3", "holder-3");
      await expect(register("once-reads-3", "holder-3b")).rejects.toMatchObject({ data: { reasonCode: "IDEMPOTENCY_KEY_REUSED" } });
      expect(await rowsOf("holder-3b")).toEqual([]);
    });

    it("undoes the insert and leaves the key unclaimed when the change refuses; the corrected call then registers", async () => {
      await expect(register("once-reads-4", "holder-4", true)).rejects.toMatchObject({ data: { reasonCode: "REFUSED" } });
      expect(await rowsOf("holder-4")).toEqual([]);
      expect((await db.query("SELECT 1 FROM idempotency_keys WHERE scope = $1 AND key = 'once-reads-4'", [SCOPE])).rows).toEqual([]);
      const done4 = await register("once-reads-4", "holder-4");
      expect(await rowsOf("holder-4")).toEqual([done4]);
    });

    it("gives racing calls with one key one registration and one answer", async () => {
      const answers = await Promise.all(Array.from({ length: 6 }, () => register("once-reads-5", "holder-5")));
      expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
      expect(await rowsOf("holder-5")).toEqual([answers[0]]);
    });
  });
}

for (const [name, open] of databaseDrivers("oncereads", 4)) describeDriver(name, open);
