/**
 * Conditional and waiting reads of the portal: `If-None-Match` (RFC 9110 §13.1.2) with the ETag of
 * the view a client shows, and `Prefer: wait=N` (RFC 7240 §4.3) to have the read wait up to N
 * seconds for a change before it answers 304 Not Modified.
 */
import type http from "node:http";
import { HttpError } from "./http-kit";

/** The longest wait a client may ask for (s); a longer one is applied as this (Preference-Applied says so). */
export const MAX_WAIT_SECONDS = 30;

/**
 * The `wait` preference of a request's Prefer header(s), in seconds (at most MAX_WAIT_SECONDS), or
 * undefined when none is given. Other preferences are ignored, as RFC 7240 lets a server do; a
 * `wait` that is not whole seconds is refused (400 naming `prefer`), so a client's typo is not
 * mistaken for "do not wait".
 */
export function preferredWaitSeconds(req: http.IncomingMessage): number | undefined {
  // Node joins repeated Prefer headers into one comma-separated value.
  const value = req.headers.prefer;
  if (typeof value !== "string") return undefined;
  // Preferences are comma-separated; a quoted value may hold a comma.
  for (const part of value.match(/(?:[^,"]|"[^"]*")+/g) ?? []) {
    const [pref] = part.split(";");
    const eq = pref.indexOf("=");
    const name = (eq < 0 ? pref : pref.slice(0, eq)).trim().toLowerCase();
    if (name !== "wait") continue;
    const given = eq < 0 ? "" : pref.slice(eq + 1).trim().replace(/^"(.*)"$/, "$1");
    // The value is not echoed: a header's bytes reach here as Latin-1, so anything else would come back garbled.
    if (!/^\d+$/.test(given)) throw new HttpError(400, "INVALID_ARGUMENT", `prefer: wait must be whole seconds, e.g. "Prefer: wait=${MAX_WAIT_SECONDS}"`, "prefer");
    // Only the first instance of a preference counts (RFC 7240 §2).
    return Math.min(Number(given), MAX_WAIT_SECONDS);
  }
  return undefined;
}
