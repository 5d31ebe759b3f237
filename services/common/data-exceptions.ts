/**
 * The safety net under every action's input checks: a value that reached a statement and that
 * PostgreSQL (or PGlite) refuses as data — text holding NUL, a number out of range, an impossible
 * date, text that is not a number — is the caller's fault, not the hub's. Such errors (SQLSTATE
 * class 22, the codes below) leave the action as INVALID_ARGUMENT (400) naming "request" instead
 * of an internal error (500) that would also count against the action's circuit breaker. Each is
 * logged: it marks an input an edge should have refused with the field's own name.
 */
import type { Context, Middleware } from "moleculer";
import { invalidArgument } from "./errors";
import { rootLogger } from "./logger";

/** SQLSTATE codes of values the database cannot take (PostgreSQL Appendix A, class 22). */
const INPUT_DATA_EXCEPTIONS = new Set([
  "22001", // string_data_right_truncation
  "22003", // numeric_value_out_of_range
  "22007", // invalid_datetime_format
  "22008", // datetime_field_overflow
  "22021", // character_not_in_repertoire (e.g. NUL in text)
  "22P02", // invalid_text_representation
  "22P05", // untranslatable_character (e.g. \u0000 in jsonb)
]);

/** Whether `err` is the database refusing a value as data (see INPUT_DATA_EXCEPTIONS). */
export function isInputDataException(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && INPUT_DATA_EXCEPTIONS.has(code);
}

/** Maps an input data exception of a local action to INVALID_ARGUMENT; other errors pass unchanged. */
export const DataExceptionMiddleware: Middleware = {
  name: "DataExceptions",
  localAction(next: (ctx: Context) => Promise<unknown>, action: { name?: string }) {
    return (ctx: Context) =>
      next(ctx).catch((err: unknown) => {
        if (!isInputDataException(err)) throw err;
        const message = String((err as Error).message).split("\n")[0].slice(0, 200);
        rootLogger().child({ mod: "data-exceptions" }).warn({ action: action.name, code: (err as { code: string }).code, message }, "a request value reached the database unchecked");
        throw invalidArgument("request", `a value cannot be stored or compared (${message})`);
      });
  },
} as unknown as Middleware;
