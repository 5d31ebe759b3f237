/**
 * A call's meta (who calls, and why) stays what the caller sent for the whole of the action.
 *
 * moleculer 0.14 merges the meta of every nested call back into the calling context when it
 * returns (Context.call → mergeMeta), and a top-level `broker.call` uses the caller's own meta
 * object as the context's. So an action that asked another service "as the one window"
 * (`{ meta: { caller: { department: "data" } } }`) ran the rest of its handler as `data`, whoever
 * had called it, and its caller's meta object came back rewritten to `data` (found by fuzzing the
 * bus: a meta reused after `bundles.form` then passed a one-window-only check). The hub never
 * returns anything through meta, so each action's context gets its own copy of the meta it was
 * called with, and writes to it — the merges — are ignored. Nested calls still start from it (and
 * override what they name), and a call's meta still travels to remote nodes as before.
 */
import type { Context, Middleware } from "moleculer";

/** Metas already pinned (a context handed on within this process). */
const pinnedMetas = new WeakSet<object>();

/** A copy of `meta` that ignores writes: Object.assign onto it (moleculer's merge) changes nothing. */
export function pinnedMeta<T extends object>(meta: T | null | undefined): T {
  if (meta && pinnedMetas.has(meta)) return meta;
  const pinned = new Proxy({ ...(meta ?? {}) } as T, {
    set: () => true,
    defineProperty: () => true,
    deleteProperty: () => true,
  });
  pinnedMetas.add(pinned);
  return pinned;
}

/** Gives every local action's context a pinned copy of its meta (see above). */
export const CallMetaMiddleware: Middleware = {
  name: "CallMeta",
  localAction(next: (ctx: Context) => Promise<unknown>) {
    return (ctx: Context) => {
      ctx.meta = pinnedMeta(ctx.meta as object);
      return next(ctx);
    };
  },
} as unknown as Middleware;
