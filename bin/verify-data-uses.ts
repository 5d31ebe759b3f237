#!/usr/bin/env node
/**
 * Verifies the data-use log of every schema: walks each hash chain and names the first entry that
 * was altered, removed or reordered, and checks the hub-signed checkpoints against the chains (a
 * chain rewritten hashes and all, or cut short, fails there) and against each other (each names the
 * one before it: a checkpoint removed from between others fails). Two rules catch what a chain and
 * its checkpoints cannot show by themselves, with a grace of 2 × DATA_USE_CHECKPOINT_MS +
 * 2 × DATA_USE_CHAIN_MS + 30 s (the same settings as the hub's; --grace-seconds to set it):
 * - coverage: the entries after a schema's last checkpoint must have been written within the grace
 *   of each other — the gateway signs every minute, so a longer uncovered stretch means the newest
 *   checkpoints were removed (and the chain after them perhaps rewritten), or the checkpointer did
 *   not run; either way no signature vouches for those entries;
 * - never chained: an entry written before now minus the grace and still without a place was put
 *   there outside the hub's writes (or the hub stopped before chaining it: a start chains it).
 * With --trusted-keys <file> (a saved GET /v1/keys answer) checkpoints must be signed by one of the
 * hub's published receipt keys, not only by a key the database holds.
 * Exit status 0 when every chain holds, 1 when one does not, 2 when the database cannot be read.
 *
 *   npm run verify:data-uses            (DATABASE_URL for PostgreSQL; else the embedded database under
 *                                         DATA_DIR, default ./data — stop the embedded hub first: PGlite
 *                                         takes one process at a time)
 *   npm run verify:data-uses -- --json  (one JSON report instead of lines)
 *   npm run verify:data-uses -- --grace-seconds 300 --trusted-keys keys.json
 */
import fs from "node:fs";
import { loadConfig } from "../services/common/config";
import { verifyChain, type ChainReport } from "../services/common/data-use-chain";
import { openDatabase, type Database } from "../services/common/db/database";
import { LOG_SOURCES } from "../gateway/audit/data-uses.service";
import { staleUnchained, uncoveredEntries, verifyCheckpoints } from "../gateway/audit/checkpoints";

interface SchemaReport extends ChainReport {
  schema: string;
  checkpoints: number;
  checkpointProblem?: string;
  coverageProblem?: string;
  unchainedProblem?: string;
}

/** The value after `--name`, if given. */
function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** The receipt key ids of a saved GET /v1/keys answer. */
function trustedKeyIds(file: string): Set<string> {
  const doc = JSON.parse(fs.readFileSync(file, "utf8")) as { receipt_keys?: Array<{ key_id?: unknown }> };
  const ids = (doc.receipt_keys ?? []).map((k) => k.key_id).filter((k): k is string => typeof k === "string");
  if (ids.length === 0) throw new Error(`${file} holds no receipt_keys[].key_id (save the answer of GET /v1/keys)`);
  return new Set(ids);
}

async function main(): Promise<number> {
  const json = process.argv.includes("--json");
  // Only the databases are read: no service runs here, so none of their secrets is asked for.
  const config = loadConfig({ ...process.env, SERVICES: "identity" });
  const graceText = option("grace-seconds");
  if (graceText !== undefined && !/^\d{1,7}$/.test(graceText)) throw new Error("--grace-seconds takes a whole number of seconds");
  const graceMs = graceText !== undefined ? Number(graceText) * 1000 : 2 * config.dataUseCheckpointMs + 2 * config.dataUseChainMs + 30_000;
  const keysFile = option("trusted-keys");
  const trusted = keysFile ? trustedKeyIds(keysFile) : undefined;
  const opened = new Map<string, Database>();
  const open = async (schema: string) => {
    let db = opened.get(schema);
    if (!db) {
      db = await openDatabase(config, schema);
      opened.set(schema, db);
    }
    return db;
  };
  const reports: SchemaReport[] = [];
  try {
    const gateway = await open("gateway");
    for (const { schema } of LOG_SOURCES) {
      const db = await open(schema);
      const { rows } = await db.query<{ present: boolean }>("SELECT to_regclass('data_uses') IS NOT NULL AS present");
      if (!rows[0]?.present) continue; // the schema's service never started here
      const chain = await verifyChain(db);
      const cps = await verifyCheckpoints(gateway, db, schema, trusted);
      const report: SchemaReport = { schema, ...chain, checkpoints: cps.checked, ...(cps.problem ? { checkpointProblem: cps.problem } : {}) };
      // Checkpoints are signed only when the gateway's loop runs (DATA_USE_CHECKPOINT_MS > 0).
      const tail = await uncoveredEntries(db, cps.last?.seq ?? "0");
      if (config.dataUseCheckpointMs > 0 && tail.count > 0 && Date.parse(tail.to!) - Date.parse(tail.from!) > graceMs) {
        report.coverageProblem =
          `entries seq ${tail.firstSeq}..${tail.lastSeq}, written from ${tail.from} to ${tail.to}, are covered by no checkpoint ` +
          `(${cps.last ? `the last is at seq ${cps.last.seq}, ${cps.last.at}` : "there is none"}) though one is signed every ${config.dataUseCheckpointMs / 1000} s: ` +
          "the newest checkpoints were removed and the chain after them may be rewritten, or the checkpointer did not run (see the gateway's log)";
      }
      const stale = await staleUnchained(db, new Date(Date.now() - graceMs));
      if (stale.count > 0) {
        report.unchainedProblem = `${stale.count} entries written since ${stale.oldest} were never chained: they were written outside the hub, or the hub stopped before chaining them (a start of the hub chains them)`;
      }
      reports.push(report);
    }
  } finally {
    for (const db of opened.values()) await db.close().catch(() => undefined);
  }
  const failed = reports.filter((r) => r.problem || r.checkpointProblem || r.coverageProblem || r.unchainedProblem);
  if (json) {
    process.stdout.write(`${JSON.stringify({ ok: failed.length === 0, schemas: reports }, null, 2)}\n`);
  } else {
    for (const r of reports) {
      const state = failed.includes(r) ? "FAILED" : "ok";
      process.stdout.write(`${r.schema}: ${state} — ${r.entries} entries chained (head seq ${r.head.seq}), ${r.unchained} not chained yet, ${r.checkpoints} signed checkpoints\n`);
      if (r.problem) process.stdout.write(`  first fault: ${r.problem.message}\n`);
      if (r.checkpointProblem) process.stdout.write(`  checkpoint: ${r.checkpointProblem}\n`);
      if (r.coverageProblem) process.stdout.write(`  coverage: ${r.coverageProblem}\n`);
      if (r.unchainedProblem) process.stdout.write(`  never chained: ${r.unchainedProblem}\n`);
    }
    process.stdout.write(failed.length === 0 ? "every data-use chain holds\n" : `${failed.length} chain(s) do not hold: ${failed.map((r) => r.schema).join(", ")}\n`);
  }
  return failed.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`cannot verify the data-use log: ${err.message}\n`);
    process.exit(2);
  },
);
