/** Waiting status reads: woken by their application's change, or at their time; bounded; all answered on close. */
import { jest } from "@jest/globals";
import { StatusWatch } from "../../../gateway/orchestrator/status-watch";

describe("StatusWatch", () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it("wakes the waiters of the application that changed, and only them", async () => {
    const w = new StatusWatch();
    const a1 = w.subscribe("A", "p1")!;
    const a2 = w.subscribe("A", "p2")!;
    const b = w.subscribe("B", "p1")!;
    const outcomes: string[] = [];
    const waits = [a1.until(20_000).then((o) => outcomes.push(`a1 ${o}`)), a2.until(20_000).then((o) => outcomes.push(`a2 ${o}`))];
    const bWait = b.until(5_000).then((o) => outcomes.push(`b ${o}`));
    w.changed("A");
    await Promise.all(waits);
    expect(outcomes.sort()).toEqual(["a1 changed", "a2 changed"]);
    expect(w.stats()).toMatchObject({ waiting: 1, woken: 2, timedOut: 0 });
    jest.advanceTimersByTime(5_000);
    await bWait;
    expect(outcomes).toContain("b timeout");
    expect(w.stats()).toMatchObject({ waiting: 0, woken: 2, timedOut: 1 });
  });

  it("answers a change that came between subscribing and waiting at once", async () => {
    const w = new StatusWatch();
    const sub = w.subscribe("A", "p1")!;
    w.changed("A", true);
    await expect(sub.until(30_000)).resolves.toBe("changed");
    expect(w.stats()).toMatchObject({ waiting: 0, woken: 1, remoteChanges: 1 });
  });

  it("refuses subscriptions past its bounds (in all, per applicant) and takes them again once places are given back", () => {
    const w = new StatusWatch({ total: 3, perApplicant: 2 });
    const p1 = [w.subscribe("A", "p1"), w.subscribe("B", "p1")];
    expect(p1.every(Boolean)).toBe(true);
    expect(w.subscribe("C", "p1")).toBeUndefined();
    const p2 = w.subscribe("C", "p2");
    expect(p2).toBeDefined();
    expect(w.subscribe("D", "p3")).toBeUndefined();
    expect(w.stats()).toMatchObject({ waiting: 3, refused: 2 });
    p1[0]!.cancel();
    p1[0]!.cancel(); // idempotent
    expect(w.stats().waiting).toBe(2);
    expect(w.subscribe("C", "p1")).toBeDefined();
  });

  it("ends a wait whose client went away, giving its place back at once", async () => {
    const w = new StatusWatch({ total: 10, perApplicant: 1 });
    const sub = w.subscribe("A", "p1")!;
    const waiting = sub.until(30_000);
    expect(w.subscribe("B", "p1")).toBeUndefined();
    sub.cancel();
    await expect(waiting).resolves.toBe("cancelled");
    expect(w.stats()).toMatchObject({ waiting: 0, woken: 0, timedOut: 0 });
    expect(w.subscribe("B", "p1")).toBeDefined();
  });

  it("answers every wait on close, and waits no more after it", async () => {
    const w = new StatusWatch();
    const waiting = w.subscribe("A", "p1")!.until(30_000);
    const subscribed = w.subscribe("B", "p2")!;
    w.close();
    await expect(waiting).resolves.toBe("closed");
    await expect(subscribed.until(30_000)).resolves.toBe("closed");
    expect(w.subscribe("A", "p1")).toBeUndefined();
    expect(w.stats()).toMatchObject({ waiting: 0, refused: 0 });
  });
});
