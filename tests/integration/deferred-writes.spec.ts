/**
 * Writes deferred to COMMIT (atCommit with parameters) store exactly what the same statement with
 * bound parameters stores, on PostgreSQL (values written as literals, sent with COMMIT) and on
 * PGlite (run before the commit); one that fails fails the whole transaction, and nothing of it
 * is written. A read sent with a transaction's opening (transactionWith's `read`, the row a keyed
 * change locks) answers what the same statement bound answers, and one the database refuses
 * undoes the opening.
 */
import { RollBackAndAnswer, withLiterals, type Database } from "../../services/common/db/database";
import { databaseDrivers, type OpenedDatabase } from "../support/drivers";

const TABLE = `CREATE TABLE kinds (
  id int PRIMARY KEY, label text, at timestamptz, day date, n bigint, amount numeric, flag boolean,
  tags text[], doc jsonb, bytes bytea, note text)`;
const INSERT = "INSERT INTO kinds (id, label, at, day, n, amount, flag, tags, doc, bytes, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

/** Values a driver must not bend: quotes, backslashes, $n inside text, non-Latin text, edge numbers. */
const ROWS: unknown[][] = [
  [1, "O'Brien \\ $1 '$2' 统一社会信用代码", new Date("2026-12-01T08:00:00.123Z"), "2026-02-28", "9007199254740993", "12345.678", true,
    ["a", "b c", 'q"uote', "back\\slash", "{x}"], { name: "张三", nested: { list: [1, "$3"] } }, Buffer.from([0, 1, 2, 0xfe, 0xff]), null],
  [2, "", new Date("1999-12-31T23:59:59.000Z"), "2000-01-01", -1, "0", false, [], [], Buffer.alloc(0), undefined],
];

const SELECT = "SELECT id, label, at, day::text AS day, n::text AS n, amount::text AS amount, flag, tags, doc, encode(bytes, 'hex') AS bytes, note FROM kinds ORDER BY id";

