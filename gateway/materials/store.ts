/**
 * The material store (材料库): content-addressed file storage in the gateway's schema. The bytes of
 * a file are kept once under their SHA-256, whoever uploads them; a material binds an owner (the
 * applicant's resident ID number or credit code), a material type and a file name to those bytes.
 */
import crypto from "node:crypto";
import { materialBytes } from "../../services/common/metrics";
import type { Queryable } from "../../services/common/db/database";
import { readFor, type DataUse } from "../../services/common/data-use-log";
import { invalidArgument } from "../../services/common/errors";
import { requireText } from "../../services/common/validate";
import { holderKindOf } from "../../services/identity/checks";
import { findMaterialType, MATERIAL_TYPES, sizeLimit, type MaterialType } from "./catalogue";
import { normaliseContentType, requireDeclaredType } from "./sniff";

/** A stored material without its bytes. */
export interface MaterialMeta {
  materialId: string;
  owner: string;
  typeCode: string;
  fileName: string;
  contentType: string;
  size: number;
  sha256: string;
  createdAt: string;
  /** The last time the owner uploaded this file for this type (a re-upload makes it current again). */
  lastUploadedAt: string;
}

/** A stored material with its bytes. */
export interface MaterialWithContent extends MaterialMeta {
  content: Buffer;
}

/** An upload to store. */
export interface PutMaterialInput {
  owner: string;
  typeCode: string;
  fileName: string;
  bytes: Uint8Array;
  declaredType: string;
}

/** A department's fetch of one of an owner's materials. */
export interface MaterialAccess {
  materialId: string;
  reader: string;
  caseId: string;
  at: string;
}

const MATERIAL_ID = /^M-[0-9a-f]{24}$/;

/** Whether `value` has the form of a material id (M- and 24 hex digits). */
export const isMaterialId = (value: string): boolean => MATERIAL_ID.test(value);

/** The SHA-256 of the bytes, lower-case hex: the content's address. */
export function contentHash(bytes: Uint8Array): string {
  return crypto.createHash("sha256").update(bytes).digest("hex");
}

/** The stable id of an owner's material of a type with these bytes, so a repeated upload finds it. */
export function materialIdOf(owner: string, typeCode: string, sha256: string): string {
  // Separated so that no two (owner, type, hash) triples run together into the same string.
  return `M-${crypto.createHash("sha256").update(`${owner}\n${typeCode}\n${sha256}`).digest("hex").slice(0, 24)}`;
}

/** The owner of materials: a resident ID number or a unified social credit code, upper-cased. */
export function requireOwner(value: unknown, field = "owner"): string {
  const owner = typeof value === "string" ? value.trim().toUpperCase() : "";
  if (!owner) throw invalidArgument(field, "is required");
  if (!holderKindOf(owner)) throw invalidArgument(field, "must be a resident ID number or a unified social credit code");
  return owner;
}

/** A material type code from the catalogue. */
export function requireMaterialType(value: unknown, field = "type_code"): MaterialType {
  if (typeof value !== "string" || value === "") throw invalidArgument(field, "is required");
  const type = findMaterialType(value);
  if (!type) throw invalidArgument(field, `"${value}" is not in the material catalogue (${MATERIAL_TYPES.length} types)`);
  return type;
}

/** A material id as the store issues them. */
export function requireMaterialId(value: unknown, field = "material_id"): string {
  if (typeof value !== "string" || value === "") throw invalidArgument(field, "is required");
  if (!MATERIAL_ID.test(value)) throw invalidArgument(field, "must be M- followed by 24 hex digits");
  return value;
}

/** A file name as shown to the applicant and departments: 1-200 characters, no folders. */
export function requireFileName(value: unknown, field = "file_name"): string {
  const name = requireText(value, field, 1, 200);
  // Departments save the file under this name: a path in it must not reach outside their folder.
  if (/[\\/]/.test(name)) throw invalidArgument(field, "must not contain / or \\");
  if (name === "." || name === "..") throw invalidArgument(field, "must name a file");
  return name;
}

/**
 * Every check of an upload, before anything is written: type code, file name, declared content
 * type allowed for the material, size, and the bytes being what was declared.
 */
export function checkUpload(input: PutMaterialInput): { type: MaterialType; fileName: string; contentType: string } {
  const type = requireMaterialType(input.typeCode);
  // What the government holds is read from it for a case, never collected again (and never kept here).
  if (type.governmentSource) throw invalidArgument("type_code", `${type.code} (${type.nameZh}) is held by the government and read from there; it is never uploaded`);
  const fileName = requireFileName(input.fileName);
  if (typeof input.declaredType !== "string" || input.declaredType.trim() === "") throw invalidArgument("content_type", "is required");
  if (input.declaredType.includes(";")) throw invalidArgument("content_type", "must be a bare media type (e.g. application/pdf), without parameters");
  const declared = normaliseContentType(input.declaredType);
  if (!(type.contentTypes as readonly string[]).includes(declared)) {
    throw invalidArgument("content_type", `${declared} is not accepted for ${type.code} (${type.nameZh}); use ${type.contentTypes.join(", ")}`);
  }
  if (input.bytes.length === 0) throw invalidArgument("content", "is empty");
  const limit = sizeLimit(type, declared);
  if (input.bytes.length > limit) {
    throw invalidArgument("content", `is ${input.bytes.length} bytes; ${type.code} as ${declared} may be at most ${limit} bytes`);
  }
  return { type, fileName, contentType: requireDeclaredType(input.bytes, declared) };
}

/**
 * Stores an upload and returns its material. The bytes are written once per hash; the same file
 * for the same owner and type returns the existing material (its first file name kept). One
 * statement (data-modifying WITH), no transaction: the bytes, the material and the answer are one
 * round trip, and either both rows are written or neither.
 */
