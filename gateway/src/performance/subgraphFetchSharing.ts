/**
 * Sharing of subgraph answers between the gateway's own fetches, the two cheapest ways to not ask a
 * subgraph the same question twice:
 *
 * - **in flight**: a query fetch identical to one already on its way — same subgraph, same body
 *   (document + variables), same `Authorization` — waits for that one's answer instead of sending its
 *   own. Under load, identical fetches overlap all the time: a catalogue page many shoppers open, the
 *   same product's `_entities` asked by several operations. Same credentials + same body = same
 *   answer, so nothing is shared across callers who could see different data.
 * - **anonymous answers, for a short time** (`PUBLIC_FETCH_CACHE_TTL_MS`, off by default): a query
 *   fetch without a token asks only for what any anonymous caller may see (the catalogue, locations),
 *   so its successful answer (HTTP 200, no `errors`) is reused for that long. Stock figures may then be
 *   that many milliseconds old — the price of the setting, which is why it is opt-in.
 *
 * Mutations are never shared. The owner (the subgraph data source) decides what is a mutation and
 * calls {@link SubgraphFetchSharing.share} for queries only.
 */
import { readBooleanVariable, readIntegerVariable } from '../security/readVariable';

/** An answer as the subgraph transport gives it (status, headers, unparsed body). */
export interface SharedAnswer {
  status: number;
  body: string;
}

/** Settings of {@link SubgraphFetchSharing}. */
export interface SubgraphFetchSharingConfig {
  /** `FETCH_DEDUPLICATION`: share identical in-flight query fetches. @default true */
  deduplicate: boolean;
  /** `PUBLIC_FETCH_CACHE_TTL_MS`: reuse anonymous query answers this long; 0 turns it off. @default 0 */
  publicTtlMs: number;
  /** `PUBLIC_FETCH_CACHE_ENTRIES`: most anonymous answers kept (oldest dropped first). @default 2000 */
  maxEntries: number;
}

/** Reads the settings (see {@link SubgraphFetchSharingConfig}). */
export function readSubgraphFetchSharingConfig(env: NodeJS.ProcessEnv = process.env): SubgraphFetchSharingConfig {
  return {
    deduplicate: readBooleanVariable(env, 'FETCH_DEDUPLICATION', true),
    publicTtlMs: readIntegerVariable(env, 'PUBLIC_FETCH_CACHE_TTL_MS', 0, { min: 0, max: 60_000 }),
    maxEntries: readIntegerVariable(env, 'PUBLIC_FETCH_CACHE_ENTRIES', 2000, { min: 1, max: 1_000_000 }),
  };
}

/** Counters for metrics and the benchmark. */
export interface FetchSharingStats {
  /** Fetches actually sent. */
  sent: number;
  /** Fetches that waited for an identical one in flight. */
  joined: number;
  /** Anonymous fetches answered from the short-lived cache. */
  cached: number;
}

/** Shares subgraph answers (see module comment). One per gateway. */
export class SubgraphFetchSharing {
  readonly stats: FetchSharingStats = { sent: 0, joined: 0, cached: 0 };
  private readonly inflight = new Map<string, Promise<SharedAnswer>>();
  // Insertion order is expiry order (one TTL for all), so the oldest entries are dropped first.
  private readonly answers = new Map<string, { expires: number; answer: SharedAnswer }>();

  constructor(private readonly config: SubgraphFetchSharingConfig) {}

  /** True when this sharing does anything at all (callers may skip building keys otherwise). */
  get enabled(): boolean {
    return this.config.deduplicate || this.config.publicTtlMs > 0;
  }

  /**
   * The answer to a query fetch: from the cache (anonymous only), from an identical fetch in flight,
   * or from `send()`. `subgraph` names the target (its URL); `authorization` is the header forwarded.
   */
  share<T extends SharedAnswer>(subgraph: string, authorization: string | undefined, body: string, send: () => Promise<T>): Promise<T> {
    if (!this.enabled) return send();
    const key = `${subgraph}\n${authorization ?? ''}\n${body}`;
    const cacheable = authorization === undefined && this.config.publicTtlMs > 0;
    if (cacheable) {
      const hit = this.answers.get(key);
      if (hit && hit.expires > Date.now()) {
        this.stats.cached += 1;
        return Promise.resolve(hit.answer as T);
      }
      if (hit) this.answers.delete(key);
    }
    if (this.config.deduplicate) {
      const pending = this.inflight.get(key);
      if (pending) {
        this.stats.joined += 1;
        return pending as Promise<T>;
      }
    }
    this.stats.sent += 1;
    const promise = send();
    if (this.config.deduplicate) {
      this.inflight.set(key, promise);
      // Settled either way: later fetches send again (or hit the cache).
      const forget = () => this.inflight.delete(key);
      promise.then(forget, forget);
    }
    if (cacheable) {
      promise.then(
        (answer) => {
          if (answer.status === 200 && !answer.body.includes('"errors"')) this.remember(key, answer);
        },
        () => undefined,
      );
    }
    return promise;
  }

  private remember(key: string, answer: SharedAnswer): void {
    this.answers.delete(key);
    this.answers.set(key, { expires: Date.now() + this.config.publicTtlMs, answer });
    while (this.answers.size > this.config.maxEntries) {
      const oldest = this.answers.keys().next().value;
      if (oldest === undefined) break;
      this.answers.delete(oldest);
    }
  }
}
