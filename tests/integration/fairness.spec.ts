/**
 * Fairness of the orchestrator, on PostgreSQL and on the embedded default: with 500 applications
 * waiting for an officer and 500 waiting for a 容缺 material, a new 员工录用 and a new 开办企业 are
 * dispatched by their own submission (their first steps are leased in the submitting transaction),
 * move on by events alone (the safety-net sweep is off), and a sweep finds nothing to do among the
 * 1,000 waiting cases. The officers' work list pages through them. Asserts the order of work and
 * what ran, never wall time.
 */
import crypto from "node:crypto";
import { Errors } from "moleculer";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadConfig } from "../../services/common/config";
import { startHub, type Hub } from "../../services/hub";
import { generatePopulation } from "../../services/identity/seed/population";
import { createTestDatabase, dropTestDatabase } from "../support/postgres";
import { eventually } from "../support/eventually";
import { requireServers } from "../support/servers";
import { inPool, startBusinessForm, tradeName, START_BUSINESS_CONSENT } from "../support/start-business";

const WAITING_EACH = 500;
const SEED = 300;
const people = generatePopulation(SEED, 20261122);
const pdf = (n: number) => Buffer.from(`%PDF-1.4\n% material ${n}\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n`).toString("base64");
const samr = { meta: { caller: { department: "samr" } } };
const form = (i: number, employee: (typeof people)[number]) =>
  startBusinessForm({ tradeName: tradeName(i), applicant: people[0].idNumber, employees: [employee.idNumber] });

