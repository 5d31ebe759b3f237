/** How the orchestrator reads a failed department call: retried through an outage until the step's deadline, a refusal never. */
import { Errors } from "moleculer";
import { backoffSeconds, isRetryable, retryDelaySeconds, shouldRetry } from "../../../gateway/orchestrator/outcomes";
import { invalidArgument, failedPrecondition } from "../../../services/common/errors";

const NOW = new Date("2026-11-30T10:00:00Z");
const later = new Date("2026-12-01T10:00:00Z");
const earlier = new Date("2026-11-29T10:00:00Z");
const timeout = new Errors.RequestTimeoutError({ action: "registration.registerEnterprise", nodeID: "node-1" });
const down = new Errors.ServiceNotAvailableError({ action: "tax.registerTaxpayer" });

describe("shouldRetry", () => {
  it("retries timeouts and outages within the attempts, and past them until the step's committed deadline", () => {
    for (const err of [timeout, down]) {
      expect(isRetryable(err)).toBe(true);
      expect(shouldRetry(err, 3, 8, earlier, NOW)).toBe(true);
      expect(shouldRetry(err, 50, 8, later, NOW)).toBe(true);
      expect(shouldRetry(err, 50, 8, earlier, NOW)).toBe(false);
      expect(shouldRetry(err, 8, 8, null, NOW)).toBe(false);
    }
  });
  it("never retries a refusal", () => {
    expect(shouldRetry(invalidArgument("x", "bad"), 0, 8, later, NOW)).toBe(false);
    expect(shouldRetry(failedPrecondition("NAME_TAKEN", "taken"), 0, 8, later, NOW)).toBe(false);
  });
  it("backs off 1, 2, 4 ... seconds, at most a minute", () => {
    expect([1, 2, 3, 7, 8, 50].map(backoffSeconds)).toEqual([1, 2, 4, 60, 60, 60]);
  });
  it("waits out an outage with the full back-off, an overload (timeout, full queue) at most 4 seconds", () => {
    const full = new Errors.QueueIsFullError({ action: "tax.registerTaxpayer", nodeID: "node-1", size: 100, limit: 100 });
    expect([1, 2, 3, 4, 7, 50].map((n) => retryDelaySeconds(down, n))).toEqual([1, 2, 4, 8, 60, 60]);
    expect([1, 2, 3, 4, 7, 50].map((n) => retryDelaySeconds(timeout, n))).toEqual([1, 2, 4, 4, 4, 4]);
    expect([1, 4, 50].map((n) => retryDelaySeconds(full, n))).toEqual([1, 4, 4]);
  });
});
