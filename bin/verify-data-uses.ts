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
 * - dated back: an entry dated more than the grace before an entry ahead of it in the chain was
 *   put in afterwards (the chaining pass takes whatever it finds).
 * - a schema with checkpoints but no log table: the log was dropped.
 * With --trusted-keys <file> (a saved GET /v1/keys answer) checkpoints must carry the signature of
 * one of the hub's published receipt keys (checked with the published key itself, not a key row the
 * database holds under that id). With --anchors <file>[,<file>…] (saved answers of GET
 * /v1/data-use-checkpoints, e.g. taken daily by a supervisor) every saved checkpoint must still be in
 * the database and match its chain: the one way to notice a log cut back after a checkpoint
 * together with the checkpoints after it.
 * Exit status 0 when every chain holds, 1 when one does not, 2 when the database cannot be read.
 *
 *   npm run verify:data-uses            (DATABASE_URL for PostgreSQL; else the embedded database under
 *                                         DATA_DIR, default ./data — stop the embedded hub first: PGlite
 *                                         takes one process at a time)
 *   npm run verify:data-uses -- --json  (one JSON report instead of lines)
 *   npm run verify:data-uses -- --grace-seconds 300 --trusted-keys keys.json --anchors a1.json,a2.json
 */
import fs from "node:fs";
import { loadConfig } from "../services/common/config";
import { verifyChain, type ChainReport } from "../services/common/data-use-chain";
import { openDatabase, type Database } from "../services/common/db/database";
import { LOG_SOURCES } from "../gateway/audit/log-sources";
import { endQuietlyWhenOutputCloses } from "./closed-pipe";
import { checkpointsOf, hubKeys, publishedKeys, staleUnchained, uncoveredEntries, verifyAnchors, verifyCheckpoints, type Checkpoint, type CheckpointKeys } from "../gateway/audit/checkpoints";

/** One rule a schema's log broke, and how. */
interface Finding {
  rule: "chain" | "checkpoint" | "anchor" | "coverage" | "never chained" | "dated back" | "missing log";
  message: string;
}

interface SchemaReport {
  schema: string;
  entries: number;
  unchained: number;
  head: ChainReport["head"];
  checkpoints: number;
  findings: Finding[];
}

/** The value after `--name`, if given. */
function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** The receipt keys of a saved GET /v1/keys answer, by key id. */
function keysFrom(file: string): CheckpointKeys {
  const doc = JSON.parse(fs.readFileSync(file, "utf8")) as { receipt_keys?: Array<{ key_id?: unknown; algorithm?: unknown; public_key_pem?: unknown }> };
  const keys = new Map<string, { algorithm: string; publicKeyPem: string }>();
  for (const k of doc.receipt_keys ?? []) {
    if (typeof k.key_id === "string" && typeof k.algorithm === "string" && typeof k.public_key_pem === "string") keys.set(k.key_id, { algorithm: k.algorithm, publicKeyPem: k.public_key_pem });
  }
  if (keys.size === 0) throw new Error(`${file} holds no receipt_keys with key_id, algorithm and public_key_pem (save the answer of GET /v1/keys)`);
  return publishedKeys(keys);
}

/** The checkpoints of saved GET /v1/data-use-checkpoints answers. */
function anchorsFrom(files: string[]): Checkpoint[] {
  return files.flatMap((file) => {
    const doc = JSON.parse(fs.readFileSync(file, "utf8")) as { checkpoints?: Array<Record<string, unknown>> };
    if (!Array.isArray(doc.checkpoints)) throw new Error(`${file} holds no checkpoints (save the answer of GET /v1/data-use-checkpoints)`);
    return doc.checkpoints.map((c) => {
      const text = (k: string) => {
        if (typeof c[k] !== "string") throw new Error(`${file}: a checkpoint without ${k}`);
        return c[k] as string;
      };
      return {
        schema: text("schema"), seq: text("seq"), hash: text("hash"), at: text("at"), keyId: text("key_id"), algorithm: text("algorithm"), signerId: text("signer_id"), signature: text("signature"),
        ...(typeof c.prev_seq === "string" && typeof c.prev_hash === "string" ? { prev: { seq: c.prev_seq, hash: c.prev_hash } } : {}),
      };
    });
  });
}

