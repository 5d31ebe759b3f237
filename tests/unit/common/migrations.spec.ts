import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { readMigrations, splitStatements } from "../../../services/common/db/migrations";

describe("splitStatements", () => {
  it("splits on semicolons and trims each statement", () => {
    expect(splitStatements("CREATE TABLE a (x int);\n  CREATE TABLE b (y int);\n")).toEqual([
      "CREATE TABLE a (x int)",
      "CREATE TABLE b (y int)",
    ]);
  });

  it("keeps a trailing statement without a semicolon", () => {
    expect(splitStatements("SELECT 1; SELECT 2")).toEqual(["SELECT 1", "SELECT 2"]);
    expect(splitStatements("SELECT 1")).toEqual(["SELECT 1"]);
  });

  it("drops empty statements and returns nothing for blank input", () => {
    expect(splitStatements("")).toEqual([]);
    expect(splitStatements("  \n ;; ;\n")).toEqual([]);
    expect(splitStatements("SELECT 1;;\n;SELECT 2;")).toEqual(["SELECT 1", "SELECT 2"]);
  });

  it("does not split on a semicolon inside a single-quoted string", () => {
    expect(splitStatements("INSERT INTO t VALUES ('a;b'); SELECT 1;")).toEqual(["INSERT INTO t VALUES ('a;b')", "SELECT 1"]);
  });

  it("handles doubled quotes inside a string", () => {
    const sql = "INSERT INTO t VALUES ('it''s; fine', ''''); SELECT ';'';'";
    expect(splitStatements(sql)).toEqual(["INSERT INTO t VALUES ('it''s; fine', '''')", "SELECT ';'';'"]);
  });

  it("keeps an empty string literal intact", () => {
    expect(splitStatements("ALTER TABLE t ALTER c SET DEFAULT ''; SELECT 1")).toEqual([
      "ALTER TABLE t ALTER c SET DEFAULT ''",
      "SELECT 1",
    ]);
  });

  it("does not split inside a $$ dollar-quoted body", () => {
    const fn = `CREATE FUNCTION touch() RETURNS trigger AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END;
$$ LANGUAGE plpgsql`;
    expect(splitStatements(`${fn};\nCREATE TABLE x (a int);`)).toEqual([fn, "CREATE TABLE x (a int)"]);
  });

  it("does not split inside a $tag$ body, even around a nested $$ or a different tag", () => {
    const doBlock = `DO $body$
BEGIN
  EXECUTE $q$SELECT 1; SELECT 2$q$;
  RAISE NOTICE 'a;b';
  PERFORM $$x;y$$;
END
$body$`;
    expect(splitStatements(`${doBlock}; SELECT 3;`)).toEqual([doBlock, "SELECT 3"]);
  });

  it("keeps quotes and -- inside a dollar-quoted body", () => {
    const fn = "CREATE FUNCTION f() RETURNS text AS $f$ SELECT 'it''s' -- not a comment; \n $f$ LANGUAGE sql";
    expect(splitStatements(`${fn}; SELECT 1`)).toEqual([fn, "SELECT 1"]);
  });

  it("drops -- comments, including ones holding semicolons and quotes", () => {
    const sql = `-- migration 001; creates things
CREATE TABLE a (x int); -- trailing comment; with 'quote
-- whole-line comment;
CREATE TABLE b (y int) -- no semicolon yet
;`;
    expect(splitStatements(sql)).toEqual(["CREATE TABLE a (x int)", "CREATE TABLE b (y int)"]);
  });

  it("returns nothing for a file of comments only, even without a final newline", () => {
    expect(splitStatements("-- just a note;\n-- another")).toEqual([]);
  });

  it("keeps -- inside a string literal", () => {
    expect(splitStatements("SELECT '-- not a comment; really'; SELECT 2")).toEqual(["SELECT '-- not a comment; really'", "SELECT 2"]);
  });

  it("takes an unterminated string or dollar body to the end of the input", () => {
    expect(splitStatements("SELECT 1; SELECT 'open; string")).toEqual(["SELECT 1", "SELECT 'open; string"]);
    expect(splitStatements("SELECT 1; DO $$ BEGIN; END")).toEqual(["SELECT 1", "DO $$ BEGIN; END"]);
  });

  it("splits the real migrations into statements that each contain SQL", () => {
    for (const dir of ["services/identity/migrations", "services/licenses/migrations"]) {
      for (const m of readMigrations(path.resolve(__dirname, "../../..", dir))) {
        const statements = splitStatements(m.sql);
        expect(statements.length).toBeGreaterThan(0);
        for (const s of statements) {
          expect(s).toBe(s.trim());
          expect(s).not.toMatch(/^--/);
          expect(s.length).toBeGreaterThan(0);
        }
      }
    }
  });
});

