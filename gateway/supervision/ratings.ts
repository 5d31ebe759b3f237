/**
 * 好差评: the applicant rates a finished application (COMPLETED or COMPENSATED) once — the whole
 * application, for which the one window answers, and, if they wish, single departments of its
 * steps, each answering for its own. Every bad rating (不满意, 非常不满意) opens a rectification case
 * (差评整改) for the department responsible, due RECTIFICATION_WORKING_DAYS working days later, in
 * the transaction that stores the rating: a bad rating is never stored without its follow-up.
 * Rating again with the same values answers the stored rating (a retried request); different
 * values are refused (ALREADY_RATED). Tables in gateway/migrations/003 and 007.
 */
import { Errors } from "moleculer";
import type { Database, Queryable } from "../../services/common/db/database";
import { ErrorType, failedPrecondition, invalidArgument, notFound } from "../../services/common/errors";
import { rootLogger } from "../../services/common/logger";
import { ONE_WINDOW } from "../../services/common/caller";
import { workingCalendar } from "../../services/common/working-days";
import { checkScore, isBad, levelOf } from "./levels";

/** Application states in which a rating is taken. */
export const RATEABLE = ["COMPLETED", "COMPENSATED"] as const;

/** At most this many departments rated separately in one rating. */
const MAX_DEPARTMENT_RATINGS = 16;

export interface RatingInput {
  score: number;
  comment?: string;
  /** Ratings of single departments of the case. */
  departments: Array<{ department: string; score: number; comment?: string }>;
}

export interface DepartmentRating {
  department: string;
  score: number;
  level: string;
  comment?: string;
}

export interface Rating {
  applicationId: string;
  score: number;
  level: string;
  comment?: string;
  ratedAt: string;
  departments: DepartmentRating[];
  /** The rectification cases this rating opened (ids), one per bad rating. */
  rectifications: string[];
}

/**
 * A checked rating body: { score, comment?, departments?: [{ department, score, comment? }] } (see
 * checkScore for each score and comment). Errors: INVALID_ARGUMENT naming the field, e.g.
 * `departments[1].comment`.
 */
export function checkRating(body: Record<string, unknown>): RatingInput {
  const overall = checkScore(body.score, body.comment);
  const list = body.departments ?? [];
  if (!Array.isArray(list)) throw invalidArgument("departments", "must be a list of { department, score, comment }");
  if (list.length > MAX_DEPARTMENT_RATINGS) throw invalidArgument("departments", `must list at most ${MAX_DEPARTMENT_RATINGS} departments`);
  const seen = new Set<string>();
  const departments = list.map((item: unknown, i) => {
    const field = `departments[${i}].`;
    if (typeof item !== "object" || item === null || Array.isArray(item)) throw invalidArgument(`departments[${i}]`, "must be an object { department, score, comment }");
    const { department, score, comment } = item as Record<string, unknown>;
    if (typeof department !== "string" || !/^[a-z][a-z0-9_-]{0,31}$/.test(department)) throw invalidArgument(`${field}department`, "must be a department code, e.g. samr");
    if (seen.has(department)) throw invalidArgument(`${field}department`, `${department} is rated twice`);
    seen.add(department);
    return { department, ...checkScore(score, comment, field) };
  });
  return { ...overall, departments };
}

interface StoredRating {
  score: number;
  comment: string | null;
  rated_at: Date | string;
  departments: Array<{ department: string; score: number; comment: string | null }> | null;
  rectifications: string[] | null;
}

const toRating = (applicationId: string, r: StoredRating): Rating => ({
  applicationId,
  score: Number(r.score),
  level: levelOf(Number(r.score)).code,
  ...(r.comment ? { comment: r.comment } : {}),
  ratedAt: new Date(r.rated_at).toISOString(),
  departments: (r.departments ?? [])
    .map((d) => ({ department: d.department, score: Number(d.score), level: levelOf(Number(d.score)).code, ...(d.comment ? { comment: d.comment } : {}) }))
    .sort((a, b) => a.department.localeCompare(b.department)),
  rectifications: [...(r.rectifications ?? [])].sort(),
});

/** Reads an application's rating with its department ratings and rectification ids; undefined when not rated. */
export async function readRating(q: Queryable, applicationId: string): Promise<Rating | undefined> {
  const { rows } = await q.query<StoredRating>(
    `SELECT r.score, r.comment, r.rated_at,
       (SELECT json_agg(json_build_object('department', d.department, 'score', d.score, 'comment', d.comment)) FROM department_ratings d WHERE d.application_id = r.application_id) AS departments,
       (SELECT json_agg(x.rectification_id) FROM rectifications x WHERE x.application_id = r.application_id) AS rectifications
     FROM application_ratings r WHERE r.application_id = $1`,
    [applicationId],
  );
  return rows[0] && toRating(applicationId, rows[0]);
}

