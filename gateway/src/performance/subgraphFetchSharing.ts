/**
 * Sharing of subgraph answers between the gateway's own fetches, the two cheapest ways to not ask a
 * subgraph the same question twice:
 *
 * - **in flight**: a query fetch identical to one already on its way — same subgraph, same body
 *   (document + variables), same `Authorization` — waits for that one's answer instead of sending its
 *   own. Under load, identical fetches overlap all the time: a catalogue page many shoppers open, the
 *   same product's `_entities` asked by several operations. Same credentials + same body = same
 *   answer, so nothing is shared across callers who could see different data. The shared fetch
 *   carries the first caller's request id and trace.
 * - **anonymous answers, for a short time** (publicAnswerCache.ts, which explains the design: TTL,
 *   invalidation by every mutation the gateway forwards, why not domain events): a query fetch without
 *   a token asks only for what any anonymous caller may see, so its clean answer is reused.
 *
 * Mutations are never shared. The owner (the subgraph data source) decides what is a mutation, calls
 * {@link SubgraphFetchSharing.share} for queries only, and {@link SubgraphFetchSharing.invalidate}
 * when a mutation fetch settles — which also forgets the fetches in flight, so no request that starts
 * after a mutation's answer joins a fetch that started before it (read-your-writes through a gateway,
 * for every caller, not only anonymous ones).
 */
import { Gauge, type MetricRegistry } from '../../../subgraphs/kit/src';
import { readBooleanVariable, readIntegerVariable } from '../security/readVariable';
import { PublicAnswerCache, type SharedAnswer } from './publicAnswerCache';

export type { SharedAnswer } from './publicAnswerCache';

/** Settings of {@link SubgraphFetchSharing}. */
export interface SubgraphFetchSharingConfig {
  /** `FETCH_DEDUPLICATION`: share identical in-flight query fetches. @default true */
  deduplicate: boolean;
  /** `PUBLIC_FETCH_CACHE_TTL_MS`: reuse anonymous query answers this long; 0 turns it off. @default 1000 in production, 0 otherwise */
  publicTtlMs: number;
  /** `PUBLIC_FETCH_SHARING`: send fetches that read only `@public` fields without the caller's token, so they are shared like anonymous ones (publicFetches.ts). @default true */
  publicFetches: boolean;
  /** `PUBLIC_FETCH_CACHE_ENTRIES`: most anonymous answers and public entities kept (oldest dropped first). @default 10000 */
  maxEntries: number;
  /** `PUBLIC_FETCH_CACHE_MAX_BYTES`: most answer text kept (oldest dropped first). @default 33554432 (32 MiB) */
  maxBytes: number;
}

/** The TTL of anonymous answers in production when `PUBLIC_FETCH_CACHE_TTL_MS` is not set. */
export const PRODUCTION_PUBLIC_TTL_MS = 1000;

/** Reads the settings (see {@link SubgraphFetchSharingConfig}). */
export function readSubgraphFetchSharingConfig(env: NodeJS.ProcessEnv = process.env): SubgraphFetchSharingConfig {
  const production = env.NODE_ENV === 'production';
  return {
    deduplicate: readBooleanVariable(env, 'FETCH_DEDUPLICATION', true),
    publicTtlMs: readIntegerVariable(env, 'PUBLIC_FETCH_CACHE_TTL_MS', production ? PRODUCTION_PUBLIC_TTL_MS : 0, { min: 0, max: 60_000 }),
    publicFetches: readBooleanVariable(env, 'PUBLIC_FETCH_SHARING', true),
    maxEntries: readIntegerVariable(env, 'PUBLIC_FETCH_CACHE_ENTRIES', 10_000, { min: 1, max: 1_000_000 }),
    maxBytes: readIntegerVariable(env, 'PUBLIC_FETCH_CACHE_MAX_BYTES', 32 * 2 ** 20, { min: 1024, max: 2 ** 30 }),
  };
}

/** Counters for metrics, tests and the benchmark. */
export interface FetchSharingStats {
  /** Fetches actually sent. */
  sent: number;
  /** Fetches that waited for an identical one in flight. */
  joined: number;
  /** Anonymous fetches answered from the short-lived cache. */
  cached: number;
  /** Mutations that invalidated the cache and the fetches in flight. */
  invalidations: number;
  /** Entities of public `_entities` fetches answered from the cache, and sent to the subgraph. */
  entitiesCached: number;
  entitiesSent: number;
}

