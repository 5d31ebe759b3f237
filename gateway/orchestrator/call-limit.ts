/**
 * How many department calls a replica makes at once, adapted to what the departments carry:
 * additive increase, multiplicative decrease (AIMD, as TCP's congestion avoidance, RFC 5681 §3.1).
 *
 * Why: a fixed window that is right on a quiet machine is too wide on a loaded one. The calls then
 * queue at the departments' bulkheads past the request timeout, time out, and their cases wait out
 * a retry back-off while the departments finish work nobody waits for any more. A timeout or a full
 * queue halves the window (at most once per `decreaseEveryMs`, since one overload times out many
 * calls together); each call answered in time widens it by 1/window, i.e. about one call per round
 * of calls, up to the configured ceiling.
 */
import { callOutcome, isOverload } from "./outcomes";

export interface CallLimitOptions {
  /** The ceiling (ORCHESTRATOR_MAX_IN_FLIGHT); the window starts there. */
  max: number;
  /** The floor: never fewer calls than this at once. */
  min?: number;
  /** Minimum time between two decreases, in ms. */
  decreaseEveryMs?: number;
}

export class CallLimit {
  private window: number;
  private lastDecrease = -Infinity;
  private readonly min: number;
  private readonly decreaseEveryMs: number;

  constructor(private readonly options: CallLimitOptions) {
    this.min = Math.max(1, Math.min(options.min ?? 4, options.max));
    this.decreaseEveryMs = options.decreaseEveryMs ?? 1000;
    this.window = options.max;
  }

  /** Calls that may be in flight now (an integer between min and max). */
  get limit(): number {
    return Math.floor(this.window);
  }

  /**
   * Records how a call ended: `failure` undefined for an answer (a department's refusal is an answer
   * too), else the error. `now` in ms (a clock seam for tests).
   */
  record(failure: unknown, now = Date.now()): void {
    if (isOverload(failure)) {
      if (now - this.lastDecrease < this.decreaseEveryMs) return;
      this.lastDecrease = now;
      this.window = Math.max(this.min, this.window / 2);
      return;
    }
    // An answer (a refusal too) widens the window; another fault (a department down) says nothing about it.
    if (callOutcome(failure) !== "fault") this.window = Math.min(this.options.max, this.window + 1 / this.window);
  }
}
