/**
 * The record of who used a subject's data: every read by a department names its case, and the
 * owning service writes it here in its own schema (table from services/common/migrations).
 */
import type { Queryable } from "./db/database";

/** Records that `reader` used `subjectId`'s data for `caseId`. */
export async function recordAccess(q: Queryable, subjectId: string, reader: string, caseId: string, action: string): Promise<void> {
  await q.query("INSERT INTO data_accesses (subject_id, reader, case_id, action) VALUES ($1, $2, $3, $4)", [subjectId, reader, caseId, action]);
}

/**
 * Reads rows with `select` and records that `reader` used `subjectId`'s data for `caseId`, in one
 * statement (a data-modifying WITH): the read and its record are one round trip and one commit,
 * and nothing is recorded when nothing was found. `select` uses $1..$n of `params`.
 */
export async function readRecorded<T>(
  q: Queryable,
  select: string,
  params: unknown[],
  access: { subjectId: string; reader: string; caseId: string; action: string },
): Promise<T[]> {
  const n = params.length;
  const { rows } = await q.query<T>(
    `WITH found AS (${select}), recorded AS (
       INSERT INTO data_accesses (subject_id, reader, case_id, action)
       SELECT $${n + 1}, $${n + 2}, $${n + 3}, $${n + 4} WHERE EXISTS (SELECT 1 FROM found))
     SELECT * FROM found`,
    [...params, access.subjectId, access.reader, access.caseId, access.action],
  );
  return rows;
}

/** Accesses to a subject's data, newest first. */
export async function accessesOf(q: Queryable, subjectId: string): Promise<Array<{ reader: string; caseId: string; action: string; at: string }>> {
  const { rows } = await q.query<{ reader: string; case_id: string; action: string; at: Date }>(
    "SELECT reader, case_id, action, at FROM data_accesses WHERE subject_id = $1 ORDER BY at DESC, id DESC",
    [subjectId],
  );
  return rows.map((r) => ({ reader: r.reader, caseId: r.case_id, action: r.action, at: new Date(r.at).toISOString() }));
}
