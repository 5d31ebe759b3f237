/**
 * The JSON Schemas of the portal API: shared components (registered on the Fastify app by $id)
 * and what each route takes. Fastify validates every body, path parameter and query against them
 * before a handler runs (additionalProperties false down to list items, every string, list and
 * number bounded), and @fastify/swagger writes GET /openapi.json from the same schemas, so the
 * document cannot drift from what is enforced. Bodies are snake_case. Rules that need data (a
 * bundle's form fields, an ID number's check character) stay with the services.
 */

import type { Audience } from "./router";
import { jsonName } from "../../../services/common/json-names";

type Schema = Record<string, unknown>;

/** A reference to a shared schema by $id. */
export const ref = (id: string): Schema => ({ $ref: `${id}#` });
const str = (description?: string, extra: Schema = {}): Schema => ({ type: "string", maxLength: 500, ...(description ? { description } : {}), ...extra });
const time = (description = ""): Schema => str(description || undefined, { format: "date-time", maxLength: 40 });
const obj = (properties: Record<string, Schema>, required: string[] = [], extra: Schema = {}): Schema => ({ type: "object", properties, required, ...extra });
/** An object a client sends: nothing but the listed properties. */
const input = (properties: Record<string, Schema>, required: string[] = [], extra: Schema = {}): Schema => obj(properties, required, { additionalProperties: false, ...extra });
const list = (items: Schema, extra: Schema = {}): Schema => ({ type: "array", items, ...extra });
const int = (minimum: number, maximum: number, description?: string): Schema => ({ type: "integer", minimum, maximum, ...(description ? { description } : {}) });

/** Printable ASCII without spaces, as idempotency and client keys are. */
const KEY = "^[\\x21-\\x7e]+$";
export const ID_NUMBER: Schema = str("Resident ID number (18 characters, check character verified by the hub)", { pattern: "^[0-9]{17}[0-9Xx]$", minLength: 18, maxLength: 18 });
export const CREDIT_CODE: Schema = str("统一社会信用代码 (18 characters, check character verified by the hub)", { pattern: "^[0-9A-Za-z]{18}$", minLength: 18, maxLength: 18 });
export const APPLICATION_ID: Schema = str("Application id (受理号)", { minLength: 4, maxLength: 64, pattern: KEY });
const BUNDLE_CODE: Schema = str("Bundle code, e.g. START_BUSINESS (GET /v1/bundles)", { minLength: 1, maxLength: 40, pattern: "^[A-Za-z_]+$" });
const MATERIAL_TYPE: Schema = str("Material type from the catalogue, e.g. PREMISES_PROOF", { minLength: 1, maxLength: 40, pattern: "^[A-Z][A-Z0-9_]*$" });
const MATERIAL_ID: Schema = str("A material id from POST /v1/materials", { minLength: 1, maxLength: 80, pattern: KEY });
/** A canonical form field name (its key in a form), e.g. enterprise.address. */
const FIELD_NAME: Schema = { type: "string", maxLength: 80, pattern: "^[a-z_]+(\\.[a-z_]+)*$" };
const BUNDLES_FOR_ENTERPRISE = ["HIRE_EMPLOYEE", "CHANGE_REGISTRATION", "CLOSE_BUSINESS"];

const APPLICATION_STATUS = ["RUNNING", "COMPLETED", "FAILED", "COMPENSATED"];
const STEP_STATUS = ["PENDING", "WAITING_MATERIAL", "WAITING_DECISION", "APPROVED", "READY", "RUNNING", "SUCCEEDED", "HELD", "DROPPED", "FAILED", "REJECTED", "CANCELLED", "UNDOING", "COMPENSATED"];

/**
 * The properties of a licence copy, under both names protobuf's JSON mapping accepts (lowerCamelCase
 * and the proto's snake_case), each bounded.
 */
