/**
 * Signed checkpoints of the data-use chains (data-use-chain.ts): now and then the gateway takes each
 * schema's chain head (seq, hash) and signs { schema, seq, hash, at } with the hub's key (the
 * receipts' key, published at GET /v1/keys). They are kept in the gateway's schema, apart from the
 * chains they vouch for: whoever rewrites a department's log, hashes and all, cannot sign for it.
 */
import type { Queryable } from "../../services/common/db/database";
import { hashAt } from "../../services/common/data-use-chain";
import { signWithHubKey, verifyHubSignature } from "../orchestrator/receipt";

export interface Checkpoint {
  schema: string;
  seq: string;
  hash: string;
  at: string;
  keyId: string;
  algorithm: string;
  signerId: string;
  signature: string;
}

/** What a checkpoint signs. */
const signed = (c: Pick<Checkpoint, "schema" | "seq" | "hash" | "at">) => ({ type: "tongban.data-use-checkpoint", schema: c.schema, seq: c.seq, hash: c.hash, at: c.at });

/** Signs and stores a checkpoint of `schema`'s head (nothing when the chain is empty or the head was signed already). */
export async function recordCheckpoint(gateway: Queryable, secret: string, head: { schema: string; seq: string; hash: string }, now = new Date()): Promise<boolean> {
  if (head.seq === "0") return false;
  const at = now.toISOString();
  const sig = await signWithHubKey(gateway, secret, signed({ ...head, at }));
  const { rows } = await gateway.query(
    `INSERT INTO data_use_checkpoints (schema_name, seq, hash, at, key_id, algorithm, signer_id, signature)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING RETURNING seq`,
    [head.schema, head.seq, head.hash, at, sig.keyId, sig.algorithm, sig.signerId, sig.value],
  );
  return rows.length === 1;
}

/** A schema's checkpoints, oldest first. */
export async function checkpointsOf(gateway: Queryable, schema: string): Promise<Checkpoint[]> {
  const { rows } = await gateway.query<{ seq: string; hash: string; at: Date; key_id: string; algorithm: string; signer_id: string; signature: string }>(
    "SELECT seq::text AS seq, hash, at, key_id, algorithm, signer_id, signature FROM data_use_checkpoints WHERE schema_name = $1 ORDER BY data_use_checkpoints.seq",
    [schema],
  );
  return rows.map((r) => ({ schema, seq: r.seq, hash: r.hash, at: new Date(r.at).toISOString(), keyId: r.key_id, algorithm: r.algorithm, signerId: r.signer_id, signature: r.signature }));
}

/**
 * Checks a schema's checkpoints against its chain (`chain`, the schema's database): each signature
 * is the hub's, and the chain still has at each checkpoint's seq the hash signed there. Returns the
 * checkpoints checked and the first that fails, with why.
 */
export async function verifyCheckpoints(gateway: Queryable, chain: Queryable, schema: string): Promise<{ checked: number; problem?: string }> {
  const all = await checkpointsOf(gateway, schema);
  for (const c of all) {
    if (!(await verifyHubSignature(gateway, signed(c), { keyId: c.keyId, algorithm: c.algorithm, signerId: c.signerId, value: c.signature }))) {
      return { checked: all.length, problem: `checkpoint at seq ${c.seq} (${c.at}) does not carry the hub's signature: it was altered` };
    }
    const hash = await hashAt(chain, c.seq);
    if (hash === undefined) return { checked: all.length, problem: `checkpoint at seq ${c.seq} (${c.at}): the chain has no entry there: entries up to seq ${c.seq} were removed` };
    if (hash !== c.hash) return { checked: all.length, problem: `checkpoint at seq ${c.seq} (${c.at}): the chain's hash there is not the one signed: the chain was rewritten at or before seq ${c.seq}` };
  }
  return { checked: all.length };
}