/** A subgraph `_entities` fetch: its document and variables (`representations` among them). */
export interface EntitiesRequest {
  query: string;
  variables: Record<string, unknown> & { representations?: unknown };
  operationName?: string;
  [other: string]: unknown;
}

/** A GraphQL error of an `_entities` answer. */
interface EntityError {
  path?: (string | number)[];
  [other: string]: unknown;
}

/** `data._entities` and `errors` of an answer, or undefined unless it has exactly `count` entities. */
function parseEntities(body: string, count: number): { entities: unknown[]; errors: EntityError[] } | undefined {
  try {
    const parsed = JSON.parse(body) as { data?: { _entities?: unknown }; errors?: unknown };
    const entities = parsed.data?._entities;
    if (!Array.isArray(entities) || entities.length !== count) return undefined;
    if (parsed.errors !== undefined && !Array.isArray(parsed.errors)) return undefined;
    return { entities, errors: (parsed.errors ?? []) as EntityError[] };
  } catch {
    return undefined;
  }
}

/** Shares subgraph answers (see module comment). One per gateway. */
export class SubgraphFetchSharing {
  readonly stats: FetchSharingStats = { sent: 0, joined: 0, cached: 0, invalidations: 0, entitiesCached: 0, entitiesSent: 0 };
  private readonly inflight = new Map<string, Promise<SharedAnswer>>();
  private readonly publicAnswers: PublicAnswerCache;

  constructor(private readonly config: SubgraphFetchSharingConfig) {
    this.publicAnswers = new PublicAnswerCache({ ttlMs: config.publicTtlMs, maxEntries: config.maxEntries, maxBytes: config.maxBytes });
  }

  /** Whether fetches of public fields are sent without the caller's token (`PUBLIC_FETCH_SHARING`). */
  get sharesPublicFetches(): boolean {
    return this.config.publicFetches && this.enabled;
  }

  /** True when this sharing does anything at all (callers may skip building keys otherwise). */
  get enabled(): boolean {
    return this.config.deduplicate || this.publicAnswers.enabled;
  }

  /**
   * The answer to a query fetch: from the cache (anonymous only), from an identical fetch in flight,
   * or from `send()`. `subgraph` names the target (its URL); `authorization` is the header forwarded.
   */
  share<T extends SharedAnswer>(subgraph: string, authorization: string | undefined, body: string, send: () => Promise<T>): Promise<T> {
    if (!this.enabled) return send();
    const key = `${subgraph}\n${authorization ?? ''}\n${body}`;
    const cacheable = authorization === undefined && this.publicAnswers.enabled;
    if (cacheable) {
      const hit = this.publicAnswers.get(key);
      if (hit) {
        this.stats.cached += 1;
        return Promise.resolve(hit as T);
      }
    }
    if (this.config.deduplicate) {
      const pending = this.inflight.get(key);
      if (pending) {
        this.stats.joined += 1;
        return pending as Promise<T>;
      }
    }
    this.stats.sent += 1;
    const generation = this.publicAnswers.generation;
    const promise = send();
    if (this.config.deduplicate) this.trackInFlight(key, promise);
    if (cacheable) {
      promise.then(
        (answer) => {
          if (answer.status === 200 && !answer.body.includes('"errors"')) this.publicAnswers.store(key, answer, generation);
        },
        () => undefined,
      );
    }
    return promise;
  }