export async function putMaterial(q: Queryable, input: PutMaterialInput): Promise<MaterialMeta> {
  const { type, fileName, contentType } = checkUpload(input);
  const owner = requireOwner(input.owner);
  const sha256 = contentHash(input.bytes);
  const materialId = materialIdOf(owner, type.code, sha256);
  // Concurrent uploads of the same bytes wait on the primary key; the loser inserts nothing. The
  // bytes already stored are read from the statement's snapshot; bytes another upload stored since
  // are the same bytes, so their size and type are this upload's.
  const { rows } = await q.query<MetaRow & { new_content: boolean }>(
    `WITH stored AS (
       INSERT INTO material_contents (sha256, content, size, content_type) VALUES ($1, $2, $3, $4)
       ON CONFLICT (sha256) DO NOTHING RETURNING size, content_type),
     m AS (
       INSERT INTO materials (material_id, owner, type_code, file_name, content_sha256, created_at, last_uploaded_at)
       VALUES ($5, $6, $7, $8, $1, clock_timestamp(), clock_timestamp())
       ON CONFLICT (material_id) DO UPDATE SET last_uploaded_at = clock_timestamp()
       RETURNING material_id, owner, type_code, file_name, content_sha256, created_at, last_uploaded_at)
     SELECT m.material_id, m.owner, m.type_code, m.file_name, m.content_sha256, m.created_at, m.last_uploaded_at,
            COALESCE(s.content_type, c.content_type, $4) AS content_type, COALESCE(s.size, c.size, $3) AS size, s.size IS NOT NULL AS new_content
       FROM m LEFT JOIN stored s ON true LEFT JOIN material_contents c ON c.sha256 = m.content_sha256`,
    [sha256, Buffer.from(input.bytes.buffer, input.bytes.byteOffset, input.bytes.length), input.bytes.length, contentType, materialId, owner, type.code, fileName],
  );
  if (rows[0].new_content) materialBytes.inc(input.bytes.length);
  return toMeta(rows[0]);
}

interface MetaRow {
  material_id: string;
  owner: string;
  type_code: string;
  file_name: string;
  content_type: string;
  size: number;
  content_sha256: string;
  created_at: Date | string;
  last_uploaded_at: Date | string;
}

const META_COLUMNS =
  "m.material_id, m.owner, m.type_code, m.file_name, c.content_type, c.size, m.content_sha256, m.created_at, m.last_uploaded_at";

const toMeta = (r: MetaRow): MaterialMeta => ({
  materialId: r.material_id,
  owner: r.owner,
  typeCode: r.type_code,
  fileName: r.file_name,
  contentType: r.content_type,
  size: Number(r.size),
  sha256: r.content_sha256,
  createdAt: new Date(r.created_at).toISOString(),
  lastUploadedAt: new Date(r.last_uploaded_at).toISOString(),
});

async function selectMeta(q: Queryable, where: string, params: unknown[], tail = ""): Promise<MaterialMeta[]> {
  const { rows } = await q.query<MetaRow>(
    `SELECT ${META_COLUMNS} FROM materials m JOIN material_contents c ON c.sha256 = m.content_sha256 WHERE ${where} ${tail}`,
    params,
  );
  return rows.map(toMeta);
}

const NEWEST_FIRST = "ORDER BY m.last_uploaded_at DESC, m.created_at DESC, m.material_id";

/** A material with its bytes, or undefined when there is none with this id. */
export async function getMaterial(q: Queryable, materialId: string, use?: DataUse): Promise<MaterialWithContent | undefined> {
  const rows = await readFor<MetaRow & { content: Uint8Array }>(
    q,
    `SELECT ${META_COLUMNS}, c.content FROM materials m JOIN material_contents c ON c.sha256 = m.content_sha256 WHERE m.material_id = $1`,
    [materialId],
    use,
  );
  if (rows.length === 0) return undefined;
  // pg gives a Buffer, PGlite a Uint8Array: one Buffer for callers either way.
  const content = Buffer.from(rows[0].content.buffer, rows[0].content.byteOffset, rows[0].content.byteLength);
  return { ...toMeta(rows[0]), content };
}

/** An owner's materials without their bytes, newest first. */
export async function listMaterials(q: Queryable, owner: string): Promise<MaterialMeta[]> {
  return selectMeta(q, "m.owner = $1", [owner], NEWEST_FIRST);
}

/** The metadata of those of `materialIds` that belong to `owner` (bytes not read), in one read. */
export async function describeOwned(q: Queryable, owner: string, materialIds: string[]): Promise<MaterialMeta[]> {
  if (materialIds.length === 0) return [];
  return selectMeta(q, "m.owner = $1 AND m.material_id = ANY($2::text[])", [owner, materialIds]);
}

/** The owner's most recently uploaded material of a type, if any: the one a new application reuses. */
export async function latestOfType(q: Queryable, owner: string, typeCode: string): Promise<MaterialMeta | undefined> {
  const [latest] = await selectMeta(q, "m.owner = $1 AND m.type_code = $2", [owner, typeCode], `${NEWEST_FIRST} LIMIT 1`);
  return latest;
}

/** Who fetched an owner's materials, for which case, newest first. */
export async function materialAccessesOf(q: Queryable, owner: string): Promise<MaterialAccess[]> {
  const { rows } = await q.query<{ item: string; reader: string; case_id: string; at: Date }>(
    "SELECT item, reader, case_id, at FROM data_uses WHERE subject_id = $1 AND what = 'material' AND kind = 'read' ORDER BY at DESC, id DESC",
    [owner],
  );
  return rows.map((r) => ({ materialId: r.item, reader: r.reader, caseId: r.case_id, at: new Date(r.at).toISOString() }));
}
