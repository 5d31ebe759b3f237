/**
 * Public verification (no login): anyone — a bank, a court, another province — can fetch the keys
 * the hub's licences and receipts are signed with and have a copy checked.
 *
 * - GET /v1/keys: every licence-signing key (active and retired, with its issuing department's credit
 *   code, algorithm, SM2 signer ID and validity), the hub's receipt keys, the issuers' credit codes
 *   and the licence types' GB/T 36904 codes.
 * - GET /.well-known/jwks.json: the same keys as a JSON Web Key Set (RFC 7517); SM2 keys as
 *   kty EC with crv "SM2" (x, y of the point), as SM2-capable JOSE libraries write them.
 * - POST /v1/verify/licence, POST /v1/verify/receipt: check a copy and say which check failed.
 * - GET /v1/data-use-checkpoints: the newest signed checkpoint of each data-use chain, for anyone
 *   to keep as a witness (verify:data-uses --anchors).
 *
 * Checks are limited per client address (VERIFY_ATTEMPTS_ALLOWED per window → 429): each costs a
 * signature check and a registry read.
 */
import crypto from "node:crypto";
import { rateLimited } from "../../../services/common/metrics";
import { callBus, type PortalDeps } from "./deps";
import { HttpError, toSnake } from "./http-kit";
import type { PortalRequest, Reply } from "./router";

export const VERIFY_ATTEMPTS_ALLOWED = 600;
export const VERIFY_WINDOW_MS = 60_000;

interface LicenceKey {
  keyId: string;
  department: string;
  issuerCode: string;
  algorithm: string;
  signerId: string;
  publicKeyPem: string;
  active: boolean;
  createdAt: string;
  retiredAt?: string;
}
interface ReceiptKey {
  keyId: string;
  algorithm: string;
  signerId: string;
  publicKeyPem: string;
  active: boolean;
  createdAt: string;
}

async function allKeys(req: PortalRequest, deps: PortalDeps) {
  const [licences, receipts] = await Promise.all([
    callBus<{ keys: LicenceKey[]; issuers: Record<string, string>; types: Record<string, string> }>(deps, req, "licenses.publicKeys", {}),
    callBus<{ keys: ReceiptKey[] }>(deps, req, "bundles.receiptKeys", {}),
  ]);
  return { licences, receipts };
}

/** GET /v1/keys */
export async function publicKeys(req: PortalRequest, deps: PortalDeps): Promise<Reply> {
  const { licences, receipts } = await allKeys(req, deps);
  return {
    status: 200,
    headers: { "cache-control": "public, max-age=300" },
    body: {
      licence_keys: toSnake(licences.keys),
      receipt_keys: toSnake(receipts.keys),
      // Codes by name: keys are department and type codes, kept as they are.
      issuers: licences.issuers,
      licence_types: licences.types,
    },
  };
}

/** GET /.well-known/jwks.json */
export async function jwks(req: PortalRequest, deps: PortalDeps): Promise<Reply> {
  const { licences, receipts } = await allKeys(req, deps);
  const keys = [
    ...licences.keys.map((k) => ({ ...jwkOf(k.publicKeyPem, k.keyId, k.algorithm), "tongban:purpose": "licence", "tongban:department": k.department, "tongban:issuer_code": k.issuerCode, "tongban:signer_id": k.signerId, "tongban:active": k.active, "tongban:created_at": k.createdAt, ...(k.retiredAt ? { "tongban:retired_at": k.retiredAt } : {}) })),
    ...receipts.keys.map((k) => ({ ...jwkOf(k.publicKeyPem, k.keyId, k.algorithm), "tongban:purpose": "receipt", "tongban:signer_id": k.signerId, "tongban:active": k.active, "tongban:created_at": k.createdAt })),
  ];
  return { status: 200, headers: { "cache-control": "public, max-age=300" }, body: { keys } };
}

/** A public key as a JWK: Ed25519 as OKP (RFC 8037), SM2 as EC with crv "SM2". */
function jwkOf(pem: string, kid: string, alg: string): Record<string, unknown> {
  const spki = crypto.createPublicKey(pem).export({ type: "spki", format: "der" });
  if (alg === "ED25519") return { kty: "OKP", crv: "Ed25519", x: spki.subarray(spki.length - 32).toString("base64url"), kid, alg: "EdDSA", use: "sig" };
  // SPKI ends in the uncompressed point 04 || x || y (32 bytes each).
  const point = spki.subarray(spki.length - 65);
  return { kty: "EC", crv: "SM2", x: point.subarray(1, 33).toString("base64url"), y: point.subarray(33).toString("base64url"), kid, alg: "SM2-SM3", use: "sig" };
}

/** Counts a check against the client address's allowance; 429 past it. */
async function allowCheck(req: PortalRequest, deps: PortalDeps): Promise<void> {
  const n = await deps.rt.store.increment(`portal:verify-attempts:${req.ip}`, VERIFY_WINDOW_MS);
  if (n > VERIFY_ATTEMPTS_ALLOWED) {
    rateLimited.inc({ limit: "verify" });
    throw new HttpError(429, "RESOURCE_EXHAUSTED", `too many checks from this address; try again in a minute`, undefined, { "retry-after": String(VERIFY_WINDOW_MS / 1000) });
  }
}

/** POST /v1/verify/licence */
export async function verifyLicenceCopy(req: PortalRequest, deps: PortalDeps): Promise<Reply> {
  await allowCheck(req, deps);
  const body = await req.body();
  const result = await callBus<Record<string, unknown>>(deps, req, "licenses.verifyPublic", { licence: body.licence });
  return { status: 200, body: toSnake(result) };
}

/** POST /v1/verify/receipt */
export async function verifyReceiptCopy(req: PortalRequest, deps: PortalDeps): Promise<Reply> {
  await allowCheck(req, deps);
  const body = await req.body();
  const result = await callBus<Record<string, unknown>>(deps, req, "bundles.verifyReceipt", { receipt: body.receipt });
  return { status: 200, body: toSnake(result) };
}

/** GET /v1/data-use-checkpoints: the newest signed checkpoint of every schema's data-use chain (anchors for verify:data-uses). */
export async function dataUseCheckpoints(req: PortalRequest, deps: PortalDeps): Promise<Reply> {
  const { checkpoints } = await callBus<{ checkpoints: Array<Record<string, unknown> & { prev?: { seq: string; hash: string } }> }>(deps, req, "data-uses.latestCheckpoints", {});
  return {
    status: 200,
    headers: { "cache-control": "no-cache" },
    body: { checkpoints: checkpoints.map(({ prev, ...c }) => ({ ...(toSnake(c) as object), ...(prev ? { prev_seq: prev.seq, prev_hash: prev.hash } : {}) })) },
  };
}
