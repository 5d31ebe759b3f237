/** Queries on the department registry: members, their public credentials, and access grants. */
import type { Queryable } from "../../common/db/database";
import type { AccessGrant, Department } from "../../../proto/gen/tongban/identity/v1/departments";

export interface CredentialRecord {
  keyId: string;
  department: string;
  algorithm: "ED25519" | "SM2-SM3";
  publicKeyPem: string;
}

/** All member departments. */
export async function listDepartments(db: Queryable): Promise<Department[]> {
  const { rows } = await db.query<{ code: string; name_zh: string; name_en: string }>(
    "SELECT code, name_zh, name_en FROM departments ORDER BY code",
  );
  return rows.map((r) => ({ code: r.code, nameZh: r.name_zh, nameEn: r.name_en }));
}

/** Whether a department code is a member. */
export async function isMember(db: Queryable, code: string): Promise<boolean> {
  const { rows } = await db.query("SELECT 1 FROM departments WHERE code = $1", [code]);
  return rows.length === 1;
}

/** The unrevoked credential with this key id, if any. */
export async function findCredential(db: Queryable, keyId: string): Promise<CredentialRecord | undefined> {
  const { rows } = await db.query<{ key_id: string; department: string; algorithm: "ED25519" | "SM2-SM3"; public_key_pem: string }>(
    "SELECT key_id, department, algorithm, public_key_pem FROM department_credentials WHERE key_id = $1 AND revoked_at IS NULL",
    [keyId],
  );
  const r = rows[0];
  return r && { keyId: r.key_id, department: r.department, algorithm: r.algorithm, publicKeyPem: r.public_key_pem };
}

/** Stores a department's public key; the same key again is a no-op. */
export async function addCredential(db: Queryable, c: CredentialRecord): Promise<void> {
  await db.query(
    `INSERT INTO department_credentials (key_id, department, algorithm, public_key_pem) VALUES ($1, $2, $3, $4)
     ON CONFLICT (key_id) DO NOTHING`,
    [c.keyId, c.department, c.algorithm, c.publicKeyPem],
  );
}

/** Departments holding at least one unrevoked credential. */
export async function departmentsWithCredentials(db: Queryable): Promise<Set<string>> {
  const { rows } = await db.query<{ department: string }>(
    "SELECT DISTINCT department FROM department_credentials WHERE revoked_at IS NULL",
  );
  return new Set(rows.map((r) => r.department));
}

interface GrantRow {
  method: string;
  grantee: string;
  granted_by: string;
  granted_at: Date;
}

const toGrant = (r: GrantRow): AccessGrant => ({
  method: r.method,
  grantee: r.grantee,
  grantedBy: r.granted_by,
  grantedAt: new Date(r.granted_at).toISOString(),
});

/** Grants, optionally filtered by grantee and method. */
export async function listGrants(db: Queryable, grantee = "", method = ""): Promise<AccessGrant[]> {
  const { rows } = await db.query<GrantRow>(
    `SELECT method, grantee, granted_by, granted_at FROM access_grants
     WHERE ($1 = '' OR grantee = $1) AND ($2 = '' OR method = $2) ORDER BY method, grantee`,
    [grantee, method],
  );
  return rows.map(toGrant);
}

/** Records a grant; granting again keeps the first grant. */
export async function grant(db: Queryable, method: string, grantee: string, grantedBy: string): Promise<AccessGrant> {
  await db.query(
    "INSERT INTO access_grants (method, grantee, granted_by) VALUES ($1, $2, $3) ON CONFLICT (method, grantee) DO NOTHING",
    [method, grantee, grantedBy],
  );
  const { rows } = await db.query<GrantRow>(
    "SELECT method, grantee, granted_by, granted_at FROM access_grants WHERE method = $1 AND grantee = $2",
    [method, grantee],
  );
  return toGrant(rows[0]);
}

/** Removes a grant; false when there was none. */
export async function revoke(db: Queryable, method: string, grantee: string): Promise<boolean> {
  const r = await db.query("DELETE FROM access_grants WHERE method = $1 AND grantee = $2", [method, grantee]);
  return r.rowCount > 0;
}
