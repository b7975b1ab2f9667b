/**
 * The gateway's query plan cache, given to Apollo Gateway (`queryPlannerConfig.cache`) in place of its
 * built-in one so that `/metrics` can count hits and misses (`zocalo_gateway_query_plan_cache_total`):
 * planning is the gateway's most expensive step, and a falling hit rate is how an operator sees clients
 * sending ever-new documents. Least recently used first out, bounded by entries as Apollo Router's
 * in-memory plan cache is (512 by default); Apollo Gateway clears it when the supergraph changes.
 */
import type { ApolloGateway } from '@apollo/gateway';
import type { Counter } from '../../../subgraphs/kit/src';

/** What Apollo Gateway accepts as `queryPlannerConfig.cache`. */
type QueryPlanCache = NonNullable<NonNullable<NonNullable<ConstructorParameters<typeof ApolloGateway>[0]>['queryPlannerConfig']>['cache']>;
type QueryPlan = NonNullable<Awaited<ReturnType<QueryPlanCache['get']>>>;

/** Plans kept at most, as Apollo Router's default `query_planning.cache.in_memory.limit`. */
export const QUERY_PLAN_CACHE_ENTRIES = 512;

/** Builds the cache (see module comment); `lookups` counts `{ result: "hit" | "miss" }`. */
export function countingQueryPlanCache(lookups: Counter, maxEntries = QUERY_PLAN_CACHE_ENTRIES): QueryPlanCache {
  // A Map iterates in insertion order: re-inserting on every hit keeps the least recently used first.
  const plans = new Map<string, QueryPlan>();
  return {
    async get(key) {
      const plan = plans.get(key);
      if (plan === undefined) {
        lookups.inc({ result: 'miss' });
        return undefined;
      }
      lookups.inc({ result: 'hit' });
      plans.delete(key);
      plans.set(key, plan);
      return plan;
    },
    async set(key, plan) {
      plans.delete(key);
      plans.set(key, plan);
      if (plans.size > maxEntries) {
        const oldest = plans.keys().next().value;
        if (oldest !== undefined) plans.delete(oldest);
      }
    },
    async delete(key) {
      return plans.delete(key);
    },
    clear() {
      plans.clear();
    },
  };
}
