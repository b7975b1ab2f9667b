/**
 * Rate limiting, before the body is read: a token bucket per principal (`role:sub` of a verified
 * token) and, for anonymous traffic, per client address (IPv6 by /64). A request over the limit gets
 * HTTP 429 with `Retry-After` and a GraphQL-shaped error `RATE_LIMITED`. In process (one gateway = one
 * budget; behind several gateways each keeps its own), bounded memory (see `security/tokenBuckets.ts`).
 *
 * A request with a token that does not verify is counted as anonymous traffic from its address — so
 * made-up tokens cannot mint fresh buckets — and is then refused with 401 as usual. Verification here
 * is the same (cheap, cached-key) check the request context makes.
 *
 * Off by default outside production so the test suite and benchmarks run unthrottled; on in
 * production. `/health`, `/ready` and CORS preflights are not counted.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode, principalFromAuthorizationAsync, sendJson, type AuthConfig, type PreHandler } from '../../../subgraphs/kit/src';
import type { GatewayFeature, GatewayFeatureFactory } from '../feature';
import { clientAddressOf } from '../security/clientAddress';
import { readBooleanVariable, readIntegerVariable } from '../security/readVariable';
import { TokenBuckets } from '../security/tokenBuckets';

/** Rate limit settings; a rate of 0 turns that limit off. */
export interface RateLimitConfig {
  /** `RATE_LIMIT_PER_MINUTE`: requests per minute per principal. @default 600 in production, 0 (off) otherwise */
  perMinute: number;
  /** `RATE_LIMIT_ANONYMOUS_PER_MINUTE`: requests per minute per address without a valid token. @default 120 in production, 0 (off) otherwise */
  anonymousPerMinute: number;
  /** `RATE_LIMIT_BURST`: requests a bucket allows at once. @default 60 */
  burst: number;
  /** `RATE_LIMIT_MAX_BUCKETS`: most principals (and, separately, addresses) tracked at once. @default 10000 */
  maxBuckets: number;
  /** `RATE_LIMIT_TRUST_PROXY`: take the address from the last `X-Forwarded-For` hop. @default false */
  trustProxy: boolean;
}

/** Reads the `RATE_LIMIT_*` variables (see {@link RateLimitConfig}). */
export function readRateLimitConfig(env: NodeJS.ProcessEnv = process.env, production = env.NODE_ENV === 'production'): RateLimitConfig {
  return {
    perMinute: readIntegerVariable(env, 'RATE_LIMIT_PER_MINUTE', production ? 600 : 0),
    anonymousPerMinute: readIntegerVariable(env, 'RATE_LIMIT_ANONYMOUS_PER_MINUTE', production ? 120 : 0),
    burst: readIntegerVariable(env, 'RATE_LIMIT_BURST', 60, { min: 1 }),
    maxBuckets: readIntegerVariable(env, 'RATE_LIMIT_MAX_BUCKETS', 10_000, { min: 1 }),
    trustProxy: readBooleanVariable(env, 'RATE_LIMIT_TRUST_PROXY', false),
  };
}

const UNCOUNTED_PATHS = new Set(['/health', '/ready']);
const SWEEP_INTERVAL_MS = 60_000;

/** Options for {@link rateLimitPreHandler}. */
export interface RateLimitPreHandlerOptions {
  config: RateLimitConfig;
  auth: AuthConfig;
  principals?: TokenBuckets;
  addresses?: TokenBuckets;
}

function bucketsFor(perMinute: number, config: RateLimitConfig): TokenBuckets | undefined {
  return perMinute > 0 ? new TokenBuckets({ capacity: config.burst, refillPerSecond: perMinute / 60, maxBuckets: config.maxBuckets }) : undefined;
}

function refuse(response: ServerResponse, retryAfterSeconds: number, perMinute: number, anonymous: boolean): void {
  const who = anonymous ? 'this address without a valid token' : 'this caller';
  sendJson(
    response,
    429,
    {
      errors: [
        {
          message: `Too many requests from ${who}: the limit is ${perMinute} per minute; retry after ${retryAfterSeconds} s`,
          extensions: { code: ErrorCode.RATE_LIMITED, limit: perMinute, window: 'minute', retryAfterSeconds },
        },
      ],
    },
    { 'retry-after': String(retryAfterSeconds) },
  );
}

/** The pre-handler counting each request against its principal's or address's bucket. */
export function rateLimitPreHandler({ config, auth, principals, addresses }: RateLimitPreHandlerOptions): PreHandler {
  return async (request: IncomingMessage, response: ServerResponse) => {
    if (request.method === 'OPTIONS') return false;
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    if (UNCOUNTED_PATHS.has(path)) return false;
    let principal = null;
    try {
      principal = await principalFromAuthorizationAsync(request.headers.authorization, auth);
    } catch {
      // Counted as anonymous below; the request context refuses the token with 401.
    }
    const buckets = principal ? principals : addresses;
    if (!buckets) return false;
    const key = principal ? `${principal.role}:${principal.sub}` : clientAddressOf(request, config.trustProxy);
    const result = buckets.take(key);
    if (result.allowed) return false;
    refuse(response, result.retryAfterSeconds, principal ? config.perMinute : config.anonymousPerMinute, !principal);
    return true;
  };
}

/** Builds the feature from explicit settings (tests, embedding). */
export function createRateLimitFeature(config: RateLimitConfig): GatewayFeatureFactory {
  return ({ config: gatewayConfig, logger }): GatewayFeature => {
    const principals = bucketsFor(config.perMinute, config);
    const addresses = bucketsFor(config.anonymousPerMinute, config);
    if (!principals && !addresses) {
      logger.info('rate limiting is off (RATE_LIMIT_PER_MINUTE and RATE_LIMIT_ANONYMOUS_PER_MINUTE are 0)');
      return { name: 'rateLimit' };
    }
    const timer = setInterval(() => {
      principals?.sweep();
      addresses?.sweep();
    }, SWEEP_INTERVAL_MS);
    timer.unref();
    return {
      name: 'rateLimit',
      preHandlers: [rateLimitPreHandler({ config, auth: gatewayConfig.auth, ...(principals ? { principals } : {}), ...(addresses ? { addresses } : {}) })],
      stop: () => clearInterval(timer),
    };
  };
}

/** The rate limit feature, configured from the environment. */
export const rateLimitFeature: GatewayFeatureFactory = (options) => createRateLimitFeature(readRateLimitConfig(process.env, options.config.production))(options);
