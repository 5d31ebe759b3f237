/**
 * The data-use log of a schema as a hash chain (tamper evidence). Entries are written with the use
 * itself, without a place in the chain, so no use waits for another (a chain head held by every
 * writer would serialise the whole schema's reads). A chaining pass — one at a time per schema, under
 * an advisory lock — then takes the entries without a place in id order and gives each its `seq`
 * (1, 2, 3 … with no gaps), `prev_hash` (the hash of entry seq - 1; 64 zeros before the first) and
 *
 *   hash = SM3( prev_hash ‖ "\n" ‖ canonical JSON of { seq, id, subject, reader, case, purpose,
 *                                                     action, what, item, kind, at } )
 *
 * (GB/T 32905 SM3, hex; canonical JSON as licences are signed, RFC 8785 style; `at` as ISO 8601 UTC
 * with microseconds). An entry edited afterwards no longer matches its hash; one removed leaves a gap
 * in seq or a prev_hash that names nothing; two swapped no longer follow each other. The gateway
 * signs checkpoints of every chain's head with the hub's key (checkpoints.ts), so a chain rewritten
 * from some entry on, hashes and all, or cut short after a checkpoint is caught as well.
 *
 * An entry is open to undetected change only until its pass (DATA_USE_CHAIN_MS, 1 s by default).
 */
import crypto from "node:crypto";
import { canonicalJson } from "./canonical";
import type { Database, Queryable } from "./db/database";
import { AT_TEXT } from "./data-use-log";
import { PollingLoop } from "./polling-loop";
import { rootLogger } from "./logger";

/** The prev_hash of the first entry. */
export const GENESIS = "0".repeat(64);

/** Entries a pass chains at most (more wait for the next pass, which follows at once). */
const PASS_LIMIT = 2000;

interface EntryRow {
  id: string;
  seq: string | null;
  subject_id: string;
  reader: string;
  case_id: string;
  purpose: string;
  action: string;
  what: string;
  item: string;
  kind: string;
  at_text: string;
  prev_hash: string | null;
  hash: string | null;
}

const ENTRY_COLUMNS = `id::text AS id, seq::text AS seq, subject_id, reader, case_id, purpose, action, what, item, kind, ${AT_TEXT} AS at_text, prev_hash, hash`;

/** The hash of an entry at `seq` after `prev` (see the file header). */
export function entryHash(prev: string, seq: bigint | string, e: Omit<EntryRow, "seq" | "prev_hash" | "hash">): string {
  const content = canonicalJson({
    seq: String(seq),
    id: e.id,
    subject: e.subject_id,
    reader: e.reader,
    case: e.case_id,
    purpose: e.purpose,
    action: e.action,
    what: e.what,
    item: e.item,
    kind: e.kind,
    at: e.at_text,
  });
  return crypto.createHash("sm3").update(`${prev}\n${content}`, "utf8").digest("hex");
}

/** The last chained entry of a schema's log: { seq, hash } (seq "0" and GENESIS when none). */
export async function chainHead(q: Queryable): Promise<{ seq: string; hash: string }> {
  const { rows } = await q.query<{ seq: string; hash: string }>("SELECT seq::text AS seq, hash FROM data_uses WHERE seq IS NOT NULL ORDER BY data_uses.seq DESC LIMIT 1");
  return rows[0] ?? { seq: "0", hash: GENESIS };
}

/**
 * Chains the entries without a place, oldest first (at most PASS_LIMIT); returns how many. Several
 * replicas may call it at once: one holds the schema's chaining lock, the others return 0.
 */
