/**
 * CORS with an allow-list. A browser request from an origin on the list gets the CORS headers (and its
 * preflight a 204); one from any other origin is refused with 403 `CORS_ORIGIN_NOT_ALLOWED` before
 * anything runs — not merely left without headers, because a "simple" cross-site request would
 * otherwise still execute. Requests without `Origin` (servers, curl, same-origin GETs) and same-origin
 * requests pass. Bearer tokens, not cookies, carry identity, so credentials are never allowed.
 *
 * Apollo Server's CSRF prevention stays on underneath: a GET or a POST without a JSON content type
 * must carry a header that forces a preflight (`apollo-require-preflight`, `x-apollo-operation-name`),
 * or Apollo Server refuses it with 400.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode, sendJson, type PreHandler } from '../../../subgraphs/kit/src';
import type { GatewayFeature, GatewayFeatureFactory } from '../feature';

/** CORS settings. */
export interface CorsConfig {
  /** Exact origins allowed (`https://shop.example.mx`). */
  origins: string[];
  /** Any `http(s)://localhost|127.0.0.1|[::1]` origin, any port. */
  localhost: boolean;
  /** Any origin at all (`*`): for public demos only. */
  anyOrigin: boolean;
}

/**
 * Reads `CORS_ORIGINS`: comma-separated origins; `localhost` stands for every localhost origin and `*`
 * for any origin. @default localhost origins outside production, none in production.
 */
export function readCorsConfig(env: NodeJS.ProcessEnv = process.env, production = env.NODE_ENV === 'production'): CorsConfig {
  const raw = env.CORS_ORIGINS;
  if (raw === undefined || raw.trim() === '') return { origins: [], localhost: !production, anyOrigin: false };
  const config: CorsConfig = { origins: [], localhost: false, anyOrigin: false };
  for (const entry of raw.split(',').map((part) => part.trim()).filter(Boolean)) {
    if (entry === '*') config.anyOrigin = true;
    else if (entry === 'localhost') config.localhost = true;
    else {
      let url: URL | undefined;
      try {
        url = new URL(entry);
      } catch {
        url = undefined;
      }
      if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== entry.replace(/\/$/, '')) {
        throw new Error(`CORS_ORIGINS must list origins like https://shop.example.mx (scheme, host, optional port; no path), "localhost" or "*"; got ${JSON.stringify(entry)}`);
      }
      config.origins.push(url.origin);
    }
  }
  return config;
}

const LOCALHOST_ORIGIN = /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/;
const ALLOWED_METHODS = 'GET, POST, OPTIONS';
const ALLOWED_HEADERS = [
  'authorization',
  'content-type',
  'accept',
  'apollographql-client-name',
  'apollographql-client-version',
  'x-client-name',
  'apollo-require-preflight',
  'x-apollo-operation-name',
  'x-request-id',
].join(', ');
const EXPOSED_HEADERS = 'x-request-id, retry-after';
const PREFLIGHT_MAX_AGE_SECONDS = '600';

function isAllowed(origin: string, request: IncomingMessage, config: CorsConfig): boolean {
  if (config.anyOrigin || config.origins.includes(origin)) return true;
  if (config.localhost && LOCALHOST_ORIGIN.test(origin)) return true;
  // Same origin: the gateway's own pages (the playground) post back to it.
  const host = request.headers.host;
  return host !== undefined && (origin === `http://${host}` || origin === `https://${host}`);
}

function refuse(response: ServerResponse, origin: string): void {
  const shown = origin.length <= 200 ? origin : `${origin.slice(0, 200)}…`;
  sendJson(response, 403, { errors: [{ message: `The origin ${JSON.stringify(shown)} is not allowed (CORS_ORIGINS)`, extensions: { code: ErrorCode.CORS_ORIGIN_NOT_ALLOWED } }] }, { vary: 'Origin' });
}

/** The pre-handler answering preflights and refusing origins not on the list. */
export function corsPreHandler(config: CorsConfig): PreHandler {
  return (request, response) => {
    const origin = request.headers.origin;
    if (origin === undefined) return false;
    const preflight = request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined;
    if (!isAllowed(origin, request, config)) {
      refuse(response, origin);
      return true;
    }
    response.setHeader('vary', 'Origin');
    response.setHeader('access-control-allow-origin', origin);
    if (preflight) {
      response.writeHead(204, {
        'access-control-allow-methods': ALLOWED_METHODS,
        'access-control-allow-headers': ALLOWED_HEADERS,
        'access-control-max-age': PREFLIGHT_MAX_AGE_SECONDS,
        'content-length': '0',
      });
      response.end();
      return true;
    }
    response.setHeader('access-control-expose-headers', EXPOSED_HEADERS);
    return false;
  };
}

/** Builds the feature from explicit settings (tests, embedding). */
export function createCorsFeature(config: CorsConfig): GatewayFeatureFactory {
  return ({ config: gatewayConfig, logger }): GatewayFeature => {
    if (config.anyOrigin && gatewayConfig.production) logger.warn('CORS_ORIGINS=* in production: any web page may call the gateway from a browser');
    return { name: 'cors', preHandlers: [corsPreHandler(config)] };
  };
}

/** The CORS feature, configured from the environment. */
export const corsFeature: GatewayFeatureFactory = (options) => createCorsFeature(readCorsConfig(process.env, options.config.production))(options);
