/**
 * Token buckets by key, in process, with bounded memory: each key may spend `capacity` requests at
 * once and earns them back at `refillPerSecond`. A bucket that has filled up again holds no
 * information (a new one would be identical), so idle buckets are dropped by `sweep` (run on a timer
 * by the owner) and, when `maxBuckets` is reached, before the least recently used ones are evicted.
 * Eviction can only ever forgive a client, never punish one.
 */

/** Options for {@link TokenBuckets}. */
export interface TokenBucketsOptions {
  /** Requests a key may make at once. */
  capacity: number;
  /** Requests earned back per second. */
  refillPerSecond: number;
  /** Most keys held at once. */
  maxBuckets: number;
  /** Clock in ms (tests). @default Date.now */
  now?: () => number;
}

/** The answer of {@link TokenBuckets.take}. */
export type TakeResult = { allowed: true; remaining: number } | { allowed: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** Token buckets (see module comment). */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly now: () => number;
  private sweptAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: TokenBucketsOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Spends one request of `key`'s bucket, or says how long until one is available. */
  take(key: string): TakeResult {
    const now = this.now();
    const bucket = this.buckets.get(key);
    const tokens = bucket ? this.refilled(bucket, now) : this.options.capacity;
    // Re-inserting keeps the Map in least-recently-used order for eviction.
    if (bucket) this.buckets.delete(key);
    else if (this.buckets.size >= this.options.maxBuckets) this.makeRoom(now);
    if (tokens < 1) {
      this.buckets.set(key, { tokens, updatedAt: now });
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / this.options.refillPerSecond)) };
    }
    this.buckets.set(key, { tokens: tokens - 1, updatedAt: now });
    return { allowed: true, remaining: Math.floor(tokens - 1) };
  }

  /** Drops every bucket that has filled up again. */
  sweep(): void {
    const now = this.now();
    for (const [key, bucket] of this.buckets) {
      if (this.refilled(bucket, now) >= this.options.capacity) this.buckets.delete(key);
    }
  }

  /** Keys held now. */
  get size(): number {
    return this.buckets.size;
  }

  private refilled(bucket: Bucket, now: number): number {
    return Math.min(this.options.capacity, bucket.tokens + ((now - bucket.updatedAt) / 1000) * this.options.refillPerSecond);
  }

  // Private: a full sweep is O(buckets); when a flood of new keys keeps the map full, sweep at most
  // once a second and otherwise evict the least recently used bucket straight away.
  private makeRoom(now: number): void {
    if (now - this.sweptAt >= 1000) {
      this.sweptAt = now;
      this.sweep();
    }
    while (this.buckets.size >= this.options.maxBuckets) {
      const oldest = this.buckets.keys().next().value;
      if (oldest === undefined) break;
      this.buckets.delete(oldest);
    }
  }
}
