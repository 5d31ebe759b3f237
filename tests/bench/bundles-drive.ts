/**
 * Portal clients driving bundles: each client signs in once, then loops — upload the materials,
 * submit with a unique client key, follow GET /v1/applications/{id} until the application has
 * finished — until the phase's time is up (then finishes what it submitted). A client follows its
 * application as a portal page would: with --status-wait S (default 20), each read after the first
 * sends the ETag it has with `Prefer: wait=S`, so the hub answers when the application changes (at
 * most once per --poll-ms); with --status-wait 0 it polls every --poll-ms (250) ms.
 */
import type { SyntheticPerson } from "../../services/identity/seed/population";
import type { BundleCode } from "./bundles-args";
import type { People } from "./bundles-people";
import { pdf, Portal, PortalError } from "./bundles-portal";
import { describe, sleep, todayInChina } from "./bundles-util";
import { startBusinessForm, START_BUSINESS_CONSENT } from "../support/start-business";


export interface AppRecord {
  bundle: BundleCode;
  clientKey: string;
  applicationId?: string;
  /** Client clock (ms since epoch) when the submission was sent. */
  submitStartMs: number;
  submitLatencyMs?: number;
  /** Client clock when the finished state was seen. */
  doneMs?: number;
  /** COMPLETED, COMPENSATED, FAILED (application states); HELD (a step held for correction); TIMEOUT; SESSION_ERROR; UPLOAD_ERROR; SUBMIT_ERROR; CLIENT_ERROR. */
  outcome: string;
  /** The hub's own timestamps from the final status (ms since epoch). */
  serverSubmittedMs?: number;
  serverFinishedMs?: number;
  reason?: string;
  /** The steps as the hub reported them at the end, times relative to submitted_at. */
  timeline?: string;
  /** Server-side: from the step needing a decision being ready to the officer's decision (ms). */
  decisionWaitMs?: number;
  /** Status reads made, and how many were answered 304 (unchanged after the wait). */
  statusReads?: number;
  notModified?: number;
}

export interface Enterprise {
  creditCode: string;
  owner: SyntheticPerson;
}

export interface DriveContext {
  portal: Portal;
  people: People;
  nextTradeName: () => string;
  /** Enterprises opened by completed START_BUSINESS applications (HIRE_EMPLOYEE hires for them). */
  enterprises: Enterprise[];
  appTimeoutMs: number;
  /** Status poll interval of a client (ms); with statusWaitS, the least time between two reads. */
  pollMs: number;
  /** Seconds a status read waits for a change (Prefer: wait), 0 to poll without waiting. */
  statusWaitS: number;
}

export interface PhaseSpec {
  bundle: BundleCode;
  clients: number;
  /** Submit for this long... */
  seconds?: number;
  /** ...or until this many applications have been submitted. */
  count?: number;
  /** client_key prefix, unique to the phase: `${prefix}-<n>`. */
  keyPrefix: string;
}

export interface PhaseRun {
  records: AppRecord[];
  /** Client clock: first submission sent, submissions stopped, last client finished. */
  startMs: number;
  stopSubmittingMs: number;
  endMs: number;
  notes: string[];
  sessionErrors: number;
  firstSessionError?: string;
}

const startForm = (applicant: SyntheticPerson, employee: SyntheticPerson, tradeName: string) =>
  startBusinessForm({ tradeName, applicant: applicant.idNumber, employees: [employee.idNumber], sealTypes: ["公章", "发票专用章"], startDate: todayInChina() });

const hireForm = (creditCode: string, employee: SyntheticPerson) => ({
  "enterprise.credit_code": creditCode,
  employees: [{ id_number: employee.idNumber, monthly_wage: "8000", start_date: todayInChina() }],
});

const ms = (iso: unknown) => (typeof iso === "string" ? Date.parse(iso) : undefined);

/** "step status r+ready s+started d+decided f+finished ×attempts", seconds after the submission. */
function timelineOf(s: any): string {
  const t0 = ms(s.submitted_at) ?? 0;
  const at = (label: string, iso: unknown) => (ms(iso) !== undefined ? ` ${label}+${((ms(iso)! - t0) / 1000).toFixed(2)}` : "");
  return (s.steps ?? [])
    .map((x: any) => `${x.step_key} ${x.status}${at("r", x.ready_at)}${at("s", x.started_at)}${at("d", x.decision?.at)}${at("f", x.finished_at)}${x.attempts > 1 ? ` ×${x.attempts}` : ""}`)
    .join("; ");
}