function describeDriver(name: string, open: () => Promise<OpenedDatabase>) {
  describe(`deferred writes on ${name}`, () => {
    let db: Database;
    let done: () => Promise<void>;
    beforeAll(async () => {
      ({ db, done } = await open());
      await db.exec(`${TABLE}; ${TABLE.replace("kinds", "bound")}`);
    });
    afterAll(async () => done());

    it("stores what the same statement with bound parameters stores", async () => {
      for (const row of ROWS) {
        await db.query(INSERT.replace("kinds", "bound"), row);
        await db.transaction(async (tx) => {
          tx.atCommit(INSERT, row);
          // Not yet written: the statement runs with the commit.
          expect((await tx.query("SELECT count(*)::int AS c FROM kinds WHERE id = $1", [row[0]])).rows[0]).toEqual({ c: 0 });
        });
      }
      const deferred = await db.query(SELECT);
      const bound = await db.query(SELECT.replace("kinds", "bound"));
      expect(deferred.rows).toEqual(bound.rows);
      expect(deferred.rows[0]).toMatchObject({ label: ROWS[0][1], n: "9007199254740993", tags: ROWS[0][7], doc: ROWS[0][8], bytes: "000102feff", note: null });
    });

    if (name === "PGlite") {
      it("runs parameterised statements from a plan prepared once per schema and text, with the values they were given", async () => {
        const read = "SELECT $1::text AS label, $2::timestamptz AS at, $3::jsonb AS doc, $4::text[] AS tags, $5::bigint::text AS n, $6::boolean AS flag, $7::text AS none, encode($8::bytea, 'hex') AS bytes";
        const values = ["O'Brien \\ $1", new Date("2026-12-01T08:00:00.123Z"), { name: "张三", list: [1, "$2"] }, ["a", 'q"uote', "{x}"], "9007199254740993", false, null, Buffer.from([0, 0xff])];
        const expected = { label: values[0], at: values[1], doc: values[2], tags: values[3], n: "9007199254740993", flag: false, none: null, bytes: "00ff" };
        expect((await db.query(read, values)).rows).toEqual([expected]);
        expect((await db.query(read, values)).rows).toEqual([expected]);
        const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name LIKE 'tb\\_%' AND statement LIKE '%$8::bytea%'");
        expect(rows).toEqual([{ n: 1 }]);
        // An upload's bytes go bound, not as a literal: the statement runs as it is.
        const big = Buffer.alloc(100_000, 7);
        expect((await db.query<{ n: number }>("SELECT length($1::bytea) AS n", [big])).rows).toEqual([{ n: 100_000 }]);
      });

      it("prepares a statement again when its table changed shape since (at most one call fails)", async () => {
        const select = "SELECT * FROM kinds WHERE id = $1";
        expect((await db.query(select, [2])).rows).toHaveLength(1);
        await db.exec("ALTER TABLE kinds ADD COLUMN extra int NOT NULL DEFAULT 7");
        const once = await db.query<{ extra: number }>(select, [2]).catch((err: { code?: string }) => err.code);
        const again = await db.query<{ extra: number }>(select, [2]);
        expect([typeof once === "string" ? once : "answered", again.rows[0].extra]).toEqual([expect.stringMatching(/^(0A000|answered)$/), 7]);
      });
    }

    it("refuses a NUL in a value as PostgreSQL does (22021), bound, prepared or deferred, and writes nothing", async () => {
      await expect(db.query("SELECT $1::text AS t", ["a\u0000b"])).rejects.toMatchObject({ code: "22021" });
      await expect(
        db.transaction(async (tx) => {
          await tx.query("UPDATE kinds SET label = $2 WHERE id = $1", [2, "before-nul"]);
          tx.atCommit("UPDATE kinds SET note = $2 WHERE id = $1", [2, "x\u0000y"]);
        }),
      ).rejects.toMatchObject({ code: "22021" });
      expect((await db.query<{ label: string }>("SELECT label FROM kinds WHERE id = 2")).rows[0].label).not.toBe("before-nul");
    });

    it("runs deferred statements in order, after the transaction's own, within transactionWith too", async () => {
      await db.transactionWith("SELECT 1 AS one", async (tx) => {
        tx.atCommit("UPDATE kinds SET note = note || $2 WHERE id = $1", [1, "-second"]);
        await tx.query("UPDATE kinds SET note = $2 WHERE id = $1", [1, "first"]);
      });
      expect((await db.query("SELECT note FROM kinds WHERE id = 1")).rows[0]).toEqual({ note: "first-second" });
    });

    it("sends reads with the opening: their results, in order and as the same statements bound answer them, come to fn whatever the opening found", async () => {
      await db.query(INSERT, [10, ...ROWS[0].slice(1)]);
      const bound = (await db.query(SELECT.replace("ORDER BY id", "WHERE id = $1"), [10])).rows;
      expect(bound).toHaveLength(1);
      const lock = { sql: `${SELECT.replace("ORDER BY id", "WHERE id = $1 AND label = $2")} FOR UPDATE`, params: [10, ROWS[0][1]] };
      const count = { sql: "SELECT count(*)::int AS c FROM kinds WHERE id = ANY($1)", params: [[10, 11]] };
      for (const opening of ["SELECT 1 AS one", "SELECT 1 AS one WHERE false"]) {
        const seen = await db.transactionWith(opening, async (_tx, opened, reads) => ({ opened: opened.rows, reads }), [lock, count]);
        expect(seen).toEqual({
          opened: opening.endsWith("false") ? [] : [{ one: 1 }],
          reads: [
            { rows: bound, rowCount: 1 },
            { rows: [{ c: 1 }], rowCount: 1 },
          ],
        });
      }
      // No reads: none answered.
      expect(await db.transactionWith("SELECT 1 AS one", async (_tx, _opened, reads) => reads)).toEqual([]);
    });

    it("a write among the reads is undone when fn throws or rolls back on purpose (answering), and kept when it commits", async () => {
      const insert = (id: number) => ({ sql: "INSERT INTO kinds (id, label) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING id", params: [id, "read-write"] });
      await expect(
        db.transactionWith("SELECT 1 AS one", async (_tx, _opened, [written]) => {
          expect(written.rows).toEqual([{ id: 13 }]);
          throw new Error("refused after the write");
        }, [insert(13)]),
      ).rejects.toThrow("refused after the write");
      expect((await db.query("SELECT count(*)::int AS c FROM kinds WHERE id = 13")).rows[0]).toEqual({ c: 0 });
      // Rolled back on purpose: the write is undone and the transaction answers (no failure).
      await expect(
        db.transactionWith("SELECT 1 AS one", async () => {
          throw new RollBackAndAnswer({ answered: "before" });
        }, [insert(13)]),
      ).resolves.toEqual({ answered: "before" });
      expect((await db.query("SELECT count(*)::int AS c FROM kinds WHERE id = 13")).rows[0]).toEqual({ c: 0 });
      await db.transactionWith("SELECT 1 AS one", async () => undefined, [insert(13)]);
      expect((await db.query("SELECT label FROM kinds WHERE id = 13")).rows).toEqual([{ label: "read-write" }]);
    });

    it("a read with a value the database refuses fails the transaction before fn runs, and the opening's write is undone", async () => {
      let ran = false;
      await expect(
        db.transactionWith(
          "INSERT INTO kinds (id, label) VALUES (11, 'opening')",
          async () => {
            ran = true;
          },
          [{ sql: "SELECT id FROM kinds WHERE day = $1", params: ["not a date"] }],
        ),
      ).rejects.toMatchObject({ code: "22007" });
      expect(ran).toBe(false);
      const nul = { sql: "SELECT $1::text AS t", params: ["a\u0000b"] };
      await expect(db.transactionWith("INSERT INTO kinds (id, label) VALUES (12, 'opening')", async () => undefined, [nul])).rejects.toMatchObject({ code: "22021" });
      expect((await db.query("SELECT count(*)::int AS c FROM kinds WHERE id IN (11, 12)")).rows[0]).toEqual({ c: 0 });
    });

    it("a deferred statement that fails fails the transaction, and nothing of it is written", async () => {
      await expect(
        db.transaction(async (tx) => {
          await tx.query("UPDATE kinds SET label = $2 WHERE id = $1", [2, "changed"]);
          tx.atCommit(INSERT, ROWS[0]); // id 1 exists
          return "answer";
        }),
      ).rejects.toMatchObject({ code: "23505" });
      expect((await db.query("SELECT label FROM kinds WHERE id = 2")).rows[0]).toEqual({ label: "" });
      // The connection is usable afterwards.
      await db.transaction(async (tx) => tx.atCommit("UPDATE kinds SET label = $2 WHERE id = $1", [2, "after"]));
      expect((await db.query("SELECT label FROM kinds WHERE id = 2")).rows[0]).toEqual({ label: "after" });
    });
  });
}

for (const [name, open] of databaseDrivers("deferred", 2)) describeDriver(name, open);

describe("withLiterals", () => {
  it("leaves $n inside quoted text and identifiers alone, and refuses a $n without a value", () => {
    expect(withLiterals(`SELECT '$1', "$2", $1, $2`, ["x'y", null])).toBe(`SELECT '$1', "$2", 'x''y', NULL`);
    expect(() => withLiterals("SELECT $3", [1, 2])).toThrow(/\$3/);
    expect(() => withLiterals("SELECT 'open", [])).toThrow(/unterminated/);
    // What the scan cannot read safely is refused: a value written into a comment could end it.
    for (const sql of ["SELECT $1 -- note $1", "SELECT /* $1 */ $1", "SELECT $$it's$$, $1", "SELECT E'it\\'s', $1"]) {
      expect(() => withLiterals(sql, ["x\nDROP TABLE kinds"])).toThrow(/comment, dollar quoting or E'' string/);
    }
    expect(withLiterals("SELECT type'x', $1::text", [1])).toBe("SELECT type'x', '1'::text");
  });
});
