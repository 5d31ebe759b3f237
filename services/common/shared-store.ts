/**
 * What is shared between processes but is not the record: rate-limit counters, replay guards,
 * short-lived lookups. Redis when REDIS_URL is set; an in-process equivalent otherwise (correct
 * for one process; several processes without Redis each keep their own counters).
 */
import Redis from "ioredis";

export interface SharedStore {
  readonly kind: "redis" | "memory";
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Sets only when absent; true when this call set it (a replay guard). */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  /** Increments a counter that expires ttlMs after its first increment; returns the new count. */
  increment(key: string, ttlMs: number): Promise<number>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Opens Redis (REDIS_URL) or the in-process store. */
export function openSharedStore(redisUrl: string | undefined, prefix = "tongban:"): SharedStore {
  return redisUrl ? new RedisStore(redisUrl, prefix) : new MemoryStore();
}

class RedisStore implements SharedStore {
  readonly kind = "redis" as const;
  private readonly redis: Redis;

  constructor(url: string, prefix: string) {
    // Commands fail fast while Redis is down instead of queueing forever; health reports it.
    this.redis = new Redis(url, { keyPrefix: prefix, maxRetriesPerRequest: 2, enableOfflineQueue: true, lazyConnect: false });
    this.redis.on("error", () => undefined);
  }
  async get(key: string) {
    return this.redis.get(key);
  }
  async set(key: string, value: string, ttlMs: number) {
    await this.redis.set(key, value, "PX", ttlMs);
  }
  async setIfAbsent(key: string, value: string, ttlMs: number) {
    return (await this.redis.set(key, value, "PX", ttlMs, "NX")) === "OK";
  }
  async increment(key: string, ttlMs: number) {
    const [[, count]] = (await this.redis.multi().incr(key).pexpire(key, ttlMs, "NX").exec()) as [[unknown, number]];
    return count;
  }
  async ping() {
    await this.redis.ping();
  }
  async close() {
    this.redis.disconnect();
  }
}

class MemoryStore implements SharedStore {
  readonly kind = "memory" as const;
  private readonly entries = new Map<string, { value: string; expiresAt: number }>();
  private readonly sweeper = setInterval(() => this.sweep(), 30_000).unref();

  private live(key: string) {
    const e = this.entries.get(key);
    if (e && e.expiresAt <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }
  private sweep() {
    const now = Date.now();
    for (const [k, e] of this.entries) if (e.expiresAt <= now) this.entries.delete(k);
  }
  async get(key: string) {
    return this.live(key)?.value ?? null;
  }
  async set(key: string, value: string, ttlMs: number) {
    this.entries.set(key, { value, expiresAt: Date.now() + ttlMs });
  }
  async setIfAbsent(key: string, value: string, ttlMs: number) {
    if (this.live(key)) return false;
    this.entries.set(key, { value, expiresAt: Date.now() + ttlMs });
    return true;
  }
  async increment(key: string, ttlMs: number) {
    const e = this.live(key);
    const next = { value: String(Number(e?.value ?? 0) + 1), expiresAt: e?.expiresAt ?? Date.now() + ttlMs };
    this.entries.set(key, next);
    return Number(next.value);
  }
  async ping() {}
  async close() {
    clearInterval(this.sweeper);
    this.entries.clear();
  }
}
