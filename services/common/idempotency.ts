/**
 * Idempotent state changes. The key is recorded in the service's own schema in the same
 * transaction as the change it guards, so "same key again returns the first result and changes
 * nothing" holds even when two calls race (the second waits on the key's unique index) and even
 * across a crash. A key reused for a different request is refused.
 *
 * The table is created in every service schema by services/common/migrations.
 */
import crypto from "node:crypto";
import { escapeLiteral } from "pg";
import { RollBackAndAnswer, type Database, type DeferringQueryable, type FirstRun, type Queryable, type QueryResult, type Statement } from "./db/database";
import { failedPrecondition, invalidArgument } from "./errors";
import { canonicalJson } from "./canonical";

const KEY_FORMAT = /^[\x21-\x7e]{8,128}$/;

/**
 * The key of a downstream call made on behalf of a keyed request (`${key}:${step}`), so a retry of
 * the request repeats none of its steps. Kept within the 128-character limit by hashing long keys.
 */
export function deriveKey(key: string, step: string): string {
  const derived = `${key}:${step}`;
  if (derived.length <= 128) return derived;
  const hashed = `${crypto.createHash("sha256").update(key).digest("base64url")}:${step}`;
  // A long step too: hash the whole, keeping distinct steps distinct.
  return hashed.length <= 128 ? hashed : crypto.createHash("sha256").update(derived).digest("base64url");
}

/** Validates an idempotency key: 8-128 printable ASCII characters. */
export function checkIdempotencyKey(key: unknown, field = "idempotency_key"): string {
  if (typeof key !== "string" || key.length === 0) throw invalidArgument(field, "is required for a state-changing call");
  if (!KEY_FORMAT.test(key)) throw invalidArgument(field, "must be 8-128 printable ASCII characters without spaces");
  return key;
}

/** SHA-256 of the request's canonical JSON. */
export function hashRequest(request: unknown): string {
  return crypto.createHash("sha256").update(canonicalJson(request)).digest("hex");
}

/**
 * Runs `change` once per (scope, key). `scope` separates callers and actions (e.g. "samr:issueLicence");
 * `request` is hashed so the same key with different content is refused. `reads` (optional) are
 * statements sent with the key's claim, in its round trip on PostgreSQL, whose results `change`
 * gets in order: the row the change locks before it writes (tax's onceForTaxpayer), or its first write when
 * its values are known before (an `INSERT … ON CONFLICT DO NOTHING RETURNING`, which must not fail
 * on a row already there). They run whether or not the key is new. A key used before is answered
 * with its first result and the transaction rolled back (undoing such a write).
 */
export async function once<T>(
  db: Database,
  scope: string,
  key: string,
  request: unknown,
  change: (tx: DeferringQueryable, reads: Array<QueryResult<Record<string, unknown>>>) => Promise<T>,
  reads?: readonly Statement[],
): Promise<T> {
  const hash = hashRequest(request);
  // The key is claimed with BEGIN and its response recorded with COMMIT (escaped literals: the
  // scope and key are checked printable ASCII, the hash hex, the response JSON).
  const where = `scope = ${escapeLiteral(scope)} AND key = ${escapeLiteral(key)}`;
  return db.transactionWith(
    `INSERT INTO idempotency_keys (scope, key, request_hash) VALUES (${escapeLiteral(scope)}, ${escapeLiteral(key)}, ${escapeLiteral(hash)}) ON CONFLICT DO NOTHING`,
    async (tx, claimed, readResults) => {
      if (claimed.rowCount === 0) {
        const { rows } = await tx.query<{ request_hash: string; response: T }>("SELECT request_hash, response FROM idempotency_keys WHERE scope = $1 AND key = $2", [
          scope,
          key,
        ]);
        if (rows[0].request_hash !== hash) {
          throw failedPrecondition("IDEMPOTENCY_KEY_REUSED", `idempotency key ${key} was already used for a different request`);
        }
        // Rolled back, answered all the same: what travelled with the claim (a first insert) is undone.
        throw new RollBackAndAnswer(rows[0].response);
      }
      const result = await change(tx, readResults);
      tx.atCommit(`UPDATE idempotency_keys SET response = ${escapeLiteral(JSON.stringify(result) ?? "null")}::jsonb WHERE ${where}`);
      return result;
    },
    reads,
  );
}

