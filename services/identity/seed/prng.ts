/**
 * A small seeded PRNG and helpers for deterministic synthetic data. Math.random cannot be seeded,
 * and seed data has to be reproducible so that tests and demo databases agree run after run.
 */

/** mulberry32: a fast 32-bit seeded generator returning floats in [0, 1). Not for cryptography. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A uniform integer in [min, max], both inclusive. */
export function randomInt(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** A uniformly chosen element of a non-empty list. */
export function pick<T>(random: () => number, items: readonly T[]): T {
  if (items.length === 0) throw new RangeError("pick needs a non-empty list");
  return items[Math.floor(random() * items.length)];
}

/**
 * Builds a picker over [value, weight] pairs. Cumulative weights are computed once and searched
 * by bisection, so drawing stays O(log n) when generating tens of thousands of records.
 */
export function weightedPicker<T>(entries: readonly (readonly [T, number])[]): (random: () => number) => T {
  if (entries.length === 0) throw new RangeError("weightedPicker needs at least one entry");
  const cumulative: number[] = [];
  let total = 0;
  for (const [, weight] of entries) {
    if (!(weight > 0)) throw new RangeError("weights must be positive");
    total += weight;
    cumulative.push(total);
  }
  return (random) => {
    const target = random() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] > target) hi = mid;
      else lo = mid + 1;
    }
    return entries[lo][0];
  };
}
