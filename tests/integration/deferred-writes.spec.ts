/**
 * Writes deferred to COMMIT (atCommit with parameters) store exactly what the same statement with
 * bound parameters stores, on PostgreSQL (values written as literals, sent with COMMIT) and on
 * PGlite (run before the commit); one that fails fails the whole transaction, and nothing of it
 * is written.
 */
import { withLiterals, type Database } from "../../services/common/db/database";
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

    it("runs deferred statements in order, after the transaction's own, within transactionWith too", async () => {
      await db.transactionWith("SELECT 1 AS one", async (tx) => {
        tx.atCommit("UPDATE kinds SET note = note || $2 WHERE id = $1", [1, "-second"]);
        await tx.query("UPDATE kinds SET note = $2 WHERE id = $1", [1, "first"]);
      });
      expect((await db.query("SELECT note FROM kinds WHERE id = 1")).rows[0]).toEqual({ note: "first-second" });
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
