/**
 * Values kept by key in this process: for `ttlMs` (Infinity: while the process runs), at most
 * `max` of them (the oldest dropped first). A load that throws or rejects is not kept, so a failed
 * lookup (the bus down, a key not found) is tried again next time. Used for reads whose answer
 * holds for a while: the edge's credential and grant look-ups, person reads of one case, parsed
 * and opened signing keys.
 */
export class Memo<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly max = 10_000,
  ) {}

  /** The kept value of `key`, or `load()`'s, kept from now on. */
  get(key: string, load: () => V): V {
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && hit.expiresAt > now) return hit.value;
    this.entries.delete(key);
    const value = load();
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { value, expiresAt: now + this.ttlMs });
    if (value instanceof Promise) value.catch(() => this.entries.get(key)?.value === value && this.entries.delete(key));
    return value;
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  /** Drops every kept value whose key satisfies `matches`. */
  deleteWhere(matches: (key: string) => boolean): void {
    for (const key of this.entries.keys()) if (matches(key)) this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
