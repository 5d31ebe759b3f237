/**
 * materials: the gateway's material store on the bus. The portal API and the orchestrator upload
 * and read an applicant's materials; departments fetch one for a stated case, and each fetch is
 * recorded so the applicant can see who used their files and why. Not on the gRPC edge.
 */
import type { Context, ServiceSchema } from "moleculer";
import type { Database } from "../../services/common/db/database";
import { callerDepartment, type CallerMeta } from "../../services/common/caller";
import { invalidArgument, notFound } from "../../services/common/errors";
import { purposeOf } from "../../services/common/data-use-log";
import { contextLogger } from "../../services/common/logger";
import { openServiceDatabase, type Runtime } from "../../services/common/runtime";
import { requireCaseId } from "../../services/common/validate";
import { largestAccepted } from "./catalogue";
import {
  getMaterial,
  describeOwned,
  listMaterials,
  materialAccessesOf,
  putMaterial,
  requireMaterialId,
  requireMaterialType,
  requireOwner,
  type MaterialMeta,
  type MaterialWithContent,
} from "./store";

type Ctx<P> = Context<P, CallerMeta>;

export interface UploadMaterialParams {
  owner?: string;
  typeCode?: string;
  fileName?: string;
  contentType?: string;
  contentBase64?: string;
}

/** A material as returned with its bytes. */
export type MaterialContentReply = MaterialMeta & { contentBase64: string };

/**
 * The bytes of a base64 upload. The encoded length is checked before decoding so an oversize
 * upload is refused without allocating it; the decoded size is checked again by the store.
 */
export function decodeContent(value: unknown, maxBytes: number): Buffer {
  if (typeof value !== "string" || value === "") throw invalidArgument("content", "is required (content_base64)");
  if (value.length > Math.ceil(maxBytes / 3) * 4) throw invalidArgument("content", `is larger than ${maxBytes} bytes`);
  // Buffer.from silently skips characters that are not base64; a strict check refuses a damaged
  // upload: the text must be exactly the canonical encoding of what it decodes to. Linear in the
  // size, unlike a whole-body regular expression (which overflowed the stack above ~3 MiB).
  const content = Buffer.from(value, "base64");
  if (value.length % 4 !== 0 || content.toString("base64") !== value) {
    throw invalidArgument("content_base64", "is not valid base64 (RFC 4648, padded, no line breaks)");
  }
  return content;
}

const withBase64 = (m: MaterialWithContent): MaterialContentReply => {
  const { content, ...meta } = m;
  return { ...meta, contentBase64: content.toString("base64") };
};

/** The materials service schema. */
export function materialsService(rt: Runtime): ServiceSchema {
  let db: Database;
  return {
    name: "materials",
    actions: {
      // Bus-only ("public"): the portal API authenticates the applicant and names them as owner.
      upload: {
        visibility: "public",
        async handler(ctx: Ctx<UploadMaterialParams>): Promise<MaterialMeta> {
          const p = ctx.params ?? {};
          const owner = requireOwner(p.owner);
          const type = requireMaterialType(p.typeCode);
          const bytes = decodeContent(p.contentBase64, largestAccepted(type));
          const material = await putMaterial(db, { owner, typeCode: type.code, fileName: p.fileName ?? "", bytes, declaredType: p.contentType ?? "" });
          contextLogger(ctx).info({ materialId: material.materialId, typeCode: material.typeCode, size: material.size }, "material stored");
          return material;
        },
      },
      get: {
        visibility: "public",
        async handler(ctx: Ctx<{ materialId?: string; owner?: string }>): Promise<MaterialContentReply> {
          const materialId = requireMaterialId(ctx.params?.materialId);
          const owner = requireOwner(ctx.params?.owner);
          const material = await getMaterial(db, materialId);
          // Someone else's material answers exactly like a missing one: ids reveal nothing.
          if (!material || material.owner !== owner) throw notFound("material", materialId);
          return withBase64(material);
        },
      },
      /**
       * Bus only: `{ owner, materialIds: string[] }` -> `{ materials: MaterialMeta[] }`, the
       * metadata (no bytes) of those of the ids that are the owner's, in one read; others are left
       * out, so someone else's id answers like a missing one. Nothing is recorded: the owner's own.
       * INVALID_ARGUMENT naming `material_ids[i]` for a malformed id, or more than 64 ids.
       */
      describeOwned: {
        visibility: "public",
        async handler(ctx: Ctx<{ owner?: string; materialIds?: unknown }>): Promise<{ materials: MaterialMeta[] }> {
          const owner = requireOwner(ctx.params?.owner);
          const ids = ctx.params?.materialIds;
          if (!Array.isArray(ids) || ids.length > 64) throw invalidArgument("material_ids", "must be a list of at most 64 material ids");
          const materialIds = ids.map((id, i) => requireMaterialId(id, `material_ids[${i}]`));
          return { materials: await describeOwned(db, owner, materialIds) };
        },
      },
      listByOwner: {
        visibility: "public",
        async handler(ctx: Ctx<{ owner?: string }>): Promise<{ materials: MaterialMeta[] }> {
          return { materials: await listMaterials(db, requireOwner(ctx.params?.owner)) };
        },
      },
      fetchForCase: {
        visibility: "public",
        async handler(ctx: Ctx<{ materialId?: string; caseId?: string }>): Promise<MaterialContentReply> {
          const reader = callerDepartment(ctx);
          const materialId = requireMaterialId(ctx.params?.materialId);
          const caseId = requireCaseId(ctx.params?.caseId);
          // The read and its record are one statement: no material leaves without its access logged.
          const material = await getMaterial(db, materialId, { subjectId: { column: "owner" }, reader, caseId, action: "get", what: "material", item: { column: "material_id" }, purpose: purposeOf(ctx) });
          if (!material) throw notFound("material", materialId);
          contextLogger(ctx).info({ materialId, caseId }, "material fetched for a case");
          return withBase64(material);
        },
      },
      accessesOf: {
        visibility: "public",
        async handler(ctx: Ctx<{ owner?: string }>) {
          return { accesses: await materialAccessesOf(db, requireOwner(ctx.params?.owner)) };
        },
      },
    },
    async started() {
      db = await openServiceDatabase(rt, "gateway", "gateway");
    },
  };
}