export async function chainPending(db: Database): Promise<number> {
  return db.transaction(async (tx) => {
    const { rows: lock } = await tx.query<{ locked: boolean }>("SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked", [`tongban.data-use-chain.${db.schema}`]);
    if (!lock[0]?.locked) return 0;
    const { rows } = await tx.query<EntryRow>(`SELECT ${ENTRY_COLUMNS} FROM data_uses WHERE seq IS NULL ORDER BY data_uses.id LIMIT ${PASS_LIMIT}`);
    if (rows.length === 0) return 0;
    const head = await chainHead(tx);
    let seq = BigInt(head.seq);
    let prev = head.hash;
    const ids: string[] = [];
    const seqs: string[] = [];
    const prevs: string[] = [];
    const hashes: string[] = [];
    for (const r of rows) {
      seq += 1n;
      const hash = entryHash(prev, seq, r);
      ids.push(r.id);
      seqs.push(String(seq));
      prevs.push(prev);
      hashes.push(hash);
      prev = hash;
    }
    await tx.query(
      `UPDATE data_uses d SET seq = v.seq, prev_hash = v.prev_hash, hash = v.hash
         FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[]) AS v(id, seq, prev_hash, hash) WHERE d.id = v.id`,
      [ids, seqs, prevs, hashes],
    );
    return rows.length;
  });
}

/** What a walk of a chain found. */
export interface ChainReport {
  /** Entries walked (chained). */
  entries: number;
  /** Entries not chained yet (written since the last pass). */
  unchained: number;
  head: { seq: string; hash: string };
  /** The first fault, if any: the entry it names and what happened to it. */
  problem?: { seq: string; id?: string; kind: "altered" | "removed" | "reordered"; message: string };
  /** The first entry dated more than `backdatedMs` before an entry ahead of it in the chain (verifyChain's option). */
  backdated?: { seq: string; id: string; at: string; after: string; message: string };
}

/**
 * Walks a schema's chain in seq order and names the first entry that was altered (its content no
 * longer gives its hash), removed (a gap in seq, or a prev_hash that is no entry's hash) or
 * reordered (a prev_hash that is the hash of another entry than the one before). Reads by pages.
 * With `backdatedMs`, also the first entry dated that much before an entry already ahead of it:
 * entries are chained in the order they were written, give or take a transaction's length, so one
 * dated days back was put in afterwards (the chaining pass took it as it would any entry).
 */
export async function verifyChain(q: Queryable, options: { pageSize?: number; backdatedMs?: number } = {}): Promise<ChainReport> {
  const pageSize = options.pageSize ?? 5000;
  let expectedSeq = 1n;
  let expectedPrev = GENESIS;
  let entries = 0;
  let problem: ChainReport["problem"];
  let problemPrev = "";
  let latest = { ms: -Infinity, at: "" };
  let backdated: ChainReport["backdated"];
  for (;;) {
    const { rows } = await q.query<EntryRow>(`SELECT ${ENTRY_COLUMNS} FROM data_uses WHERE data_uses.seq >= $1::bigint ORDER BY data_uses.seq LIMIT $2`, [String(expectedSeq), pageSize]);
    for (const r of rows) {
      const seq = BigInt(r.seq!);
      entries++;
      if (!problem) {
        if (seq !== expectedSeq) {
          problem = { seq: String(expectedSeq), kind: "removed", message: `entry seq ${expectedSeq} is missing (the chain goes from seq ${expectedSeq - 1n} to seq ${seq}): it was removed` };
        } else if (r.prev_hash !== expectedPrev) {
          problem = { seq: r.seq!, id: r.id, kind: "removed", message: `entry seq ${seq} (id ${r.id}) does not follow seq ${seq - 1n}: an entry before it was removed or the chain reordered` };
          problemPrev = r.prev_hash ?? "";
        } else if (entryHash(r.prev_hash, seq, r) !== r.hash) {
          problem = { seq: r.seq!, id: r.id, kind: "altered", message: `entry seq ${seq} (id ${r.id}) was altered: its content no longer gives its hash` };
        }
      }
      if (options.backdatedMs !== undefined && !backdated) {
        const ms = Date.parse(r.at_text);
        if (ms < latest.ms - options.backdatedMs) {
          backdated = { seq: r.seq!, id: r.id, at: r.at_text, after: latest.at, message: `entry seq ${seq} (id ${r.id}) is dated ${r.at_text}, before an entry ahead of it in the chain (${latest.at}): it was put in afterwards, dated back` };
        }
        if (ms > latest.ms) latest = { ms, at: r.at_text };
      }
      expectedSeq = seq + 1n;
      expectedPrev = r.hash ?? "";
    }
    if (rows.length < pageSize) break;
  }
  // A prev_hash naming another entry's hash than the one before: the entries were reordered.
  if (problem?.kind === "removed" && problem.id && problemPrev) {
    const { rows } = await q.query<{ seq: string }>("SELECT seq::text AS seq FROM data_uses WHERE hash = $1 LIMIT 1", [problemPrev]);
    const follows = rows[0]?.seq;
    if (follows !== undefined && follows !== String(BigInt(problem.seq) - 1n)) {
      problem = { ...problem, kind: "reordered", message: `entry seq ${problem.seq} (id ${problem.id}) was moved: it follows seq ${follows} in the chain, not seq ${BigInt(problem.seq) - 1n}` };
    }
  }
  const { rows: pending } = await q.query<{ n: number }>("SELECT count(*)::int AS n FROM data_uses WHERE seq IS NULL");
  return {
    entries,
    unchained: pending[0]?.n ?? 0,
    head: entries > 0 ? { seq: String(expectedSeq - 1n), hash: expectedPrev } : { seq: "0", hash: GENESIS },
    ...(problem ? { problem } : {}),
    ...(backdated ? { backdated } : {}),
  };
}

