/** What the registration flows share: their dependencies and tolerant compensation steps. */
import type { Context } from "moleculer";
import type { CallerMeta } from "../common/caller";
import type { clientsFor } from "../common/clients";
import type { Database } from "../common/db/database";
import type { OutboxRelay } from "../common/outbox";

export type Ctx<P = unknown> = Context<P, CallerMeta>;

export interface FlowDeps {
  db: Database;
  c: ReturnType<typeof clientsFor>;
  relay: OutboxRelay;
}

/** The department code of market regulation: the registration service acts as it. */
export const SAMR = "samr";

const reasonCode = (err: unknown) => ((err as { data?: { reasonCode?: string } }).data ?? {}).reasonCode;

/**
 * Revokes a licence as part of undoing or closing; a licence already revoked or superseded (by an
 * earlier attempt or another path) is fine: the goal state holds.
 */
export async function revokeIfLive(deps: FlowDeps, ctx: Ctx, number: string, reason: string, key: string): Promise<void> {
  if (!number) return;
  try {
    await deps.c.licences.revoke(ctx, number, reason, key);
  } catch (err) {
    if (!["LICENCE_REVOKED", "LICENCE_SUPERSEDED"].includes(reasonCode(err) ?? "")) throw err;
  }
}

/** Today in China Standard Time, YYYY-MM-DD. */
export { todayInChina } from "../common/validate";
