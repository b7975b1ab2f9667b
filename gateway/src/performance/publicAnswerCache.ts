/**
 * A short-lived cache of subgraph answers to anonymous query fetches — the catalogue, locations,
 * fulfilment options: what any caller without a token may see, so one answer serves every anonymous
 * caller who asks the same subgraph the same question (same document and variables).
 *
 * What it may serve, and for how long — the design:
 *
 * - **Only anonymous query fetches, only clean answers.** The owner ({@link SubgraphFetchSharing})
 *   asks only for fetches without `Authorization` and never for mutations; an answer is kept only when
 *   it is HTTP 200 without `errors`. An anonymous caller sees public data only (DESIGN.md "Who may do
 *   what"), so nothing personal can be shared. The fetches of signed-in callers that read only
 *   `@public` fields are sent without their token (publicFetches.ts), so they are anonymous fetches
 *   here too; their `_entities` answers are kept entity by entity (`SubgraphFetchSharing.shareEntities`).
 * - **Invalidated by every mutation this gateway forwards.** When a mutation fetch settles (answer,
 *   error or timeout: it may have written either way) {@link PublicAnswerCache.invalidate} drops every
 *   entry and starts a new generation; an answer whose fetch started in an older generation is not
 *   stored, since it may predate the write. The stock-changing operations of the graph — `placeOrder`
 *   (reserves), `cancelOrder` (releases), `completePickup`, `markShipped` (commit), `requestReturn`
 *   (restocks), `adjustStock` — are all mutations through the gateway, so once a caller has the answer
 *   to one of them, every later read through the same gateway sees its effect.
 * - **A TTL bounds what the gateway cannot see**: writes through another gateway replica, inventory's
 *   reservation sweep (expired holds released), the domain-event second path (a commit or restock that
 *   the direct call missed), and changes made straight in the database. An entry is never served
 *   more than `ttlMs` after its fetch was answered. Default 1 s in production (`NODE_ENV=production`),
 *   off elsewhere (`PUBLIC_FETCH_CACHE_TTL_MS`).
 *
 * Why not learn of stock changes from domain events instead: inventory publishes none — stock moves
 * through seven paths (reserve, release, commit, restock, adjust, the sweep, the settler's retries),
 * and an event per stock write would add an outbox write and a relay delivery to the checkout hot path
 * to save reads of a category page. Even then the outbox relay delivers at least once *eventually*
 * (200 ms polling; retries with backoff up to minutes while a consumer is down), and a gateway that
 * missed events (restarted, unreachable) would serve stale answers forever without a TTL — so the TTL
 * is needed as the bound either way; events would only shorten the typical staleness. And gateways are
 * stateless replicas, while the subscription table names one endpoint per subgraph.
 *
 * Why a stale figure is safe: the stock an anonymous shopper sees is advisory. The no-oversell rule is
 * kept where it must be — the reservation's conditional update when the order is placed, which never
 * reads a cache — so a page up to one TTL old is no different from a page the shopper loaded one TTL
 * earlier: at worst the checkout answers OUT_OF_STOCK, exactly as it would have then.
 *
 * Bounded: at most `maxEntries` answers and about `maxBytes` of answer text; the oldest go first
 * (insertion order is expiry order, since every entry lives the same TTL).
 */

/** An answer as the subgraph transport gives it (status, unparsed body). */
export interface SharedAnswer {
  status: number;
  body: string;
}

/** Settings of {@link PublicAnswerCache}. */
export interface PublicAnswerCacheOptions {
  /** How long an answer is reused, in ms; 0 turns the cache off. */
  ttlMs: number;
  /** Most answers kept. */
  maxEntries: number;
  /** Most answer text kept (UTF-16 code units, about bytes for JSON). */
  maxBytes: number;
}

interface Entry {
  expires: number;
  answer: SharedAnswer;
}

/** The cache (see module comment). One per gateway, owned by its fetch sharing. */
export class PublicAnswerCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  private currentGeneration = 0;

  constructor(private readonly options: PublicAnswerCacheOptions) {}

  /** False when the TTL is 0: nothing is ever stored. */
  get enabled(): boolean {
    return this.options.ttlMs > 0;
  }

  /** Taken when a fetch starts and handed back to {@link store}: an invalidation in between voids the answer. */
  get generation(): number {
    return this.currentGeneration;
  }

  /** Answers kept right now (for tests and metrics). */
  get size(): number {
    return this.entries.size;
  }

  /** The answer for `key` if one is kept and younger than the TTL. */
  get(key: string): SharedAnswer | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expires > Date.now()) return entry.answer;
    this.remove(key, entry);
    return undefined;
  }

  /** Keeps `answer` unless an invalidation came after `generation` was taken. */
  store(key: string, answer: SharedAnswer, generation: number): void {
    if (!this.enabled || generation !== this.currentGeneration) return;
    if (answer.body.length > this.options.maxBytes) return;
    const previous = this.entries.get(key);
    if (previous) this.remove(key, previous);
    this.entries.set(key, { expires: Date.now() + this.options.ttlMs, answer });
    this.bytes += answer.body.length;
    this.evict();
  }

  /** Drops every answer and voids the fetches in flight (see module comment). */
  invalidate(): void {
    this.currentGeneration += 1;
    this.entries.clear();
    this.bytes = 0;
  }

  // Private: oldest first, until within both bounds; expired entries at the front go on the way.
  private evict(): void {
    const now = Date.now();
    for (const [key, entry] of this.entries) {
      const over = this.entries.size > this.options.maxEntries || this.bytes > this.options.maxBytes;
      if (!over && entry.expires > now) break;
      this.remove(key, entry);
    }
  }

  private remove(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.bytes -= entry.answer.body.length;
  }
}