/** The id of the rectification case of a bad rating of one department in one application. */
export const rectificationId = (applicationId: string, department: string): string => `ZG-${applicationId}-${department}`;

const sameRating = (a: Rating, b: RatingInput): boolean =>
  a.score === b.score &&
  (a.comment ?? "") === (b.comment ?? "") &&
  a.departments.length === b.departments.length &&
  [...b.departments].sort((x, y) => x.department.localeCompare(y.department)).every((d, i) => {
    const s = a.departments[i];
    return s.department === d.department && s.score === d.score && (s.comment ?? "") === (d.comment ?? "");
  });

/**
 * Records an applicant's rating of their finished application, and opens a rectification case
 * per bad rating. Errors: NOT_FOUND (no such application of this applicant);
 * APPLICATION_NOT_FINISHED (422); INVALID_ARGUMENT `departments[i].department` for a department
 * with no step in the case; ALREADY_RATED (409, field score) when rated before with other values.
 */
export async function rate(db: Database, r: { applicationId: string; applicant: string; portal: string; rating: RatingInput; rectificationDays: number; now: Date }): Promise<{ rating: Rating; created: boolean }> {
  const { rows } = await db.query<{ applicant: string; status: string; bundle_code: string; departments: string[] }>(
    `SELECT a.applicant, a.status, a.bundle_code,
       ARRAY(SELECT DISTINCT s.department FROM application_steps s WHERE s.application_id = a.application_id) AS departments
     FROM applications a WHERE a.application_id = $1`,
    [r.applicationId],
  );
  const app = rows[0];
  if (!app || app.applicant !== r.applicant) throw notFound("application", r.applicationId);
  if (!(RATEABLE as readonly string[]).includes(app.status)) {
    throw failedPrecondition("APPLICATION_NOT_FINISHED", `申请办结后方可评价 (the application is ${app.status}; rate it once it is ${RATEABLE.join(" or ")})`);
  }
  r.rating.departments.forEach((d, i) => {
    // The one window answers for the application as a whole: its rating is the overall score.
    if (d.department === ONE_WINDOW) throw invalidArgument(`departments[${i}].department`, `${ONE_WINDOW} (the one window) is rated by the overall score`);
    if (!app.departments.includes(d.department)) {
      throw invalidArgument(`departments[${i}].department`, `${d.department} has no step in this application (its departments: ${app.departments.join(", ")})`);
    }
  });
  const dueAt = workingCalendar().deadline(r.now, r.rectificationDays);
  const bad = [
    ...(isBad(r.rating.score) ? [{ department: ONE_WINDOW, score: r.rating.score, comment: r.rating.comment! }] : []),
    ...r.rating.departments.filter((d) => isBad(d.score)).map((d) => ({ department: d.department, score: d.score, comment: d.comment! })),
  ];
  const created = await db.transaction(async (tx) => {
    const inserted = await tx.query(
      `INSERT INTO application_ratings (application_id, applicant, bundle_code, score, comment, portal, rated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (application_id) DO NOTHING RETURNING 1`,
      [r.applicationId, r.applicant, app.bundle_code, r.rating.score, r.rating.comment ?? null, r.portal, r.now],
    );
    if (inserted.rows.length === 0) return false;
    for (const d of r.rating.departments) {
      await tx.query("INSERT INTO department_ratings (application_id, department, score, comment, rated_at) VALUES ($1, $2, $3, $4, $5)", [
        r.applicationId, d.department, d.score, d.comment ?? null, r.now,
      ]);
    }
    for (const b of bad) {
      await tx.query(
        `INSERT INTO rectifications (rectification_id, application_id, department, bundle_code, score, reason, opened_at, due_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [rectificationId(r.applicationId, b.department), r.applicationId, b.department, app.bundle_code, b.score, b.comment, r.now, dueAt],
      );
    }
    return true;
  });
  const rating = (await readRating(db, r.applicationId))!;
  if (!created && !sameRating(rating, r.rating)) {
    throw new Errors.MoleculerClientError(`申请 ${r.applicationId} 已评价 (the application was already rated)`, 409, ErrorType.AlreadyExists, {
      reasonCode: "ALREADY_RATED",
      field: "score",
    });
  }
  if (created) {
    // Lifecycle line: ids and scores only (comments are the applicant's words).
    rootLogger().info(
      { mod: "ratings", applicationId: r.applicationId, bundle: app.bundle_code, score: r.rating.score, departments: r.rating.departments.map((d) => `${d.department}:${d.score}`), rectifications: bad.length, portal: r.portal },
      "rating given",
    );
  }
  return { rating, created };
}
