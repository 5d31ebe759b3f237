/**
 * The OpenAPI 3.1 description of the portal API, served at GET /openapi.json. Every route of
 * portal.ts is here (a unit test holds the two together); bodies are snake_case.
 */
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const str = (description?: string, extra: object = {}) => ({ type: "string", ...(description ? { description } : {}), ...extra });
const time = (description: string) => str(description, { format: "date-time" });
const obj = (properties: Record<string, unknown>, required: string[] = [], extra: object = {}) => ({ type: "object", properties, required, ...extra });
const list = (items: unknown) => ({ type: "array", items });
const json = (schema: unknown, description: string, headers?: object) => ({ description, content: { "application/json": { schema } }, ...(headers ? { headers } : {}) });
const body = (name: string) => ({ required: true, content: { "application/json": { schema: ref(name) } } });
const err = (description: string) => json(ref("Error"), description);
const path = (name: string, description: string) => ({ name, in: "path", required: true, schema: { type: "string" }, description });

/** The errors every applicant route may answer with. */
const APPLICANT_ERRORS = {
  "401": err("No applicant token, or it does not verify or has expired; `code` names the reason (TOKEN_MISSING, TOKEN_EXPIRED, ...)"),
  "429": err("Too many requests in flight"),
  "503": err("A service behind the route is not reachable; retry"),
};
const BAD = { "400": err("Bad input: `field` names the property (or the canonical form field) and `message` the reason"), "415": err("The body is not application/json") };
const security = (scheme: string) => [{ [scheme]: [] }];
const applicant = security("applicantToken");

const APPLICATION_STATUS = ["RUNNING", "COMPLETED", "FAILED", "COMPENSATED"];
const STEP_STATUS = ["PENDING", "WAITING_MATERIAL", "WAITING_DECISION", "APPROVED", "READY", "RUNNING", "SUCCEEDED", "HELD", "DROPPED", "FAILED", "REJECTED", "CANCELLED", "UNDOING", "COMPENSATED"];

