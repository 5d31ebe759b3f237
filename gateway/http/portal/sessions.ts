/**
 * POST /v1/sessions: a portal system, signed in with its department token, obtains an applicant
 * token for a citizen it has already identified (e.g. through the national e-ID). The hub checks
 * that the person is in the population registry; the read is recorded under case "session".
 */
import { requireIdNumber } from "../../../services/identity/checks";
import type { Person } from "../../../proto/gen/tongban/identity/v1/identity";
import { signApplicantToken } from "./auth";
import { callBus, portalOf, type PortalDeps } from "./deps";
import type { PortalRequest, Reply } from "./router";

export async function createSession(req: PortalRequest, deps: PortalDeps): Promise<Reply> {
  const body = await req.body();
  const { idNumber } = requireIdNumber(body.id_number, "id_number");
  const person = await callBus<Person>(deps, req, "identity.getPerson", { idNumber, caseId: "session" });
  const { token, expiresAt } = await signApplicantToken(deps.tokenKey, person.idNumber, portalOf(req));
  return { status: 201, body: { token, token_type: "Bearer", expires_at: expiresAt } };
}
