/**
 * The record of who used a subject's data: every read by a department names its case, and the
 * owning service writes it here in its own schema (table from services/common/migrations).
 */
import type { Queryable } from "./db/database";

/**
 * One use of a subject's data: who (`reader`, a department), for which case, what (`action`), and
 * whose: an ID number or credit code, or `{ column }` of the rows read (e.g. a material's owner).
 */
export interface DataUse {
  subjectId: string | { column: string };
  reader: string;
  caseId: string;
  action: string;
}

const COLUMN = /^[a-z_][a-z0-9_]*$/;

/**
 * Reads rows with `select` and records `use` of them, in one statement (a data-modifying WITH):
 * the read and its record are one round trip and one commit, and nothing is recorded when nothing
 * was found. A fixed subject is recorded once; a subject taken from a column once per row.
 * `select` uses $1..$n of `params`.
 */
export async function readRecorded<T>(q: Queryable, select: string, params: unknown[], use: DataUse): Promise<T[]> {
  const n = params.length;
  const subject = use.subjectId;
  if (typeof subject !== "string" && !COLUMN.test(subject.column)) throw new Error(`not a column name: ${subject.column}`);
  const source = typeof subject === "string" ? `SELECT $${n + 4}::text AS subject WHERE EXISTS (SELECT 1 FROM found)` : `SELECT ${subject.column} AS subject FROM found`;
  const { rows } = await q.query<T>(
    `WITH found AS (${select}), recorded AS (
       INSERT INTO data_accesses (subject_id, reader, case_id, action)
       SELECT s.subject, $${n + 1}, $${n + 2}, $${n + 3} FROM (${source}) s)
     SELECT * FROM found`,
    [...params, use.reader, use.caseId, use.action, ...(typeof subject === "string" ? [subject] : [])],
  );
  return rows;
}

/** Reads rows with `select`, recording `use` of them in the same statement when one is given (another department's read). */
export async function readFor<T>(q: Queryable, select: string, params: unknown[], use: DataUse | undefined): Promise<T[]> {
  return use ? readRecorded<T>(q, select, params, use) : (await q.query<T>(select, params)).rows;
}

/** Accesses to a subject's data, newest first. */
export async function accessesOf(q: Queryable, subjectId: string): Promise<Array<{ reader: string; caseId: string; action: string; at: string }>> {
  const { rows } = await q.query<{ reader: string; case_id: string; action: string; at: Date }>(
    "SELECT reader, case_id, action, at FROM data_accesses WHERE subject_id = $1 ORDER BY at DESC, id DESC",
    [subjectId],
  );
  return rows.map((r) => ({ reader: r.reader, caseId: r.case_id, action: r.action, at: new Date(r.at).toISOString() }));
}
