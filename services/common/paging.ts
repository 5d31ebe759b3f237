/**
 * Keyset pagination (page_size, page_token) shared by the hub's lists: a page ends with a row's
 * sort key, the token carries that key opaquely (base64url JSON), and the next page starts after it.
 * Keys are kept as text — a timestamp as PostgreSQL prints it, since a JS Date would cut its
 * microseconds and repeat a row.
 */
import { invalidArgument } from "./errors";
import { wholeNumber } from "./validate";

export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 200;
/** A part of a sort key: a pattern, or anything with the same test(). */
export interface KeyShape {
  test(part: string): boolean;
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?(?:([+-])(\d{2})(?::?(\d{2}))?|Z)?$/;

/**
 * A timestamp as PostgreSQL prints it, and one PostgreSQL takes back: a real date (no 30
 * February), a time of day, an offset of at most 14 hours, a year from 1970 to 9999 — a token
 * made up with anything else would otherwise reach the database and fail there (500).
 */
export const TIMESTAMP_TEXT: KeyShape = {
  test(part: string): boolean {
    const m = TIMESTAMP.exec(part);
    if (!m) return false;
    const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
    const date = new Date(Date.UTC(year, month - 1, day));
    const realDate = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
    const offsetOk = m[9] === undefined || (Number(m[9]) <= 14 && Number(m[10] ?? 0) < 60);
    return realDate && year >= 1970 && year <= 9999 && hour < 24 && minute < 60 && second < 60 && offsetOk;
  },
};

const BIGINT_MAX = 9223372036854775807n;

/** A row id of a bigint column as text: digits only, no larger than PostgreSQL's bigint holds. */
export const BIGINT_ID: KeyShape = {
  test: (part: string) => /^\d{1,19}$/.test(part) && BigInt(part) <= BIGINT_MAX,
};

/** Checks page_size: 1-200; 0 or absent for the default 50. INVALID_ARGUMENT naming `page_size`. */
export function pageSizeOf(value: unknown): number {
  if (value === undefined || value === null || value === 0) return DEFAULT_PAGE;
  return wholeNumber(value, "page_size", 1, MAX_PAGE);
}

/** The opaque token of the sort key a page ended with. */
export function encodePageToken(key: readonly string[]): string {
  return Buffer.from(JSON.stringify(key)).toString("base64url");
}

/**
 * The sort key in a page token (undefined for none: absent or empty). `shape` checks each part (a
 * pattern per position). INVALID_ARGUMENT naming `page_token` for anything this list did not give.
 */
export function decodePageToken(token: unknown, shape: readonly KeyShape[]): string[] | undefined {
  if (token === undefined || token === null || token === "") return undefined;
  if (typeof token === "string" && token.length <= 1024) {
    try {
      const key = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as unknown;
      if (Array.isArray(key) && key.length === shape.length && key.every((part, i) => typeof part === "string" && shape[i].test(part))) return key as string[];
    } catch {
      // falls through to the refusal
    }
  }
  throw invalidArgument("page_token", "is not a token this list gave (pass next_page_token unchanged, or nothing for the first page)");
}

/** A page of `size` from rows fetched with LIMIT size + 1, and the token after its last row. */
export function pageOf<T>(rows: T[], size: number, keyOf: (row: T) => readonly string[]): { page: T[]; nextPageToken: string } {
  const page = rows.slice(0, size);
  const last = page[page.length - 1];
  return { page, nextPageToken: rows.length > size && last !== undefined ? encodePageToken(keyOf(last)) : "" };
}
