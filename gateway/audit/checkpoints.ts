/**
 * Signed checkpoints of the data-use chains (data-use-chain.ts): now and then the gateway takes each
 * schema's chain head (seq, hash) and signs { schema, seq, hash, at, prevSeq, prevHash } with the
 * hub's key (the receipts' key, published at GET /v1/keys), prev naming the schema's checkpoint
 * before (seq 0 and GENESIS for the first). They are kept in the gateway's schema, apart from the
 * chains they vouch for: whoever rewrites a department's log, hashes and all, cannot sign for it,
 * and removing a checkpoint from between others breaks the links.
 *
 * What checkpoints cannot show by themselves is the newest ones removed together with a rewrite of
 * the chain after the last one left: the verifier (coverage) then finds entries written over a span
 * far longer than one checkpoint interval that no checkpoint covers.
 */
import type { Database, Queryable } from "../../services/common/db/database";
import { GENESIS, hashAt } from "../../services/common/data-use-chain";
import { signWithHubKey, verifyHubSignature } from "../orchestrator/receipt";
import { verifyContent, type SignatureAlgorithm } from "../../services/licenses/signing/signer";

export interface Checkpoint {
  schema: string;
  seq: string;
  hash: string;
  at: string;
  keyId: string;
  algorithm: string;
  signerId: string;
  signature: string;
  /** The checkpoint before (seq "0" and GENESIS for the first); absent on checkpoints signed before links. */
  prev?: { seq: string; hash: string };
}

/**
 * Whose signature a checkpoint must carry: a key of the hub's database (hubKeys), or one of the keys
 * the hub published (publishedKeys, from a saved GET /v1/keys): the latter also catches a key row
 * replaced in the database under a published key id. Answers a problem, or undefined.
 */
export type CheckpointKeys = (gateway: Queryable, c: Checkpoint) => Promise<string | undefined>;

export const hubKeys: CheckpointKeys = async (gateway, c) =>
  (await verifyHubSignature(gateway, signed(c), { keyId: c.keyId, algorithm: c.algorithm, signerId: c.signerId, value: c.signature })) ? undefined : "does not carry the hub's signature: it was altered";

/** Keys by id as GET /v1/keys publishes them (receipt_keys: key_id, algorithm, public_key_pem). */
export function publishedKeys(keys: ReadonlyMap<string, { algorithm: string; publicKeyPem: string }>): CheckpointKeys {
  return async (_gateway, c) => {
    const key = keys.get(c.keyId);
    if (!key) return `is signed by key ${c.keyId}, which is not among the hub's published keys`;
    if (key.algorithm !== c.algorithm || !verifyContent(signed(c), c.signature, key.algorithm as SignatureAlgorithm, key.publicKeyPem, c.signerId)) {
      return `does not carry the signature of the published key ${c.keyId}: it was altered, or signed with a key put into the database under that id`;
    }
    return undefined;
  };
}

/** What a checkpoint signs. */
const signed = (c: Pick<Checkpoint, "schema" | "seq" | "hash" | "at" | "prev">) => ({
  type: "tongban.data-use-checkpoint",
  schema: c.schema,
  seq: c.seq,
  hash: c.hash,
  at: c.at,
  ...(c.prev ? { prevSeq: c.prev.seq, prevHash: c.prev.hash } : {}),
});

/**
 * Signs and stores a checkpoint of `schema`'s head, linked to the schema's last checkpoint; nothing
 * when the chain is empty or a checkpoint at or after that head exists (another replica signed it).
 * One checkpoint per schema at a time (advisory lock), so replicas never fork the links.
 */
