/** A retry's time coming wakes the replica that recorded it, in time order, whatever the sweep interval. */
import { jest } from "@jest/globals";
import { WakeUps } from "../../../gateway/orchestrator/wake-ups";

describe("WakeUps", () => {
  beforeEach(() => jest.useFakeTimers({ now: new Date("2026-11-30T10:00:00Z") }));
  afterEach(() => jest.useRealTimers());

  it("wakes at each time asked, never early, the earliest first whatever the order asked", () => {
    const woken: number[] = [];
    const w = new WakeUps(() => woken.push(Date.now()), 250);
    const t0 = Date.now();
    w.at(t0 + 4000);
    w.at(new Date(t0 + 1000));
    w.at(t0 + 2100); // rounded up to the next 250 ms
    expect(w.pending).toBe(3);
    jest.advanceTimersByTime(999);
    expect(woken).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(woken).toEqual([t0 + 1000]);
    jest.advanceTimersByTime(5000);
    expect(woken).toEqual([t0 + 1000, t0 + 2250, t0 + 4000]);
    expect(w.pending).toBe(0);
  });

  it("keeps one wake-up for many retries due in the same moment, and wakes at once for a time past", () => {
    const woken: number[] = [];
    const w = new WakeUps(() => woken.push(Date.now()), 250);
    const t0 = Date.now();
    for (let i = 0; i < 1000; i++) w.at(t0 + 1001 + (i % 200));
    expect(w.pending).toBe(1);
    w.at(t0 - 5000);
    jest.advanceTimersByTime(0);
    expect(woken).toEqual([t0]);
    jest.advanceTimersByTime(2000);
    expect(woken).toEqual([t0, t0 + 1250]);
  });

  it("wakes no one after stop, and ignores times that are not times", () => {
    const wake = jest.fn();
    const w = new WakeUps(wake);
    w.at(Date.now() + 100);
    w.at(Number.NaN);
    w.at(new Date("not a date"));
    expect(w.pending).toBe(1);
    w.stop();
    w.at(Date.now() + 100);
    jest.advanceTimersByTime(1000);
    expect(wake).not.toHaveBeenCalled();
  });
});
