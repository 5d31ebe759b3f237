/**
 * 好差评: an applicant rates a finished application (COMPLETED or COMPENSATED) once, 1-5, with a
 * comment that a poor rating (1-2) must give — a 差评 has to say what went wrong to be followed up.
 * Stored in the gateway's schema (migrations/003_ratings.sql); the primary key on the application
 * makes "once" hold also when two ratings race.
 */
import { Errors } from "moleculer";
import type { Database } from "../../../services/common/db/database";
import { ErrorType, failedPrecondition, invalidArgument } from "../../../services/common/errors";
import { rootLogger } from "../../../services/common/logger";
import { canonicalText } from "../../../services/common/validate";
import { openServiceDatabase, type Runtime } from "../../../services/common/runtime";
import { applicantOf, callBus, portalOf, type PortalDeps } from "./deps";
import { toSnake } from "./http-kit";
import type { PortalRequest, Reply } from "./router";

export interface Rating {
  applicationId: string;
  score: number;
  comment?: string;
  ratedAt: string;
}

/** Application states in which a rating is taken. */
export const RATEABLE = ["COMPLETED", "COMPENSATED"] as const;

/** A checked rating body: score a whole number 1-5; comment up to 500 characters, required for 1-2. */
export function checkRating(body: Record<string, unknown>): { score: number; comment?: string } {
  const { score, comment } = body;
  if (typeof score !== "number" || !Number.isInteger(score) || score < 1 || score > 5) {
    throw invalidArgument("score", "must be a whole number from 1 (非常不满意) to 5 (非常满意)");
  }
  if (comment !== undefined && comment !== null && typeof comment !== "string") throw invalidArgument("comment", "must be text");
  const text = typeof comment === "string" ? canonicalText(comment.trim(), "comment", { multiline: true }) : "";
  if ([...text].length > 500) throw invalidArgument("comment", `must be at most 500 characters (got ${[...text].length})`);
  if (score <= 2 && [...text].length < 2) throw invalidArgument("comment", "is required for a rating of 1 or 2 (差评须说明理由)");
  return text ? { score, comment: text } : { score };
}

interface RatingRow {
  application_id: string;
  score: number;
  comment: string | null;
  rated_at: Date;
}

const toRating = (r: RatingRow): Rating => ({
  applicationId: r.application_id,
  score: Number(r.score),
  ...(r.comment ? { comment: r.comment } : {}),
  ratedAt: new Date(r.rated_at).toISOString(),
});

/** The rating store on the gateway database. */
export class Ratings {
  constructor(private readonly db: Database) {}

  /** Opens the gateway database (shared per process; migrated on first open). */
  static async open(rt: Runtime): Promise<Ratings> {
    return new Ratings(await openServiceDatabase(rt, "gateway", "gateway"));
  }

  /** Records a rating; ALREADY_RATED (409, field score) when the application has one. */
  async rate(r: { applicationId: string; applicant: string; bundleCode: string; score: number; comment?: string; portal: string }): Promise<Rating> {
    const { rows } = await this.db.query<RatingRow>(
      `INSERT INTO application_ratings (application_id, applicant, bundle_code, score, comment, portal)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (application_id) DO NOTHING
       RETURNING application_id, score, comment, rated_at`,
      [r.applicationId, r.applicant, r.bundleCode, r.score, r.comment ?? null, r.portal],
    );
    if (rows.length === 0) {
      throw new Errors.MoleculerClientError(`申请 ${r.applicationId} 已评价 (the application was already rated)`, 409, ErrorType.AlreadyExists, {
        reasonCode: "ALREADY_RATED",
        field: "score",
      });
    }
    // Lifecycle line: ids and the score only (the comment is the applicant's words).
    rootLogger().info({ mod: "ratings", applicationId: r.applicationId, bundle: r.bundleCode, score: r.score, portal: r.portal }, "rating given");
    return toRating(rows[0]);
  }
}

/** POST /v1/applications/{id}/rating */
export async function rateApplication(req: PortalRequest, deps: PortalDeps): Promise<Reply> {
  const body = await req.body();
  const { score, comment } = checkRating(body);
  const applicant = applicantOf(req);
  // Answers 404 for an application that is not the applicant's.
  const view = await callBus<{ applicationId: string; status: string; bundle: { code: string } }>(deps, req, "bundles.status", {
    applicationId: req.params.id,
    applicant,
  });
  if (!(RATEABLE as readonly string[]).includes(view.status)) {
    throw failedPrecondition("APPLICATION_NOT_FINISHED", `申请办结后方可评价 (the application is ${view.status}; rate it once it is ${RATEABLE.join(" or ")})`);
  }
  const rating = await deps.ratings.rate({ applicationId: view.applicationId, applicant, bundleCode: view.bundle.code, score, comment, portal: portalOf(req) });
  return { status: 201, body: toSnake(rating) };
}
