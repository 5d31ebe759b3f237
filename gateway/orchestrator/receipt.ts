/**
 * The receipt of a finished application, signed by the hub: what was issued, and for each datum and
 * material where it came from (typed by the applicant, filled from a government source, uploaded
 * once), so anyone holding the hub's public key can check that nothing was asked twice.
 */
import type { Queryable } from "../../services/common/db/database";
import { openPrivateKey, sealPrivateKey } from "../../services/licenses/signing/key-vault";
import { generateSigningKey, KEY_ID, signContentOffThread, signerIdOf, verifyContent, type SignatureAlgorithm } from "../../services/licenses/signing/signer";
import { findField } from "../catalog/fields";
import type { ApplicationRow, StepRow } from "./store";

const SOURCE = "人口基础库 (identity: population registry)";

type HubKey = { keyId: string; algorithm: SignatureAlgorithm; privateKeyPem: string };
/** The active key of each database, once read: receipts are signed with it while the process runs. */
const activeKeys = new WeakMap<Queryable, Promise<HubKey>>();

/** The hub's active receipt key, created on first use. */
function activeHubKey(q: Queryable, secret: string): Promise<HubKey> {
  let key = activeKeys.get(q);
  if (!key) {
    key = readActiveHubKey(q, secret);
    activeKeys.set(q, key);
    key.catch(() => activeKeys.delete(q));
  }
  return key;
}

async function readActiveHubKey(tx: Queryable, secret: string): Promise<HubKey> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const { rows } = await tx.query<{ key_id: string; algorithm: SignatureAlgorithm; sealed_private_key: string }>(
      "SELECT key_id, algorithm, sealed_private_key FROM hub_keys WHERE active",
    );
    if (rows[0]) return { keyId: rows[0].key_id, algorithm: rows[0].algorithm, privateKeyPem: openPrivateKey(rows[0].sealed_private_key, secret) };
    const key = generateSigningKey("SM2-SM3");
    // A concurrent first receipt may have created it: the unique index keeps one.
    await tx.query(
      "INSERT INTO hub_keys (key_id, algorithm, public_key_pem, sealed_private_key) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
      [key.keyId, key.algorithm, key.publicKeyPem, sealPrivateKey(key.privateKeyPem, secret)],
    );
  }
  throw new Error("no hub receipt key");
}

/** A signature by the hub's active key over canonical `content`: what receipts and data-use checkpoints carry. */
export async function signWithHubKey(q: Queryable, secret: string, content: unknown): Promise<{ keyId: string; algorithm: SignatureAlgorithm; signerId: string; value: string }> {
  const key = await activeHubKey(q, secret);
  return { keyId: key.keyId, algorithm: key.algorithm, signerId: signerIdOf(key.algorithm), value: await signContentOffThread(content, key.algorithm, key.privateKeyPem) };
}

/** Whether `value` is the hub key `keyId`'s signature over canonical `content` (with the signer ID it names). */
export async function verifyHubSignature(q: Queryable, content: unknown, sig: { keyId: string; algorithm: string; signerId: string; value: string }): Promise<boolean> {
  const { rows } = await q.query<{ public_key_pem: string; algorithm: SignatureAlgorithm }>("SELECT public_key_pem, algorithm FROM hub_keys WHERE key_id = $1", [sig.keyId]);
  if (!rows[0] || rows[0].algorithm !== sig.algorithm) return false;
  return verifyContent(content, sig.value, rows[0].algorithm, rows[0].public_key_pem, sig.signerId);
}

/** The receipt content of an application (unsigned). */
export function receiptContent(app: ApplicationRow, steps: StepRow[], finishedAt: string) {
  const defs = new Map(app.bundle.steps.map((s) => [s.id, s]));
  return {
    receiptNumber: app.application_id,
    bundle: { code: app.bundle.code, nameZh: app.bundle.nameZh },
    applicant: app.applicant,
    status: app.status,
    submittedAt: new Date(app.submitted_at).toISOString(),
    finishedAt,
    steps: steps.map((s) => ({ step: s.step_key, nameZh: defs.get(s.step_id)!.nameZh, department: defs.get(s.step_id)!.department, status: s.status, issued: s.output ?? {} })),
    data: Object.keys(app.form).map((name) => {
      const def = findField(name)!;
      const decided = app.consent?.items.find((i) => i.field === name);
      if (decided) {
        // The applicant's own decision, recorded at submission (consent.ts).
        return decided.decision === "CONFIRMED"
          ? { field: name, labelZh: def.labelZh, source: decided.source, consent: "confirmed by the applicant" }
          : { field: name, labelZh: def.labelZh, source: "typed once by the applicant", consent: `refused the value from ${decided.source}` };
      }
      // Applications filed before consent was asked: a suggested value the applicant kept came from the registry too.
      const fromGovernment = Boolean(def.source) || (Boolean(def.suggested) && app.form[name] === app.applicant && !app.consent);
      return { field: name, labelZh: def.labelZh, source: fromGovernment ? SOURCE : "typed once by the applicant" };
    }),
    ...(app.consent ? { consent: app.consent } : {}),
    materials: Object.entries(app.materials).map(([type, materialId]) => ({
      type,
      materialId,
      source: "uploaded once to the material store",
      usedBy: app.bundle.steps.filter((s) => (s.materials ?? []).some((m) => m.type === type)).map((s) => s.id),
    })),
  };
}

