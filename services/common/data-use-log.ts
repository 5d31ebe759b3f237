/**
 * The data-use log (数据使用记录): who used a subject's data — every read by a department that names
 * its case, every change a bundle makes — written by the owning service in its own schema (table
 * `data_uses`, services/common/migrations/005), in the statement of the use itself. A chaining pass
 * links the entries into a hash chain (data-use-chain.ts).
 */
import type { Context } from "moleculer";
import type { Queryable } from "./db/database";
import { TIMESTAMP_TEXT, type KeyShape } from "./paging";

/**
 * One use of a subject's data: who (`reader`, a department), whose (an ID number or credit code, or
 * `{ column }` of the rows read, e.g. a material's owner), what kind of data (`what`: person,
 * entity, licence, material …) and which record (`item`, or `{ column }`), what was done (`action`:
 * get, verify, list …), for which case and purpose (purposeOf).
 */
export interface DataUse {
  subjectId: string | { column: string };
  reader: string;
  caseId: string;
  action: string;
  what: string;
  item?: string | { column: string };
  purpose: string;
}

/** Longest purpose kept (characters); a longer one is cut. */
const PURPOSE_MAX = 200;

/**
 * The purpose of a use, as the call chain states it: `meta.purpose`, set by the orchestrator for a
 * bundle's step (e.g. 开办企业：税务登记), by the gRPC edge from a back-office's `x-purpose` metadata
 * (or its method), by the portal; nested calls inherit it. Empty when nobody said.
 */
export function purposeOf(ctx: Context<unknown, { purpose?: unknown }> | undefined): string {
  const p = ctx?.meta?.purpose;
  return typeof p === "string" ? [...p].slice(0, PURPOSE_MAX).join("") : "";
}

const COLUMN = /^[a-z_][a-z0-9_]*$/;

function columnOrParam(v: string | { column: string } | undefined, param: number): { sql: string; value?: string } {
  if (v === undefined) return { sql: "''" };
  if (typeof v === "string") return { sql: `$${param}::text`, value: v };
  if (!COLUMN.test(v.column)) throw new Error(`not a column name: ${v.column}`);
  return { sql: `f.${v.column}` };
}

/**
 * Reads rows with `select` and records `use` of them, in one statement (a data-modifying WITH):
 * the read and its record are one round trip and one commit, and nothing is recorded when nothing
 * was found. A fixed subject and item are recorded once; taken from a column, once per row.
 * `select` uses $1..$n of `params`; `recordWhere` (optional, over the found rows `f`) keeps rows
 * out of the record (e.g. a licence read by its own issuer).
 */
export async function readRecorded<T>(q: Queryable, select: string, params: unknown[], use: DataUse, recordWhere = "true"): Promise<T[]> {
  const n = params.length;
  const values: unknown[] = [use.reader, use.caseId, use.action, use.what, use.purpose];
  const subject = columnOrParam(use.subjectId, n + values.length + 1);
  if (subject.value !== undefined) values.push(subject.value);
  const item = columnOrParam(use.item, n + values.length + 1);
  if (item.value !== undefined) values.push(item.value);
  const perRow = typeof use.subjectId !== "string" || (use.item !== undefined && typeof use.item !== "string");
  const source = perRow ? `SELECT * FROM found f WHERE ${recordWhere}` : `SELECT * FROM (SELECT * FROM found f WHERE ${recordWhere} LIMIT 1) f`;
  const { rows } = await q.query<T>(
    `WITH found AS (${select}), recorded AS (
       INSERT INTO data_uses (subject_id, reader, case_id, action, what, purpose, item)
       SELECT ${subject.sql}, $${n + 1}, $${n + 2}, $${n + 3}, $${n + 4}, $${n + 5}, ${item.sql} FROM (${source}) f)
     SELECT * FROM found`,
    [...params, ...values],
  );
  return rows;
}

/** Reads rows with `select`, recording `use` of them in the same statement when one is given (another department's read). */
export async function readFor<T>(q: Queryable, select: string, params: unknown[], use: DataUse | undefined): Promise<T[]> {
  return use ? readRecorded<T>(q, select, params, use) : (await q.query<T>(select, params)).rows;
}

/** Records uses that read nothing of the schema's tables (e.g. a presented copy checked against the registry). */
export async function recordUses(q: Queryable, uses: Array<Omit<DataUse, "subjectId" | "item"> & { subjectId: string; item?: string; kind?: "read" | "change" }>): Promise<void> {
  if (uses.length === 0) return;
  await q.query(
    `INSERT INTO data_uses (subject_id, reader, case_id, action, what, purpose, item, kind)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])`,
    [
      uses.map((u) => u.subjectId),
      uses.map((u) => u.reader),
      uses.map((u) => u.caseId),
      uses.map((u) => u.action),
      uses.map((u) => u.what),
      uses.map((u) => u.purpose),
      uses.map((u) => u.item ?? ""),
      uses.map((u) => u.kind ?? "read"),
    ],
  );
}

/** An entry of the log as a subject sees it. */
export interface DataUseEntry {
  id: string;
  kind: "read" | "change";
  reader: string;
  caseId: string;
  action: string;
  what: string;
  item: string;
  purpose: string;
  subjectId: string;
  /** ISO time with microseconds (the log's own precision; also the paging key). */
  at: string;
}

/** The text form of `at` every reader of the log uses: ISO 8601 UTC with microseconds. */
export const AT_TEXT = `to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

const AT_RE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

/** AT_TEXT's answers, for cursors that carry one back: its shape, and a time PostgreSQL takes (no 30 February). */
export const AT_KEY: KeyShape = { test: (part: string) => AT_RE.test(part) && TIMESTAMP_TEXT.test(part) };

/**
 * Uses of `subjects`' data, newest first, at most `limit`, strictly after the cursor in the order
 * (at, id) descending when one is given (`before`). Served from the subject index.
 */
export async function usesOf(
  q: Queryable,
  subjects: string[],
  limit: number,
  before?: { at: string; id: string; inclusiveAt?: boolean },
): Promise<DataUseEntry[]> {
  const cursor = before
    ? before.inclusiveAt
      ? "AND at <= $3::timestamptz"
      : "AND (at < $3::timestamptz OR (at = $3::timestamptz AND id < $4::bigint))"
    : "";
  const params: unknown[] = [subjects, limit];
  if (before) params.push(before.at, ...(before.inclusiveAt ? [] : [before.id]));
  const { rows } = await q.query<{ id: string; kind: "read" | "change"; reader: string; case_id: string; action: string; what: string; item: string; purpose: string; subject_id: string; at_text: string }>(
    `SELECT id::text AS id, kind, reader, case_id, action, what, item, purpose, subject_id, ${AT_TEXT} AS at_text
       FROM data_uses WHERE subject_id = ANY ($1::text[]) ${cursor}
      ORDER BY data_uses.at DESC, data_uses.id DESC LIMIT $2`,
    params,
  );
  return rows.map((r) => ({ id: r.id, kind: r.kind, reader: r.reader, caseId: r.case_id, action: r.action, what: r.what, item: r.item, purpose: r.purpose, subjectId: r.subject_id, at: r.at_text }));
}
