/**
 * Wake-ups at the times this replica set for later work: a retry's next attempt after a department
 * fault. A retry's time coming is an event like an answer or a decision, so it is not left to the
 * safety-net sweep's interval (which may be long, or off): the replica that recorded the retry runs
 * a sweep pass when it is due. One timer at a time, at the earliest time asked; times are kept in
 * buckets of `resolutionMs`, so their number stays bounded by the longest back-off (60 s) whatever
 * the number of retries.
 */
export class WakeUps {
  private readonly due = new Set<number>();
  private timer: NodeJS.Timeout | undefined;
  private armedFor = Infinity;
  private stopped = false;

  /**
   * @param wake called (without arguments) when an asked time has come; runs a sweep pass.
   * @param resolutionMs times are rounded up to this (ms), a wake-up never comes early.
   */
  constructor(
    private readonly wake: () => void,
    private readonly resolutionMs = 250,
  ) {}

  /** Asks for a wake-up at `at` (a Date or epoch ms); a time already past wakes at once. */
  at(at: Date | number): void {
    if (this.stopped) return;
    const ms = typeof at === "number" ? at : at.getTime();
    if (!Number.isFinite(ms)) return;
    const bucket = Math.ceil(ms / this.resolutionMs) * this.resolutionMs;
    this.due.add(bucket);
    if (bucket < this.armedFor) this.arm(bucket);
  }

  /** Times asked for and not yet come (for tests and stats). */
  get pending(): number {
    return this.due.size;
  }

  start(): void {
    this.stopped = false;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = Infinity;
    this.due.clear();
  }

  private arm(bucket: number): void {
    clearTimeout(this.timer);
    this.armedFor = bucket;
    this.timer = setTimeout(() => this.fire(), Math.max(0, bucket - Date.now()));
    this.timer.unref();
  }

  private fire(): void {
    this.timer = undefined;
    this.armedFor = Infinity;
    const now = Date.now();
    let next = Infinity;
    for (const bucket of this.due) {
      if (bucket <= now) this.due.delete(bucket);
      else next = Math.min(next, bucket);
    }
    if (next !== Infinity) this.arm(next);
    if (!this.stopped) this.wake();
  }
}