/** The hash of the entry at `seq`, or undefined when the chain has none there. */
export async function hashAt(q: Queryable, seq: string): Promise<string | undefined> {
  const { rows } = await q.query<{ hash: string }>("SELECT hash FROM data_uses WHERE seq = $1::bigint", [seq]);
  return rows[0]?.hash;
}

/**
 * Whether any entry of the schema's log waits for its place: one read of the partial index of
 * unchained entries (data_uses_unchained), no transaction.
 */
export async function anyUnchained(q: Queryable): Promise<boolean> {
  const { rows } = await q.query<{ pending: boolean }>("SELECT EXISTS (SELECT 1 FROM data_uses WHERE seq IS NULL) AS pending");
  return rows[0]?.pending === true;
}

/** Chaining passes of one schema in this process: every intervalMs, and at once when kicked. */
export class DataUseChainer {
  private readonly log = rootLogger().child({ mod: "data-use-chain" });
  private readonly loop: PollingLoop;
  /** Whether the last pass chained entries: more are likely, so the next skips the probe. */
  private chainedLast = false;

  constructor(private readonly db: Database) {
    this.loop = new PollingLoop(
      () => this.pass(),
      (err) => this.log.warn({ err, schema: db.schema }, "chaining the data-use log failed; the next pass tries again"),
    );
  }

  /**
   * One pass; returns how many entries it chained. An idle log costs one indexed read a pass
   * (anyUnchained) instead of a transaction of four statements (BEGIN, the lock, the read, COMMIT)
   * per schema and interval; after a pass that chained entries, as under load, the probe is skipped.
   * A full pass is followed at once by the next, until the backlog is chained.
   */
  async pass(): Promise<number> {
    if (!this.chainedLast && !(await anyUnchained(this.db))) return 0;
    let chained = 0;
    let last: number;
    do {
      last = await chainPending(this.db);
      chained += last;
    } while (last === PASS_LIMIT);
    this.chainedLast = chained > 0;
    return chained;
  }

  /** Starts passes every `intervalMs` (0: only when kicked). */
  start(intervalMs: number): void {
    this.loop.start(intervalMs);
  }

  /** Runs a pass now (or right after the one under way). */
  kick(): void {
    this.loop.kick();
  }

  /** Stops passes and waits for the one under way. */
  stop(): Promise<void> {
    return this.loop.stop();
  }
}
