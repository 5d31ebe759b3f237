#!/usr/bin/env node
/**
 * Verifies the data-use log of every schema: walks each hash chain and names the first entry that
 * was altered, removed or reordered, and checks the hub-signed checkpoints against the chains (a
 * chain rewritten hashes and all, or cut short, fails there). Exit status 0 when every chain holds,
 * 1 when one does not, 2 when the database cannot be read.
 *
 *   npm run verify:data-uses            (DATABASE_URL for PostgreSQL; else the embedded database under
 *                                         DATA_DIR, default ./data — stop the embedded hub first: PGlite
 *                                         takes one process at a time)
 *   npm run verify:data-uses -- --json  (one JSON report instead of lines)
 */
import { loadConfig } from "../services/common/config";
import { verifyChain, type ChainReport } from "../services/common/data-use-chain";
import { openDatabase, type Database } from "../services/common/db/database";
import { LOG_SOURCES } from "../gateway/audit/data-uses.service";
import { verifyCheckpoints } from "../gateway/audit/checkpoints";

interface SchemaReport extends ChainReport {
  schema: string;
  checkpoints: number;
  checkpointProblem?: string;
}

async function main(): Promise<number> {
  const json = process.argv.includes("--json");
  // Only the databases are read: no service runs here, so none of their secrets is asked for.
  const config = loadConfig({ ...process.env, SERVICES: "identity" });
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
      const cps = await verifyCheckpoints(gateway, db, schema);
      reports.push({ schema, ...chain, checkpoints: cps.checked, ...(cps.problem ? { checkpointProblem: cps.problem } : {}) });
    }
  } finally {
    for (const db of opened.values()) await db.close().catch(() => undefined);
  }
  const failed = reports.filter((r) => r.problem || r.checkpointProblem);
  if (json) {
    process.stdout.write(`${JSON.stringify({ ok: failed.length === 0, schemas: reports }, null, 2)}\n`);
  } else {
    for (const r of reports) {
      const state = r.problem || r.checkpointProblem ? "FAILED" : "ok";
      process.stdout.write(`${r.schema}: ${state} — ${r.entries} entries chained (head seq ${r.head.seq}), ${r.unchained} not chained yet, ${r.checkpoints} signed checkpoints\n`);
      if (r.problem) process.stdout.write(`  first fault: ${r.problem.message}\n`);
      if (r.checkpointProblem) process.stdout.write(`  checkpoint: ${r.checkpointProblem}\n`);
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
