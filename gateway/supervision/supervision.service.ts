/**
 * supervision (电子监察): the board of open cases with their lights, the red list, statistics, and
 * 好差评 with its follow-up — ratings taken from the portal, rectification cases answered by the
 * departments over gRPC (SupervisionService), callbacks (回访) from the portal. Hosted by every
 * gateway process on the gateway's database.
 *
 * Who sees what: the supervision department every department (or one it names); the one window
 * (`data`) the applications as a whole; any other department only its own cases, steps, rows and
 * rectification cases — naming another is PERMISSION_DENIED (field department).
 */
import type { Context, ServiceSchema } from "moleculer";
import { callerDepartment, ONE_WINDOW, type CallerMeta } from "../../services/common/caller";
import { hubNow } from "../../services/common/clock";
import type { Database } from "../../services/common/db/database";
import { invalidArgument, notFound, permissionDenied } from "../../services/common/errors";
import { openServiceDatabase, type Runtime } from "../../services/common/runtime";
import { workingCalendar } from "../../services/common/working-days";
import { addCollector } from "../../services/common/metrics";
import { openCases, redCases } from "./board";
import { collectOpenCases } from "./metrics-collector";
import { checkRating, rate, readRating } from "./ratings";
import {
  answerRectification,
  checkMeasures,
  checkRevisit,
  listRectifications,
  rectificationsOf,
  rectificationView,
  revisitRectification,
} from "./rectifications";
import { computeStatistics, periodOf, statisticsCsv, workUnits } from "./statistics";

type Ctx<P> = Context<P, CallerMeta>;

/** The supervision office's department code. */
export const SUPERVISION = "supervision";

const CODE = /^[a-z][a-z0-9_-]{0,31}$/;
const BUNDLE = /^[A-Z][A-Z0-9_]{0,63}$/;
const RECTIFICATION_ID = /^ZG-[A-Za-z0-9_-]{1,124}$/;

/** A department or bundle filter: "" for none, else a code of the right shape. */
function filter(value: unknown, field: string, shape: RegExp): string {
  if (value === undefined || value === null || value === "") return "";
  if (typeof value !== "string" || !shape.test(value)) throw invalidArgument(field, shape === BUNDLE ? "must be a bundle code, e.g. START_BUSINESS" : "must be a department code, e.g. samr");
  return value;
}

/**
 * The department a caller's view is scoped to: "" for every department. `wholeForOneWindow`: the
 * one window sees the whole view (the board) rather than its own rows (statistics, rectifications).
 */
export function scopeOf(caller: string, requested: unknown, wholeForOneWindow: boolean): string {
  const asked = filter(requested, "department", CODE);
  if (caller === SUPERVISION) return asked;
  const own = caller === ONE_WINDOW && wholeForOneWindow ? "" : caller;
  if (asked !== "" && asked !== caller) {
    throw permissionDenied(`部门 ${caller} 只能查看本部门的办件 (a department sees its own cases; ${asked}'s are for the supervision office)`, { field: "department" });
  }
  return own;
}

