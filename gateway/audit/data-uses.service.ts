/**
 * data-uses: the gateway's part of the data-use log.
 *
 * - Checkpoints: every DATA_USE_CHECKPOINT_MS it signs the head of every schema's chain with the hub
 *   key (checkpoints.ts); `checkpoint` does one now.
 * - "Who used my data" (数据使用记录): `forApplicant` merges the uses of an applicant's data — and of the
 *   enterprises they represent — from every department's log and the gateway's own, newest first, by
 *   pages (GET /v1/me/data-uses).
 */
import type { Context, Service, ServiceBroker, ServiceSchema } from "moleculer";
import { callerDepartment, ONE_WINDOW, type CallerMeta } from "../../services/common/caller";
import { chainHead } from "../../services/common/data-use-chain";
import { AT_KEY, usesOf, type DataUseEntry } from "../../services/common/data-use-log";
import { BIGINT_ID, pageSizeOf } from "../../services/common/paging";
import type { Database } from "../../services/common/db/database";
import { invalidArgument, permissionDenied } from "../../services/common/errors";
import { rootLogger } from "../../services/common/logger";
import { PollingLoop } from "../../services/common/polling-loop";
import { openServiceDatabase, type Runtime } from "../../services/common/runtime";
import { resolveSecret } from "../../services/common/secrets";
import { latestCheckpoints, recordCheckpoint } from "./checkpoints";
import { LOG_SOURCES } from "./log-sources";

type Ctx<P> = Context<P, CallerMeta>;

/** A use as the applicant sees it: its log (schema) and place there, whose data, and the rest of the entry. */
export type ApplicantDataUse = DataUseEntry & { source: string };

interface Cursor {
  at: string;
  source: number;
  id: string;
}

function encodeToken(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.at, c.source, c.id])).toString("base64url");
}

function decodeToken(token: string): Cursor {
  try {
    const [at, source, id] = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as [unknown, unknown, unknown];
    if (typeof at === "string" && AT_KEY.test(at) && Number.isInteger(source) && (source as number) >= 0 && (source as number) < LOG_SOURCES.length && typeof id === "string" && BIGINT_ID.test(id)) {
      return { at, source: source as number, id };
    }
  } catch {
    // falls through to the refusal
  }
  throw invalidArgument("page_token", "is not a token this list gave");
}

/**
 * The order of the merged list is (at, source, id), newest first. After a cursor, a source ranked
 * before the cursor's may still have entries at the cursor's time; the cursor's own source those
 * with a smaller id; a source ranked after it only earlier ones.
 */
function afterCursor(c: Cursor, source: number): { at: string; id: string; inclusiveAt?: boolean } {
  if (source < c.source) return { at: c.at, id: "0", inclusiveAt: true };
  if (source === c.source) return { at: c.at, id: c.id };
  return { at: c.at, id: "0" };
}

function compare(a: ApplicantDataUse & { rank: number }, b: ApplicantDataUse & { rank: number }): number {
  if (a.at !== b.at) return a.at < b.at ? 1 : -1;
  if (a.rank !== b.rank) return b.rank - a.rank;
  return BigInt(a.id) < BigInt(b.id) ? 1 : BigInt(a.id) > BigInt(b.id) ? -1 : 0;
}

