/**
 * The applicant's materials (材料库): upload once as JSON with base64 content, reuse in any
 * application. The owner is always the signed-in applicant. The material store checks the type,
 * the real content type (from the bytes) and the size per type; the portal only bounds the body.
 */
import type { MaterialMeta } from "../../materials/store";
import { applicantOf, callBus, type PortalDeps } from "./deps";
import { toSnake } from "./http-kit";
import type { PortalRequest, Reply } from "./router";

/** Largest upload body: the base64 of a ~11 MiB file plus the JSON around it. */
// The largest material (20 MiB) as base64 inside JSON.
export const MATERIAL_BODY_LIMIT = 28 * 1024 * 1024;

/** POST /v1/materials */
export async function uploadMaterial(req: PortalRequest, deps: PortalDeps): Promise<Reply> {
  const body = await req.body();
  const material = await callBus<MaterialMeta>(deps, req, "materials.upload", {
    owner: applicantOf(req),
    typeCode: body.type_code,
    fileName: body.file_name,
    contentType: body.content_type,
    contentBase64: body.content_base64,
  });
  return { status: 201, body: toSnake(material) };
}

/** GET /v1/materials */
export async function listMaterials(req: PortalRequest, deps: PortalDeps): Promise<Reply> {
  return { status: 200, body: toSnake(await callBus(deps, req, "materials.listByOwner", { owner: applicantOf(req) })) };
}