export async function recordCheckpoint(gateway: Database, secret: string, head: { schema: string; seq: string; hash: string }, now = new Date()): Promise<boolean> {
  if (head.seq === "0") return false;
  return gateway.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`tongban.data-use-checkpoint.${head.schema}`]);
    const { rows: last } = await tx.query<{ seq: string; hash: string }>(
      "SELECT seq::text AS seq, hash FROM data_use_checkpoints WHERE schema_name = $1 ORDER BY data_use_checkpoints.seq DESC LIMIT 1",
      [head.schema],
    );
    if (last[0] && BigInt(last[0].seq) >= BigInt(head.seq)) return false;
    const prev = last[0] ?? { seq: "0", hash: GENESIS };
    const at = now.toISOString();
    const sig = await signWithHubKey(tx, secret, signed({ ...head, at, prev }));
    await tx.query(
      `INSERT INTO data_use_checkpoints (schema_name, seq, hash, at, key_id, algorithm, signer_id, signature, prev_seq, prev_hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [head.schema, head.seq, head.hash, at, sig.keyId, sig.algorithm, sig.signerId, sig.value, prev.seq, prev.hash],
    );
    return true;
  });
}

interface CheckpointRow {
  schema_name: string;
  seq: string;
  hash: string;
  at: Date;
  key_id: string;
  algorithm: string;
  signer_id: string;
  signature: string;
  prev_seq: string | null;
  prev_hash: string | null;
}

const CHECKPOINT_COLUMNS = "schema_name, seq::text AS seq, hash, at, key_id, algorithm, signer_id, signature, prev_seq::text AS prev_seq, prev_hash";

const toCheckpoint = (r: CheckpointRow): Checkpoint => ({
  schema: r.schema_name,
  seq: r.seq,
  hash: r.hash,
  at: new Date(r.at).toISOString(),
  keyId: r.key_id,
  algorithm: r.algorithm,
  signerId: r.signer_id,
  signature: r.signature,
  ...(r.prev_seq !== null && r.prev_hash !== null ? { prev: { seq: r.prev_seq, hash: r.prev_hash } } : {}),
});

/** A schema's checkpoints, oldest first. */
export async function checkpointsOf(gateway: Queryable, schema: string): Promise<Checkpoint[]> {
  const { rows } = await gateway.query<CheckpointRow>(`SELECT ${CHECKPOINT_COLUMNS} FROM data_use_checkpoints WHERE schema_name = $1 ORDER BY data_use_checkpoints.seq`, [schema]);
  return rows.map(toCheckpoint);
}

/** What checking a schema's checkpoints found. */
export interface CheckpointReport {
  checked: number;
  /** The last checkpoint (the head it vouches for), if any. */
  last?: { seq: string; at: string };
  problem?: string;
}

/**
 * Checks a schema's checkpoints against its chain (`chain`, the schema's database): each signature
 * is the hub's (`keys`), each links to the one before it, and the chain still has at each
 * checkpoint's seq the hash signed there.
 */
export async function verifyCheckpoints(gateway: Queryable, chain: Queryable, schema: string, keys: CheckpointKeys = hubKeys): Promise<CheckpointReport> {
  const all = await checkpointsOf(gateway, schema);
  const last = all.length > 0 ? { seq: all[all.length - 1].seq, at: all[all.length - 1].at } : undefined;
  const report = (problem?: string): CheckpointReport => ({ checked: all.length, ...(last ? { last } : {}), ...(problem ? { problem } : {}) });
  let before: Checkpoint | undefined;
  for (const c of all) {
    const name = `checkpoint at seq ${c.seq} (${c.at})`;
    const keyProblem = await keys(gateway, c);
    if (keyProblem) return report(`${name} ${keyProblem}`);
    if (c.prev) {
      const expected = before ? { seq: before.seq, hash: before.hash } : { seq: "0", hash: GENESIS };
      if (c.prev.seq !== expected.seq || c.prev.hash !== expected.hash) {
        return report(
          BigInt(c.prev.seq) > BigInt(expected.seq)
            ? `${name} follows the checkpoint at seq ${c.prev.seq}, which is missing: a checkpoint was removed`
            : `${name} follows seq ${c.prev.seq}, not the checkpoint at seq ${expected.seq} before it: the checkpoints were altered`,
        );
      }
    } else if (before?.prev) {
      return report(`${name} names no checkpoint before it, though the one before does: it was not signed in this sequence`);
    }
    const hash = await hashAt(chain, c.seq);
    if (hash === undefined) return report(`${name}: the chain has no entry there: entries up to seq ${c.seq} were removed`);
    if (hash !== c.hash) return report(`${name}: the chain's hash there is not the one signed: the chain was rewritten at or before seq ${c.seq}`);
    before = c;
  }
  return report();
}

