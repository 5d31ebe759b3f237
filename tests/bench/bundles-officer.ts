/**
 * The market-regulation officer as a bot: one loop over gRPC CaseService as samr, listing pending
 * decisions every 100 ms and approving each as soon as it appears. Decisions are not queued behind
 * one another (up to MAX_IN_FLIGHT at once), so the bot does not cap the hub's throughput; the
 * hub's own limits (bulkhead, database) do.
 */
import type { Credential, HubClient } from "../support/grpc-client";
import { describe, sleep } from "./bundles-util";

export interface OfficerStats {
  approved: number;
  listCalls: number;
  errors: number;
  firstError?: string;
  /** Call latencies (ms) since the last takeLatencies(). */
  listMs: number[];
  decideMs: number[];
}

export interface OfficerBot {
  stats: OfficerStats;
  /** The latencies recorded since the previous call (for one phase). */
  takeLatencies(): { listMs: number[]; decideMs: number[]; approved: number };
  stop(): Promise<void>;
}

const MAX_IN_FLIGHT = 64;
const LIST_EVERY_MS = 100;
/** A step whose decision keeps failing is left alone after this many tries (it shows in the errors). */
const MAX_TRIES = 3;

export function startOfficer(client: HubClient, samr: Credential): OfficerBot {
  const stats: OfficerStats = { approved: 0, listCalls: 0, errors: 0, listMs: [], decideMs: [] };
  let approvedBefore = 0;
  const decided = new Set<string>();
  const inFlight = new Map<string, Promise<void>>();
  const failures = new Map<string, number>();
  let running = true;
  const fail = (err: unknown) => {
    stats.errors++;
    stats.firstError ??= describe(err);
  };

  const approve = (p: { applicationId: string; stepKey: string }, key: string) => {
    const t = Date.now();
    const call = client
      .call("CaseService/Decide", { applicationId: p.applicationId, stepKey: p.stepKey, outcome: "OUTCOME_APPROVE", comment: "材料齐全，准予登记" }, samr)
      .then(
        () => {
          stats.decideMs.push(Date.now() - t);
          stats.approved++;
          decided.add(key);
        },
        (err) => {
          fail(err);
          failures.set(key, (failures.get(key) ?? 0) + 1);
        },
      )
      .finally(() => inFlight.delete(key));
    inFlight.set(key, call);
  };

  const loop = (async () => {
    while (running) {
      const started = Date.now();
      try {
        stats.listCalls++;
        const { pending } = await client.call<{ pending: Array<{ applicationId: string; stepKey: string }> }>("CaseService/ListPendingDecisions", { pageSize: 200 }, samr);
        stats.listMs.push(Date.now() - started);
        for (const p of pending) {
          const key = `${p.applicationId}/${p.stepKey}`;
          if (decided.has(key) || inFlight.has(key) || (failures.get(key) ?? 0) >= MAX_TRIES) continue;
          if (inFlight.size >= MAX_IN_FLIGHT) break;
          approve(p, key);
        }
      } catch (err) {
        fail(err);
        await sleep(500);
      }
      await sleep(Math.max(0, LIST_EVERY_MS - (Date.now() - started)));
    }
    await Promise.all(inFlight.values());
  })();

  return {
    stats,
    takeLatencies() {
      const taken = { listMs: stats.listMs, decideMs: stats.decideMs, approved: stats.approved - approvedBefore };
      stats.listMs = [];
      stats.decideMs = [];
      approvedBefore = stats.approved;
      return taken;
    },
    async stop() {
      running = false;
      await loop;
    },
  };
}