export async function runPhase(ctx: DriveContext, spec: PhaseSpec): Promise<PhaseRun> {
  const records: AppRecord[] = [];
  const notes: string[] = [];
  const tokens = new Map<string, Promise<string>>();
  let sessionErrors = 0;
  let firstSessionError: string | undefined;
  let seq = 0;
  let exhausted = false;
  const startMs = Date.now();
  const deadline = spec.seconds !== undefined ? startMs + spec.seconds * 1000 : Infinity;
  let stopSubmittingMs = 0;
  const more = () => {
    const go = !exhausted && Date.now() < deadline && (spec.count === undefined || seq < spec.count);
    if (!go && !stopSubmittingMs) stopSubmittingMs = Date.now();
    return go;
  };

  /** The applicant's token (one sign-in per applicant; again after a 401). */
  const tokenFor = async (who: SyntheticPerson, fresh = false): Promise<string> => {
    if (fresh) tokens.delete(who.idNumber);
    let t = tokens.get(who.idNumber);
    if (!t) {
      t = ctx.portal.signIn(who.idNumber);
      tokens.set(who.idNumber, t);
      t.catch(() => tokens.delete(who.idNumber));
    }
    return t;
  };

  async function poll(rec: AppRecord, who: SyntheticPerson, token: string): Promise<string | undefined> {
    const until = rec.submitStartMs + ctx.appTimeoutMs;
    let lastProblem = "";
    let lastSeen = "";
    let etag: string | undefined;
    rec.statusReads = 0;
    rec.notModified = 0;
    for (;;) {
      await sleep(ctx.pollMs);
      try {
        const waiting: Record<string, string> = ctx.statusWaitS > 0 && etag ? { "if-none-match": etag, prefer: `wait=${ctx.statusWaitS}` } : {};
        const a = await ctx.portal.request("GET", `/v1/applications/${encodeURIComponent(rec.applicationId!)}`, token, undefined, waiting);
        rec.statusReads++;
        if (a.status === 200) etag = a.etag;
        if (a.status === 304) rec.notModified++;
        else if (a.status === 401) token = await tokenFor(who, true);
        else if (a.status !== 200) lastProblem = `status poll HTTP ${a.status} ${a.body?.error?.code ?? ""}: ${a.body?.error?.message ?? ""}`;
        else {
          const s = a.body;
          lastSeen = `${s.status}: ${timelineOf(s)}`;
          const held = (s.steps ?? []).find((x: { status: string }) => x.status === "HELD");
          if (s.status !== "RUNNING" || held) {
            rec.doneMs = Date.now();
            rec.serverSubmittedMs = ms(s.submitted_at);
            rec.serverFinishedMs = ms(s.finished_at);
            rec.timeline = timelineOf(s);
            const decided = (s.steps ?? []).find((x: any) => x.decision?.at && x.ready_at);
            if (decided) rec.decisionWaitMs = ms(decided.decision.at)! - ms(decided.ready_at)!;
            if (s.status === "COMPLETED") {
              rec.outcome = "COMPLETED";
              return (s.steps ?? []).find((x: { step_key: string }) => x.step_key === "establishment")?.output?.credit_code;
            }
            rec.outcome = held ? "HELD" : s.status;
            const f = held ? { step: held.step_key, ...held.error } : s.failure;
            rec.reason = `${rec.outcome}${f ? ` at ${f.step}: ${f.reason_code ?? ""} ${f.message ?? ""}` : ""}`.trim();
            return undefined;
          }
        }
      } catch (err) {
        lastProblem = describe(err);
      }
      if (Date.now() > until) {
        rec.outcome = "TIMEOUT";
        rec.reason =
          `${rec.applicationId} not finished ${ctx.appTimeoutMs / 1000} s after submission` +
          `${lastSeen ? `; last seen ${lastSeen}` : ""}${lastProblem ? `; last poll problem: ${lastProblem}` : ""}`;
        return undefined;
      }
    }
  }

  async function one(clientIndex: number, who: SyntheticPerson, enterprise: Enterprise | undefined): Promise<void> {
    const employee = ctx.people.nextEmployee();
    if (!employee) {
      exhausted = true;
      notes.push("the population ran out of never-enrolled employees: raise --population");
      return;
    }
    const clientKey = `${spec.keyPrefix}-${seq++}`;
    const rec: AppRecord = { bundle: spec.bundle, clientKey, submitStartMs: 0, outcome: "SESSION_ERROR" };
    records.push(rec);
    let token: string;
    try {
      token = await tokenFor(who);
    } catch (err) {
      sessionErrors++;
      firstSessionError ??= describe(err);
      rec.reason = `sign-in: ${describe(err)}`;
      await sleep(1000);
      return;
    }
    rec.outcome = "UPLOAD_ERROR";
    let body: Record<string, unknown>;
    try {
      if (spec.bundle === "START_BUSINESS") {
        const [articles, premises] = await Promise.all([
          ctx.portal.uploadPdf(token, "ARTICLES_OF_ASSOCIATION", "公司章程.pdf", pdf(`articles of association ${clientKey}`)),
          ctx.portal.uploadPdf(token, "PREMISES_PROOF", "住所证明.pdf", pdf(`premises proof ${clientKey}`)),
        ]);
        body = {
          bundle_code: "START_BUSINESS", consent: START_BUSINESS_CONSENT, client_key: clientKey, form: startForm(who, employee, ctx.nextTradeName()),
          materials: { ARTICLES_OF_ASSOCIATION: articles, PREMISES_PROOF: premises },
        };
      } else {
        const contract = await ctx.portal.uploadPdf(token, "LABOUR_CONTRACT", "劳动合同.pdf", pdf(`labour contract ${clientKey}`));
        body = { bundle_code: "HIRE_EMPLOYEE", client_key: clientKey, form: hireForm(enterprise!.creditCode, employee), materials: { LABOUR_CONTRACT: contract } };
      }
    } catch (err) {
      rec.reason = `upload: ${describe(err)}`;
      if (err instanceof PortalError && err.status === 401) await tokenFor(who, true).catch(() => undefined);
      await sleep(250);
      return;
    }
    rec.submitStartMs = Date.now();
    try {
      const a = await ctx.portal.ok<{ application_id: string }>("POST", "/v1/applications", token, body);
      rec.submitLatencyMs = Date.now() - rec.submitStartMs;
      rec.applicationId = a.body.application_id;
    } catch (err) {
      rec.submitLatencyMs = Date.now() - rec.submitStartMs;
      rec.outcome = "SUBMIT_ERROR";
      rec.reason = `submit: ${describe(err)}`;
      if (err instanceof PortalError && err.status === 401) await tokenFor(who, true).catch(() => undefined);
      await sleep(250);
      return;
    }
    rec.outcome = "RUNNING";
    const creditCode = await poll(rec, who, token);
    if (creditCode) ctx.enterprises.push({ creditCode, owner: who });
  }

  async function client(i: number): Promise<void> {
    let who: SyntheticPerson;
    let enterprise: Enterprise | undefined;
    if (spec.bundle === "HIRE_EMPLOYEE") {
      enterprise = ctx.enterprises[i % ctx.enterprises.length];
      who = enterprise.owner;
    } else who = ctx.people.applicants[i % ctx.people.applicants.length];
    // Sign in once (retrying while the phase lasts).
    for (;;) {
      try {
        await tokenFor(who);
        break;
      } catch (err) {
        sessionErrors++;
        firstSessionError ??= describe(err);
        if (!more()) return;
        await sleep(1000);
      }
    }
    while (more()) {
      try {
        await one(i, who, enterprise);
      } catch (err) {
        // Not expected: a bug in this client rather than an answer of the hub; recorded, not fatal.
        records.push({ bundle: spec.bundle, clientKey: `${spec.keyPrefix}-client-${i}`, submitStartMs: 0, outcome: "CLIENT_ERROR", reason: describe(err) });
        await sleep(1000);
      }
    }
  }

  if (spec.bundle === "HIRE_EMPLOYEE" && ctx.enterprises.length === 0) throw new Error("HIRE_EMPLOYEE needs enterprises opened by START_BUSINESS first");
  await Promise.all(Array.from({ length: spec.clients }, (_, i) => client(i)));
  return { records, startMs, stopSubmittingMs: stopSubmittingMs || Date.now(), endMs: Date.now(), notes: [...new Set(notes)], sessionErrors, firstSessionError };
}
