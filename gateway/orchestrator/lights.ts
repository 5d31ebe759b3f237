/**
 * 红黄灯 (电子监察): the light of an open step or application, computed from its state whenever it
 * is shown, never stored. Green while under `yellowAt` (default 90 %) of its committed time is
 * used, yellow from there, red once its deadline has come. A step's light is its own: a step is
 * red when it is overdue even if its application is on time.
 */
export type Light = "GREEN" | "YELLOW" | "RED";

/** Share of the committed time after which a light turns yellow (LIGHT_YELLOW_PERCENT / 100). */
export const DEFAULT_YELLOW_AT = 0.9;

const time = (t: Date | string) => new Date(t).getTime();

/**
 * The light of something that started at `start` and is due at `deadline`, at `now` (ms);
 * undefined without a start or a deadline (not begun, or nothing committed).
 */
export function lightOf(start: Date | string | null | undefined, deadline: Date | string | null | undefined, now: number, yellowAt = DEFAULT_YELLOW_AT): Light | undefined {
  if (!start || !deadline) return undefined;
  const s = time(start);
  const d = time(deadline);
  if (now >= d) return "RED";
  if (d <= s) return "RED";
  return (now - s) / (d - s) >= yellowAt ? "YELLOW" : "GREEN";
}

/** Step states in which a step's work has ended: no light, never overdue. */
export const ENDED_STEP_STATUSES: readonly string[] = ["SUCCEEDED", "DROPPED", "FAILED", "REJECTED", "CANCELLED", "COMPENSATED"];

/** Whether a step in this state still has work to do (and so a light). */
export const isOpenStep = (status: string): boolean => !ENDED_STEP_STATUSES.includes(status);

/** The SQL list of ENDED_STEP_STATUSES, for `status NOT IN (...)`. */
export const ENDED_STEP_SQL = ENDED_STEP_STATUSES.map((s) => `'${s}'`).join(", ");
