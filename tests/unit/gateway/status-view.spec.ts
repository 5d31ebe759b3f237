/** Committed deadlines in an application's status: time left, overdue steps, a missed supplement deadline. */
import { statusView } from "../../../gateway/orchestrator/applications";
import type { ApplicationRow, StepRow } from "../../../gateway/orchestrator/store";
import { loadBundles } from "../../../gateway/catalog/bundles";

const bundle = loadBundles().get("START_BUSINESS")!;
const NOW = Date.parse("2026-11-22T08:00:00Z");
const at = (hoursFromNow: number) => new Date(NOW + hoursFromNow * 3600_000);

function app(over: Partial<ApplicationRow> = {}): ApplicationRow {
  return {
    application_id: "A20261122-0000000001", bundle_code: bundle.code, bundle, applicant: "11010519491231002X", client_key: "k", request_hash: "h",
    form: {}, materials: {}, status: "RUNNING", failure: null, query_code_hash: "q", submitted_at: at(-30), committed_deadline: at(10),
    supplement_deadline: null, finished_at: null, receipt: null, enterprise_name: null, credit_code: null, version: 0, ...over,
  };
}

function step(key: string, status: string, deadlineHours: number | null): StepRow {
  return {
    application_id: "A20261122-0000000001", step_key: key, step_id: key, item: 0, needs: [], department: "samr", status, attempts: 0, undo_attempts: 0,
    revision: 0, next_attempt_at: at(-30), leased_until: null, lease_owner: null, due_at: null,
    output: { creditCode: "91350100M000100Y43" }, error: null, decision: null, waiting_for: null, ready_at: at(-30),
    deadline: deadlineHours === null ? null : at(deadlineHours), started_at: null, finished_at: null, undo: "NONE", undone_at: null,
  };
}

describe("status with committed deadlines", () => {
  it("shows the time left and flags an open step past its deadline, not a finished one", () => {
    const v = statusView(app(), [step("name", "SUCCEEDED", -20), step("establishment", "WAITING_DECISION", -2), step("seal", "PENDING", null)], true, NOW);
    expect(v.msLeft).toBe(10 * 3600_000);
    expect(v.overdue).toBe(false);
    expect(v.steps.map((s) => [s.stepKey, s.overdue])).toEqual([["name", false], ["establishment", true], ["seal", false]]);
  });

  it("flags the application overdue past its committed deadline, and a missed supplement deadline while a step waits for a material", () => {
    const v = statusView(app({ committed_deadline: at(-1), supplement_deadline: at(-3) }), [step("establishment", "WAITING_MATERIAL", 5)], true, NOW);
    expect(v.overdue).toBe(true);
    expect(v.supplementOverdue).toBe(true);
  });

  it("hides personal data in a query-code look-up", () => {
    const v = statusView(app({ receipt: { receiptNumber: "x" } }), [step("establishment", "SUCCEEDED", 1)], false, NOW);
    expect(v.steps[0].output).toBeUndefined();
    expect(v.receipt).toBeUndefined();
  });

  it("gives open steps and the open application their lights; a step is red when overdue though its application is on time", () => {
    const v = statusView(app(), [step("name", "SUCCEEDED", -20), step("establishment", "WAITING_DECISION", -2), step("seal", "READY", 100)], true, NOW);
    // Submitted 30 h ago, due in 10 h: 75 % used.
    expect(v.light).toBe("GREEN");
    expect(v.steps.map((s) => [s.stepKey, s.light])).toEqual([["name", undefined], ["establishment", "RED"], ["seal", "GREEN"]]);
    expect(statusView(app(), [], true, NOW, 0.7).light).toBe("YELLOW");
    expect(statusView(app({ finished_at: at(-1), status: "COMPLETED" }), [], true, NOW).light).toBeUndefined();
  });
});