/**
 * Builds and signs the receipt of a finished application (stored with the transition that finished
 * it). What is signed is the receipt with `signature` holding only algorithm, key id and signer ID
 * (SM2: GM/T 0009's default; receipts signed before it have none and used the empty ID).
 */
export async function signReceipt(q: Queryable, app: ApplicationRow, steps: StepRow[], secret: string): Promise<Record<string, unknown>> {
  const key = await activeHubKey(q, secret);
  const content = { ...receiptContent(app, steps, new Date().toISOString()), signature: { algorithm: key.algorithm, keyId: key.keyId, signerId: signerIdOf(key.algorithm) } };
  const value = await signContentOffThread(content, key.algorithm, key.privateKeyPem);
  return { ...content, signature: { ...content.signature, value } };
}

/** What a receipt check found: valid when no check failed; each failure names its check (key, signature) and why. */
export interface ReceiptVerification {
  valid: boolean;
  keyId: string;
  failures: Array<{ check: "format" | "key" | "signature"; reason: string }>;
}

/** Checks a receipt against the hub's public keys: valid when it is the hub's and unchanged. */
export async function verifyReceipt(q: Queryable, receipt: unknown): Promise<ReceiptVerification> {
  const sig = (receipt as { signature?: unknown } | null)?.signature as { algorithm?: unknown; keyId?: unknown; value?: unknown; signerId?: unknown } | undefined;
  const fail = (check: ReceiptVerification["failures"][number]["check"], reason: string, keyId = ""): ReceiptVerification => ({ valid: false, keyId, failures: [{ check, reason }] });
  if (!sig || typeof sig !== "object" || typeof sig.keyId !== "string" || typeof sig.value !== "string" || typeof sig.algorithm !== "string") {
    return fail("format", "the receipt has no signature { algorithm, keyId, value } (is it the receipt as the hub gave it?)");
  }
  if (sig.signerId !== undefined && typeof sig.signerId !== "string") return fail("format", "signature.signerId must be text", sig.keyId);
  // A key id of another form than keyIdFor makes names no key, and is not looked up.
  if (!KEY_ID.test(sig.keyId)) return fail("key", `"${sig.keyId.slice(0, 40).replace(/[^\x20-\x7e]/g, "?")}" is not a key id of the hub (e.g. sm2:0123456789abcdef)`);
  const { rows } = await q.query<{ public_key_pem: string; algorithm: SignatureAlgorithm }>("SELECT public_key_pem, algorithm FROM hub_keys WHERE key_id = $1", [sig.keyId]);
  if (!rows[0]) return fail("key", `the hub has no receipt key "${sig.keyId}"`, sig.keyId);
  if (rows[0].algorithm !== sig.algorithm) return fail("key", `key ${sig.keyId} is a ${rows[0].algorithm} key, the receipt says ${sig.algorithm}`, sig.keyId);
  const { value, ...signed } = sig;
  const ok = verifyContent({ ...(receipt as object), signature: signed }, value, rows[0].algorithm, rows[0].public_key_pem, (sig.signerId as string | undefined) ?? "");
  if (!ok) return fail("signature", "the receipt does not match the hub's signature: it was altered, or the signature is not the hub's", sig.keyId);
  return { valid: true, keyId: sig.keyId, failures: [] };
}

/** The hub's receipt keys, the active one created when there is none yet (so it is published before the first receipt). */
export async function receiptKeys(q: Queryable, secret: string) {
  await activeHubKey(q, secret);
  const { rows } = await q.query<{ key_id: string; algorithm: SignatureAlgorithm; public_key_pem: string; active: boolean; created_at: Date }>(
    "SELECT key_id, algorithm, public_key_pem, active, created_at FROM hub_keys ORDER BY created_at DESC",
  );
  return rows.map((r) => ({ keyId: r.key_id, algorithm: r.algorithm, signerId: signerIdOf(r.algorithm), publicKeyPem: r.public_key_pem, active: r.active, createdAt: new Date(r.created_at).toISOString() }));
}
