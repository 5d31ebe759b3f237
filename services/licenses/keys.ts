/**
 * Departments' licence-signing keys: one active key per department, created on first use and
 * rotated on request; retired keys stay for verification, so old licences keep verifying.
 */
import type { Queryable } from "../common/db/database";
import type { Config } from "../common/config";
import { resolveSecret } from "../common/secrets";
import type { SigningKey as SigningKeyMessage } from "../../proto/gen/tongban/licenses/v1/licenses";
import { openPrivateKey, sealPrivateKey } from "./signing/key-vault";
import { generateSigningKey, type SignatureAlgorithm } from "./signing/signer";
import { Memo } from "../common/memo";

interface KeyRow {
  key_id: string;
  department: string;
  algorithm: SignatureAlgorithm;
  public_key_pem: string;
  sealed_private_key: string;
  active: boolean;
  created_at: Date;
  retired_at: Date | null;
}

export interface ActiveKey {
  keyId: string;
  algorithm: SignatureAlgorithm;
  privateKeyPem: string;
}

/** The master secret sealing private keys: LICENSE_KEY_SECRET, or one kept under DATA_DIR/secrets. */
export function resolveMasterSecret(config: Config): string {
  return resolveSecret(config, "license-key-secret", config.licenseKeySecret);
}

function toMessage(r: KeyRow): SigningKeyMessage {
  return {
    keyId: r.key_id,
    department: r.department,
    algorithm: r.algorithm,
    publicKeyPem: r.public_key_pem,
    active: r.active,
    createdAt: new Date(r.created_at).toISOString(),
    retiredAt: r.retired_at ? new Date(r.retired_at).toISOString() : undefined,
  };
}

async function insertKey(tx: Queryable, department: string, algorithm: SignatureAlgorithm, secret: string) {
  const key = generateSigningKey(algorithm);
  // A concurrent first issue may have created the department's key; the partial unique index
  // makes this insert a no-op then, and the caller re-reads the winner.
  await tx.query(
    `INSERT INTO signing_keys (key_id, department, algorithm, public_key_pem, sealed_private_key)
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
    [key.keyId, department, algorithm, key.publicKeyPem, sealPrivateKey(key.privateKeyPem, secret)],
  );
}

/**
 * The active signing keys a licence service has read, by department, for a few seconds: every
 * licence is signed with one. One per service instance, so a cached key always comes from that
 * service's own database (two hubs in one process, as tests run them, never share one). A
 * rotation here clears it; one on another replica is seen within 5 s (a licence signed meanwhile
 * with the retired key still verifies: retired keys stay in the registry).
 */
export class ActiveKeys {
  private readonly keys = new Memo<Promise<ActiveKey>>(5000, 1024);

  /** The department's active key, created with `algorithm` when it has none. */
  async get(tx: Queryable, department: string, algorithm: SignatureAlgorithm, secret: string): Promise<ActiveKey> {
    const found = await this.find(tx, department, secret);
    if (found) return found;
    await insertKey(tx, department, algorithm, secret);
    // Not kept: the transaction that created it may still roll back.
    return readActiveKey(tx, department, secret);
  }

  /** The department's active key if it has one (undefined when none: `get` creates it in a transaction). */
  async find(q: Queryable, department: string, secret: string): Promise<ActiveKey | undefined> {
    try {
      return await this.keys.get(department, () => readActiveKey(q, department, secret));
    } catch (err) {
      if (err instanceof NoActiveKey) return undefined;
      throw err;
    }
  }

  /** Drops the cached active key of a department (after its rotation committed). */
  forget(department: string): void {
    this.keys.delete(department);
  }
}

class NoActiveKey extends Error {}

async function readActiveKey(q: Queryable, department: string, secret: string): Promise<ActiveKey> {
  const { rows } = await q.query<KeyRow>("SELECT * FROM signing_keys WHERE department = $1 AND active", [department]);
  if (!rows[0]) throw new NoActiveKey(`no active signing key for ${department}`);
  return { keyId: rows[0].key_id, algorithm: rows[0].algorithm, privateKeyPem: openPrivateKey(rows[0].sealed_private_key, secret) };
}

/** Retires the department's active key and creates a new one. */
export async function rotateKey(tx: Queryable, department: string, algorithm: SignatureAlgorithm, secret: string): Promise<SigningKeyMessage> {
  await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`tongban.signing-key.${department}`]);
  await tx.query("UPDATE signing_keys SET active = false, retired_at = now() WHERE department = $1 AND active", [department]);
  await insertKey(tx, department, algorithm, secret);
  const { rows } = await tx.query<KeyRow>("SELECT * FROM signing_keys WHERE department = $1 AND active", [department]);
  return toMessage(rows[0]);
}

/** A public key by id (active or retired), for verification. */
export function publicKey(q: Queryable, keyId: string): Promise<{ department: string; algorithm: SignatureAlgorithm; publicKeyPem: string } | undefined> {
  return publicKeys.get(keyId, async () => {
    const { rows } = await q.query<KeyRow>("SELECT department, algorithm, public_key_pem FROM signing_keys WHERE key_id = $1", [keyId]);
    // A key id names one public key for ever (it is the key's digest): kept once read. An unknown
    // id is not kept (a key registered later must be found).
    if (!rows[0]) throw new KeyUnknown();
    return { department: rows[0].department, algorithm: rows[0].algorithm, publicKeyPem: rows[0].public_key_pem };
  }).catch((err: unknown) => {
    if (err instanceof KeyUnknown) return undefined;
    throw err;
  });
}

class KeyUnknown extends Error {}

const publicKeys = new Memo<Promise<{ department: string; algorithm: SignatureAlgorithm; publicKeyPem: string }>>(Infinity, 1024);

/** All keys of a department, newest first. */
export async function listKeys(q: Queryable, department: string): Promise<SigningKeyMessage[]> {
  const { rows } = await q.query<KeyRow>(
    "SELECT * FROM signing_keys WHERE ($1 = '' OR department = $1) ORDER BY department, created_at DESC",
    [department],
  );
  return rows.map(toMessage);
}