const schemas = {
  Error: obj(
    { error: obj({ code: str("INVALID_ARGUMENT, NOT_FOUND, ... or a stable reason code (e.g. ALREADY_RATED, IDEMPOTENCY_KEY_REUSED, NAME_TAKEN)"), message: str("A sentence to show"), field: str("The property or form field at fault, if any") }, ["code", "message"]) },
    ["error"],
  ),
  SessionRequest: obj({ id_number: str("Resident ID number of a citizen the portal has identified (e.g. national e-ID)", { pattern: "^[0-9]{17}[0-9Xx]$" }) }, ["id_number"], { additionalProperties: false }),
  Session: obj({ token: str("Applicant token (JWT, HS256, aud tongban-portal, at most 1 h)"), token_type: { const: "Bearer" }, expires_at: time("When the token expires") }, ["token", "expires_at"]),
  Bundle: obj(
    {
      code: str("e.g. START_BUSINESS"),
      name_zh: str(),
      name_en: str(),
      description_zh: str(),
      committed_days: { type: "number", description: "承诺时限 of the bundle: working days along its critical path" },
      steps: list(obj({ id: str(), name_zh: str(), name_en: str(), department: str(), needs: list(str()) }, ["id", "department", "needs"])),
    },
    ["code", "name_zh", "steps"],
  ),
  BundleList: obj({ bundles: list(ref("Bundle")) }, ["bundles"]),
  FormField: obj(
    {
      name: str("Canonical field name (the key in the submitted form), e.g. enterprise.address"),
      type: str("text, id_number, credit_code, region_code, decimal, date, enum, boolean, integer, codes, investors, employees"),
      label_zh: str(),
      label_en: str(),
      required: { type: "boolean" },
      values: list(str()),
      value: { description: "Prefilled value (government data, or a suggestion)" },
      source: str("Where the prefilled value comes from"),
      editable: { type: "boolean", description: "false: held by the government, shown but not asked" },
    },
    ["name", "type", "required", "editable"],
  ),
  FormMaterial: obj(
    { type: str("Material type, e.g. PREMISES_PROOF"), deferrable: { type: "boolean", description: "容缺: may be supplied after submission" }, steps: list(str()), reuse: obj({ material_id: str(), file_name: str() }) },
    ["type", "deferrable", "steps"],
  ),
  Form: obj({ bundle_code: str(), fields: list(ref("FormField")), materials: list(ref("FormMaterial")) }, ["bundle_code", "fields", "materials"]),
  MaterialUpload: obj(
    {
      type_code: str("Material type from the catalogue"),
      file_name: str(),
      content_type: str("application/pdf, application/ofd, image/jpeg or image/png; must match the bytes"),
      content_base64: str("The file, base64 (RFC 4648, padded); the request body is limited to 28 MiB, the file by its type", { contentEncoding: "base64" }),
    },
    ["type_code", "file_name", "content_type", "content_base64"],
    { additionalProperties: false },
  ),
  Material: obj(
    { material_id: str(), owner: str(), type_code: str(), file_name: str(), content_type: str(), size: { type: "integer" }, sha256: str(), created_at: time("First upload"), last_uploaded_at: time("Latest upload of the same file") },
    ["material_id", "type_code", "file_name", "content_type", "size", "sha256"],
  ),
  MaterialList: obj({ materials: list(ref("Material")) }, ["materials"]),
  ApplicationSubmit: obj(
    {
      bundle_code: str(),
      client_key: str("8-128 printable ASCII characters, the same on every retry of this submission", { minLength: 8, maxLength: 128 }),
      form: obj({}, [], { description: "Canonical field name -> value; government-held fields are not sent", additionalProperties: true }),
      materials: obj({}, [], { description: "Material type -> material_id of the applicant's upload; deferrable ones may be left out", additionalProperties: str() }),
    },
    ["bundle_code", "client_key", "form"],
    { additionalProperties: false },
  ),
  ApplicationCreated: obj({ application_id: str("受理号"), query_code: str("查询码: with the id, anyone may follow progress (GET /v1/lookup)") }, ["application_id", "query_code"]),
  ApplicationList: obj({ applications: list(obj({ application_id: str(), bundle_code: str(), status: str(undefined, { enum: APPLICATION_STATUS }), submitted_at: time("") })) }, ["applications"]),
  Step: obj(
    {
      step_key: str("Step id, or id#n for a step run per list item"),
      name_zh: str(),
      name_en: str(),
      department: str(),
      status: str(undefined, { enum: STEP_STATUS }),
      attempts: { type: "integer" },
      waiting_for: str("Material type(s) the step waits for"),
      decision: obj({ outcome: str(), by: str(), comment: str(), at: time(""), material_type: str() }, [], { description: "The officer's decision (not in public look-ups)" }),
      ready_at: time(""),
      started_at: time(""),
      finished_at: time(""),
      undone_at: time("When the step's compensation undid it (withdrawal, failure)"),
      deadline: time("Committed deadline of the step"),
      overdue: { type: "boolean" },
      output: obj({}, [], { description: "What the department returned (credit code, licence numbers...; not in public look-ups)", additionalProperties: true }),
      error: obj({ reason_code: str(), message: str() }, [], { description: "Why the department refused it; with HELD, correct the step's fields or drop it" }),
    },
    ["step_key", "department", "status"],
  ),
  Progress: obj(
    {
      application_id: str(),
      bundle: obj({ code: str(), name_zh: str(), name_en: str() }),
      status: str(undefined, { enum: APPLICATION_STATUS }),
      submitted_at: time(""),
      committed_deadline: time("承诺办结时间"),
      ms_left: { type: "integer", description: "Milliseconds to the committed deadline while open" },
      overdue: { type: "boolean" },
      supplement_deadline: time("Deadline for deferred materials"),
      supplement_overdue: { type: "boolean" },
      finished_at: time(""),
      failure: obj({ step: str(), reason_code: str(), message: str("Not in public look-ups") }),
      steps: list(ref("Step")),
    },
    ["application_id", "status", "steps"],
    { description: "Progress without personal data (public look-up)" },
  ),
  ApplicationStatus: {
    allOf: [
      ref("Progress"),
      obj({ receipt: obj({}, [], { additionalProperties: true }), rating: { oneOf: [ref("Rating"), { type: "null" }] } }),
    ],
  },
  Supplement: obj({ material_type: str(), material_id: str() }, ["material_type", "material_id"], { additionalProperties: false }),
  Withdrawal: obj({ reason: str("Why the application is withdrawn (2-500 characters)") }, ["reason"], { additionalProperties: false }),
  Correction: obj(
    {
      fields: { type: "object", description: "New values of the held step's own fields, e.g. {\"tax.monthly_credit_line\": \"50000\"}" },
      item: { type: "object", description: "The corrected list element of a step that runs per element, e.g. one employee {id_number, monthly_wage, start_date}" },
      drop: { type: "boolean", enum: [true], description: "Give the item up: the rest of the application completes without it" },
    },
    [],
    { additionalProperties: false, description: "Exactly one of fields, item or drop" },
  ),
  RatingRequest: obj(
    { score: { type: "integer", minimum: 1, maximum: 5, description: "1 非常不满意 ... 5 非常满意" }, comment: str("Up to 500 characters; required for a score of 1 or 2", { maxLength: 500 }) },
    ["score"],
    { additionalProperties: false },
  ),
  Rating: obj({ application_id: str(), score: { type: "integer" }, comment: str(), rated_at: time("") }, ["application_id", "score", "rated_at"]),
  AgentGrant: obj(
    {
      agent_id_number: str("Resident ID number of the agent (经办人)", { pattern: "^[0-9]{17}[0-9Xx]$" }),
      bundle_codes: { ...list(str(undefined, { enum: ["HIRE_EMPLOYEE", "CHANGE_REGISTRATION", "CLOSE_BUSINESS"] })), minItems: 1, uniqueItems: true, description: "Bundles the agent may file for the enterprise" },
      valid_through: str("Last day (China Standard Time) the agent may file, YYYY-MM-DD: today to 366 days ahead", { format: "date" }),
    },
    ["agent_id_number", "bundle_codes", "valid_through"],
    { additionalProperties: false },
  ),
  AgentAuthorisation: obj(
    {
      authorisation_id: str(),
      credit_code: str("The enterprise"),
      agent_id_number: str(),
      bundle_codes: list(str()),
      valid_through: str("YYYY-MM-DD, China Standard Time", { format: "date" }),
      granted_by: str("The legal representative's ID number"),
      portal: str("The portal system the grant came through"),
      granted_at: time(""),
      state: str("OPEN (in force), EXPIRED, REVOKED (or replaced by a new grant)", { enum: ["OPEN", "EXPIRED", "REVOKED"] }),
      revoked_at: time(""),
      revoke_reason: str(),
    },
    ["authorisation_id", "credit_code", "agent_id_number", "bundle_codes", "valid_through", "state"],
  ),
  AgentAuthorisationList: obj({ authorisations: list(ref("AgentAuthorisation")) }, ["authorisations"]),
  AgentRevocation: obj({ reason: str("Why (up to 200 characters)", { maxLength: 200 }) }, [], { additionalProperties: false }),
};

