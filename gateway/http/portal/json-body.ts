/**
 * The portal's JSON body parser (registered for application/json on the Fastify app): UTF-8 only
 * (415 otherwise), parsed by Fastify's secure parser (a `__proto__` or `constructor.prototype` key
 * is refused, never merged; secure-json-parse, as Fastify's own parser uses), nested at most MAX_BODY_DEPTH levels, and with no key twice in one
 * object — JSON.parse keeps the last of duplicate keys, so `{"id_number":A,"id_number":B}` would
 * act on B while a log or a proxy that keeps the first saw A (RFC 8259 §4: names SHOULD be unique).
 * Every refusal is a 400 naming `body` (or 415), before any handler runs.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import secureJson from "secure-json-parse";
import { HttpError } from "./http-kit";

/** How deep a body may nest objects and lists: far more than any form needs, far less than a stack holds. */
export const MAX_BODY_DEPTH = 32;

/**
 * Whether `value` nests objects or lists deeper than `max` levels. Iterative, so a body nested
 * 10,000 levels deep is refused here instead of overflowing the stack in whatever walks it next.
 */
export function depthExceeds(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (depth > max) return true;
    for (const child of Object.values(v as Record<string, unknown>)) stack.push([child, depth + 1]);
  }
  return false;
}

/** The end (index after the closing quote) of the JSON string starting at `start` (an opening quote). */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  for (;;) {
    const quote = text.indexOf('"', i);
    if (quote < 0) return text.length;
    // Escaped when preceded by an odd number of backslashes.
    let slashes = 0;
    for (let j = quote - 1; text.charCodeAt(j) === 92; j--) slashes++;
    if (slashes % 2 === 0) return quote + 1;
    i = quote + 1;
  }
}

/**
 * The first key that appears twice in one object of a JSON text, as its path (e.g. `form.employees[0].id_number`),
 * or undefined. Expects text JSON.parse accepted. Linear: strings are skipped with indexOf, so a
 * 28 MiB upload is scanned in one pass; escaped keys are compared decoded ("\u0061" is "a").
 */
export function findDuplicateKey(text: string): string | undefined {
  type Frame = { keys: Set<string> | undefined; path: string; index: number; key?: string };
  const stack: Frame[] = [];
  let expectKey = false;
  const pathOf = (f: Frame) => f.path;
  const childPath = (f: Frame) => (f.keys ? (f.path ? `${f.path}.${f.key}` : f.key!) : `${f.path}[${f.index}]`);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      const end = stringEnd(text, i);
      const top = stack[stack.length - 1];
      if (top?.keys && expectKey) {
        const raw = text.slice(i + 1, end - 1);
        const key = raw.includes("\\") ? (JSON.parse(`"${raw}"`) as string) : raw;
        if (top.keys.has(key)) return top.path ? `${pathOf(top)}.${key}` : key;
        top.keys.add(key);
        top.key = key;
        expectKey = false;
      }
      i = end - 1;
    } else if (c === 123 /* { */ || c === 91 /* [ */) {
      const top = stack[stack.length - 1];
      const path = top ? childPath(top) : "";
      stack.push({ keys: c === 123 ? new Set() : undefined, path, index: 0 });
      expectKey = c === 123;
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      stack.pop();
      expectKey = false;
    } else if (c === 44 /* , */) {
      const top = stack[stack.length - 1];
      if (top?.keys) expectKey = true;
      else if (top) top.index++;
    }
  }
  return undefined;
}

const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true });

const badBody = (reason: string) => new HttpError(400, "INVALID_ARGUMENT", `body: ${reason}`, "body");

/**
 * Replaces Fastify's JSON parser with the portal's: charset, secure parse, depth, duplicate keys.
 * Size limits stay Fastify's (the route's bodyLimit, checked while the body streams in: 413).
 */
export function registerJsonParser(app: FastifyInstance): void {
  // JSON only: Fastify's text/plain parser would hand a handler a string (a 400 instead of 415).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("application/json", { parseAs: "buffer" }, (req: FastifyRequest, raw: string | Buffer, done: (err: Error | null, body?: unknown) => void) => {
    // JSON is UTF-8 (RFC 8259 §8.1): a body declared in another charset (GBK, say) would be decoded
    // wrongly and stored garbled, so it is refused rather than guessed.
    const parameters = String(req.headers["content-type"] ?? "").split(";").slice(1);
    const charset = parameters.map((p) => p.trim().toLowerCase()).find((p) => p.startsWith("charset="))?.slice("charset=".length).replace(/^"|"$/g, "");
    if (charset !== undefined && charset !== "utf-8" && charset !== "utf8") {
      done(new HttpError(415, "UNSUPPORTED_MEDIA_TYPE", `send the body as UTF-8 JSON (got charset ${charset.slice(0, 40)})`, "body"));
      return;
    }
    let body: string;
    try {
      // Bytes that are not UTF-8 are refused, not replaced by U+FFFD (which would store other text
      // than was sent, and make a retry of the same request differ from what was stored).
      body = typeof raw === "string" ? raw : STRICT_UTF8.decode(raw);
    } catch {
      done(badBody("is not valid UTF-8"));
      return;
    }
    if (body.trim() === "") {
      done(badBody("is empty; send a JSON object"));
      return;
    }
    let value: unknown;
    try {
      value = secureJson.parse(body, undefined, { protoAction: "error", constructorAction: "error" });
    } catch (err) {
      done(badBody(`is not valid JSON (${(err as Error).message})`));
      return;
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) return done(badBody("must be a JSON object"));
    if (depthExceeds(value, MAX_BODY_DEPTH)) return done(badBody(`is nested deeper than ${MAX_BODY_DEPTH} levels`));
    const duplicate = findDuplicateKey(body);
    if (duplicate) return done(new HttpError(400, "INVALID_ARGUMENT", `${duplicate}: is given twice in the body (each property once)`, duplicate));
    done(null, value);
  });
}
