/**
 * A fingerprint of every table the hub's services own: row count and an md5 over the rows' text,
 * per schema.table. Two snapshots compare equal only if no row was inserted, updated or deleted —
 * what a refused request must leave behind.
 */
import { chainDataUsesNow } from "../../services/common/runtime";
import type { Hub } from "../../services/hub";

export type Snapshot = Record<string, { rows: number; md5: string | null }>;

/** Every table of every schema the hub opened (through the hub's own database handles). */
export async function snapshotTables(hub: Hub): Promise<Snapshot> {
  const out: Snapshot = {};
  for (const [schema, opening] of hub.runtime.databases) {
    const db = await opening;
    const { rows: tables } = await db.query<{ name: string }>(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY table_name",
      [schema],
    );
    for (const { name } of tables) {
      const { rows } = await db.query<{ n: number; md5: string | null }>(
        `SELECT count(*)::int AS n, md5(string_agg(t::text, '|' ORDER BY t::text)) AS md5 FROM ${schema}."${name}" t`,
      );
      out[`${schema}.${name}`] = { rows: rows[0].n, md5: rows[0].md5 };
    }
  }
  return out;
}

/** The tables whose fingerprint differs between two snapshots (empty when nothing changed). */
export function changedTables(before: Snapshot, after: Snapshot): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((n) => JSON.stringify(before[n]) !== JSON.stringify(after[n])).sort();
}

/**
 * Waits until two snapshots `gapMs` apart are equal (the hub's background work has settled); the last
 * one. Data-use entries still waiting for their place in the chain are chained first: the chaining
 * pass runs every DATA_USE_CHAIN_MS (1 s), so two snapshots closer together could both miss it, and
 * the pass would then rewrite those entries during whatever the test does next.
 */
export async function settled(hub: Hub, gapMs = 1000, tries = 30): Promise<Snapshot> {
  await chainDataUsesNow(hub.runtime);
  let last = await snapshotTables(hub);
  for (let i = 0; i < tries; i++) {
    await new Promise((r) => setTimeout(r, gapMs));
    await chainDataUsesNow(hub.runtime);
    const now = await snapshotTables(hub);
    if (changedTables(last, now).length === 0) return now;
    last = now;
  }
  throw new Error("the hub never settled");
}
