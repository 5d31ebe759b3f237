/**
 * GET /v1/me/data-uses: who used the signed-in applicant's data (数据使用记录) — and the data of the
 * enterprises they represent — newest first, by pages: every read by a department (its back-office
 * over gRPC too) and every change a bundle made, with department, what, case, purpose and time.
 * The applicant is the token's; nobody else's uses can be asked for.
 */
import { applicantOf, callBus, type PortalDeps } from "./deps";
import { toSnake } from "./http-kit";
import type { PortalRequest, Reply } from "./router";

export async function myDataUses(req: PortalRequest, deps: PortalDeps): Promise<Reply> {
  const pageSize = req.query.get("page_size");
  const result = await callBus<{ uses: Array<Record<string, unknown>>; nextPageToken: string }>(deps, req, "data-uses.forApplicant", {
    applicant: applicantOf(req),
    pageSize: pageSize === null ? undefined : Number(pageSize),
    pageToken: req.query.get("page_token") ?? "",
  });
  const applicant = applicantOf(req);
  return {
    status: 200,
    body: {
      uses: result.uses.map((u) => toSnake({
        department: u.reader,
        kind: u.kind,
        what: u.what,
        item: u.item,
        action: u.action,
        caseId: u.caseId,
        purpose: u.purpose,
        at: u.at,
        // Whose data: the applicant's own, or an enterprise they represent (its credit code).
        whose: u.subjectId === applicant ? "self" : u.subjectId,
        log: u.source,
      })),
      next_page_token: result.nextPageToken,
    },
  };
}