/** The entries of a chain that no checkpoint covers yet (seq after `afterSeq`): how many, and the span of their times. */
export async function uncoveredEntries(chain: Queryable, afterSeq: string): Promise<{ count: number; firstSeq?: string; lastSeq?: string; from?: string; to?: string }> {
  const { rows } = await chain.query<{ n: number; first_seq: string | null; last_seq: string | null; first_at: Date | null; last_at: Date | null }>(
    `SELECT count(*)::int AS n, min(seq)::text AS first_seq, max(seq)::text AS last_seq, min(at) AS first_at, max(at) AS last_at
       FROM data_uses WHERE seq > $1::bigint`,
    [afterSeq],
  );
  const r = rows[0];
  if (!r || r.n === 0) return { count: 0 };
  return { count: r.n, firstSeq: r.first_seq!, lastSeq: r.last_seq!, from: new Date(r.first_at!).toISOString(), to: new Date(r.last_at!).toISOString() };
}

/** Entries never chained that were written before `before` (a chaining pass should have taken them). */
export async function staleUnchained(chain: Queryable, before: Date): Promise<{ count: number; oldest?: string }> {
  const { rows } = await chain.query<{ n: number; oldest: Date | null }>("SELECT count(*)::int AS n, min(at) AS oldest FROM data_uses WHERE seq IS NULL AND at < $1", [before.toISOString()]);
  return rows[0]?.n ? { count: rows[0].n, oldest: new Date(rows[0].oldest!).toISOString() } : { count: 0 };
}

/** The newest checkpoint of every schema that has one, as GET /v1/data-use-checkpoints publishes them. */
export async function latestCheckpoints(gateway: Queryable): Promise<Checkpoint[]> {
  const { rows } = await gateway.query<CheckpointRow>(
    `SELECT DISTINCT ON (schema_name) ${CHECKPOINT_COLUMNS} FROM data_use_checkpoints ORDER BY schema_name, data_use_checkpoints.seq DESC`,
  );
  return rows.map(toCheckpoint);
}

/**
 * Checks checkpoints saved outside the database (anchors: earlier answers of GET
 * /v1/data-use-checkpoints) against a schema: each still carries the hub's signature, is still among
 * the schema's checkpoints, and the chain still has its hash at its seq. A log cut back after a
 * checkpoint, together with the checkpoints after it, leaves nothing inside the database to notice;
 * a saved anchor does.
 */
export async function verifyAnchors(gateway: Queryable, chain: Queryable, schema: string, anchors: readonly Checkpoint[], keys: CheckpointKeys = hubKeys): Promise<string | undefined> {
  const stored = new Map((await checkpointsOf(gateway, schema)).map((c) => [c.seq, c]));
  for (const a of anchors.filter((x) => x.schema === schema)) {
    const name = `the saved checkpoint at seq ${a.seq} (${a.at})`;
    const keyProblem = await keys(gateway, a);
    if (keyProblem) return `${name} ${keyProblem}`;
    const here = stored.get(a.seq);
    if (!here || here.hash !== a.hash) return `${name} is not among the checkpoints any more: the log was cut back or rewritten after it, and its checkpoints with it`;
    const hash = await hashAt(chain, a.seq);
    if (hash !== a.hash) return `${name}: the chain ${hash === undefined ? "has no entry there any more: it was cut back" : "has another hash there: it was rewritten"}`;
  }
  return undefined;
}
