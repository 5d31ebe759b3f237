/**
 * Entity tags of status views, for conditional reads (RFC 9110 §8.8.3, §13.1.2): a portal sends
 * the tag of the view it shows in If-None-Match and is answered 304 while nothing changed.
 */
import crypto from "node:crypto";
import { canonicalJson } from "../../services/common/canonical";

/**
 * The weak tag of a status view: a digest of its canonical JSON (keys sorted, so a view read from
 * memory and one read from the database tag alike) without the running countdown `msLeft`, which
 * changes every millisecond and which a client derives from `committedDeadline`. Weak (W/) because
 * the countdown is left out; the lights, which time turns, are in it.
 */
export function statusTag(view: object): string {
  const { msLeft: _countdown, ...rest } = view as Record<string, unknown>;
  return `W/"${crypto.createHash("sha256").update(canonicalJson(rest)).digest("base64url").slice(0, 27)}"`;
}

/** The longest If-None-Match compared: a few hundred tags (anything longer matches nothing: the view is sent). */
const MAX_IF_NONE_MATCH = 16_384;

/**
 * Whether an If-None-Match value matches `tag` by weak comparison (RFC 9110 §13.1.2): `*`, or a
 * comma-separated list of entity tags one of which has the same opaque part, with or without W/.
 * A malformed value matches nothing (the full view is sent).
 */
export function ifNoneMatchMatches(header: unknown, tag: string): boolean {
  if (typeof header !== "string" || header.length > MAX_IF_NONE_MATCH) return false;
  if (header.trim() === "*") return true;
  const opaque = (t: string) => t.trim().replace(/^W\//, "");
  const want = opaque(tag);
  return header.split(",").some((t) => /^(W\/)?"[\x21\x23-\x7e]*"$/.test(t.trim()) && opaque(t) === want);
}
