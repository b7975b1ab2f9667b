/**
 * Load shedding at the gateway: at most `MAX_IN_FLIGHT_REQUESTS` requests (default 512; 0 = unbounded)
 * in flight; beyond, HTTP 503 with `Retry-After` and a GraphQL-shaped `OVERLOADED` error, before the
 * body is read or the token verified. `/health`, `/ready` and `/metrics` are never shed. The same
 * bound guards every subgraph (the kit's `buildSubgraphServer`); the mechanism is the kit's
 * `LoadShedder` (subgraphs/kit/src/loadShedder.ts explains the choice).
 *
 * Listed right after CORS in `features.ts`: a browser must get CORS headers on a 503 too, or it hides
 * the answer and its `Retry-After`; every other check (rate limits, token, trusted documents, limits)
 * costs more than counting, so it comes after.
 */
import { LoadShedder } from '../../../subgraphs/kit/src';
import type { GatewayFeatureFactory } from '../feature';

/** The load-shedding feature (see module comment). Counted in `/metrics` as `zocalo_gateway_requests_shed_total`. */
export const loadSheddingFeature: GatewayFeatureFactory = ({ config, logger }) => {
  const shedder = new LoadShedder({ name: 'gateway', maxInFlight: config.maxInFlightRequests });
  if (shedder.maxInFlight === 0) logger.info('load shedding is off (MAX_IN_FLIGHT_REQUESTS=0)');
  return {
    name: 'loadShedding',
    preHandlers: [shedder.preHandler],
    registerMetrics: (registry) => shedder.registerMetrics(registry, 'zocalo_gateway'),
  };
};
