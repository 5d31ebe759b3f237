/**
 * Hostile requests on the bus: JSON from another process with NATS credentials, or a service
 * built wrong — what gRPC's decoding never lets through (lists as text, objects as text, params
 * that are no object, a caller that names no department) and what bus-only actions take.
 * Found by fuzzing every action of the hub (issue 7 note): each once answered a TypeError, hung
 * the process, stored a value in the wrong form or echoed 100,000 characters.
 */
import { bus, refuse, type HostileCase } from "./kit";

const as = (department: unknown) => ({ caller: { department } });

export function busCases(): HostileCase[] {
  const deep = (n: number) => {
    let o: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) o = { a: o };
    return o;
  };
  const deepList = (n: number) => {
    let l: unknown[] = [];
    for (let i = 0; i < n; i++) l = [l];
    return l;
  };
  return [
    refuse("bus: a list field sent as text", (c) => bus(c, "registration.fileSeals", { creditCode: c.creditCode, sealTypes: "公章", idempotencyKey: "bus-hostile-0001" }, as("samr")), 400, "seal_types", "INVALID_ARGUMENT"),
    refuse("bus: a list field sent as an object with index keys", (c) => bus(c, "registration.fileSeals", { creditCode: c.creditCode, sealTypes: { 0: "公章" }, idempotencyKey: "bus-hostile-0002" }, as("samr")), 400, "seal_types", "INVALID_ARGUMENT"),
    refuse("bus: a message entry of a list that is text", (c) => bus(c, "registration.registerEnterprise", { reservationId: "NR-x", investors: [{ id: c.owner.idNumber }, "李四"], idempotencyKey: "bus-hostile-0003" }, as("samr")), 400, "investors[1]", "INVALID_ARGUMENT"),
    refuse("bus: a map value that is an object", (c) => bus(c, "licenses.issueLicence", { typeCode: "BL", holderId: c.creditCode, fields: { 注册资本: { amount: 1 } }, idempotencyKey: "bus-hostile-0004" }, as("samr")), 400, 'fields["注册资本"]', "INVALID_ARGUMENT"),
    refuse("bus: a list where scope codes go, on change", (c) => bus(c, "registration.changeRegistration", { creditCode: c.creditCode, newBusinessScopeCodes: 7, idempotencyKey: "bus-hostile-0005" }, as("samr")), 400, "new_business_scope_codes", "INVALID_ARGUMENT"),
    refuse("bus: params that are text, on a proto method", (c) => bus(c, "registration.getEnterprise", c.creditCode, as("tax")), 400, "request", "INVALID_ARGUMENT"),
    refuse("bus: params that are text, on a bus-only action", (c) => bus(c, "bundles.status", "x"), 400, "request", "INVALID_ARGUMENT"),
    refuse("bus: params null on the bundle form", (c) => bus(c, "bundles.form", null), 400, "bundle_code", "INVALID_ARGUMENT"),
    refuse("bus: params null on a submission", (c) => bus(c, "bundles.submit", null), 400, "bundle_code", "INVALID_ARGUMENT"),
    refuse("bus: a bundle code that converts to no text", (c) => bus(c, "bundles.form", { applicant: c.owner.idNumber, bundleCode: { toString: "x" } }), 400, "bundle_code", "INVALID_ARGUMENT"),
    refuse("bus: a seeding of 1e308 people", (c) => bus(c, "identity.seedPopulation", { count: 1e308 }), 400, "count", "INVALID_ARGUMENT"),
    refuse("bus: a seeding count as text", (c) => bus(c, "identity.seedPopulation", { count: "3" }), 400, "count", "INVALID_ARGUMENT"),
    refuse("bus: an access check naming no method", (c) => bus(c, "departments.isAllowed", { department: "samr" }), 400, "method", "INVALID_ARGUMENT"),
    refuse("bus: an access check of nothing", (c) => bus(c, "departments.isAllowed", {}), 400, "department", "INVALID_ARGUMENT"),
    refuse("bus: a credential whose key id is an object", (c) => bus(c, "departments.addCredential", { keyId: { a: 1 }, department: "tax", algorithm: "ED25519", publicKeyPem: "x" }), 400, "key_id", "INVALID_ARGUMENT"),
    refuse("bus: a credential without a key id", (c) => bus(c, "departments.addCredential", { department: "tax", algorithm: "ED25519" }), 400, "key_id", "INVALID_ARGUMENT"),
    refuse("bus: a credential whose key is no PEM", (c) => bus(c, "departments.addCredential", { keyId: "bus-hostile-key", department: "tax", algorithm: "ED25519", publicKeyPem: { b: 2 } }), 400, "public_key_pem", "INVALID_ARGUMENT"),
    refuse("bus: a caller department that is an object", (c) => bus(c, "identity.getPerson", { idNumber: c.owner.idNumber, caseId: "bus-hostile-case" }, as({ x: 1 })), 401, undefined, "UNAUTHENTICATED"),
    refuse("bus: a caller department that is a list", (c) => bus(c, "identity.getEntity", { creditCode: c.creditCode, caseId: "bus-hostile-case" }, as(["data"])), 401, undefined, "UNAUTHENTICATED"),
    refuse("bus: feedback on no application", (c) => bus(c, "supervision.feedback", {}), 404, undefined, "NOT_FOUND"),
    refuse("bus: feedback on an id nested 10,000 deep", (c) => bus(c, "supervision.feedback", { applicationId: deep(10_000), applicant: c.owner.idNumber }), 404, undefined, "NOT_FOUND"),
    refuse("bus: a cached credential lookup with a key id nested 10,000 deep", (c) => bus(c, "departments.credential", { keyId: deep(10_000) }), "OK"),
    refuse("bus: a cached access check with a department nested 10,000 deep", (c) => bus(c, "departments.isAllowed", { department: deep(10_000), method: "x" }), 400, "department", "INVALID_ARGUMENT"),
    refuse("bus: my applications, for an applicant that is a list nested 10,000 deep", (c) => bus(c, "bundles.mine", { applicant: deepList(10_000) }), 400, "applicant", "INVALID_ARGUMENT"),
    refuse("bus: authorisations held by an agent that is a number", (c) => bus(c, "bundles.heldAuthorisations", { agent: 5 }), 400, "agent", "INVALID_ARGUMENT"),
    refuse("bus: a presented licence nested 10,000 deep", (c) => bus(c, "licenses.verifyPublic", { licence: deep(10_000) }), 400, undefined, "INVALID_ARGUMENT"),
    refuse("bus: an enterprise event that converts to no text", (c) => bus(c, "tax.followEnterpriseChange", { eventId: "ev-hostile-0001", event: { toString: "x", valueOf: 1 }, payload: { creditCode: c.creditCode } }, as("tax")), 400, "event", "INVALID_ARGUMENT"),
    refuse("bus: a rating of an application id nested 10,000 deep reaches no statement", (c) => bus(c, "supervision.rate", { applicationId: deepList(10_000), applicant: c.owner.idNumber, portal: "web", rating: { score: 5 } }, as("supervision")), 400, "request", "INVALID_ARGUMENT"),
    refuse("bus: a data-use page that starts before text", (c) => bus(c, "identity.dataUses", { subjects: [c.owner.idNumber], before: "x" }, as("data")), 400, "before", "INVALID_ARGUMENT"),
  ];
}
