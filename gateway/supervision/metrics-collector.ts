/**
 * The gateway's gauges for /metrics, read when scraped: open applications by bundle and status,
 * and their open steps (ready or waiting, their committed time running) by department and light —
 * the same lights the board shows (lights.ts), through the hub's clock.
 */
import { hubNow } from "../../services/common/clock";
import type { Database } from "../../services/common/db/database";
import { openApplications, openSteps } from "../../services/common/metrics";
import { ENDED_STEP_SQL, lightOf } from "../orchestrator/lights";

/** Sets the two gauges from the gateway database. */
export async function collectOpenCases(db: Database, yellowAt: number): Promise<void> {
  const apps = await db.query<{ bundle_code: string; status: string; n: string }>(
    "SELECT bundle_code, status, count(*) AS n FROM applications WHERE status IN ('RUNNING', 'FAILED') GROUP BY bundle_code, status",
  );
  const steps = await db.query<{ department: string; start: string; due: string }>(
    `SELECT s.department, extract(epoch FROM s.ready_at) * 1000 AS start, extract(epoch FROM s.deadline) * 1000 AS due
     FROM applications a JOIN application_steps s ON s.application_id = a.application_id
     WHERE a.status IN ('RUNNING', 'FAILED') AND s.ready_at IS NOT NULL AND s.deadline IS NOT NULL AND s.status NOT IN (${ENDED_STEP_SQL})`,
  );
  openApplications.reset();
  openSteps.reset();
  for (const r of apps.rows) openApplications.set({ bundle: r.bundle_code, status: r.status }, Number(r.n));
  const now = hubNow();
  for (const r of steps.rows) {
    const light = lightOf(new Date(Number(r.start)), new Date(Number(r.due)), now, yellowAt);
    if (light) openSteps.inc({ department: r.department, light });
  }
}
