/** A fresh PostgreSQL database per test file on the shared server, dropped afterwards. */
import crypto from "node:crypto";
import { Client } from "pg";
import { POSTGRES_URL } from "./servers";

/**
 * A connected client. While the shared server has no connection left for the moment (53300 "too
 * many clients": a benchmark or another suite on the machine), it is asked again with a growing
 * pause for up to 30 s, as the hub's own pools do (connectPatiently): nothing was sent yet.
 */
async function connected(url: string): Promise<Client> {
  const started = Date.now();
  for (let pause = 50; ; pause = Math.min(pause * 2, 1000)) {
    const client = new Client({ connectionString: url });
    try {
      await client.connect();
      return client;
    } catch (err) {
      await client.end().catch(() => undefined);
      if ((err as { code?: string }).code !== "53300" || Date.now() - started + pause > 30_000) throw err;
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}

async function admin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const client = await connected(POSTGRES_URL);
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty database and returns its URL. */
export async function createTestDatabase(prefix = "tongban_it"): Promise<{ name: string; url: string }> {
  const name = `${prefix}_${crypto.randomBytes(5).toString("hex")}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return { name, url: url.toString() };
}

/** Drops a test database, closing whatever connections remain. */
export async function dropTestDatabase(name: string): Promise<void> {
  await admin(async (c) => {
    await c.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", [name]);
    await c.query(`DROP DATABASE IF EXISTS ${name}`);
  });
}

/** Runs one query on a test database. */
export async function queryDatabase<T = Record<string, unknown>>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = await connected(url);
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}
