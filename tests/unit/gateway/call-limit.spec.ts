/** The orchestrator's adaptive window of department calls: halves on overload, grows back by answers. */
import { Errors } from "moleculer";
import { CallLimit } from "../../../gateway/orchestrator/call-limit";
import { failedPrecondition } from "../../../services/common/errors";

const timeout = new Errors.RequestTimeoutError({ action: "registration.registerEnterprise", nodeID: "node-1" });
const queueFull = new Errors.QueueIsFullError({ action: "tax.registerTaxpayer", nodeID: "node-1", size: 1000, limit: 1000 });
const down = new Errors.ServiceNotAvailableError({ action: "tax.registerTaxpayer" });

describe("CallLimit", () => {
  it("starts at the ceiling and halves on a timeout or a full queue, once per interval, never below the floor", () => {
    const limit = new CallLimit({ max: 128, min: 4, decreaseEveryMs: 1000 });
    expect(limit.limit).toBe(128);
    limit.record(timeout, 10_000);
    expect(limit.limit).toBe(64);
    // The same overload times out many calls at once: one decrease for them.
    limit.record(timeout, 10_500);
    limit.record(queueFull, 10_999);
    expect(limit.limit).toBe(64);
    limit.record(queueFull, 11_000);
    expect(limit.limit).toBe(32);
    for (let t = 12_000; t < 30_000; t += 1000) limit.record(timeout, t);
    expect(limit.limit).toBe(4);
  });

  it("grows by about one call per round of answers, up to the ceiling; refusals are answers, outages say nothing", () => {
    const limit = new CallLimit({ max: 16, min: 2 });
    for (let t = 0; t < 4000; t += 1000) limit.record(timeout, t);
    expect(limit.limit).toBe(2);
    for (let i = 0; i < 3; i++) limit.record(undefined); // 2 → 2.5 → 2.9 → 3.24
    expect(limit.limit).toBe(3);
    limit.record(down);
    expect(limit.limit).toBe(3);
    for (let i = 0; i < 3; i++) limit.record(failedPrecondition("NAME_TAKEN", "字号已被使用"));
    expect(limit.limit).toBe(4);
    for (let i = 0; i < 1000; i++) limit.record(undefined);
    expect(limit.limit).toBe(16);
  });
});
