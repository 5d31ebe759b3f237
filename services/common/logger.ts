/**
 * pino structured logging for every process. Personal data is masked in every argument before
 * it is written (see redact.ts); actions log through `contextLogger(ctx)` so each line carries the
 * request id that follows a call across gRPC and NATS.
 */
import pino, { type Logger } from "pino";
import type { Context } from "moleculer";
import type { LogLevel } from "./config";
import { redactDeep } from "./redact";
import type { CallerMeta } from "./caller";

let root: Logger | undefined;

/** The process's root logger, created on first use; a given level replaces the current one. */
export function rootLogger(level?: LogLevel): Logger {
  if (!root) {
    root = pino({
      level: level ?? "info",
      timestamp: pino.stdTimeFunctions.isoTime,
      base: { pid: process.pid },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => redactDeep(a)) as Parameters<typeof method>);
        },
      },
    });
  } else if (level && root.level !== level) {
    root.level = level;
  }
  return root;
}

/** moleculer logger options that route the broker's own logs through the same redacting pino. */
export function moleculerLoggerOptions(level: LogLevel) {
  const base = rootLogger(level);
  return {
    type: "Pino",
    options: {
      level: level === "silent" ? false : level,
      createLogger: (lvl: string, bindings: Record<string, unknown>) => base.child(bindings, { level: lvl }),
    },
  };
}

/** A child logger bound to one call: request id, action and calling department. */
export function contextLogger(ctx: Context<unknown, CallerMeta>): Logger {
  return rootLogger().child({
    requestId: ctx.requestID,
    action: ctx.action?.name ?? ctx.eventName,
    caller: ctx.meta?.caller?.department,
  });
}