describe("readMigrations", () => {
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "tongban-migrations-"));
  });

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const write = (name: string, sql: string) => fs.writeFileSync(path.join(dir, name), sql, "utf8");
  const sha256 = (s: string) => crypto.createHash("sha256").update(s, "utf8").digest("hex");

  it("returns NNN_name.sql files sorted by version with their SQL and sha256", () => {
    write("002_second.sql", "CREATE TABLE b (y int);");
    write("010_tenth.sql", "CREATE TABLE j (z int);");
    write("001_first.sql", "CREATE TABLE a (x int);\n-- 中文注释\n");
    const files = readMigrations(dir);
    expect(files.map((f) => f.name)).toEqual(["001_first.sql", "002_second.sql", "010_tenth.sql"]);
    expect(files.map((f) => f.version)).toEqual(["001", "002", "010"]);
    expect(files[0].sql).toBe("CREATE TABLE a (x int);\n-- 中文注释\n");
    expect(files[0].checksum).toBe(sha256("CREATE TABLE a (x int);\n-- 中文注释\n"));
    expect(files[0].checksum).toMatch(/^[0-9a-f]{64}$/);
  });

  it("ignores files that do not follow the naming rule", () => {
    write("001_ok.sql", "SELECT 1;");
    write("README.md", "# notes");
    write("01_too_short.sql", "SELECT 2;");
    write("002_Upper.sql", "SELECT 3;");
    write("003-dash.sql", "SELECT 4;");
    write("004_draft.sql.bak", "SELECT 5;");
    write("notes.sql", "SELECT 6;");
    fs.mkdirSync(path.join(dir, "005_folder"));
    expect(readMigrations(dir).map((f) => f.name)).toEqual(["001_ok.sql"]);
  });

  it("accepts versions with more than three digits", () => {
    write("0001_a.sql", "SELECT 1;");
    expect(readMigrations(dir).map((f) => f.version)).toEqual(["0001"]);
  });

  it("changes the checksum when a file's content changes, even by one character", () => {
    write("001_a.sql", "CREATE TABLE a (x int);");
    const before = readMigrations(dir)[0].checksum;
    write("001_a.sql", "CREATE TABLE a (x int); ");
    const after = readMigrations(dir)[0].checksum;
    expect(after).not.toBe(before);
    write("001_a.sql", "CREATE TABLE a (x int);");
    expect(readMigrations(dir)[0].checksum).toBe(before);
  });

  it("returns an empty list for an empty folder and throws for a missing one", () => {
    expect(readMigrations(dir)).toEqual([]);
    expect(() => readMigrations(path.join(dir, "missing"))).toThrow();
  });

  it("reads the project's own migrations in order", () => {
    const files = readMigrations(path.resolve(__dirname, "../../../services/identity/migrations"));
    const names = files.map((f) => f.name);
    expect(names.slice(0, 2)).toEqual(["001_registries.sql", "002_departments.sql"]);
    expect(names.map((n) => Number(n.split("_")[0]))).toEqual(names.map((_, i) => i + 1));
  });
});

describe("splitStatements: the harder quoting cases", () => {
  it("keeps dollar-quoted bodies whose tag has digits, quoted identifiers, block comments and escape strings whole", () => {
    const sql = `CREATE FUNCTION f() RETURNS int AS $body1$ SELECT 1; SELECT 2; $body1$ LANGUAGE sql;
      SELECT "a;b" FROM t /* one; two */; SELECT E'x\\';y'; SELECT 4`;
    expect(splitStatements(sql)).toEqual([
      "CREATE FUNCTION f() RETURNS int AS $body1$ SELECT 1; SELECT 2; $body1$ LANGUAGE sql",
      'SELECT "a;b" FROM t',
      "SELECT E'x\\';y'",
      "SELECT 4",
    ]);
  });
});