/** The supervision service schema. */
export function supervisionService(rt: Runtime): ServiceSchema {
  let db: Database;
  const yellowAt = rt.config.lightYellowPercent / 100;
  const view = (r: Parameters<typeof rectificationView>[0]) => rectificationView(r, hubNow(), yellowAt);
  const board = (ctx: Ctx<{ department?: string; bundleCode?: string; pageSize?: number; pageToken?: string }>) => {
    const p = ctx.params ?? {};
    return { scope: { department: scopeOf(callerDepartment(ctx), p.department, true), bundleCode: filter(p.bundleCode, "bundle_code", BUNDLE) }, page: p };
  };
  const statistics = async (ctx: Ctx<{ from?: string; to?: string; department?: string; bundleCode?: string }>) => {
    const p = ctx.params ?? {};
    const period = periodOf(p.from, p.to);
    const scope = { department: scopeOf(callerDepartment(ctx), p.department, false), bundleCode: filter(p.bundleCode, "bundle_code", BUNDLE) };
    const rows = computeStatistics(await workUnits(db, scope, period.start, period.end), workingCalendar());
    return { from: period.from, to: period.to, rows };
  };

  return {
    name: "supervision",
    actions: {
      /** SupervisionService/ListOpenCases: a page of the open cases in the caller's scope with their lights. */
      listOpenCases: (ctx: Ctx<{ department?: string; bundleCode?: string; pageSize?: number; pageToken?: string }>) => {
        const { scope, page } = board(ctx);
        return openCases(db, scope, page, hubNow(), yellowAt);
      },
      /** SupervisionService/ListOverdue: a page of the red list in the caller's scope. */
      listOverdue: (ctx: Ctx<{ department?: string; bundleCode?: string; pageSize?: number; pageToken?: string }>) => {
        const { scope, page } = board(ctx);
        return redCases(db, scope, page, hubNow(), yellowAt);
      },
      /** SupervisionService/GetStatistics: { from, to, rows } (statistics.ts defines each figure). */
      getStatistics: statistics,
      /** The statistics as CSV text (HTTP export). */
      statisticsCsv: async (ctx: Ctx<{ from?: string; to?: string; department?: string; bundleCode?: string }>) => statisticsCsv((await statistics(ctx)).rows),
      /** SupervisionService/ListRectifications: a page of rectification cases in the caller's scope. */
      listRectifications: async (ctx: Ctx<{ department?: string; status?: string; pageSize?: number; pageToken?: string }>) => {
        const p = ctx.params ?? {};
        const department = scopeOf(callerDepartment(ctx), p.department, false);
        const status = typeof p.status === "string" ? p.status : "";
        const { rows, nextPageToken } = await listRectifications(db, { department, status, pageSize: p.pageSize, pageToken: p.pageToken });
        return { rectifications: rows.map(view), nextPageToken };
      },
      /** SupervisionService/AnswerRectification: the department responsible answers with the measures taken. */
      answerRectification: async (ctx: Ctx<{ rectificationId?: string; measures?: string }>) => {
        const p = ctx.params ?? {};
        if (typeof p.rectificationId !== "string" || p.rectificationId === "") throw invalidArgument("rectification_id", "is required");
        if (!RECTIFICATION_ID.test(p.rectificationId)) throw invalidArgument("rectification_id", "is not a rectification case id (ZG-<application id>-<department>)");
        const measures = checkMeasures(p.measures);
        return view(await answerRectification(db, { id: p.rectificationId, department: callerDepartment(ctx), measures, now: new Date(hubNow()) }));
      },

      // Bus-only (the portal calls them for the signed-in applicant, whom it passes).

      /** An applicant rates a finished application: { applicationId, applicant, portal, rating } → { rating, created }. */
      rate: async (ctx: Ctx<{ applicationId: string; applicant: string; portal: string; rating: Record<string, unknown> }>) => {
        const { applicationId, applicant, portal } = ctx.params;
        const checked = checkRating(ctx.params.rating ?? {});
        return rate(db, { applicationId, applicant, portal, rating: checked, rectificationDays: rt.config.rectificationWorkingDays, now: new Date(hubNow()) });
      },
      /** The rating of an application and its rectification cases, for its applicant's callback view (NOT_FOUND for anyone else). */
      feedback: async (ctx: Ctx<{ applicationId: string; applicant: string }>) => {
        const { applicationId, applicant } = ctx.params;
        // Both named, as text: an absent applicant must not match the absent row's.
        if (typeof applicationId !== "string" || typeof applicant !== "string") throw notFound("application", applicationId);
        const { rows } = await db.query<{ applicant: string }>("SELECT applicant FROM applications WHERE application_id = $1", [applicationId]);
        if (rows.length === 0 || rows[0].applicant !== applicant) throw notFound("application", applicationId);
        return { rating: (await readRating(db, applicationId)) ?? null, rectifications: (await rectificationsOf(db, applicationId)).map(view) };
      },
      /** 回访: the applicant rates the handling of a rectification case: { rectificationId, applicant, score, comment }. */
      revisit: async (ctx: Ctx<{ rectificationId: string; applicant: string; score?: unknown; comment?: unknown }>) => {
        const checked = checkRevisit(ctx.params as unknown as Record<string, unknown>);
        return view(await revisitRectification(db, { id: ctx.params.rectificationId, applicant: ctx.params.applicant, ...checked, now: new Date(hubNow()) }));
      },
    },
    async started() {
      db = await openServiceDatabase(rt, "gateway", "gateway");
      addCollector(rt, () => collectOpenCases(db, yellowAt));
    },
  };
}
