/**
 * One database interface over PostgreSQL (pg) and embedded PGlite, so services run the same SQL
 * on both. Each service opens its own handle on its own schema: no service reads another's tables.
 * On PGlite every schema of a process lives in one instance (DATA_DIR/pglite) with one connection:
 * a transaction holds it until it ends, so no transaction may stay open across a bus call.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { PGlite, Transaction } from "@electric-sql/pglite";
import { escapeLiteral, Pool, type PoolClient } from "pg";
// pg's own mapping of a JavaScript value to a parameter's text (not in its typings).
const { prepareValue } = require("pg/lib/utils") as { prepareValue: (value: unknown) => unknown };
import type { Config } from "../config";
import { rootLogger } from "../logger";
import { inSpan } from "../tracing";
import { createCluster, isOtherLiveProcess } from "./pglite-cluster";

export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

export interface Queryable {
  /** One statement with $1-style parameters. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<T>>;
}

/** A transaction's queries, and statements to send with its COMMIT. */
export interface DeferringQueryable extends Queryable {
  /**
   * Runs `sql` (with $1-style `params`) just before the transaction commits, in the COMMIT's round
   * trip on PostgreSQL: for writes whose result the transaction does not need (a row inserted
   * from values already known, an event queued). Deferred statements run in the order given,
   * after everything fn ran; an error in one (a unique key taken) fails the transaction as fn's
   * own statements would, and transaction() throws it.
   */
  atCommit(sql: string, params?: unknown[]): void;
}

/** A statement and its $1-style parameters. */
export interface Statement {
  sql: string;
  params?: unknown[];
}

/**
 * Thrown by a transaction's fn to roll the transaction back and answer `value`: no failure (the
 * transaction resolves with it), e.g. an idempotency key found used, answered from its record while
 * what travelled with its claim is undone (idempotency.ts `once`).
 */
export class RollBackAndAnswer<T> {
  constructor(readonly value: T) {}
}

/**
 * A statement a transaction already ran with its opening (transactionWith's `reads`), and what it
 * answered: a change's first insert, handed to the code that would otherwise run it.
 */
export interface FirstRun {
  statement: Statement;
  result: QueryResult<Record<string, unknown>>;
}

/** What transactionWith runs: the transaction, the opening's result and the reads' results in order. */
export type OpenedTransaction<T> = (
  tx: DeferringQueryable,
  opened: QueryResult<Record<string, unknown>>,
  reads: Array<QueryResult<Record<string, unknown>>>,
) => Promise<T>;