export const OPENAPI = {
  openapi: "3.1.0",
  info: {
    title: "Tongban portal API",
    version: "1.0.0",
    description:
      "The one-window portal's API (一网通办). A portal system signs in with its department token and obtains an applicant token " +
      "for a citizen it has identified (POST /v1/sessions); the applicant routes act for that citizen only. Errors are always " +
      "{ error: { code, message, field } }.",
  },
  servers: [{ url: "/" }],
  components: {
    securitySchemes: {
      departmentToken: { type: "http", scheme: "bearer", bearerFormat: "JWT", description: "A department token (EdDSA or SM2-SM3, aud tongban, at most GRPC_TOKEN_MAX_AGE_SECONDS), as at the gRPC edge; only portal departments (data)" },
      applicantToken: { type: "http", scheme: "bearer", bearerFormat: "JWT", description: "An applicant token from POST /v1/sessions" },
    },
    schemas,
  },
  paths: {
    "/openapi.json": { get: { summary: "This document", tags: ["meta"], security: [], responses: { "200": json({ type: "object" }, "OpenAPI 3.1 document") } } },
    "/healthz": { get: { summary: "Health of this process and its dependencies", tags: ["ops"], security: [], responses: { "200": json({ type: "object" }, "Every check up"), "503": json({ type: "object" }, "Something is down; `down` names it") } } },
    "/livez": { get: { summary: "Liveness", tags: ["ops"], security: [], responses: { "200": json({ type: "object" }, "The process runs") } } },
    "/v1/sessions": {
      post: {
        summary: "Obtain an applicant token for an identified citizen",
        tags: ["sessions"],
        security: security("departmentToken"),
        requestBody: body("SessionRequest"),
        responses: { "201": json(ref("Session"), "The applicant token"), ...BAD, "401": err("Department token missing or not verifying (DEPARTMENT_TOKEN_INVALID)"), "403": err("The department has no portal role"), "404": err("No such person in the population registry") },
      },
    },
    "/v1/bundles": { get: { summary: "The bundles (一件事) on offer", tags: ["bundles"], security: applicant, responses: { "200": json(ref("BundleList"), "Bundles"), ...APPLICANT_ERRORS } } },
    "/v1/bundles/{code}/form": {
      get: {
        summary: "The merged form (一表申请) of a bundle for the signed-in applicant",
        tags: ["bundles"],
        security: applicant,
        parameters: [path("code", "Bundle code")],
        responses: { "200": json(ref("Form"), "Each field once; government data prefilled"), "404": err("No such bundle"), ...APPLICANT_ERRORS },
      },
    },
    "/v1/materials": {
      post: {
        summary: "Upload a material (reusable across applications; the same file again returns the same material)",
        tags: ["materials"],
        security: applicant,
        requestBody: body("MaterialUpload"),
        responses: { "201": json(ref("Material"), "Stored"), ...BAD, "413": err("The body is larger than 28 MiB"), ...APPLICANT_ERRORS },
      },
      get: { summary: "The applicant's materials", tags: ["materials"], security: applicant, responses: { "200": json(ref("MaterialList"), "Materials"), ...APPLICANT_ERRORS } },
    },
    "/v1/applications": {
      post: {
        summary: "Submit an application (idempotent by client_key)",
        tags: ["applications"],
        security: applicant,
        requestBody: body("ApplicationSubmit"),
        responses: {
          "201": json(ref("ApplicationCreated"), "Created", { location: { schema: { type: "string" } } }),
          "200": json(ref("ApplicationCreated"), "The application this client_key already created"),
          ...BAD,
          "403": err("A bundle for an existing enterprise filed by someone who is neither its legal representative nor an agent they authorised for it (NOT_AUTHORISED_FOR_ENTERPRISE, field enterprise.credit_code); nothing is read or written"),
          "422": err("client_key reused for a different application (IDEMPOTENCY_KEY_REUSED)"),
          ...APPLICANT_ERRORS,
        },
      },
      get: { summary: "The applicant's applications, newest first", tags: ["applications"], security: applicant, responses: { "200": json(ref("ApplicationList"), "Applications"), ...APPLICANT_ERRORS } },
    },
    "/v1/applications/{id}": {
      get: {
        summary: "Status with the per-step timeline",
        tags: ["applications"],
        security: applicant,
        parameters: [path("id", "Application id")],
        responses: { "200": json(ref("ApplicationStatus"), "Status"), "400": err("Malformed id"), "404": err("No such application of this applicant"), ...APPLICANT_ERRORS },
      },
    },
    "/v1/applications/{id}/materials": {
      post: {
        summary: "Supply a material the application waits for (容缺, or asked for by an officer)",
        tags: ["applications"],
        security: applicant,
        parameters: [path("id", "Application id")],
        requestBody: body("Supplement"),
        responses: { "200": json(ref("ApplicationStatus"), "Status after the supplement"), ...BAD, "404": err("No such application of this applicant"), "422": err("The application is closed (APPLICATION_CLOSED)"), ...APPLICANT_ERRORS },
      },
    },
    "/v1/applications/{id}/withdrawal": {
      post: {
        summary: "Withdraw (撤回) a running application: it stops and what its steps did is undone, in reverse order",
        tags: ["applications"],
        security: applicant,
        parameters: [path("id", "Application id")],
        requestBody: body("Withdrawal"),
        responses: { "200": json(ref("ApplicationStatus"), "Status after the withdrawal"), ...BAD, "404": err("No such application of this applicant"), "422": err("The application is finished (APPLICATION_CLOSED)"), ...APPLICANT_ERRORS },
      },
    },
    "/v1/applications/{id}/steps/{step_key}/correction": {
      post: {
        summary: "Correct or drop a step held after a department refused it (HELD): it runs again with the corrected values, the rest goes on",
        tags: ["applications"],
        security: applicant,
        parameters: [path("id", "Application id"), path("step_key", "The held step, e.g. enrolment#0 or invoices")],
        requestBody: body("Correction"),
        responses: {
          "200": json(ref("ApplicationStatus"), "Status after the correction"),
          ...BAD,
          "404": err("No such application or step of this applicant"),
          "422": err("The step is not held (STEP_NOT_HELD), the value was used by another step (FIELD_ALREADY_USED), or the application is finished"),
          ...APPLICANT_ERRORS,
        },
      },
    },
    "/v1/applications/{id}/rating": {
      post: {
        summary: "Rate a finished application (好差评), once",
        tags: ["applications"],
        security: applicant,
        parameters: [path("id", "Application id")],
        requestBody: body("RatingRequest"),
        responses: {
          "201": json(ref("Rating"), "Recorded"),
          ...BAD,
          "404": err("No such application of this applicant"),
          "409": err("Already rated (ALREADY_RATED, field score)"),
          "422": err("Not finished yet (APPLICATION_NOT_FINISHED)"),
          ...APPLICANT_ERRORS,
        },
      },
    },
    "/v1/enterprises/{credit_code}/agents": {
      post: {
        summary: "The legal representative authorises an agent (经办人) to file named bundles for the enterprise until a day (a new grant replaces the open one; the same grant again answers it)",
        tags: ["enterprises"],
        security: applicant,
        parameters: [path("credit_code", "统一社会信用代码 of the enterprise")],
        requestBody: body("AgentGrant"),
        responses: {
          "201": json(ref("AgentAuthorisation"), "Granted"),
          "200": json(ref("AgentAuthorisation"), "The same grant was already open"),
          ...BAD,
          "403": err("The signed-in applicant is not the enterprise's legal representative (NOT_LEGAL_REPRESENTATIVE)"),
          ...APPLICANT_ERRORS,
        },
      },
      get: {
        summary: "Every authorisation of the enterprise, newest first (for its legal representative)",
        tags: ["enterprises"],
        security: applicant,
        parameters: [path("credit_code", "统一社会信用代码 of the enterprise")],
        responses: { "200": json(ref("AgentAuthorisationList"), "Authorisations"), "400": err("Malformed credit code"), "403": err("Not the legal representative (NOT_LEGAL_REPRESENTATIVE)"), ...APPLICANT_ERRORS },
      },
    },
    "/v1/enterprises/{credit_code}/agents/{id_number}/revocation": {
      post: {
        summary: "The legal representative revokes the agent's open authorisation (safe to retry)",
        tags: ["enterprises"],
        security: applicant,
        parameters: [path("credit_code", "统一社会信用代码 of the enterprise"), path("id_number", "The agent's ID number")],
        requestBody: body("AgentRevocation"),
        responses: {
          "200": json(ref("AgentAuthorisation"), "The closed authorisation"),
          ...BAD,
          "403": err("Not the legal representative (NOT_LEGAL_REPRESENTATIVE)"),
          "404": err("The agent was never authorised for the enterprise"),
          ...APPLICANT_ERRORS,
        },
      },
    },
    "/v1/authorisations": {
      get: { summary: "The open authorisations the signed-in applicant holds as an agent", tags: ["enterprises"], security: applicant, responses: { "200": json(ref("AgentAuthorisationList"), "Authorisations"), ...APPLICANT_ERRORS } },
    },
    "/v1/lookup": {
      get: {
        summary: "Progress by application id and query code, without signing in and without personal data",
        tags: ["lookup"],
        security: [],
        parameters: [
          { name: "application_id", in: "query", required: true, schema: { type: "string" } },
          { name: "query_code", in: "query", required: true, schema: { type: "string", pattern: "^[0-9]{8}$" } },
        ],
        responses: { "200": json(ref("Progress"), "Progress"), "400": err("A parameter is missing"), "404": err("Unknown application or wrong query code"), "429": err("Too many look-ups from this address: 20 failed, or 120 in all, per 10 minutes") },
      },
    },
  },
} as const;
