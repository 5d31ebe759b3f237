/**
 * The hub's clock for what it shows and stamps in supervision (lights, the red list, ratings and
 * rectification times): the system clock, moved only through setClockOffset — the seam tests use
 * to let a case run late without sleeping. The orchestrator's leases and retries keep the system
 * clock.
 */
let offsetMs = 0;

/** Now, in ms since the epoch. */
export const hubNow = (): number => Date.now() + offsetMs;

/** Moves the hub's clock `ms` ahead of the system clock (0: back to it). */
export function setClockOffset(ms: number): void {
  offsetMs = ms;
}
