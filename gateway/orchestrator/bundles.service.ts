/**
 * bundles: the catalogue of one-thing-once bundles, merged forms, applications and their durable
 * orchestration. Hosted by every gateway process; each runs the orchestration loop, and leases keep
 * replicas from dispatching a step twice. The portal API (HTTP) and back-offices (gRPC) call it.
 */
import os from "node:os";
import type { Context, ServiceSchema } from "moleculer";
import { callerDepartment, type CallerMeta } from "../../services/common/caller";
import { hubNow } from "../../services/common/clock";
import type { Database } from "../../services/common/db/database";
import { invalidArgument, kindOf, notFound, shown } from "../../services/common/errors";
import { openServiceDatabase, type Runtime } from "../../services/common/runtime";
import { resolveSecret } from "../../services/common/secrets";
import { requireText, todayInChina } from "../../services/common/validate";
import { decodePageToken, pageOf, pageSizeOf, TIMESTAMP_TEXT } from "../../services/common/paging";
import { APPLICATION_ID_KEY } from "./application-id";
import { readOverrides, useWorkingCalendar, WorkingCalendar } from "../../services/common/working-days";
import { calendarLastKnownYear } from "../../services/common/metrics";
import type { Person } from "../../proto/gen/tongban/identity/v1/identity";
import { criticalPathDays, loadBundles, type Bundle } from "../catalog/bundles";
import { mergedForm, type HeldMaterial } from "../catalog/merged-form";
import { governmentItems, previewDigest } from "../catalog/consent";
import { correct, decide, precheckSubmission, queryCode, statusView, submit, supplement, withdraw, type Decision } from "./applications";
import { EnterpriseAgents, enterpriseOf } from "../authority/agents";
import { ONE_WINDOW, Orchestrator } from "./engine";
import { findMaterialType } from "../materials/catalogue";
import { isMaterialId } from "../materials/store";
import { receiptKeys, signReceipt, verifyReceipt } from "./receipt";
import { loadApplication, readStatus, storedVersion, type ApplicationRow, type StepRow } from "./store";
import { pendingDecisions } from "./work-lists";
import { provideStatusWatch, StatusWatch } from "./status-watch";
import { ifNoneMatchMatches, statusTag } from "./status-tag";
import { changePayloadOf, startChangeFeed, type ChangeFeed } from "./change-feed";

type Ctx<P> = Context<P, CallerMeta>;

interface MaterialMeta {
  materialId: string;
  typeCode: string;
  fileName: string;
}


/** A page token of an applicant's list: submitted_at (as PostgreSQL prints it), application id. */
const MINE_KEY = [TIMESTAMP_TEXT, APPLICATION_ID_KEY];
/** Options of the orchestration loop (tests shorten the lease). */
export interface BundlesOptions {
  leaseSeconds?: number;
  maxAttempts?: number;
  sweepIntervalMs?: number;
}

/**
 * Says so at start when deadlines may fall in a year whose holidays the calendar does not know
 * (this year, or next year from November on, when limits of weeks reach into it), and exports the
 * last known year as a metric for an alert.
 */
function warnOfUnknownHolidays(calendar: WorkingCalendar, logger: { warn(obj: object, msg: string): void }): void {
  const today = todayInChina(new Date());
  const year = Number(today.slice(0, 4));
  const needed = Number(today.slice(5, 7)) >= 11 ? year + 1 : year;
  const known = calendar.lastKnownYear(year);
  calendarLastKnownYear.set(known);
  if (known < needed) {
    logger.warn(
      { lastKnownYear: known, neededYear: needed },
      `the holiday calendar (chinese-days) has no holidays for ${known + 1}: deadlines in ${known + 1} count weekends only — update chinese-days or list that year's holidays and make-up days in WORKDAY_OVERRIDES`,
    );
  }
}