/**
 * `once` for a change whose first statement is `insert`, its values known before the transaction
 * (an `INSERT … ON CONFLICT DO NOTHING RETURNING`): the insert travels with the key's claim and
 * `change` goes on from it as run (FirstRun); it is undone when the key was used before.
 */
export function onceInserting<T>(
  db: Database,
  scope: string,
  key: string,
  request: unknown,
  insert: Statement,
  change: (tx: DeferringQueryable, first: FirstRun) => Promise<T>,
): Promise<T> {
  return once(db, scope, key, request, (tx, [result]) => change(tx, { statement: insert, result }), [insert]);
}

/**
 * As `once`, for a change that is one statement whose answer is known before it runs (a licence
 * numbered and signed in full): the key with its answer and the change are written in one
 * statement, one round trip and no transaction. `change` is an INSERT … SELECT (or UPDATE …
 * FROM) in which `$claimed` names the key's claim, a relation of one row when the key is new and
 * of none when it was used: join or test it (`WHERE EXISTS (SELECT 1 FROM $claimed)`) so that the
 * change happens only with the claim. Its own parameters start at $5. A key used before answers
 * with its stored result (IDEMPOTENCY_KEY_REUSED when it was for another request); a statement that
 * fails (a unique key taken) writes neither the key nor the change.
 */
export async function onceInOneStatement<T>(
  db: Queryable,
  scope: string,
  key: string,
  request: unknown,
  answer: T,
  change: { sql: string; params: unknown[] },
): Promise<T> {
  const hash = hashRequest(request);
  const { rows } = await db.query<{ claimed: number }>(
    `WITH claimed AS (
       INSERT INTO idempotency_keys (scope, key, request_hash, response) VALUES ($1, $2, $3, $4::jsonb) ON CONFLICT DO NOTHING RETURNING key),
     changed AS (${change.sql.replaceAll("$claimed", "claimed")})
     SELECT count(*)::int AS claimed FROM claimed`,
    [scope, key, hash, JSON.stringify(answer) ?? "null", ...change.params],
  );
  if (rows[0].claimed === 1) return answer;
  // Used before (or by a call that committed while this one waited on the key): its answer.
  const earlier = await previousResult<T>(db, scope, key, request);
  if (earlier === undefined) throw new Error(`idempotency key ${key} of ${scope} is claimed without an answer`);
  return earlier;
}

/** As `once` when the caller sent a key; a plain transaction when the change is naturally idempotent. */
export async function onceIfKeyed<T>(
  db: Database,
  scope: string,
  key: string | undefined,
  request: unknown,
  change: (tx: DeferringQueryable) => Promise<T>,
): Promise<T> {
  return key ? once(db, scope, checkIdempotencyKey(key), request, change) : db.transaction(change);
}

/**
 * The stored result of an earlier call with this key, if any (refusing a key reused for another
 * request). Lets an action answer a retry before repeating reads on other services.
 */
export async function previousResult<T>(db: Queryable, scope: string, key: string, request: unknown): Promise<T | undefined> {
  const { rows } = await db.query<{ request_hash: string; response: T | null }>(
    "SELECT request_hash, response FROM idempotency_keys WHERE scope = $1 AND key = $2",
    [scope, key],
  );
  if (rows.length === 0 || rows[0].response === null) return undefined;
  if (rows[0].request_hash !== hashRequest(request)) {
    throw failedPrecondition("IDEMPOTENCY_KEY_REUSED", `idempotency key ${key} was already used for a different request`);
  }
  return rows[0].response;
}

/**
 * Runs a keyed change that reads other services before its own transaction (`once` inside `work`).
 * The stored result is read only when `work` is refused: a repeated call either meets `once`'s
 * key (and gets the first result there) or is refused by what its first attempt did (the name is
 * taken, the employer registered...) and is then answered from the stored result. A first call —
 * nearly every call — so costs no extra read; a repeated one repeats the reads of other services
 * (each idempotent, keyed by derived keys) before it is answered.
 */
export async function answerOnce<T>(db: Database, scope: string, key: string, request: unknown, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    const earlier = await previousResult<T>(db, scope, key, request).catch((e: unknown) => {
      // A key reused for another request is the caller's error; anything else keeps the first error.
      if ((e as { data?: { reasonCode?: string } }).data?.reasonCode === "IDEMPOTENCY_KEY_REUSED") throw e;
      return undefined;
    });
    if (earlier !== undefined) return earlier;
    throw err;
  }
}