export function dataUsesService(rt: Runtime): ServiceSchema {
  let db: Database;
  let secret: string;
  const log = rootLogger().child({ mod: "data-uses" });
  let checkpoints: PollingLoop | undefined;
  let broker: ServiceBroker;

  return {
    name: "data-uses",
    actions: {
      /** Signs a checkpoint of every chain's head now; answers { signed: schemas checkpointed }. */
      checkpoint: {
        visibility: "public",
        async handler() {
          return { signed: await checkpointAll() };
        },
      },
      /**
       * The newest signed checkpoint of every schema's chain (public: GET /v1/data-use-checkpoints):
       * {} → { checkpoints: Checkpoint[] }. Saved outside the hub, they are anchors for
       * `verify:data-uses --anchors`: a log cut back after one, checkpoints and all, no longer has it.
       */
      latestCheckpoints: {
        visibility: "public",
        async handler() {
          return { checkpoints: await latestCheckpoints(db) };
        },
      },
      /**
       * Uses of the applicant's data and of the enterprises they represent, newest first:
       * { applicant, pageSize (1-200, default 50), pageToken } → { uses: ApplicantDataUse[], nextPageToken }.
       * The one window only; the applicant comes from the verified token, never from a request body.
       */
      forApplicant: {
        visibility: "public",
        async handler(ctx: Ctx<{ applicant?: unknown; pageSize?: unknown; pageToken?: unknown }>) {
          if (callerDepartment(ctx) !== ONE_WINDOW) throw permissionDenied("only the one window lists an applicant's data uses");
          const applicant = ctx.params?.applicant;
          if (typeof applicant !== "string" || !/^[0-9]{17}[0-9X]$/.test(applicant)) throw invalidArgument("applicant", "must be the signed-in applicant's ID number");
          const pageSize = pageSizeOf(ctx.params?.pageSize);
          const token = ctx.params?.pageToken;
          const cursor = typeof token === "string" && token !== "" ? decodeToken(token) : undefined;
          const { creditCodes } = await ctx.call<{ creditCodes: string[] }, object>("identity.representedEntities", { idNumber: applicant }, { meta: { caller: { department: ONE_WINDOW } } });
          const subjects = [applicant, ...creditCodes];
          const pages = await Promise.all(
            LOG_SOURCES.map(async (src, rank) => {
              const before = cursor ? afterCursor(cursor, rank) : undefined;
              const entries = src.service
                ? (await ctx.call<{ entries: DataUseEntry[] }, object>(`${src.service}.dataUses`, { subjects, limit: pageSize + 1, ...(before ? { before } : {}) }, { meta: { caller: { department: ONE_WINDOW } } })).entries
                : await usesOf(db, subjects, pageSize + 1, before);
              return entries.map((e) => ({ ...e, source: src.schema, rank }));
            }),
          );
          const merged = pages.flat().sort(compare);
          const page = merged.slice(0, pageSize);
          const last = page[page.length - 1];
          return {
            uses: page.map(({ rank: _rank, ...e }) => e),
            nextPageToken: merged.length > pageSize && last ? encodeToken({ at: last.at, source: last.rank, id: last.id }) : "",
          };
        },
      },
    },
    async started(this: Service) {
      broker = this.broker;
      db = await openServiceDatabase(rt, "gateway", "gateway");
      secret = resolveSecret(rt.config, "hub-secret", rt.config.hubSecret);
      if (rt.config.dataUseCheckpointMs > 0) {
        checkpoints = new PollingLoop(
          () => checkpointAll(),
          (err) => log.warn({ err }, "signing data-use checkpoints failed; the next round tries again"),
        );
        // Not at once: the departments may still be starting.
        checkpoints.start(rt.config.dataUseCheckpointMs);
      }
    },
    async stopped() {
      await checkpoints?.stop();
    },
  };

  /** Signs the head of every chain that answers; a department that does not answer is logged and skipped this round. */
  async function checkpointAll(): Promise<string[]> {
    const signed: string[] = [];
    for (const src of LOG_SOURCES) {
      try {
        const head = src.service
          ? await broker.call<{ schema: string; seq: string; hash: string }, object>(`${src.service}.dataUseHead`, {}, { meta: { caller: { department: ONE_WINDOW } } })
          : { schema: db.schema, ...(await chainHead(db)) };
        if (await recordCheckpoint(db, secret, head)) {
          signed.push(src.schema);
          // The process log is a witness outside the database too (shipped off the machine by ops).
          log.info({ schema: head.schema, seq: head.seq, hash: head.hash }, "data-use checkpoint signed");
        }
      } catch (err) {
        log.warn({ err, schema: src.schema }, "no checkpoint of a data-use chain this round");
      }
    }
    return signed;
  }
}