export interface Database extends Queryable {
  readonly kind: "postgres" | "pglite";
  readonly schema: string;
  /** Several statements, no parameters (migrations). */
  exec(sql: string): Promise<void>;
  /** Runs fn in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: DeferringQueryable) => Promise<T>): Promise<T>;
  /**
   * As `transaction`, opening with `opening` (one statement, no parameters) whose result fn gets,
   * and sending the statements fn hands to `atCommit` (no parameters; values as escaped literals)
   * with the COMMIT. On PostgreSQL the opening travels with BEGIN and the deferred statements with
   * COMMIT: two round trips fewer for the idempotency key of every keyed change. `reads`, when
   * given, are more statements (with $n parameters) that travel with them, after the opening, whose
   * results fn gets in order: the row a change locks before it writes (`SELECT … FOR UPDATE`), or
   * a first write whose values are known before the transaction (an `INSERT … ON CONFLICT DO
   * NOTHING RETURNING`, undone with the rest when fn throws), one round trip fewer each. They run
   * whatever the opening found; one that fails fails the transaction before fn runs. fn throwing
   * a RollBackAndAnswer rolls the transaction back and resolves it with that answer.
   */
  transactionWith<T>(
    opening: string,
    fn: OpenedTransaction<T>,
    reads?: readonly Statement[],
  ): Promise<T>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

const SCHEMA_NAME = /^[a-z][a-z0-9_]{0,62}$/;

/** Opens the database of one service's schema: PostgreSQL when DATABASE_URL is set, else PGlite. */
export async function openDatabase(config: Config, schema: string): Promise<Database> {
  if (!SCHEMA_NAME.test(schema)) throw new Error(`invalid schema name "${schema}"`);
  const db = config.databaseUrl
    ? await openPostgres(config.databaseUrl, schema, config.databasePoolSize)
    : await openPglite(config.dataDir, schema);
  return config.tracingZipkinUrl ? traced(db) : db;
}

/** The first words of a statement, for a span's name (never its parameters). */
const verbOf = (sql: string) => /^\s*(?:WITH\s+\w+\s+AS\s+\(\s*)?(\w+)/i.exec(sql)?.[1]?.toUpperCase() ?? "SQL";

/**
 * The database with a span per statement and per transaction under the action that runs it
 * (tracing.ts): named `<schema> <verb>`, tagged with the statement's text without its values.
 */
function traced(db: Database): Database {
  const where = { "db.system": db.kind === "postgres" ? "postgresql" : "pglite", "db.schema": db.schema };
  const transaction = <T>(work: () => Promise<T>) => inSpan(`${db.schema} transaction`, where, work);
  return new Proxy(db, {
    get(target, prop, receiver) {
      if (prop === "query") {
        return (sql: string, params?: unknown[]) =>
          inSpan(`${db.schema} ${verbOf(sql)}`, { ...where, "db.statement": sql.replace(/\s+/g, " ").slice(0, 500) }, () => target.query(sql, params));
      }
      if (prop === "transaction") return (fn: (tx: Queryable) => Promise<unknown>) => transaction(() => target.transaction(fn));
      if (prop === "transactionWith") {
        return (opening: string, fn: OpenedTransaction<unknown>, reads?: readonly Statement[]) =>
          transaction(() => target.transactionWith(opening, fn, reads));
      }
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * `sql` with its $n parameters written as literals, for statements sent in one simple query with
 * COMMIT (the simple protocol takes no parameters). Each value becomes what pg would have sent
 * (its prepareValue: dates with their offset, arrays as array literals, objects as JSON), quoted
 * by escapeLiteral, or NULL; an untyped literal takes its column's type as a parameter does.
 * $n inside quoted text or identifiers of `sql` is left alone; a $n with no value is refused, and
 * so is a statement this scan cannot read safely (comments, dollar quoting, E'' strings): a value
 * written into a comment could end it.
 */
export function withLiterals(sql: string, params: unknown[]): string {
  let out = "";
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    const next = sql[i + 1] ?? "";
    if ((c === "-" && next === "-") || (c === "/" && next === "*") || (c === "$" && !isDigit(next)) || ((c === "e" || c === "E") && next === "'" && !/\w/.test(sql[i - 1] ?? ""))) {
      throw new Error(`a deferred statement with values may hold no comment, dollar quoting or E'' string (at "${sql.slice(i, i + 12)}")`);
    }
    if (c === "'" || c === '"') {
      const end = sql.indexOf(c, i + 1);
      if (end < 0) throw new Error("unterminated quote in a deferred statement");
      out += sql.slice(i, end + 1);
      i = end + 1;
      continue;
    }
    const param = c === "$" ? ((PARAM.lastIndex = i), PARAM.exec(sql)) : null;
    if (param) {
      const n = Number(param[1]);
      if (n < 1 || n > params.length) throw new Error(`deferred statement refers to $${n}, given ${params.length} value(s)`);
      out += literalOf(params[n - 1]);
      i += param[0].length;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

/** A $n placeholder at a given position (sticky: matched where lastIndex says, nowhere else). */
const PARAM = /\$(\d+)/y;
const isDigit = (c: string) => c >= "0" && c <= "9";

function literalOf(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (Buffer.isBuffer(value)) return `'\\x${value.toString("hex")}'`;
  const prepared = prepareValue(value) as unknown;
  if (prepared === null) return "NULL";
  if (Buffer.isBuffer(prepared)) return `'\\x${prepared.toString("hex")}'`;
  const text = String(prepared);
  // A NUL would end the query text early; PostgreSQL refuses it in a bound value with 22021, and so
  // does this (the caller's error, answered as such by the data-exception middleware).
  if (text.includes("\u0000")) throw Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: "22021" });
  return escapeLiteral(text);
}

/** How deep a statement's value may nest lists or objects (a text[] is 1, a jsonb document's object is taken as JSON text). */
const MAX_VALUE_DEPTH = 8;

function depthOf(value: unknown, limit: number): number {
  if (value === null || typeof value !== "object" || Buffer.isBuffer(value) || value instanceof Uint8Array || value instanceof Date) return 0;
  if (limit <= 0) return 1;
  let deepest = 0;
  for (const v of Array.isArray(value) ? value : Object.values(value as Record<string, unknown>)) {
    deepest = Math.max(deepest, depthOf(v, limit - 1));
    if (deepest >= limit) break;
  }
  return deepest + 1;
}

/**
 * Refuses a statement's values that nest lists or objects more than MAX_VALUE_DEPTH deep, as the
 * database's own refusal of a value (22P02, which the data-exception middleware answers as
 * INVALID_ARGUMENT): both drivers turn a list into an array literal recursively, so a list nested
 * 10,000 deep that reached a query unchecked threw a RangeError out of the driver (bus fuzz).
 */
export function checkValueDepth(params: unknown[] | undefined): void {
  if (!params) return;
  for (const p of params) {
    if (p !== null && typeof p === "object" && depthOf(p, MAX_VALUE_DEPTH + 1) > MAX_VALUE_DEPTH) {
      throw Object.assign(new Error(`a value nests lists or objects more than ${MAX_VALUE_DEPTH} deep`), { code: "22P02" });
    }
  }
}

/** Distinct statement texts a pool prepares; SQL built at run time beyond that runs unnamed. */
const MAX_PREPARED = 1000;

/**
 * Names for parameterised statements, so PostgreSQL parses and plans each text once per
 * connection instead of on every call (the bundle benchmark went from 23.6 to 33.6 bundles/s at
 * 64 clients with this alone: planning the orchestrator's and departments' CTEs was a third of the
 * server's CPU). The name is a digest of the text, so a name never means two statements. Bounded:
 * a connection keeps what it prepared until it closes, so texts made at run time (there should be
 * none) stop being prepared after MAX_PREPARED.
 */
class StatementNames {
  private readonly names = new Map<string, string>();

  nameFor(sql: string): string | undefined {
    let name = this.names.get(sql);
    if (name === undefined && this.names.size < MAX_PREPARED) {
      name = `tb_${crypto.createHash("sha256").update(sql).digest("hex").slice(0, 32)}`;
      this.names.set(sql, name);
    }
    return name;
  }
}

/**
 * A prepared `SELECT *` whose table gained a column since (a migration by another replica) fails
 * with "cached plan must not change result type" (0A000) on that connection until it closes.
 */
const isStalePlan = (err: unknown) => (err as { code?: string }).code === "0A000" && /cached plan/.test(String((err as Error).message));

let lastTooManyWarning = 0;

/** Says, at most once a minute, that statements are waiting because the server has no connection left. */
function warnTooManyClients(): void {
  if (Date.now() - lastTooManyWarning < 60_000) return;
  lastTooManyWarning = Date.now();
  rootLogger().child({ mod: "database" }).warn(
    "PostgreSQL refused a connection: too many clients (53300); statements wait for one. The pools of every process sharing the server (DATABASE_POOL_SIZE per schema) exceed max_connections",
  );
}

/** How long a handle waits for the server to take one more connection before giving up. */
const CONNECT_PATIENCE_MS = 10_000;

/**
 * A pooled connection. When the server refuses a new one for the moment — all its connections in
 * use (53300 "too many clients"), starting up or shutting down (57P03) — it is asked again with a
 * growing pause for up to CONNECT_PATIENCE_MS: nothing was sent yet, so waiting is safe, and a
 * burst elsewhere on a shared server does not fail an officer's decision or a step's outcome.
 */
async function connectPatiently(pool: Pool): Promise<PoolClient> {
  const started = Date.now();
  for (let pause = 20; ; pause = Math.min(pause * 2, 500)) {
    try {
      return await pool.connect();
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === "53300") warnTooManyClients();
      if ((code !== "53300" && code !== "57P03") || Date.now() - started + pause > CONNECT_PATIENCE_MS) throw err;
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}

async function openPostgres(url: string, schema: string, max: number): Promise<Database> {
  // search_path per connection lets every service write unqualified table names in its own schema.
  // application_name names the service in pg_stat_activity and the server's log (ops: who holds a lock).
  const pool = new Pool({ connectionString: url, max, options: `-c search_path=${schema}`, application_name: `tongban-${schema}` });
  // An idle client's error (server restart) must not crash the process; the next query reconnects.
  pool.on("error", () => undefined);
  const first = await connectPatiently(pool);
  await first.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`).finally(() => first.release()).catch((err: unknown) => {
    // Concurrent CREATE SCHEMA IF NOT EXISTS from replicas can race on the catalog's unique index.
    if ((err as { code?: string }).code !== "23505") throw err;
  });
  const names = new StatementNames();
  async function run<T>(client: PoolClient, sql: string, params?: unknown[]): Promise<QueryResult<T>> {
    checkValueDepth(params);
    const name = params && params.length > 0 ? names.nameFor(sql) : undefined;
    const r = name ? await client.query({ name, text: sql, values: params }) : await client.query(sql, params as unknown[]);
    return { rows: r.rows as T[], rowCount: r.rowCount ?? 0 };
  }
  /** One statement on a pooled connection; a connection holding a stale plan is closed and the statement run once more on another. */
  async function poolQuery<T>(sql: string, params?: unknown[], attempt = 1): Promise<QueryResult<T>> {
    const client = await connectPatiently(pool);
    let result: QueryResult<T>;
    try {
      result = await run<T>(client, sql, params);
    } catch (err) {
      const stale = isStalePlan(err);
      // release(true) closes the connection, and with it every statement it prepared.
      client.release(stale);
      if (stale && attempt === 1) return poolQuery<T>(sql, params, 2);
      throw err;
    }
    client.release();
    return result;
  }
  /**
   * Runs fn on one client between BEGIN (sent with `opening`, when given, as one simple query) and
   * COMMIT (sent with the statements fn deferred); rolled back when anything throws. A stale plan
   * fails the transaction (the caller retries, as for any conflict) and closes the connection.
   */
  async function inTransaction<T>(
    opening: string | undefined,
    fn: OpenedTransaction<T>,
    reads: readonly Statement[] = [],
  ): Promise<T> {
    const client = await connectPatiently(pool);
    let stale = false;
    try {
      let opened: QueryResult<Record<string, unknown>> = { rows: [], rowCount: 0 };
      let readResults: Array<QueryResult<Record<string, unknown>>> = [];
      if (opening === undefined) await client.query("BEGIN");
      else {
        for (const r of reads) checkValueDepth(r.params);
        const text = ["BEGIN", opening, ...reads.map((r) => (r.params ? withLiterals(r.sql, r.params) : r.sql))].join(";\n");
        // A multi-statement simple query answers one result per statement: BEGIN's, the opening's, each read's.
        const results = (await client.query(text)) as unknown as Array<{ rows: Record<string, unknown>[]; rowCount: number | null }>;
        const resultOf = (r: { rows: Record<string, unknown>[]; rowCount: number | null }) => ({ rows: r.rows, rowCount: r.rowCount ?? 0 });
        opened = resultOf(results[1]);
        readResults = results.slice(2).map(resultOf);
      }
      const deferred: string[] = [];
      const result = await fn(
        { query: (sql, params) => run(client, sql, params), atCommit: (sql, params) => deferred.push(params ? withLiterals(sql, params) : sql) },
        opened,
        readResults,
      );
      await client.query([...deferred, "COMMIT"].join(";\n"));
      return result;
    } catch (err) {
      stale = isStalePlan(err);
      await client.query("ROLLBACK").catch(() => undefined);
      if (err instanceof RollBackAndAnswer) return err.value as T;
      throw err;
    } finally {
      client.release(stale);
    }
  }
  return {
    kind: "postgres",
    schema,
    query: poolQuery,
    async exec(sql) {
      await poolQuery(sql);
    },
    transaction: (fn) => inTransaction(undefined, (tx) => fn(tx)),
    transactionWith: (opening, fn, reads) => inTransaction(opening, fn, reads),
    async ping() {
      await pool.query("SELECT 1");
    },
    async close() {
      await pool.end();
    },
  };
}

/**
 * PGlite is single-process: a second process opening the same directory would corrupt it. A pid
 * file guards the directory; a stale one (its process gone) is taken over.
 */
function lockDirectory(dir: string): () => void {
  const file = path.join(dir, "tongban.pid");
  for (;;) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: "wx" });
      return () => fs.rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const holder = liveHolder(file);
      if (holder) throw inUse(dir, holder);
      fs.rmSync(file, { force: true });
    }
  }
}

/** The live process (other than this one) named by a pid file, if any. */
function liveHolder(file: string): number | undefined {
  let holder: number;
  try {
    holder = Number(fs.readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
  return isOtherLiveProcess(holder) ? holder : undefined;
}

const inUse = (dir: string, holder: number) =>
  new Error(`the embedded database ${dir} is in use by process ${holder}; stop it, or set DATABASE_URL to share a PostgreSQL server`);

/**
 * Earlier versions kept one PGlite database per schema in DATA_DIR/pglite/<schema>. The single
 * database now lives in DATA_DIR/pglite itself, so an old layout there is moved aside (not
 * migrated: the embedded default holds development data) and a fresh database is created.
 */
function setAsideOldLayout(dir: string): void {
  if (!fs.existsSync(dir) || fs.existsSync(path.join(dir, "PG_VERSION"))) return;
  const old = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(dir, e.name, "PG_VERSION")))
    .map((e) => e.name);
  if (old.length === 0) return;
  for (const schema of old) {
    const holder = liveHolder(path.join(dir, schema, "tongban.pid"));
    if (holder) throw inUse(path.join(dir, schema), holder);
  }
  const aside = `${dir}-per-schema-${new Date().toISOString().replace(/[:.]/g, "-")}`;
  fs.renameSync(dir, aside);
  rootLogger()
    .child({ mod: "database" })
    .warn(
      { schemas: old, movedTo: aside },
      `${dir} held one embedded database per schema (an earlier version); moved them to ${aside} and starting a new single database in ${dir} (their data is not carried over)`,
    );
}

/** The key of a statement text prepared for one schema. */
const preparedKey = (schema: string, sql: string) => `${schema}\u0000${sql}`;

/** A FIFO lock: each holder runs alone, in the order they asked. */
class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/**
 * The one PGlite instance of a process for a DATA_DIR, shared by the handles of every schema.
 * PGlite has one connection, so each statement of a handle runs under `mutex`, after switching
 * `search_path` to the handle's schema when the previous statement ran in another; a transaction
 * holds the mutex until it commits or rolls back.
 */
class SharedPglite {
  private readonly mutex = new Mutex();
  /** The schema the connection's search_path names now; undefined when unknown. */
  private searchPath: string | undefined;
  private handles = 0;
  /** Set when the last handle closed: the instance takes no new handle. */
  private closing = false;
  private closed = false;

  constructor(
    readonly dir: string,
    private readonly pg: PGlite,
    private readonly unlock: () => void,
  ) {}

  /** Counts a new handle; false when the instance is closing (open another). */
  retain(): boolean {
    if (this.closing) return false;
    this.handles++;
    return true;
  }

  /** Runs fn alone on the connection with search_path set to `schema`. */
  exclusive<T>(schema: string, fn: (pg: PGlite) => Promise<T>): Promise<T> {
    const open = inTransaction.getStore();
    if (open?.open && open.instance === this) {
      // It would queue behind the transaction that is waiting for it: refuse instead of hanging every service.
      return Promise.reject(
        new Error(
          `a statement on schema ${schema} was issued inside an open transaction on schema ${open.schema} of the same embedded database, ` +
            "not through that transaction: on PGlite's single connection it would wait forever. Make bus calls and other queries before or after the transaction",
        ),
      );
    }
    return this.mutex.run(async () => {
      if (this.closed) throw new Error(`the embedded database ${this.dir} is closed`);
      if (this.searchPath !== schema) {
        this.searchPath = undefined;
        await this.pg.exec(`SET search_path TO ${schema}`);
        this.searchPath = schema;
      }
      return fn(this.pg);
    });
  }

  /** Runs fn in a transaction on `schema`, holding the connection until it ends. */
  transaction<T>(schema: string, fn: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.exclusive(schema, async (pg) => {
      const open: OpenTransaction = { instance: this, schema, open: true };
      try {
        return await pg.transaction((tx) => inTransaction.run(open, () => fn(tx)));
      } finally {
        open.open = false;
      }
    });
  }

  /** Names of the statements prepared on the connection, by schema and text. */
  private readonly prepared = new Map<string, string>();

  /**
   * `EXECUTE name(values)` for a parameterised statement, preparing it on first use (`PREPARE name
   * AS sql`, once per schema and text, so its search_path never changes between uses): PGlite's own
   * queries parse and plan every statement anew, and the orchestrator's and departments' CTEs cost
   * a quarter less executed from a plan (3,000 runs of one: 0.86 s against 1.17 s). The values go
   * as literals (withLiterals: EXECUTE takes no bound parameters). Undefined — run the statement as
   * it is — when it is not worth it or not safe: large values (an upload's bytes), SQL the literal
   * writer refuses, a transaction already failed, or MAX_PREPARED texts prepared.
   */
  async preparedFor(c: Pick<Transaction, "query">, schema: string, sql: string, params: unknown[]): Promise<string | undefined> {
    if (params.some((v) => (Buffer.isBuffer(v) || v instanceof Uint8Array ? v.byteLength > 4096 : typeof v === "string" && v.length > 65_536))) return undefined;
    const key = preparedKey(schema, sql);
    let name = this.prepared.get(key);
    let values: string[];
    try {
      values = params.map(literalOf);
      // A text the literal writer refuses (a comment, dollar quoting) is never prepared.
      if (name === undefined) withLiterals(sql, params);
    } catch {
      return undefined;
    }
    if (name === undefined) {
      if (this.prepared.size >= MAX_PREPARED) return undefined;
      name = `tb_${crypto.createHash("sha256").update(key).digest("hex").slice(0, 32)}`;
      if (this.stale.delete(key)) await c.query(`DEALLOCATE ${name}`);
      await c.query(`PREPARE ${name} AS ${sql}`);
      this.prepared.set(key, name);
    }
    return `EXECUTE ${name}(${values.join(", ")})`;
  }

  /** Texts whose plan went stale: deallocated before they are prepared again. */
  private readonly stale = new Set<string>();

  /** Forgets a prepared statement whose plan went stale (see isStalePlan). */
  forgetPrepared(schema: string, sql: string): void {
    const key = preparedKey(schema, sql);
    if (this.prepared.delete(key)) this.stale.add(key);
  }

  /** Statements that may change the session (a SET in them): search_path is set again next time. */
  forgetSearchPath(): void {
    this.searchPath = undefined;
  }

  /** Drops a handle; the last one closes the database once the statements queued before it ran. */
  async release(): Promise<void> {
    if (--this.handles > 0) return;
    this.closing = true;
    instances.delete(this.dir);
    const closed = this.mutex
      .run(async () => {
        this.closed = true;
        await this.pg.close();
      })
      .finally(() => this.unlock());
    closings.set(this.dir, closed.catch(() => undefined));
    try {
      await closed;
    } finally {
      closings.delete(this.dir);
    }
  }
}

/** The transaction an async call chain runs in (to refuse a statement that would wait for it). */
interface OpenTransaction {
  instance: SharedPglite;
  schema: string;
  open: boolean;
}

const inTransaction = new AsyncLocalStorage<OpenTransaction>();
/** The open (or opening) instance per directory. */
const instances = new Map<string, Promise<SharedPglite>>();
/** Instances being closed, per directory: the next one there waits for the close to finish. */
const closings = new Map<string, Promise<void>>();

async function startPglite(dir: string): Promise<SharedPglite> {
  await closings.get(dir);
  setAsideOldLayout(dir);
  fs.mkdirSync(dir, { recursive: true });
  const unlock = lockDirectory(dir);
  try {
    if (!fs.existsSync(path.join(dir, "PG_VERSION"))) await createCluster(dir);
    // Loaded lazily: the wasm build is only needed on the embedded default.
    const { PGlite } = await import("@electric-sql/pglite");
    return new SharedPglite(dir, await PGlite.create(dir), unlock);
  } catch (err) {
    unlock();
    throw err;
  }
}

/** The process's instance for `dir`, opened on first use, with a handle counted. */
async function retainPglite(dir: string): Promise<SharedPglite> {
  for (;;) {
    let opening = instances.get(dir);
    if (!opening) {
      const started = startPglite(dir);
      opening = started;
      instances.set(dir, started);
      started.catch(() => instances.get(dir) === started && instances.delete(dir));
    }
    const instance = await opening;
    if (instance.retain()) return instance;
  }
}

/**
 * A handle on one schema of the process's shared PGlite database (DATA_DIR/pglite): every schema
 * is in the one instance, each handle's statements run with search_path set to its own.
 */
async function openPglite(dataDir: string, schema: string): Promise<Database> {
  const instance = await retainPglite(path.join(dataDir, "pglite"));
  try {
    await instance.exclusive(schema, (pg) => pg.exec(`CREATE SCHEMA IF NOT EXISTS ${schema}`));
  } catch (err) {
    await instance.release();
    throw err;
  }
  const wrap = (c: Pick<Transaction, "query">): Queryable => ({
    async query<T>(sql: string, params?: unknown[]) {
      checkValueDepth(params);
      const prepared = params && params.length > 0 ? await instance.preparedFor(c, schema, sql, params) : undefined;
      let r;
      try {
        r = prepared !== undefined ? await c.query<T>(prepared) : await c.query<T>(sql, params);
      } catch (err) {
        // A plan whose tables changed shape since (0A000): prepared again at its next use.
        if (prepared !== undefined && isStalePlan(err)) instance.forgetPrepared(schema, sql);
        throw err;
      }
      // PGlite reports affectedRows 0 for a SELECT: the rows returned count then.
      return { rows: r.rows, rowCount: Math.max(r.affectedRows ?? 0, r.rows.length) };
    },
  });
  /**
   * Runs fn in a transaction (opening with `opening`, when given) and the statements it deferred
   * before the commit. One connection in this process: no round trips to save, the same statements
   * in order. The transaction holds the connection until fn settles: fn must make no bus call.
   */
  const runTransaction = <T>(
    opening: string | undefined,
    fn: OpenedTransaction<T>,
    reads: readonly Statement[] = [],
  ) =>
    instance.transaction(schema, async (tx) => {
      const q = wrap(tx);
      const deferred: Array<[string, unknown[] | undefined]> = [];
      const opened = opening === undefined ? { rows: [], rowCount: 0 } : await q.query<Record<string, unknown>>(opening);
      const readResults: Array<QueryResult<Record<string, unknown>>> = [];
      for (const r of reads) readResults.push(await q.query<Record<string, unknown>>(r.sql, r.params));
      // Values are taken when given (as PostgreSQL's literals are), not when the commit comes.
      const result = await fn({ ...q, atCommit: (sql, params) => deferred.push([sql, params && [...params]]) }, opened, readResults);
      for (const [sql, params] of deferred) await (params ? q.query(sql, params) : tx.exec(sql));
      return result;
    }).catch((err: unknown) => {
      if (err instanceof RollBackAndAnswer) return err.value as T;
      throw err;
    });
  let closed = false;
  return {
    kind: "pglite",
    schema,
    query: (sql, params) => instance.exclusive(schema, (pg) => wrap(pg).query(sql, params)),
    async exec(sql) {
      await instance.exclusive(schema, async (pg) => {
        try {
          await pg.exec(sql);
        } finally {
          instance.forgetSearchPath();
        }
      });
    },
    transaction: (fn) => runTransaction(undefined, (tx) => fn(tx)),
    transactionWith: (opening, fn, reads) => runTransaction(opening, fn, reads),
    async ping() {
      await instance.exclusive(schema, (pg) => pg.query("SELECT 1"));
    },
    async close() {
      if (closed) return;
      closed = true;
      await instance.release();
    },
  };
}