describe.each([["PostgreSQL"], ["the embedded default"]])("fairness on %s", (kind) => {
  let hub: Hub;
  let database: { name: string; url: string } | undefined;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tongban-fairness-"));
  const call = <T = any>(action: string, params: object, opts?: object) => hub.broker.call<T, object>(action, params, opts);
  const applicant = people[0].idNumber;
  const upload = async (typeCode: string, n: number) =>
    (await call<{ materialId: string }>("materials.upload", { owner: applicant, typeCode, fileName: `${typeCode}.pdf`, contentType: "application/pdf", contentBase64: pdf(n) })).materialId;
  const status = (applicationId: string) => call("bundles.status", { applicationId, applicant });
  const stepOf = (s: any, k: string) => s.steps.find((x: { stepKey: string }) => x.stepKey === k);

  beforeAll(async () => {
    const env: Record<string, string> = {
      DATA_DIR: dataDir, GRPC_PORT: "0", PORT: "0", LOG_LEVEL: "warn", SEED_POPULATION: "0",
      // Progress by events only: a sweep runs when the test asks for one.
      ORCHESTRATOR_SWEEP_MS: "0",
      HUB_SECRET: crypto.randomBytes(32).toString("hex"), LICENSE_KEY_SECRET: crypto.randomBytes(32).toString("hex"),
      TONGBAN_NAMESPACE: `fair-${crypto.randomBytes(3).toString("hex")}`,
    };
    if (kind === "PostgreSQL") {
      await requireServers();
      database = await createTestDatabase();
      env.DATABASE_URL = database.url;
    }
    hub = await startHub(loadConfig(env));
    await call("identity.seedPopulation", { count: SEED });
  }, 120_000);

  afterAll(async () => {
    await hub?.stop();
    if (database) await dropTestDatabase(database.name);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  const submit = async (bundleCode: string, f: object, materials: Record<string, string>) =>
    (await call<{ applicationId: string }>("bundles.submit", { applicant, bundleCode, clientKey: `fair-${crypto.randomUUID()}`, form: f, materials, ...(bundleCode === "START_BUSINESS" ? { consent: START_BUSINESS_CONSENT } : {}) })).applicationId;

  /** An enterprise for the 员工录用 cases, opened once by events alone (no sweep runs in this file); its credit code. */
  let opened: Promise<string> | undefined;
  const enterprise = (articles: string, premises: string) =>
    (opened ??= (async () => {
      const id = await submit("START_BUSINESS", form(0, people[1]), { ARTICLES_OF_ASSOCIATION: articles, PREMISES_PROOF: premises });
      await eventually(() => status(id), (s) => stepOf(s, "establishment").status === "WAITING_DECISION", 60_000, 50);
      await call("bundles.decide", { applicationId: id, stepKey: "establishment", outcome: "APPROVE", comment: "准予登记" }, samr);
      const company = await eventually(() => status(id), (s) => s.status !== "RUNNING", 60_000, 50);
      expect(company.status).toBe("COMPLETED");
      return stepOf(company, "establishment").output.creditCode as string;
    })());

  it("dispatches new applications by their own submission while 1,000 wait for people; a sweep finds nothing among them", async () => {
    const articles = await upload("ARTICLES_OF_ASSOCIATION", 1);
    const premises = await upload("PREMISES_PROOF", 2);

    const creditCode = await enterprise(articles, premises);

    // 500 wait for an officer's decision, 500 for the proof of premises (容缺).
    const waiting: string[] = [];
    await inPool(2 * WAITING_EACH, 16, async (i) => {
      const materials: Record<string, string> = i % 2 === 0 ? { ARTICLES_OF_ASSOCIATION: articles, PREMISES_PROOF: premises } : { ARTICLES_OF_ASSOCIATION: articles };
      waiting.push(await submit("START_BUSINESS", form(i + 1, people[2]), materials));
    });
    const gateway = await hub.runtime.databases.get("gateway")!;
    const counts = async () => {
      const { rows } = await gateway.query<{ status: string; n: number }>(
        "SELECT status, count(*)::int AS n FROM application_steps WHERE step_id = 'establishment' AND application_id = ANY ($1) GROUP BY status",
        [waiting],
      );
      const n = (st: string) => rows.find((r) => r.status === st)?.n ?? 0;
      return { decision: n("WAITING_DECISION"), material: n("WAITING_MATERIAL") };
    };
    expect(await eventually(counts, (c) => c.decision + c.material === 2 * WAITING_EACH, 120_000, 500)).toEqual({ decision: WAITING_EACH, material: WAITING_EACH });

    // The officer's work list: one department's waiting decisions, oldest deadline first and, within
    // a deadline, first come first served, by pages. Cases that arrive while the officer pages come
    // after what was read (the same deadline, a later ready time), so the scan misses none.
    const seen: any[] = [];
    const arrivals: string[] = [];
    let token = "";
    do {
      const page = await call<{ pending: any[]; nextPageToken: string }>("bundles.listPendingDecisions", { pageSize: 120, pageToken: token }, samr);
      expect(page.pending.length).toBeLessThanOrEqual(120);
      seen.push(...page.pending);
      token = page.nextPageToken;
      if (arrivals.length === 0) {
        for (let i = 0; i < 3; i++) arrivals.push(await submit("START_BUSINESS", form(3 * WAITING_EACH + i, people[2]), { ARTICLES_OF_ASSOCIATION: articles, PREMISES_PROOF: premises }));
        for (const id of arrivals) await eventually(() => status(id), (s) => stepOf(s, "establishment").status === "WAITING_DECISION", 60_000, 50);
      }
    } while (token);
    expect(seen.length).toBe(WAITING_EACH + arrivals.length);
    expect(new Set(seen.map((p) => p.applicationId)).size).toBe(WAITING_EACH + arrivals.length);
    expect(seen.slice(-arrivals.length).map((p) => p.applicationId).sort()).toEqual([...arrivals].sort());
    // In microseconds since 1970, as text (beyond a double's exact integers).
    const { rows: order } = await gateway.query<{ application_id: string; deadline: string; ready: string }>(
      `SELECT application_id, (extract(epoch FROM deadline) * 1000000)::bigint::text AS deadline, (extract(epoch FROM ready_at) * 1000000)::bigint::text AS ready
       FROM application_steps WHERE step_id = 'establishment' AND application_id = ANY ($1)`,
      [seen.map((p) => p.applicationId)],
    );
    const keyOf = new Map(order.map((r) => [r.application_id, [BigInt(r.deadline), BigInt(r.ready)] as const]));
    const keys = seen.map((p) => keyOf.get(p.applicationId)!);
    const byDeadlineThenReady = (a: readonly [bigint, bigint], b: readonly [bigint, bigint]) => (a[0] !== b[0] ? (a[0] < b[0] ? -1 : 1) : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);
    expect(keys).toEqual([...keys].sort(byDeadlineThenReady));
    const deadlines = seen.map((p) => Date.parse(p.deadline));
    expect(deadlines).toEqual([...deadlines].sort((a, b) => a - b));
    // What the officer needs, and only this step's fields and materials.
    expect(seen[0]).toMatchObject({ stepKey: "establishment", bundleCode: "START_BUSINESS", bundleName: "开办企业" });
    expect(seen[0].enterpriseName).toMatch(/^成都.+坊科技有限公司$/);
    expect(seen[0].fields.map((f: { name: string }) => f.name).sort()).toEqual(
      ["enterprise.address", "enterprise.business_scope_codes", "enterprise.investors", "enterprise.legal_representative_id_number", "enterprise.liaison_name", "enterprise.liaison_phone", "enterprise.registered_capital"],
    );
    expect(seen[0].materials.map((m: { type: string }) => m.type).sort()).toEqual(["ARTICLES_OF_ASSOCIATION", "PREMISES_PROOF"]);
    expect((await call<{ pending: unknown[] }>("bundles.listPendingDecisions", {}, samr)).pending.length).toBe(50);
    expect((await call<{ pending: unknown[] }>("bundles.listPendingDecisions", {}, { meta: { caller: { department: "tax" } } })).pending).toEqual([]);
    await expect(call("bundles.listPendingDecisions", { pageToken: "not-a-token" }, samr)).rejects.toMatchObject({ type: "INVALID_ARGUMENT", data: { field: "page_token" } });
    await expect(call("bundles.listPendingDecisions", { pageSize: 201 }, samr)).rejects.toMatchObject({ type: "INVALID_ARGUMENT", data: { field: "page_size" } });

    // The applicant's own list (GET /v1/applications) pages through their 1,000-odd applications
    // too, newest first, none twice or missed.
    const mine: Array<{ applicationId: string; submittedAt: string }> = [];
    let mineToken = "";
    do {
      const page = await call<{ applications: Array<{ applicationId: string; submittedAt: string }>; nextPageToken: string }>("bundles.mine", { applicant, pageSize: 200, pageToken: mineToken });
      expect(page.applications.length).toBeLessThanOrEqual(200);
      mine.push(...page.applications);
      mineToken = page.nextPageToken;
    } while (mineToken);
    const { rows: own } = await gateway.query<{ n: number }>("SELECT count(*)::int AS n FROM applications WHERE applicant = $1", [applicant]);
    expect(mine.length).toBe(own[0].n);
    expect(new Set(mine.map((a) => a.applicationId)).size).toBe(mine.length);
    expect(mine.map((a) => a.applicationId)).toEqual(expect.arrayContaining([...waiting, ...arrivals]));
    const submitted = mine.map((a) => Date.parse(a.submittedAt));
    expect(submitted).toEqual([...submitted].sort((a, b) => b - a));
    await expect(call("bundles.mine", { applicant, pageToken: "garbage" })).rejects.toMatchObject({ type: "INVALID_ARGUMENT", data: { field: "page_token" } });

    // Waiting cases are not in the queue of due work: a sweep moves none of them.
    const before = await call<{ sweptApplications: number }>("bundles.engineStats", {});
    expect(await call("bundles.sweep", {})).toEqual({ moved: 0 });
    expect((await call<{ sweptApplications: number }>("bundles.engineStats", {})).sweptApplications).toBe(before.sweptApplications);

    // New work is dispatched by its own submission: when submit answers, the first steps are leased.
    const beforeNew = await call<{ sweptApplications: number }>("bundles.engineStats", {});
    const contract = await upload("LABOUR_CONTRACT", 3);
    const hire = await submit("HIRE_EMPLOYEE", { "enterprise.credit_code": creditCode, employees: [{ id_number: people[3].idNumber, monthly_wage: "8000", start_date: "2026-11-21" }] }, { LABOUR_CONTRACT: contract });
    const fresh = await submit("START_BUSINESS", form(2 * WAITING_EACH + 1, people[4]), { ARTICLES_OF_ASSOCIATION: articles, PREMISES_PROOF: premises });
    const notDispatched = ["PENDING", "READY"];
    for (const s of (await status(hire)).steps) expect(notDispatched).not.toContain(s.status);
    expect(notDispatched).not.toContain(stepOf(await status(fresh), "name").status);

    // ...and moves on by events alone, ahead of the 1,000 that still wait.
    expect((await eventually(() => status(hire), (s) => s.status !== "RUNNING", 60_000, 50)).status).toBe("COMPLETED");
    await eventually(() => status(fresh), (s) => stepOf(s, "establishment").status === "WAITING_DECISION", 60_000, 50);
    expect(await counts()).toEqual({ decision: WAITING_EACH, material: WAITING_EACH });
    // Neither new application was moved on by a sweep: their events did all of it.
    expect((await call<{ sweptApplications: number }>("bundles.engineStats", {})).sweptApplications).toBe(beforeNew.sweptApplications);

    // Approved, it runs seal, tax and social insurance in parallel to the end; their answers are
    // applied in turn to the state this replica wrote, so it never meets its own newer version.
    await call("bundles.decide", { applicationId: fresh, stepKey: "establishment", outcome: "APPROVE", comment: "准予登记" }, samr);
    expect((await eventually(() => status(fresh), (s) => s.status !== "RUNNING", 60_000, 50)).status).toBe("COMPLETED");
    const after = await call<{ conflicts: number; transitions: number }>("bundles.engineStats", {});
    expect(after.transitions).toBeGreaterThan((beforeNew as unknown as { transitions: number }).transitions);
    expect(after.conflicts).toBe((beforeNew as unknown as { conflicts: number }).conflicts);
  }, 400_000);

  it("retries a step after a department fault when its time comes, with no sweep running", async () => {
    const creditCode = await enterprise(await upload("ARTICLES_OF_ASSOCIATION", 1), await upload("PREMISES_PROOF", 2));
    // The tax office's next withholding call times out once (as under an overload), then answers.
    const endpoint = (hub.broker.registry as any).getActionEndpoints("tax.registerWithholding").localEndpoints[0];
    const handler = endpoint.action.handler;
    let faults = 0;
    endpoint.action.handler = (ctx: unknown) => {
      if (faults++ === 0) return Promise.reject(new Errors.RequestTimeoutError({ action: "tax.registerWithholding", nodeID: hub.broker.nodeID }));
      return handler(ctx);
    };
    try {
      const before = await call<{ sweeps: number }>("bundles.engineStats", {});
      const contract = await upload("LABOUR_CONTRACT", 4);
      const hire = await submit("HIRE_EMPLOYEE", { "enterprise.credit_code": creditCode, employees: [{ id_number: people[5].idNumber, monthly_wage: "8000", start_date: "2026-11-21" }] }, { LABOUR_CONTRACT: contract });
      const done = await eventually(() => status(hire), (s) => s.status !== "RUNNING", 60_000, 50);
      expect(done.status).toBe("COMPLETED");
      expect(faults).toBe(2);
      // The retry's own wake-up ran a sweep pass (the interval is off): one pass at least, which moved it.
      expect((await call<{ sweeps: number }>("bundles.engineStats", {})).sweeps).toBeGreaterThan(before.sweeps);
    } finally {
      endpoint.action.handler = handler;
    }
  }, 120_000);
});
