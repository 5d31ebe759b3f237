/**
 * A PostgreSQL server that refuses one more connection for the moment (all in use: 53300) must
 * not fail the statement: the handle waits for one. Shown with a role limited to one connection
 * on the shared server (a limit of its own, so nothing else on the server is touched).
 */
import crypto from "node:crypto";
import { Client } from "pg";
import { loadConfig } from "../../services/common/config";
import { openDatabase, type Database } from "../../services/common/db/database";
import { createTestDatabase, dropTestDatabase, queryDatabase } from "../support/postgres";
import { POSTGRES_URL, requireServers } from "../support/servers";

describe("connections refused by a busy PostgreSQL server", () => {
  const role = `tb_limited_${crypto.randomBytes(4).toString("hex")}`;
  let pg: { name: string; url: string };
  let db: Database | undefined;
  let roleUrl: string;

  beforeAll(async () => {
    await requireServers();
    pg = await createTestDatabase();
    await queryDatabase(POSTGRES_URL, `CREATE ROLE ${role} LOGIN CONNECTION LIMIT 1`);
    await queryDatabase(POSTGRES_URL, `GRANT ALL ON DATABASE ${pg.name} TO ${role}`);
    const url = new URL(pg.url);
    url.username = role;
    url.password = "";
    roleUrl = url.toString();
  });
  afterAll(async () => {
    await db?.close();
    await dropTestDatabase(pg.name);
    await queryDatabase(POSTGRES_URL, `DROP ROLE IF EXISTS ${role}`);
  });

  it("waits for a connection instead of failing, and answers once one is free", async () => {
    const setup = await openDatabase(loadConfig({ DATABASE_URL: roleUrl, SERVICES: "identity" }), "busy");
    await setup.exec("CREATE TABLE things (id int PRIMARY KEY); INSERT INTO things VALUES (1);");
    await setup.close();

    // Someone else holds the role's one connection; it is freed after a while.
    const other = new Client({ connectionString: roleUrl });
    await other.connect();
    const order: string[] = [];
    const freeing = new Promise<void>((resolve) =>
      setTimeout(() => {
        order.push("freed");
        void other.end().then(resolve);
      }, 400),
    );
    // Opening a handle (it creates its schema) and its first statement wait for the connection.
    db = await openDatabase(loadConfig({ DATABASE_URL: roleUrl, SERVICES: "identity" }), "busy");
    const answer = await db.query<{ id: number }>("SELECT id FROM things WHERE id = $1", [1]);
    order.push("answered");
    await freeing;
    expect(answer.rows).toEqual([{ id: 1 }]);
    expect(order).toEqual(["freed", "answered"]);
  });
});
