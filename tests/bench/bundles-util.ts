/** Small helpers of the bundle benchmark: time, percentiles, formatting, bounded waits. */

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Nearest-rank percentile of an ascending list (undefined when empty). */
export function percentile(sorted: number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function sortedCopy(values: number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/** A number with `digits` decimals, or "–" when not available. */
export function fmt(v: number | undefined | null, digits = 1): string {
  return v === undefined || v === null || !Number.isFinite(v) ? "–" : v.toFixed(digits);
}

/** Rejects when `promise` has not settled within `ms` (the promise itself goes on). */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]);
}

/** Today's date in China (YYYY-MM-DD): the hub's business day. */
export function todayInChina(now = Date.now()): string {
  return new Date(now + 8 * 3600_000).toISOString().slice(0, 10);
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function mapLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

/** A one-line, bounded description of an error. */
export function describe(err: unknown, max = 300): string {
  const e = err as { code?: unknown; details?: string; message?: string };
  const text = e?.details ?? e?.message ?? String(err);
  return text.replace(/\s+/g, " ").slice(0, max);
}

/** Retries `fn` on failure (e.g. PostgreSQL "too many clients" while the machine is busy), `tries` times. */
export async function retrying<T>(fn: () => Promise<T>, tries = 10, delayMs = 1000): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= tries) throw err;
      await sleep(Math.min(delayMs * i, 5000));
    }
  }
}