  /**
   * The answer to a public `_entities` fetch (publicFetches.ts; sent without a token), entity by
   * entity: each representation's answer is kept in the public answer cache on its own (same TTL,
   * bounds and invalidation), so a fetch whose representations were all asked recently — by anyone,
   * in any combination — is answered without the subgraph, and otherwise only the missing
   * representations are sent (through {@link share}). Errors are mapped back to the caller's indexes,
   * and an entity with an error under it is not kept. `payload` is the fetch's GraphQL request and
   * `whole` its JSON text, as the caller already serialised it; `send(body)` posts a body. Anything unexpected (not 200, not the shape asked for) falls back to
   * sending the whole fetch.
   */
  async shareEntities<T extends SharedAnswer>(subgraph: string, payload: EntitiesRequest, whole: string, send: (body: string) => Promise<T>): Promise<SharedAnswer> {
    const { representations, ...otherVariables } = payload.variables;
    if (!this.publicAnswers.enabled || !Array.isArray(representations) || representations.length === 0) return this.share(subgraph, undefined, whole, () => send(whole));
    const prefix = `${subgraph}\n\n${payload.query}\n${JSON.stringify(otherVariables)}\n`;
    const keys = representations.map((representation) => prefix + JSON.stringify(representation));
    const texts: (string | undefined)[] = keys.map((key) => this.publicAnswers.get(key)?.body);
    const missing: number[] = [];
    texts.forEach((text, index) => {
      if (text === undefined) missing.push(index);
    });
    this.stats.entitiesCached += representations.length - missing.length;
    this.stats.entitiesSent += missing.length;
    let errors: EntityError[] = [];
    if (missing.length > 0) {
      const generation = this.publicAnswers.generation;
      const partial = missing.length === representations.length ? whole : JSON.stringify({ ...payload, variables: { ...payload.variables, representations: missing.map((index) => representations[index]) } });
      const answer = await this.share(subgraph, undefined, partial, () => send(partial));
      const parsed = answer.status === 200 ? parseEntities(answer.body, missing.length) : undefined;
      if (!parsed) return missing.length === representations.length ? answer : this.share(subgraph, undefined, whole, () => send(whole));
      const failed = new Set<number>();
      errors = parsed.errors.map((error) => {
        const [head, position, ...rest] = error.path ?? [];
        if (head !== '_entities' || typeof position !== 'number' || missing[position] === undefined) return error;
        failed.add(position);
        return { ...error, path: ['_entities', missing[position] as number, ...rest] };
      });
      parsed.entities.forEach((entity, position) => {
        const index = missing[position] as number;
        const text = JSON.stringify(entity);
        texts[index] = text;
        if (!failed.has(position) && entity !== null && parsed.errors.every((error) => error.path !== undefined)) this.publicAnswers.store(keys[index] as string, { status: 200, body: text }, generation);
      });
    } else {
      this.stats.cached += 1;
    }
    const body = `{"data":{"_entities":[${texts.join(',')}]}${errors.length > 0 ? `,"errors":${JSON.stringify(errors)}` : ''}}`;
    return { status: 200, body };
  }

  /**
   * Adds `zocalo_gateway_subgraph_fetch_sharing_total{result="sent|joined|cached"}`,
   * `zocalo_gateway_fetch_sharing_invalidations_total` and `zocalo_gateway_public_answers` (kept now).
   */
  registerMetrics(registry: MetricRegistry): void {
    const { stats } = this;
    registry.register(
      new Gauge('zocalo_gateway_subgraph_fetch_sharing_total', 'Query fetches by how they were answered: sent to the subgraph, joined an identical one in flight, or from the public answer cache.', () => [
        [{ result: 'sent' }, stats.sent],
        [{ result: 'joined' }, stats.joined],
        [{ result: 'cached' }, stats.cached],
      ], 'counter'),
    );
    registry.register(
      new Gauge('zocalo_gateway_public_entities_total', 'Entities of public _entities fetches (read only @public fields, sent without a token): answered from the public answer cache, or sent to the subgraph.', () => [
        [{ result: 'cached' }, stats.entitiesCached],
        [{ result: 'sent' }, stats.entitiesSent],
      ], 'counter'),
    );
    registry.register(new Gauge('zocalo_gateway_fetch_sharing_invalidations_total', 'Mutations (and supergraph reloads) that dropped shared answers.', () => [[{}, stats.invalidations]], 'counter'));
    registry.register(new Gauge('zocalo_gateway_public_answers', 'Anonymous subgraph answers kept by the public answer cache.', () => [[{}, this.publicAnswers.size]]));
  }

  /** A mutation went through: drop the anonymous answers and forget the fetches in flight. */
  invalidate(): void {
    this.stats.invalidations += 1;
    this.inflight.clear();
    this.publicAnswers.invalidate();
  }

  // Private: registered until settled either way; an invalidation may have replaced the entry since,
  // and the newer fetch must stay.
  private trackInFlight(key: string, promise: Promise<SharedAnswer>): void {
    this.inflight.set(key, promise);
    const forget = () => {
      if (this.inflight.get(key) === promise) this.inflight.delete(key);
    };
    promise.then(forget, forget);
  }
}
