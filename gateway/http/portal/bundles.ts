/**
 * The bundle catalogue (一件事一次办) and the merged form of a bundle for the signed-in applicant:
 * each field once, government-held data prefilled and not editable, earlier uploads offered for reuse.
 */
import { applicantOf, callBus, type PortalDeps } from "./deps";
import { HttpError, toSnake } from "./http-kit";
import type { PortalRequest, Reply } from "./router";

/** GET /v1/bundles */
export async function listBundles(req: PortalRequest, deps: PortalDeps): Promise<Reply> {
  return { status: 200, body: toSnake(await callBus(deps, req, "bundles.list", {})) };
}

/** GET /v1/bundles/{code}/form */
export async function bundleForm(req: PortalRequest, deps: PortalDeps): Promise<Reply> {
  try {
    const form = await callBus(deps, req, "bundles.form", { applicant: applicantOf(req), bundleCode: req.params.code });
    return { status: 200, body: toSnake(form) };
  } catch (err) {
    // The bundle is the resource in the path here: an unknown one is 404, not a bad argument.
    const field = (err as { type?: string; data?: { field?: string } }).data?.field;
    if ((err as { type?: string }).type === "INVALID_ARGUMENT" && field === "bundle_code") {
      throw new HttpError(404, "NOT_FOUND", `bundle ${req.params.code} not found (see GET /v1/bundles)`, "code");
    }
    throw err;
  }
}