async function main(): Promise<number> {
  endQuietlyWhenOutputCloses();
  const json = process.argv.includes("--json");
  // Only the databases are read: no service runs here, so none of their secrets is asked for.
  const config = loadConfig({ ...process.env, SERVICES: "identity" });
  const graceText = option("grace-seconds");
  if (graceText !== undefined && !/^\d{1,7}$/.test(graceText)) throw new Error("--grace-seconds takes a whole number of seconds");
  const graceMs = graceText !== undefined ? Number(graceText) * 1000 : 2 * config.dataUseCheckpointMs + 2 * config.dataUseChainMs + 30_000;
  const keysFile = option("trusted-keys");
  const keys = keysFile ? keysFrom(keysFile) : hubKeys;
  const anchorFiles = option("anchors");
  const anchors = anchorFiles ? anchorsFrom(anchorFiles.split(",").filter(Boolean)) : [];
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
      if (!rows[0]?.present) {
        // The schema's service never started here — unless checkpoints or anchors vouch for a log.
        const vouched = (await checkpointsOf(gateway, schema)).length + anchors.filter((a) => a.schema === schema).length;
        if (vouched > 0) reports.push({ schema, entries: 0, unchained: 0, head: { seq: "0", hash: "" }, checkpoints: 0, findings: [{ rule: "missing log", message: `the log table ${schema}.data_uses is gone, though ${vouched} signed checkpoints vouch for it: it was dropped or renamed` }] });
        continue;
      }
      const chain = await verifyChain(db, { backdatedMs: graceMs });
      const cps = await verifyCheckpoints(gateway, db, schema, keys);
      const findings: Finding[] = [];
      if (chain.problem) findings.push({ rule: "chain", message: chain.problem.message });
      if (chain.backdated) findings.push({ rule: "dated back", message: chain.backdated.message });
      if (cps.problem) findings.push({ rule: "checkpoint", message: cps.problem });
      const anchorProblem = await verifyAnchors(gateway, db, schema, anchors, keys);
      if (anchorProblem) findings.push({ rule: "anchor", message: anchorProblem });
      // Checkpoints are signed only when the gateway's loop runs (DATA_USE_CHECKPOINT_MS > 0).
      const tail = await uncoveredEntries(db, cps.last?.seq ?? "0");
      if (config.dataUseCheckpointMs > 0 && tail.count > 0 && Date.parse(tail.to!) - Date.parse(tail.from!) > graceMs) {
        findings.push({
          rule: "coverage",
          message:
            `entries seq ${tail.firstSeq}..${tail.lastSeq}, written from ${tail.from} to ${tail.to}, are covered by no checkpoint ` +
            `(${cps.last ? `the last is at seq ${cps.last.seq}, ${cps.last.at}` : "there is none"}) though one is signed every ${config.dataUseCheckpointMs / 1000} s: ` +
            "the newest checkpoints were removed and the chain after them may be rewritten, or the checkpointer did not run (see the gateway's log)",
        });
      }
      const stale = await staleUnchained(db, new Date(Date.now() - graceMs));
      if (stale.count > 0) {
        findings.push({ rule: "never chained", message: `${stale.count} entries written since ${stale.oldest} were never chained: they were written outside the hub, or the hub stopped before chaining them (a start of the hub chains them)` });
      }
      reports.push({ schema, entries: chain.entries, unchained: chain.unchained, head: chain.head, checkpoints: cps.checked, findings });
    }
  } finally {
    for (const db of opened.values()) await db.close().catch(() => undefined);
  }
  const failed = reports.filter((r) => r.findings.length > 0);
  if (json) {
    process.stdout.write(`${JSON.stringify({ ok: failed.length === 0, schemas: reports }, null, 2)}\n`);
  } else {
    for (const r of reports) {
      process.stdout.write(`${r.schema}: ${r.findings.length > 0 ? "FAILED" : "ok"} — ${r.entries} entries chained (head seq ${r.head.seq}), ${r.unchained} not chained yet, ${r.checkpoints} signed checkpoints\n`);
      for (const f of r.findings) process.stdout.write(`  ${f.rule === "chain" ? "first fault" : f.rule}: ${f.message}\n`);
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
