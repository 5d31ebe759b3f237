/** The orchestrator's planning rules, on states built by hand: what an event unblocks and leases. */
import { loadBundles } from "../../../gateway/catalog/bundles";
import { ApplicationState, failApplication, plan } from "../../../gateway/orchestrator/progress";
import type { ApplicationRow, StepRow } from "../../../gateway/orchestrator/store";

const bundle = loadBundles().get("START_BUSINESS")!;
const NOW = new Date("2026-11-30T02:00:00Z");
const options = (capacity = 100) => ({ owner: "replica-a", leaseSeconds: 30, now: NOW, capacity });

function state(statuses: Record<string, string>, materials: Record<string, string> = { ARTICLES_OF_ASSOCIATION: "m1", PREMISES_PROOF: "m2" }) {
  const app = {
    application_id: "A1", bundle_code: bundle.code, bundle, applicant: "510104194503158918", client_key: "k", request_hash: "h",
    form: { employees: [{ idNumber: "x" }] }, materials, status: "RUNNING", failure: null, query_code_hash: "q", submitted_at: NOW,
    committed_deadline: NOW, supplement_deadline: null, finished_at: null, receipt: null, enterprise_name: null, credit_code: null, version: 3,
  } as ApplicationRow;
  const rows = bundle.steps.map((s) => ({
    application_id: "A1", step_key: s.each ? `${s.id}#0` : s.id, step_id: s.id, item: 0, needs: s.needs, department: s.department,
    status: statuses[s.id] ?? "PENDING", attempts: 0, undo_attempts: 0, revision: 0, next_attempt_at: NOW, leased_until: null, lease_owner: null,
    due_at: null, output: { creditCode: "C", reservationId: "R" }, error: null, decision: null, waiting_for: null, ready_at: null, deadline: null,
    started_at: null, finished_at: null, undo: "NONE", undone_at: null,
  })) as StepRow[];
  return new ApplicationState(app, rows);
}
const statusOf = (s: ApplicationState) => Object.fromEntries(s.steps.map((r) => [r.step_id, r.status]));

describe("plan", () => {
  it("leases what needs nothing, keeps the rest pending, and gives waiting rows no due time", () => {
    const s = state({});
    const leases = plan(s, options());
    expect(leases.map((l) => [l.stepKey, l.action, l.attempt])).toEqual([["name", "registration.declareName", 1]]);
    expect(leases[0].params.idempotencyKey).toBe("A1:name");
    expect(statusOf(s)).toMatchObject({ name: "RUNNING", establishment: "PENDING" });
    expect(s.steps.find((r) => r.step_id === "name")!.due_at).toEqual(new Date(NOW.getTime() + 30_000));
    expect(s.steps.filter((r) => r.status === "PENDING").every((r) => r.due_at === null)).toBe(true);
  });

  it("waits for the officer, or for a missing material, with nothing due", () => {
    const decision = state({ name: "SUCCEEDED" });
    expect(plan(decision, options())).toEqual([]);
    expect(statusOf(decision).establishment).toBe("WAITING_DECISION");
    const material = state({ name: "SUCCEEDED" }, { ARTICLES_OF_ASSOCIATION: "m1" });
    expect(plan(material, options())).toEqual([]);
    expect(material.steps.find((r) => r.step_id === "establishment")).toMatchObject({ status: "WAITING_MATERIAL", waiting_for: "PREMISES_PROOF", due_at: null });
  });

  it("runs the parallel steps an approval unblocks, within the replica's capacity; the rest stays due", () => {
    const s = state({ name: "SUCCEEDED", establishment: "SUCCEEDED" });
    const leases = plan(s, options(2));
    expect(leases.map((l) => l.stepKey)).toEqual(["seal", "tax"]);
    expect(s.capped).toBe(true);
    const queued = s.steps.find((r) => r.step_id === "social-insurance")!;
    expect(queued).toMatchObject({ status: "READY", due_at: NOW });
  });

  it("completes when every row succeeded or was dropped", () => {
    const s = state(Object.fromEntries(bundle.steps.map((st) => [st.id, st.id === "enrolment" ? "DROPPED" : "SUCCEEDED"])));
    expect(plan(s, options())).toEqual([]);
    expect(s.finished).toBe("COMPLETED");
  });

  it("does not complete while a row is held for correction", () => {
    const s = state(Object.fromEntries(bundle.steps.map((st) => [st.id, st.id === "invoices" ? "HELD" : "SUCCEEDED"])));
    plan(s, options());
    expect(s.finished).toBeUndefined();
    expect(s.app.status).toBe("RUNNING");
  });

  it("undoes in reverse order after a failure: dependants first, then what they need", () => {
    const s = state({ name: "SUCCEEDED", establishment: "SUCCEEDED", seal: "SUCCEEDED", tax: "SUCCEEDED", invoices: "HELD", "social-insurance": "SUCCEEDED", enrolment: "SUCCEEDED" });
    failApplication(s, { reasonCode: "WITHDRAWN_BY_APPLICANT" }, NOW);
    expect(statusOf(s).invoices).toBe("CANCELLED");
    const first = plan(s, options());
    expect(first.map((l) => [l.stepKey, l.kind]).sort()).toEqual([["enrolment#0", "undo"], ["seal", "undo"], ["tax", "undo"]]);
    expect(first.find((l) => l.stepKey === "tax")!.params.idempotencyKey).toBe("A1:tax:undo");
    // Establishment waits for every step that needs it, with no due time (the undo events move it).
    expect(s.steps.find((r) => r.step_id === "establishment")).toMatchObject({ status: "SUCCEEDED", undo: "PENDING", due_at: null });
    for (const r of s.steps) if (r.status === "UNDOING") Object.assign(r, { status: "COMPENSATED", undo: "DONE" });
    expect(plan(s, options()).map((l) => l.stepKey)).toEqual(["social-insurance"]);
  });
});