/** The bundles service schema. */
export function bundlesService(rt: Runtime, options: BundlesOptions = {}): ServiceSchema {
  let db: Database;
  let bundles: Map<string, Bundle>;
  let engine: Orchestrator;
  let agents: EnterpriseAgents;
  let secret: string;
  /** Status reads waiting for a change of their application (long polling; the portal waits on it). */
  const watch = new StatusWatch();
  /** Other replicas' changes (PostgreSQL LISTEN), while this replica runs on PostgreSQL. */
  let feed: ChangeFeed | undefined;
  /** Whether another gateway replica is on the bus (each listens for bundles.workQueued), and may write applications. */
  let othersMayWrite = () => false;
  /**
   * The stored state of a running application from what this replica wrote last, when that is
   * still the stored one: alone on the bus nobody else writes; with other replicas the stored
   * version (one indexed column) must match. Undefined otherwise: read the database.
   */
  const current = async (applicationId: string): Promise<{ app: ApplicationRow; steps: StepRow[] } | undefined> => {
    const kept = engine.latest(applicationId);
    if (!kept) return undefined;
    if (othersMayWrite() && (await storedVersion(db, applicationId)) !== kept.app.version) return undefined;
    return kept;
  };
  /** Share of committed time after which a light turns yellow (LIGHT_YELLOW_PERCENT). */
  const yellowAt = rt.config.lightYellowPercent / 100;
  /** The status view of a state now, through the hub's clock (lights). */
  const view = (s: { app: ApplicationRow; steps: StepRow[] }, personal: boolean) => statusView(s.app, s.steps, personal, hubNow(), yellowAt);
  const asOneWindow = { meta: { caller: { department: ONE_WINDOW } } };

  const bundleOf = (code: unknown): Bundle => {
    if (code === undefined || code === null || code === "") throw invalidArgument("bundle_code", "is required (see the bundle list)");
    if (typeof code !== "string") throw invalidArgument("bundle_code", `must be a string (got ${kindOf(code)})`);
    const b = bundles.get(code);
    if (!b) throw invalidArgument("bundle_code", `${JSON.stringify(shown(code, 64))} is not a bundle (see the bundle list)`);
    return b;
  };
  const person = (ctx: Ctx<unknown>, idNumber: string, caseId: string) => ctx.call<Person, object>("identity.getPerson", { idNumber, caseId }, asOneWindow);
  const held = async (ctx: Ctx<unknown>, owner: string) =>
    (await ctx.call<{ materials: MaterialMeta[] }, object>("materials.listByOwner", { owner }, asOneWindow)).materials as HeldMaterial[];

  /**
   * That each [type, material id] names the owner's own upload of that type, asked in one read of
   * metadata (no bytes, nothing recorded); INVALID_ARGUMENT naming `fieldOf(type)` otherwise.
   */
  const requireOwnUploads = async (ctx: Ctx<unknown>, owner: string, wanted: Array<[string, unknown]>, fieldOf: (type: string) => string) => {
    const notYours = (type: string, id: unknown) => invalidArgument(fieldOf(shown(type, 64)), `${shown(id, 64)} is not your upload of type ${shown(type, 64)}`);
    for (const [type, id] of wanted) if (typeof id !== "string" || !isMaterialId(id)) throw notYours(type, id);
    if (wanted.length === 0) return;
    const { materials: found } = await ctx.call<{ materials: MaterialMeta[] }, object>(
      "materials.describeOwned",
      { owner, materialIds: [...new Set(wanted.map(([, id]) => id as string))] },
      asOneWindow,
    );
    for (const [type, id] of wanted) if (!found.some((m) => m.materialId === id && m.typeCode === type)) throw notYours(type, id);
  };

  return {
    name: "bundles",
    events: {
      /** A replica at capacity left due work in the queue: one with room pulls it now. */
      "bundles.workQueued": {
        handler() {
          engine?.pull();
        },
      },
    },
    actions: {
      list: {
        handler: () => ({
          bundles: [...bundles.values()].map((b) => ({
            code: b.code,
            nameZh: b.nameZh,
            nameEn: b.nameEn,
            descriptionZh: b.descriptionZh,
            committedDays: criticalPathDays(b),
            steps: b.steps.map((s) => ({ id: s.id, nameZh: s.nameZh, nameEn: s.nameEn, department: s.department, needs: s.needs })),
          })),
        }),
      },
      async form(ctx: Ctx<{ applicant: string; bundleCode: string }>) {
        const bundle = bundleOf(ctx.params.bundleCode);
        const applicant = await person(ctx, ctx.params.applicant, `form:${bundle.code}`);
        // What the bundle would take from government sources, with its source and value: the applicant confirms or refuses each on submission.
        const governmentData = governmentItems(bundle, applicant);
        return { bundleCode: bundle.code, ...mergedForm(bundle, applicant, await held(ctx, applicant.idNumber)), governmentData, previewDigest: previewDigest(governmentData) };
      },
      /**
       * Files an application. Validate, then read, then write: the client key, the form values and
       * the materials given are checked first; then the applicant's authority over the enterprise a
       * bundle acts for (legal representative or authorised agent, gateway/authority; 403 naming
       * enterprise.credit_code) and the materials named being the applicant's own; only then is the
       * applicant's record read (a recorded read) and the application stored. A refused submission reads and writes nothing.
       */
      async submit(ctx: Ctx<{ applicant: string; bundleCode: string; clientKey: string; form: unknown; materials?: Record<string, string>; consent?: unknown }>) {
        const bundle = bundleOf(ctx.params.bundleCode);
        const materials = ctx.params.materials ?? {};
        if (typeof materials !== "object" || Array.isArray(materials)) throw invalidArgument("materials", "must map material types to material ids");
        const { checked: checkedForm, decided } = precheckSubmission(bundle, { clientKey: ctx.params.clientKey, form: ctx.params.form, materials, consent: ctx.params.consent });
        const creditCode = enterpriseOf(bundle, ctx.params.form);
        if (creditCode) await agents.require(String(ctx.params.applicant), creditCode, bundle.code);
        // Each referenced material must be the applicant's own upload of that type (its metadata only, in one read: nothing recorded).
        await requireOwnUploads(ctx, String(ctx.params.applicant), Object.entries(materials), (type) => `materials.${type}`);
        // Only now is the applicant's record read (and the read recorded).
        const applicant = await person(ctx, ctx.params.applicant, `submit:${bundle.code}`);
        return submit(db, engine, secret, { applicant, bundle, clientKey: ctx.params.clientKey, checkedForm, materials, decided, traceId: ctx.requestID ?? undefined });
      },
      /**
       * The legal representative authorises an agent (经办人) for bundles of the enterprise until a
       * day: `{ by, creditCode, agentIdNumber, bundleCodes, validThrough, portal }` ->
       * `{ authorisation, created }` (see EnterpriseAgents.authorise; safe to retry).
       */
      async authoriseAgent(ctx: Ctx<{ by: string; creditCode: unknown; agentIdNumber: unknown; bundleCodes: unknown; validThrough: unknown; portal: string }>) {
        const p = ctx.params;
        return agents.authorise({ by: p.by, creditCode: p.creditCode, agent: p.agentIdNumber, bundleCodes: p.bundleCodes, validThrough: p.validThrough, portal: p.portal });
      },
      /** The enterprise's authorisations, for its legal representative: `{ by, creditCode }` -> `{ authorisations }`. */
      async listAgents(ctx: Ctx<{ by: string; creditCode: unknown }>) {
        return { authorisations: await agents.list(ctx.params.by, ctx.params.creditCode) };
      },
      /** The legal representative revokes an agent: `{ by, creditCode, agentIdNumber, reason? }` -> the closed authorisation. */
      async revokeAgent(ctx: Ctx<{ by: string; creditCode: unknown; agentIdNumber: unknown; reason?: unknown }>) {
        return agents.revoke({ by: ctx.params.by, creditCode: ctx.params.creditCode, agent: ctx.params.agentIdNumber, reason: ctx.params.reason });
      },
      /** The open authorisations an agent holds: `{ agent }` -> `{ authorisations }`. */
      async heldAuthorisations(ctx: Ctx<{ agent: string }>) {
        return { authorisations: await agents.heldBy(requireText(ctx.params.agent, "agent", 1, 64)) };
      },
      /**
       * The applicant's view of an application, with its rating once given, and its weak entity tag
       * (`etag`, status-tag.ts): one indexed read and no write; from memory while it runs and this
       * replica holds its stored state (current). `{ applicationId, applicant, ifNoneMatch? }`: with
       * `ifNoneMatch` (an If-None-Match value) matching the view's tag, answers
       * `{ notModified: true, etag, finished }` instead of the view. Waiting for a change is the
       * portal's (status-watch.ts): this action answers at once.
       */
      async status(ctx: Ctx<{ applicationId: string; applicant: string; ifNoneMatch?: string }>) {
        const id = requireText(ctx.params.applicationId, "application_id", 4, 64);
        const kept = await current(id);
        // Only a finished application is rated, and a kept one runs.
        const found = kept ? { ...kept, rating: undefined } : await readStatus(db, id);
        if (!found || found.app.applicant !== ctx.params.applicant) throw notFound("application", ctx.params.applicationId);
        const body = { ...view(found, true), rating: found.rating ?? null };
        const etag = statusTag(body);
        if (ifNoneMatchMatches(ctx.params.ifNoneMatch, etag)) return { notModified: true, etag, finished: body.finishedAt !== undefined };
        return { ...body, etag };
      },
      async lookup(ctx: Ctx<{ applicationId: string; queryCode: string }>) {
        const id = requireText(ctx.params.applicationId, "application_id", 4, 64);
        const found = (await current(id)) ?? (await loadApplication(db, id).catch(() => undefined));
        // A wrong code answers like an unknown application: the code is the only key.
        const given = ctx.params.queryCode;
        if (!found || typeof given !== "string" || queryCode(secret, id) !== given) throw notFound("application", id);
        return view(found, false);
      },
      /**
       * An applicant's applications, newest first, a page at a time, from the index on (applicant,
       * submitted_at): { applicant, pageSize (1-200, default 50), pageToken } → { applications:
       * [{ applicationId, bundleCode, status, submittedAt }], nextPageToken ("" after the last page) }.
       * INVALID_ARGUMENT naming page_size or page_token.
       */
      async mine(ctx: Ctx<{ applicant: string; pageSize?: unknown; pageToken?: unknown }>) {
        const applicant = requireText(ctx.params.applicant, "applicant", 1, 64);
        const size = pageSizeOf(ctx.params.pageSize);
        const token = decodePageToken(ctx.params.pageToken, MINE_KEY);
        const { rows } = await db.query<{ application_id: string; bundle_code: string; status: string; submitted_at: Date; submitted_text: string }>(
          `SELECT application_id, bundle_code, status, submitted_at, submitted_at::text AS submitted_text FROM applications
           WHERE applicant = $1 ${token ? "AND (submitted_at, application_id) < ($3::timestamptz, $4)" : ""}
           ORDER BY submitted_at DESC, application_id DESC LIMIT $2`,
          [applicant, size + 1, ...(token ?? [])],
        );
        const { page, nextPageToken } = pageOf(rows, size, (r) => [r.submitted_text, r.application_id]);
        return {
          applications: page.map((r) => ({ applicationId: r.application_id, bundleCode: r.bundle_code, status: r.status, submittedAt: new Date(r.submitted_at).toISOString() })),
          nextPageToken,
        };
      },
      async decide(ctx: Ctx<{ applicationId: string; stepKey: string; outcome: string; comment: string; materialType?: string }>) {
        // gRPC sends OUTCOME_APPROVE; bus callers may send APPROVE.
        const outcome = String(ctx.params.outcome ?? "").replace(/^OUTCOME_/, "") as Decision;
        const state = await decide(engine, callerDepartment(ctx), { ...ctx.params, outcome });
        return view(state, true);
      },
      /**
       * Whether the calling department has a step in application `applicationId` (the gRPC edge asks
       * before a back-office read names an application as its case): { applicationId } → { participates }.
       * An unknown application does not have the department either.
       */
      caseParticipant: {
        visibility: "public",
        async handler(ctx: Ctx<{ applicationId?: unknown }>) {
          const id = ctx.params?.applicationId;
          if (typeof id !== "string") throw invalidArgument("application_id", "must be an application id");
          const { rows } = await db.query<{ bundle: { steps: Array<{ department: string }> } }>("SELECT bundle FROM applications WHERE application_id = $1", [id]);
          const department = callerDepartment(ctx);
          return { participates: Boolean(rows[0]?.bundle.steps.some((s) => s.department === department)) };
        },
      },
      /** One page of the calling department's steps waiting for a decision, oldest deadline first. */
      listPendingDecisions: (ctx: Ctx<{ pageSize?: number; pageToken?: string }>) => pendingDecisions(db, callerDepartment(ctx), ctx.params ?? {}),
      async fetchMaterial(ctx: Ctx<{ applicationId: string; materialId: string }>) {
        const department = callerDepartment(ctx);
        const { app } = await loadApplication(db, requireText(ctx.params.applicationId, "application_id", 4, 64));
        const type = Object.entries(app.materials).find(([, id]) => id === ctx.params.materialId)?.[0];
        const usedByDepartment = app.bundle.steps.some((s) => s.department === department && (s.materials ?? []).some((m) => m.type === type));
        if (!type || !usedByDepartment) throw notFound("material", `${ctx.params.materialId} of application ${app.application_id}`);
        const m = await ctx.call<MaterialMeta & { contentType: string; contentBase64: string }, object>(
          "materials.fetchForCase",
          { materialId: ctx.params.materialId, caseId: app.application_id },
          { meta: { caller: { department } } },
        );
        return { materialId: m.materialId, typeCode: m.typeCode, fileName: m.fileName, contentType: m.contentType, content: Buffer.from(m.contentBase64, "base64") };
      },
      async supplement(ctx: Ctx<{ applicationId: string; applicant: string; materialType: string; materialId: string }>) {
        const { applicationId, applicant, materialType, materialId } = ctx.params;
        await requireOwnUploads(ctx, applicant, [[materialType, materialId]], () => "material_id");
        const state = await supplement(engine, requireText(applicationId, "application_id", 4, 64), applicant, materialType, materialId);
        return view(state, true);
      },
      /** The applicant withdraws (撤回) a running application; what was done is undone. */
      async withdraw(ctx: Ctx<{ applicationId: string; applicant: string; reason: string }>) {
        const state = await withdraw(engine, requireText(ctx.params.applicationId, "application_id", 4, 64), ctx.params.applicant, ctx.params.reason);
        return view(state, true);
      },
      /** The applicant corrects (or drops) a step held after a department refused it. */
      async correct(ctx: Ctx<{ applicationId: string; applicant: string; stepKey: string; fields?: unknown; item?: unknown; drop?: unknown }>) {
        const { applicationId, applicant, stepKey, fields, item, drop } = ctx.params;
        const state = await correct(engine, requireText(applicationId, "application_id", 4, 64), applicant, requireText(stepKey, "step_key", 1, 64), { fields, item, drop });
        return view(state, true);
      },
      /**
       * Whether a receipt is the hub's and unchanged (anyone may ask; POST /v1/verify/receipt):
       * { valid, keyId, failures: [{ check: format | key | signature, reason }] }.
       */
      async verifyReceipt(ctx: Ctx<{ receipt: unknown }>) {
        return verifyReceipt(db, ctx.params?.receipt);
      },
      /** The hub's receipt public keys with signer ID and validity, for offline verification (GET /v1/keys). */
      async receiptKeys() {
        return { keys: await receiptKeys(db, secret) };
      },
      /** Runs one safety-net sweep now (tests, operations); answers how many applications it moved on. */
      sweep: { visibility: "public", handler: async () => ({ moved: await engine.sweep() }) },
      /** What this replica's orchestrator has done (tests, operations). */
      engineStats: { visibility: "public", handler: () => ({ ...engine.stats(), statusWatch: { ...watch.stats(), listening: feed?.listening ?? false } }) },
    },
    async started() {
      bundles = loadBundles(undefined, (t) => Boolean(findMaterialType(t)));
      const calendar = new WorkingCalendar(readOverrides(rt.config.workdayOverrides));
      useWorkingCalendar(calendar);
      warnOfUnknownHolidays(calendar, this.logger);
      secret = resolveSecret(rt.config, "hub-secret", rt.config.hubSecret);
      db = await openServiceDatabase(rt, "gateway", "gateway");
      agents = new EnterpriseAgents(
        db,
        async (creditCode, idNumber) =>
          (await this.broker.call<{ representative: boolean }, object>("identity.isLegalRepresentative", { creditCode, idNumber }, asOneWindow)).representative,
        bundles,
      );
      const owner = `${rt.config.nodeId ?? os.hostname()}-${process.pid}`;
      othersMayWrite = () => this.broker.getEventListeners("bundles.workQueued").some((ep: { id: string }) => ep.id !== this.broker.nodeID);
      engine = new Orchestrator(this.broker, db, {
        owner,
        leaseSeconds: options.leaseSeconds ?? rt.config.orchestratorLeaseSeconds,
        maxAttempts: options.maxAttempts ?? 8,
        sweepIntervalMs: options.sweepIntervalMs ?? rt.config.orchestratorSweepMs,
        maxInFlight: rt.config.orchestratorMaxInFlight,
        announceQueued: () => void this.broker.broadcast("bundles.workQueued", { owner }).catch(() => undefined),
        onFinished: async (state) => state.setApp({ receipt: await signReceipt(db, state.app, state.steps, secret) }),
        onWritten: (applicationId) => watch.changed(applicationId),
        // Other replicas hear of a change only while there are others (PostgreSQL NOTIFY in the transition's statement).
        changePayload: (applicationId) => (feed && othersMayWrite() ? changePayloadOf(owner, applicationId) : undefined),
      });
      provideStatusWatch(this.broker, watch);
      if (db.kind === "postgres" && rt.config.databaseUrl) feed = startChangeFeed(rt.config.databaseUrl, owner, (id) => watch.changed(id, true));
      engine.start();
    },
    async stopped() {
      // Waiting status reads are answered with the state as it is, before the engine stops.
      watch.close();
      await feed?.close();
      await engine?.stop();
    },
  };
}
