/**
 * The actions every department service answers about its schema's data-use log, for the one window
 * only (the gateway: checkpoints, and a citizen's "who used my data"): bus actions, not on the gRPC edge.
 *
 * - `dataUseHead` → { schema, seq, hash }: the chain's last chained entry (data-use-chain.ts).
 * - `dataUses` { subjects: string[], limit, before?: { at, id, inclusiveAt? } } → { entries }: uses of
 *   those subjects' data newest first (data-use-log.ts usesOf), each entry with this schema's name.
 */
import type { Context, ServiceActionsSchema } from "moleculer";
import { callerDepartment, ONE_WINDOW, type CallerMeta } from "./caller";
import { chainHead } from "./data-use-chain";
import { AT_KEY, usesOf } from "./data-use-log";
import { BIGINT_ID } from "./paging";
import type { Database } from "./db/database";
import { invalidArgument, permissionDenied } from "./errors";

/** Most entries one call answers. */
export const DATA_USES_MAX = 1000;

type Ctx<P> = Context<P, CallerMeta>;

function onlyOneWindow(ctx: Ctx<unknown>): void {
  if (callerDepartment(ctx) !== ONE_WINDOW) throw permissionDenied("only the one window reads the data-use log");
}

/** The data-use actions of a service whose schema's database `db()` gives. */
export function dataUseActions(db: () => Database): ServiceActionsSchema {
  return {
    dataUseHead: {
      visibility: "public",
      async handler(ctx: Ctx<unknown>) {
        onlyOneWindow(ctx);
        const d = db();
        return { schema: d.schema, ...(await chainHead(d)) };
      },
    },
    dataUses: {
      visibility: "public",
      async handler(ctx: Ctx<{ subjects?: unknown; limit?: unknown; before?: { at?: unknown; id?: unknown; inclusiveAt?: unknown } }>) {
        onlyOneWindow(ctx);
        const p = ctx.params ?? {};
        const subjects = Array.isArray(p.subjects) ? p.subjects.filter((s): s is string => typeof s === "string" && /^[0-9A-Z]{18}$/.test(s)) : [];
        if (subjects.length === 0 || subjects.length > 50) throw invalidArgument("subjects", "must name 1-50 ID numbers or credit codes");
        const limit = p.limit ?? 50;
        if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1 || limit > DATA_USES_MAX) throw invalidArgument("limit", `must be 1-${DATA_USES_MAX}`);
        let before: { at: string; id: string; inclusiveAt: boolean } | undefined;
        if (p.before !== undefined && p.before !== null) {
          const { at, id, inclusiveAt } = typeof p.before === "object" ? p.before : ({} as { at?: unknown; id?: unknown; inclusiveAt?: unknown });
          if (typeof at !== "string" || !AT_KEY.test(at) || typeof id !== "string" || !BIGINT_ID.test(id)) throw invalidArgument("before", "must be { at: ISO time with microseconds, id }");
          before = { at, id, inclusiveAt: inclusiveAt === true };
        }
        const d = db();
        return { schema: d.schema, entries: await usesOf(d, subjects, limit, before) };
      },
    },
  };
}