function licenceCopyProperties(): Record<string, Schema> {
  const text = (max: number) => str(undefined, { maxLength: max });
  // A proto-loader client writes an unset Timestamp as null.
  const time = { type: ["string", "null"], maxLength: 40 };
  const fields: Array<[string, Schema]> = [
    ["number", text(128)], ["type_code", text(16)], ["type_name", text(100)], ["holder_kind", text(40)], ["holder_id_type", text(3)], ["holder_id", text(18)],
    ["holder_name", text(200)], ["issuer", text(40)], ["issued_at", time], ["valid_from", text(10)], ["valid_until", text(10)],
    ["fields", obj({}, [], { additionalProperties: text(2000), maxProperties: 50 })],
    ["signature", input({ algorithm: text(20), key_id: text(100), keyId: text(100), value: text(200), signer_id: text(64), signerId: text(64) }, [], { maxProperties: 6 })],
    ["status", text(40)], ["status_reason", text(500)], ["status_changed_at", time], ["superseded_by", text(128)],
  ];
  return Object.fromEntries(fields.flatMap(([name, schema]) => (jsonName(name) === name ? [[name, schema]] : [[name, schema], [jsonName(name), schema]])));
}

/** The shared schemas, each with its $id (also its name under components.schemas). */
export const COMPONENTS: Schema[] = [
  {
    $id: "Error",
    ...obj(
      {
        error: obj(
          {
            code: str("INVALID_ARGUMENT, NOT_FOUND, ... or a stable reason code (e.g. ALREADY_RATED, IDEMPOTENCY_KEY_REUSED, NAME_TAKEN)"),
            message: str("A sentence to show"),
            field: str("The property or form field at fault, if any"),
            problems: list(obj({ field: str(), reason: str() }, ["field", "reason"]), { description: "Every problem found in the request at once (schema checks)" }),
          },
          ["code", "message"],
        ),
      },
      ["error"],
    ),
  },
  { $id: "SessionRequest", ...input({ id_number: ID_NUMBER }, ["id_number"], { description: "A citizen the portal has identified (e.g. through the national e-ID)" }) },
  { $id: "Session", ...obj({ token: str("Applicant token (JWT, HS256, aud tongban-portal, at most 1 h)", { maxLength: 2000 }), token_type: { const: "Bearer" }, expires_at: time("When the token expires") }, ["token", "expires_at"]) },
  {
    $id: "Bundle",
    ...obj(
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
  },
  { $id: "BundleList", ...obj({ bundles: list(ref("Bundle")) }, ["bundles"]) },
  {
    $id: "FormField",
    ...obj(
      {
        name: str("Canonical field name (the key in the submitted form), e.g. enterprise.address"),
        type: str("text, id_number, credit_code, region_code, decimal, date, enum, boolean, integer, codes, investors, employees"),
        label_zh: str(),
        label_en: str(),
        required: { type: "boolean" },
        values: list(str()),
        range: str("A decimal field's documented range and unit, e.g. more than 0 and at most 1000000 元"),
        value: { description: "Prefilled value (government data, or a suggestion)" },
        source: str("Where the prefilled value comes from"),
        editable: { type: "boolean", description: "false: held by the government, shown but not asked" },
      },
      ["name", "type", "required", "editable"],
    ),
  },
  {
    $id: "FormMaterial",
    ...obj(
      { type: str("Material type, e.g. PREMISES_PROOF"), deferrable: { type: "boolean", description: "容缺: may be supplied after submission" }, steps: list(str()), reuse: obj({ material_id: str(), file_name: str() }) },
      ["type", "deferrable", "steps"],
    ),
  },
  {
    $id: "Form",
    ...obj(
      {
        bundle_code: str(),
        fields: list(ref("FormField")),
        materials: list(ref("FormMaterial")),
        government_data: list(
          obj({ field: str(), label_zh: str(), label_en: str(), source: str("The registry it comes from"), value: { description: "The value the bundle would use" } }, ["field", "source"]),
          { description: "What the bundle would take from government sources instead of asking: confirm or refuse each in the submission's consent" },
        ),
        preview_digest: str("Echo it as consent.preview_digest: the submission is refused if the data changed since (PREVIEW_CHANGED)"),
      },
      ["bundle_code", "fields", "materials", "government_data", "preview_digest"],
    ),
  },
  {
    $id: "MaterialUpload",
    ...input(
      {
        type_code: MATERIAL_TYPE,
        file_name: str("The file's name as the applicant knows it", { minLength: 1, maxLength: 255 }),
        content_type: str("application/pdf, application/ofd, image/jpeg or image/png; must match the bytes", { minLength: 1, maxLength: 100 }),
        content_base64: str("The file, base64 (RFC 4648, padded); the request body is limited to 28 MiB, the file by its type (at most 20 MiB)", {
          contentEncoding: "base64",
          minLength: 4,
          maxLength: 28 * 1024 * 1024,
        }),
      },
      ["type_code", "file_name", "content_type", "content_base64"],
    ),
  },
  {
    $id: "Material",
    ...obj(
      { material_id: str(), owner: str(), type_code: str(), file_name: str(), content_type: str(), size: { type: "integer" }, sha256: str(), created_at: time("First upload"), last_uploaded_at: time("Latest upload of the same file") },
      ["material_id", "type_code", "file_name", "content_type", "size", "sha256"],
    ),
  },
  { $id: "MaterialList", ...obj({ materials: list(ref("Material")) }, ["materials"]) },
  {
    $id: "ApplicationSubmit",
    ...input(
      {
        bundle_code: BUNDLE_CODE,
        client_key: str("8-128 printable ASCII characters, the same on every retry of this submission", { minLength: 8, maxLength: 128, pattern: KEY }),
        form: {
          type: "object",
          description: "Canonical field name -> value; government-held fields are not sent. Each value is checked by the data dictionary (GET /v1/bundles/{code}/form)",
          propertyNames: FIELD_NAME,
          maxProperties: 64,
        },
        materials: {
          type: "object",
          description: "Material type -> material_id of the applicant's upload; deferrable ones may be left out",
          propertyNames: MATERIAL_TYPE,
          additionalProperties: MATERIAL_ID,
          maxProperties: 20,
        },
        consent: input(
          {
            confirmed: list(FIELD_NAME, { maxItems: 50, description: "Items of the form's government_data the applicant confirms" }),
            refused: list(FIELD_NAME, { maxItems: 50, description: "Items the applicant refuses: they type the value in form instead" }),
            preview_digest: str("The form's preview_digest, to be sure the data shown is the data used", { maxLength: 64 }),
          },
          [],
          { description: "The applicant's decision on every item of the form's government_data (required when there is any)", maxProperties: 3 },
        ),
      },
      ["bundle_code", "client_key", "form"],
    ),
  },
  { $id: "ApplicationCreated", ...obj({ application_id: str("受理号"), query_code: str("查询码: with the id, anyone may follow progress (GET /v1/lookup)") }, ["application_id", "query_code"]) },
  {
    $id: "ApplicationList",
    ...obj({ applications: list(obj({ application_id: str(), bundle_code: str(), status: str(undefined, { enum: APPLICATION_STATUS }), submitted_at: time() })), next_page_token: str() }, ["applications", "next_page_token"]),
  },
  {
    $id: "Step",
    ...obj(
      {
        step_key: str("Step id, or id#n for a step run per list item"),
        name_zh: str(),
        name_en: str(),
        department: str(),
        status: str(undefined, { enum: STEP_STATUS }),
        attempts: { type: "integer" },
        waiting_for: str("Material type(s) the step waits for"),
        decision: obj({ outcome: str(), by: str(), comment: str(), at: time(), material_type: str() }, [], { description: "The officer's decision (not in public look-ups)" }),
        ready_at: time(),
        started_at: time(),
        finished_at: time(),
        undone_at: time("When the step's compensation undid it (withdrawal, failure)"),
        deadline: time("Committed deadline of the step"),
        overdue: { type: "boolean" },
        light: str("红黄灯 of an open step: GREEN; YELLOW once 90 % of its committed time is used; RED when overdue", { enum: ["GREEN", "YELLOW", "RED"] }),
        output: obj({}, [], { description: "What the department returned (credit code, licence numbers...; not in public look-ups)", additionalProperties: true }),
        error: obj({ reason_code: str(), message: str() }, [], { description: "Why the department refused it; with HELD, correct the step's fields or drop it" }),
      },
      ["step_key", "department", "status"],
    ),
  },
  {
    $id: "Progress",
    ...obj(
      {
        application_id: str(),
        bundle: obj({ code: str(), name_zh: str(), name_en: str() }),
        status: str(undefined, { enum: APPLICATION_STATUS }),
        submitted_at: time(),
        committed_deadline: time("承诺办结时间"),
        ms_left: { type: "integer", description: "Milliseconds to the committed deadline while open" },
        overdue: { type: "boolean" },
        light: str("红黄灯 of the open application (committed time from submission)", { enum: ["GREEN", "YELLOW", "RED"] }),
        supplement_deadline: time("Deadline for deferred materials"),
        supplement_overdue: { type: "boolean" },
        finished_at: time(),
        failure: obj({ step: str(), reason_code: str(), message: str("Not in public look-ups") }),
        steps: list(ref("Step")),
      },
      ["application_id", "status", "steps"],
      { description: "Progress without personal data (public look-up)" },
    ),
  },
  {
    $id: "ApplicationStatus",
    allOf: [
      ref("Progress"),
      obj({
        receipt: obj({}, [], { additionalProperties: true }),
        rating: { oneOf: [ref("Rating"), { type: "null" }] },
        consent: obj({ at: time(), items: list(obj({ field: str(), source: str(), decision: str("CONFIRMED or REFUSED") })) }, [], { description: "The applicant's decisions on government data at submission" }),
      }),
    ],
  },
  { $id: "Supplement", ...input({ material_type: MATERIAL_TYPE, material_id: MATERIAL_ID }, ["material_type", "material_id"]) },
  { $id: "Withdrawal", ...input({ reason: str("Why the application is withdrawn", { minLength: 2, maxLength: 500 }) }, ["reason"]) },
  {
    $id: "Correction",
    ...input(
      {
        fields: { type: "object", description: "New values of the held step's own fields, e.g. {\"tax.monthly_credit_line\": \"50000\"}", propertyNames: FIELD_NAME, maxProperties: 32 },
        item: { type: "object", description: "The corrected list element of a step that runs per element, e.g. one employee {id_number, monthly_wage, start_date}", propertyNames: FIELD_NAME, maxProperties: 32 },
        drop: { type: "boolean", enum: [true], description: "Give the item up: the rest of the application completes without it" },
      },
      [],
      { description: "Exactly one of fields, item or drop" },
    ),
  },
  {
    $id: "RatingRequest",
    ...input(
      {
        score: int(1, 5, "The whole application: 5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意"),
        comment: str("Up to 500 characters; required for 不满意 and 非常不满意 (2, 1): a bad rating opens a rectification case (差评整改)", { maxLength: 500 }),
        departments: list(
          input(
            { department: str("A department with a step in the application, e.g. tax", { minLength: 1, maxLength: 32, pattern: "^[a-z][a-z0-9_-]*$" }), score: int(1, 5), comment: str("Required for 1 and 2", { maxLength: 500 }) },
            ["department", "score"],
          ),
          { maxItems: 16, description: "Ratings of single departments of the case, each answering for its own" },
        ),
      },
      ["score"],
    ),
  },
  {
    $id: "Rating",
    ...obj(
      {
        application_id: str(), score: { type: "integer" }, level: str("VERY_SATISFIED, SATISFIED, BASICALLY_SATISFIED, DISSATISFIED, VERY_DISSATISFIED"), comment: str(), rated_at: time(),
        departments: list(obj({ department: str(), score: { type: "integer" }, level: str(), comment: str() })),
        rectifications: list(str(), { description: "Ids of the rectification cases this rating opened" }),
      },
      ["application_id", "score", "rated_at"],
    ),
  },
  {
    $id: "Rectification",
    ...obj(
      {
        rectification_id: str(), application_id: str(), department: str(), bundle_code: str(), score: { type: "integer" }, level: str(), reason: str(),
        opened_at: time(), due_at: time(), status: str("OPEN, ANSWERED, CLOSED"), measures: str(), answered_at: time(),
        revisit_score: { type: "integer" }, revisit_comment: str(), revisited_at: time(), light: str("GREEN, YELLOW, RED while OPEN"), overdue: { type: "boolean" },
      },
      ["rectification_id", "application_id", "department", "status", "due_at"],
    ),
  },
  { $id: "Feedback", ...obj({ rating: { oneOf: [ref("Rating"), { type: "null" }] }, rectifications: list(ref("Rectification")) }, ["rating", "rectifications"]) },
  { $id: "Revisit", ...input({ score: int(1, 5, "How the complaint was handled: 5 非常满意 … 1 非常不满意"), comment: str("Required for 1 and 2", { maxLength: 500 }) }, ["score"]) },
  {
    $id: "LicenceVerificationRequest",
    ...input({ licence: ref("LicenceCopy") }, ["licence"], { maxProperties: 1, description: "A copy of a licence as the hub issued it (its JSON over gRPC or the bus: camelCase, or the proto's snake_case names)" }),
  },
  { $id: "LicenceCopy", ...input(licenceCopyProperties(), [], { description: "A licence copy; its signed fields are checked as given, status fields are ignored (the registry answers them)", maxProperties: 40 }) },
  {
    $id: "LicenceVerification",
    ...obj(
      {
        valid: { type: "boolean", description: "Every check passed" },
        number: str("The licence identifier the copy names"),
        signature_valid: { type: "boolean", description: "The issuer's signature matches the copy's signed content" },
        status: str("The registry's status: LICENCE_STATUS_VALID, _SUSPENDED, _REVOKED, _EXPIRED, _SUPERSEDED (UNSPECIFIED when unknown)"),
        within_validity: { type: "boolean", description: "Today (China time) is within valid_from … valid_until" },
        failures: list(obj({ check: str("signature, identifier, registry, status or validity"), reason: str() }, ["check", "reason"])),
      },
      ["valid", "signature_valid", "status", "within_validity", "failures"],
    ),
  },
  {
    $id: "ReceiptVerificationRequest",
    ...input(
      { receipt: obj({ signature: obj({ algorithm: str(), keyId: str(), value: str(), signerId: str() }, [], { maxProperties: 4 }) }, ["signature"], { additionalProperties: true, maxProperties: 64, description: "The receipt exactly as the hub gave it (GET /v1/applications/{id} → receipt)" }) },
      ["receipt"],
      { maxProperties: 1 },
    ),
  },
  {
    $id: "ReceiptVerification",
    ...obj({ valid: { type: "boolean" }, key_id: str(), failures: list(obj({ check: str("format, key or signature"), reason: str() }, ["check", "reason"])) }, ["valid", "key_id", "failures"]),
  },
  {
    $id: "DataUseCheckpoints",
    ...obj(
      {
        checkpoints: list(
          obj(
            {
              schema: str("The schema whose data-use chain this vouches for"), seq: str("The chain's head entry"), hash: str("Its hash (SM3, hex)"), at: time("When it was signed"),
              key_id: str("The hub's receipt key (GET /v1/keys)"), algorithm: str(), signer_id: str(), signature: str("Over canonical JSON of {type: tongban.data-use-checkpoint, schema, seq, hash, at, prevSeq, prevHash}", { maxLength: 400 }),
              prev_seq: str("The checkpoint before (0 for the first)"), prev_hash: str(),
            },
            ["schema", "seq", "hash", "at", "key_id", "algorithm", "signer_id", "signature"],
          ),
        ),
      },
      ["checkpoints"],
    ),
  },
  {
    $id: "PublicKeys",
    ...obj(
      {
        licence_keys: list(
          obj({
            key_id: str(), department: str("The issuing department"), issuer_code: str("Its unified social credit code, as in the licence identifiers"), algorithm: str("SM2-SM3 or ED25519"),
            signer_id: str("SM2 signer ID in Z of what the key signs now (GM/T 0009 default 1234567812345678; empty for Ed25519); each licence names its own in signature.signer_id (empty: signed before, with the empty ID)"), public_key_pem: str(undefined, { maxLength: 2000 }),
            active: { type: "boolean" }, created_at: time("Signs from"), retired_at: time("Retired: signs nothing after, still verifies what it signed"),
          }),
        ),
        receipt_keys: list(obj({ key_id: str(), algorithm: str(), signer_id: str(), public_key_pem: str(undefined, { maxLength: 2000 }), active: { type: "boolean" }, created_at: time("Signs from") })),
        issuers: obj({}, [], { additionalProperties: str(), description: "Issuing department → unified social credit code" }),
        licence_types: obj({}, [], { additionalProperties: str(), description: "Licence type → GB/T 36904 type code" }),
      },
      ["licence_keys", "receipt_keys", "issuers", "licence_types"],
    ),
  },
  {
    $id: "Jwks",
    ...obj({ keys: list(obj({ kid: str(), kty: str(), crv: str(), x: str(), y: str(), alg: str(), use: str(), "tongban:purpose": str("licence or receipt"), "tongban:department": str(), "tongban:signer_id": str() }, [], { additionalProperties: true })) }, ["keys"]),
  },
  {
    $id: "DataUses",
    ...obj(
      {
        uses: list(
          obj(
            {
              department: str("Who: the department that read or changed the data"),
              kind: str("read (a department read it) or change (a bundle's step changed the case)"),
              what: str("What kind of data: person, entity, licence, material, enterprise-registration, taxpayer, employer, application"),
              item: str("Which record (a licence number, a material id, an application id), if one"),
              action: str("What was done: get, verify, list; for a change the new state"),
              case_id: str("For which case"),
              purpose: str("Why, as the caller stated it (a bundle's step, a back-office's x-purpose)"),
              at: str("When (ISO 8601 UTC, microseconds)"),
              whose: str("self, or the credit code of an enterprise the applicant represents"),
              log: str("The log it is kept in (a department's schema)"),
            },
            ["department", "kind", "what", "action", "case_id", "at", "whose"],
          ),
        ),
        next_page_token: str(),
      },
      ["uses", "next_page_token"],
    ),
  },
  { $id: "RectificationAnswer", ...input({ measures: str("What the department did (4-2000 characters)", { minLength: 1, maxLength: 2000 }) }, ["measures"]) },
  { $id: "OfficerSession", ...obj({ token: str(), token_type: str(), expires_at: time(), department: str() }, ["token", "expires_at", "department"]) },
  {
    $id: "BoardCases",
    ...obj(
      {
        cases: list(
          obj({
            application_id: str(), bundle_code: str(), bundle_name: str(), enterprise_name: str(), credit_code: str(), status: str(), submitted_at: time(), committed_deadline: time(),
            light: str(), red_reasons: list(str()), red_since: time(), rectification_id: str(),
            steps: list(obj({ step_key: str(), step_name: str(), department: str(), status: str(), deadline: time(), light: str(), overdue: { type: "boolean" } })),
          }),
        ),
        next_page_token: str(),
      },
      ["cases", "next_page_token"],
    ),
  },
  {
    $id: "Statistics",
    ...obj(
      {
        from: str(), to: str(),
        rows: list(obj(Object.fromEntries(["department", "bundle_code"].map((k) => [k, str()]).concat(
          ["accepted", "completed", "immediate", "on_time", "early", "ratings", "satisfied", "bad_ratings", "rectified", "revisited"].map((k) => [k, { type: "integer" }]),
          ["immediate_rate", "on_time_rate", "early_rate", "average_working_days", "satisfaction_rate", "rectification_rate", "revisit_rate"].map((k) => [k, { type: "number" }]),
        )))),
      },
      ["from", "to", "rows"],
    ),
  },
  { $id: "Rectifications", ...obj({ rectifications: list(ref("Rectification")), next_page_token: str() }, ["rectifications", "next_page_token"]) },
  {
    $id: "AgentGrant",
    ...input(
      {
        agent_id_number: { ...ID_NUMBER, description: "Resident ID number of the agent (经办人)" },
        bundle_codes: list(str(undefined, { enum: BUNDLES_FOR_ENTERPRISE }), { minItems: 1, maxItems: BUNDLES_FOR_ENTERPRISE.length, description: "Bundles the agent may file for the enterprise" }),
        valid_through: str("Last day (China Standard Time) the agent may file, YYYY-MM-DD: today to 366 days ahead", { pattern: "^\\d{4}-\\d{2}-\\d{2}$", maxLength: 10 }),
      },
      ["agent_id_number", "bundle_codes", "valid_through"],
    ),
  },
  {
    $id: "AgentAuthorisation",
    ...obj(
      {
        authorisation_id: str(),
        credit_code: str("The enterprise"),
        agent_id_number: str(),
        bundle_codes: list(str()),
        valid_through: str("YYYY-MM-DD, China Standard Time"),
        granted_by: str("The legal representative's ID number"),
        portal: str("The portal system the grant came through"),
        granted_at: time(),
        state: str("OPEN (in force), EXPIRED, REVOKED (or replaced by a new grant)", { enum: ["OPEN", "EXPIRED", "REVOKED"] }),
        revoked_at: time(),
        revoke_reason: str(),
      },
      ["authorisation_id", "credit_code", "agent_id_number", "bundle_codes", "valid_through", "state"],
    ),
  },
  { $id: "AgentAuthorisationList", ...obj({ authorisations: list(ref("AgentAuthorisation")) }, ["authorisations"]) },
  { $id: "AgentRevocation", ...input({ reason: str("Why (up to 200 characters)", { maxLength: 200 }) }) },
  { $id: "Health", ...obj({ status: str("ok, down or alive"), down: list(str()), checks: { type: "object", additionalProperties: true } }, ["status"]) },
];

/** What a route documents and enforces beyond its method and path. */
export interface RouteSchema {
  operationId: string;
  summary: string;
  tags: string[];
  /** $id of the body's schema (POST routes). */
  body?: string;
  /** Path parameters (each also required). */
  params?: Record<string, Schema>;
  /** Query parameters (none required: handlers name a missing one, and count it where they must). */
  query?: Record<string, Schema>;
  /** Request headers the route reads (lower case; none required, other headers allowed). */
  headers?: Record<string, Schema>;
  /** Answers by status: a description, with the $id of the body's schema (null: no body, as a 304 has). */
  responses: Record<string, [description: string, schema?: string | null]>;
  /** Response headers of the route's 2xx and 304 answers (documented in the OpenAPI answers). */
  responseHeaders?: Record<string, Schema>;
}

/** The path parameters of the portal's routes. */
export const PARAM = {
  rectification_id: str("Rectification case id (ZG-<application id>-<department>)", { minLength: 4, maxLength: 128, pattern: "^ZG-[A-Za-z0-9_-]+$" }),
  id: { ...APPLICATION_ID, description: "Application id (受理号)" },
  code: { ...BUNDLE_CODE, description: "Bundle code" },
  step_key: str("The held step, e.g. enrolment#0 or invoices", { minLength: 1, maxLength: 64, pattern: "^[a-z][a-z-]*(#[0-9]{1,3})?$" }),
  credit_code: CREDIT_CODE,
  id_number: { ...ID_NUMBER, description: "The agent's ID number" },
} satisfies Record<string, Schema>;

/** The Fastify schema of a route: validation plus the OpenAPI operation, with the errors its audience can meet. */
export function fastifySchema(s: RouteSchema, audience: Audience, hasBody: boolean): Schema {
  const error = (description: string) => ({ description, ...ref("Error") });
  const responses: Record<string, Schema> = {};
  for (const [status, [description, schema]] of Object.entries(s.responses)) {
    const answer: Schema = schema === null ? { description, type: "null" } : schema ? { description, ...ref(schema) } : { description, type: "object" };
    const withHeaders = s.responseHeaders && (status.startsWith("2") || status === "304");
    responses[status] = withHeaders ? { ...answer, headers: s.responseHeaders } : answer;
  }
  // Every route refuses query parameters it does not name (none, for a route without a query), as it does unknown body properties.
  responses["400"] ??= error("Bad input: `field` names the property (or the canonical form field), `message` the reason, `problems` every problem found");
  if (hasBody) {
    responses["413"] ??= error("The body is larger than the route takes (PAYLOAD_TOO_LARGE)");
    responses["415"] ??= error("The body is not UTF-8 application/json (UNSUPPORTED_MEDIA_TYPE)");
  }
  if (audience === "applicant") {
    responses["401"] ??= error("No applicant token, or it does not verify or has expired; `code` names the reason (TOKEN_MISSING, TOKEN_EXPIRED, ...)");
  }
  if (audience === "officer") {
    responses["401"] ??= error("No officer token, or it does not verify or has expired (TOKEN_MISSING, OFFICER_TOKEN_INVALID)");
  }
  if (audience === "department" || audience === "member") {
    responses["401"] ??= error("No department token, or it does not verify (TOKEN_MISSING, DEPARTMENT_TOKEN_INVALID)");
  }
  if (audience !== "public") {
    responses["429"] ??= error("Too many requests in flight");
    responses["503"] ??= error("A service behind the route is not reachable; retry");
  }
  const scheme = { public: undefined, department: "departmentToken", member: "departmentToken", applicant: "applicantToken", officer: "officerToken" }[audience];
  return {
    operationId: s.operationId,
    summary: s.summary,
    tags: s.tags,
    security: scheme ? [{ [scheme]: [] }] : [],
    ...(s.body ? { body: ref(s.body) } : {}),
    ...(s.params ? { params: { type: "object", properties: s.params, required: Object.keys(s.params), additionalProperties: false } } : {}),
    querystring: { type: "object", properties: s.query ?? {}, additionalProperties: false },
    ...(s.headers ? { headers: { type: "object", properties: s.headers } } : {}),
    response: responses,
  };
}
