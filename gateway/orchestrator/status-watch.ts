/**
 * Status reads that wait for a change (long polling). A portal that follows an application sends
 * the ETag of the view it shows with `Prefer: wait=N`; the read is held here until the application
 * changes or N seconds pass, so a client costs one answer per change instead of one per poll.
 *
 * A change is told by the transition that wrote it: in this process directly (the orchestrator's
 * write), from other gateway replicas by PostgreSQL NOTIFY (see change-feed.ts). A waiter is
 * subscribed before the state is read, so a change written between the read and the wait still
 * wakes it. Waiters are bounded (in all, and per applicant): past a bound the read is answered at
 * once, as without a wait, so held requests cannot exhaust the process. The wait is the portal's
 * (gateway/http/portal/applications.ts), outside any bus call: a held read occupies no action's
 * bulkhead slot, and a client that goes away gives its place back at once (cancel).
 */

/** Why a wait ended. */
export type WaitOutcome = "changed" | "timeout" | "closed" | "cancelled";

/** A subscription to one application's next change. */
export interface Subscription {
  /** Resolves on the application's next change, at `ms` (timeout), when the watch closes or on cancel. */
  until(ms: number): Promise<WaitOutcome>;
  /** Gives the place back (idempotent); a pending `until` resolves "cancelled". */
  cancel(): void;
}

export interface WatchLimits {
  /** Waiting reads held at once in this process. */
  total: number;
  /** Waiting reads held at once for one applicant. */
  perApplicant: number;
}

/** What the watch has done (bundles.engineStats). */
export interface WatchStats {
  waiting: number;
  /** Waits ended by a change, by their timeout, and subscriptions refused at a bound. */
  woken: number;
  timedOut: number;
  refused: number;
  /** Changes told from other replicas (NOTIFY). */
  remoteChanges: number;
}

export const DEFAULT_WATCH_LIMITS: WatchLimits = { total: 10_000, perApplicant: 8 };

interface Waiter {
  applicant: string;
  resolve?: (o: WaitOutcome) => void;
  changed: boolean;
  done: boolean;
}

export class StatusWatch {
  private readonly byApplication = new Map<string, Set<Waiter>>();
  private readonly byApplicant = new Map<string, number>();
  private count = 0;
  private closed = false;
  private readonly counters = { woken: 0, timedOut: 0, refused: 0, remoteChanges: 0 };

  constructor(private readonly limits: WatchLimits = DEFAULT_WATCH_LIMITS) {}

  /**
   * A subscription to the next change of `applicationId` for `applicant`, taken before the state is
   * read; undefined at a bound or once closed (answer without waiting).
   */
  subscribe(applicationId: string, applicant: string): Subscription | undefined {
    const mine = this.byApplicant.get(applicant) ?? 0;
    if (this.closed || this.count >= this.limits.total || mine >= this.limits.perApplicant) {
      if (!this.closed) this.counters.refused++;
      return undefined;
    }
    const w: Waiter = { applicant, changed: false, done: false };
    let set = this.byApplication.get(applicationId);
    if (!set) this.byApplication.set(applicationId, (set = new Set()));
    set.add(w);
    this.byApplicant.set(applicant, mine + 1);
    this.count++;
    const end = () => {
      if (w.done) return;
      w.done = true;
      const s = this.byApplication.get(applicationId);
      s?.delete(w);
      if (s?.size === 0) this.byApplication.delete(applicationId);
      const n = (this.byApplicant.get(applicant) ?? 1) - 1;
      if (n === 0) this.byApplicant.delete(applicant);
      else this.byApplicant.set(applicant, n);
      this.count--;
    };
    return {
      until: (ms) => {
        if (w.done) return Promise.resolve(this.closed ? "closed" : "timeout");
        // A change between subscribing and waiting has already happened: answer it now.
        if (w.changed) {
          end();
          this.counters.woken++;
          return Promise.resolve("changed");
        }
        if (this.closed) {
          end();
          return Promise.resolve("closed");
        }
        return new Promise<WaitOutcome>((resolve) => {
          const timer = setTimeout(() => finish("timeout"), Math.max(0, ms));
          const finish = (o: WaitOutcome) => {
            if (w.done) return;
            clearTimeout(timer);
            end();
            if (o === "changed") this.counters.woken++;
            if (o === "timeout") this.counters.timedOut++;
            resolve(o);
          };
          w.resolve = finish;
        });
      },
      cancel: () => (w.resolve ? w.resolve("cancelled") : end()),
    };
  }

  /** The application changed (a transition was written here, or another replica told so). */
  changed(applicationId: string, remote = false): void {
    if (remote) this.counters.remoteChanges++;
    const set = this.byApplication.get(applicationId);
    if (!set) return;
    for (const w of [...set]) {
      w.changed = true;
      w.resolve?.("changed");
    }
  }

  /** Ends every wait (answered with the state as it is) and takes no more: the process stops. */
  close(): void {
    this.closed = true;
    for (const set of [...this.byApplication.values()]) for (const w of [...set]) w.resolve?.("closed");
  }

  stats(): WatchStats {
    return { waiting: this.count, ...this.counters };
  }
}

/** The status watch of each gateway process, by its broker: the bundles service feeds it, the portal waits on it. */
const watches = new WeakMap<object, StatusWatch>();

/** Makes `watch` the one of the process whose broker is `broker` (the bundles service, at start). */
export function provideStatusWatch(broker: object, watch: StatusWatch): void {
  watches.set(broker, watch);
}

/** The status watch of the process whose broker is `broker`; undefined where no bundles service runs (reads do not wait). */
export function statusWatchOf(broker: object): StatusWatch | undefined {
  return watches.get(broker);
}
