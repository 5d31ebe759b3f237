/**
 * The supervision office's and the departments' HTTP routes (the pages' API): an officer session
 * from a department token, then the board, the red list, statistics (JSON or CSV) and rectification
 * cases, each scoped by the supervision service to what the officer's department may see.
 */
import { signOfficerToken } from "./officer-auth";
import { callAsDepartment, departmentOf, type PortalDeps } from "./deps";
import { HttpError, toSnake } from "./http-kit";
import type { PortalRequest, Reply } from "./router";
import { jsonName } from "../../../services/common/json-names";

/** POST /v1/supervision/sessions: a member department's token for an officer token (an hour). */
export async function createOfficerSession(req: PortalRequest, deps: PortalDeps): Promise<Reply> {
  const department = departmentOf(req);
  // The department token alone says who the officer is: a body (naming another department, say) is refused, not ignored.
  if (Number(req.raw.headers["content-length"] ?? 0) > 0 || req.raw.headers["transfer-encoding"] !== undefined) {
    throw new HttpError(400, "INVALID_ARGUMENT", "body: this route takes no body (the department token says who you are)", "body");
  }
  const { token, expiresAt } = await signOfficerToken(deps.officerKey, department);
  return { status: 201, body: { token, token_type: "Bearer", expires_at: expiresAt, department } };
}

/** The list filters of a query string, camelCased for the service (absent ones left out). */
function filters(req: PortalRequest, names: string[]): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const name of names) {
    const value = req.query.get(name);
    if (value === null) continue;
    const key = jsonName(name);
    out[key] = name === "page_size" ? Number(value) : value;
  }
  return out;
}

const PAGE = ["department", "bundle_code", "page_size", "page_token"];

/** GET /v1/supervision/cases */
export async function boardCases(req: PortalRequest, deps: PortalDeps): Promise<Reply> {
  return { status: 200, body: toSnake(await callAsDepartment(deps, req, "supervision.listOpenCases", filters(req, PAGE))) };
}

/** GET /v1/supervision/overdue */
export async function overdueCases(req: PortalRequest, deps: PortalDeps): Promise<Reply> {
  return { status: 200, body: toSnake(await callAsDepartment(deps, req, "supervision.listOverdue", filters(req, PAGE))) };
}

/** GET /v1/supervision/statistics (?format=csv for a CSV file) */
export async function statistics(req: PortalRequest, deps: PortalDeps): Promise<Reply> {
  const params = filters(req, ["from", "to", "department", "bundle_code"]);
  if (req.query.get("format") === "csv") {
    const csv = await callAsDepartment<string>(deps, req, "supervision.statisticsCsv", params);
    const name = `statistics-${String(params.from)}-${String(params.to)}.csv`;
    return { status: 200, body: csv, contentType: "text/csv; charset=utf-8", headers: { "content-disposition": `attachment; filename="${name}"` } };
  }
  return { status: 200, body: toSnake(await callAsDepartment(deps, req, "supervision.getStatistics", params)) };
}

/** GET /v1/supervision/rectifications */
export async function rectifications(req: PortalRequest, deps: PortalDeps): Promise<Reply> {
  return { status: 200, body: toSnake(await callAsDepartment(deps, req, "supervision.listRectifications", filters(req, ["department", "status", "page_size", "page_token"]))) };
}

/** POST /v1/supervision/rectifications/{rectification_id}/answer */
export async function answerRectification(req: PortalRequest, deps: PortalDeps): Promise<Reply> {
  const body = await req.body();
  const r = await callAsDepartment(deps, req, "supervision.answerRectification", { rectificationId: req.params.rectification_id, measures: body.measures });
  return { status: 200, body: toSnake(r) };
}
