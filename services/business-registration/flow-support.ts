/** What the registration flows share: their dependencies. */
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

/** Today in China Standard Time, YYYY-MM-DD. */
export { todayInChina } from "../common/validate";
