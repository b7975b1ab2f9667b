/**
 * Builds the gateway (no listen; tests build it in-process): Apollo Gateway serving the configured
 * supergraph (reloaded when it changes), inside Apollo Server, behind the kit's HTTP front, with token
 * verification, error masking, per-subgraph timeouts, retries and circuit breakers (resilience/),
 * `/health` reporting each subgraph, `/ready` and Prometheus `/metrics`; load shedding
 * (resilience/loadShedding.ts) and, when `OTEL_EXPORTER_OTLP_ENDPOINT` is set, spans exported over OTLP.
 */
import type { Server } from 'node:http';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { GraphQLError } from 'graphql';
import {
  ErrorCode,
  Tracer,
  createGraphQLHttpServer,
  formatError,
  listen,
  principalFromAuthorizationAsync,
  sendJson,
  type Logger,
  type Principal,
} from '../../subgraphs/kit/src';
import type { GatewayConfig } from './config';
import type { GatewayContext } from './context';
import type { GatewayFeatureFactory } from './feature';
import { GATEWAY_FEATURES } from './features';
import { PublicFetchClassifier } from './performance/publicFetches';
import { SubgraphFetchSharing } from './performance/subgraphFetchSharing';
import { metricsPlugin } from './resilience/metricsPlugin';
import { countingQueryPlanCache } from './resilience/queryPlanCache';
import { SubgraphResilience } from './resilience/subgraphResilience';
import { watchedSupergraph } from './resilience/supergraphWatcher';
import { traceContextOf } from './resilience/traceContext';
import { tracingPlugin } from './resilience/tracingPlugin';
import { SubgraphDataSource } from './subgraphDataSource';
import { loadSupergraph, resolveSubgraphUrl, type SupergraphSubgraph } from './supergraph';

/** A built gateway, not yet listening. */
export interface GatewayServer {
  apollo: ApolloServer<GatewayContext>;
  httpServer: Server;
  /** Starts and listens; resolves with the GraphQL URL. */
  start(): Promise<string>;
  /** Stops accepting, finishes in-flight requests, stops the gateway. */
  stop(): Promise<void>;
}

/** Options for {@link buildGateway}. */
export interface GatewayOptions {
  config: GatewayConfig;
  logger: Logger;
  /** @default GATEWAY_FEATURES */
  features?: GatewayFeatureFactory[];
}

/**
 * Whether a subgraph is up: a subgraph served at `…/graphql` (Zócalo's, and the usual convention) is
 * asked its `/health`; any other GraphQL endpoint (a foreign supergraph's, e.g. a federation audit's
 * `http://host/<suite>/<subgraph>`) is sent `{ __typename }` — the one query every GraphQL server answers.
 */
async function probe(subgraphUrl: string, timeoutMs: number): Promise<{ status: 'up' | 'down'; latencyMs: number; detail?: string }> {
  const started = performance.now();
  const conventional = /\/graphql\/?$/.test(subgraphUrl);
  try {
    const response = conventional
      ? await fetch(subgraphUrl.replace(/\/graphql\/?$/, '/health'), { signal: AbortSignal.timeout(timeoutMs) })
      : await fetch(subgraphUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
          body: JSON.stringify({ query: 'query __GatewayHealth { __typename }' }),
          signal: AbortSignal.timeout(timeoutMs),
        });
    const text = await response.text();
    const ok = response.ok && (conventional || /"__typename"/.test(text));
    return { status: ok ? 'up' : 'down', latencyMs: Math.round(performance.now() - started), ...(ok ? {} : { detail: `HTTP ${response.status}` }) };
  } catch (error) {
    return { status: 'down', latencyMs: Math.round(performance.now() - started), detail: error instanceof Error ? error.message : String(error) };
  }
}

/** Builds the gateway (see module comment). */
export function buildGateway({ config, logger, features: factories = GATEWAY_FEATURES }: GatewayOptions): GatewayServer {
  const features = factories.map((factory) => factory({ config, logger }));
  // Spans of requests and subgraph fetches, exported over OTLP when configured (resilience/traceContext.ts).
  const tracer = config.tracing ? new Tracer({ config: config.tracing, serviceName: 'gateway', logger }) : null;
  // Timeouts, retries, circuit breakers, pools and metrics (resilience/); hot reload replaces `subgraphs`.
  const resilience = new SubgraphResilience({
    timeoutMs: config.subgraphTimeoutMs,
    timeoutsMs: config.subgraphTimeoutsMs,
    retries: config.subgraphRetries,
    failureThreshold: config.circuitFailureThreshold,
    openMs: config.circuitOpenMs,
    maxSockets: config.subgraphMaxSockets,
    subgraphNameOf: (url) => subgraphs.find((subgraph) => subgraph.url === url)?.name,
    logger,
  });
  for (const feature of features) feature.registerMetrics?.(resilience.metrics.registry);
  tracer?.registerMetrics(resilience.metrics.registry);
  const located = (list: SupergraphSubgraph[]) => list.map((subgraph) => ({ name: subgraph.name, url: resolveSubgraphUrl(subgraph, config.subgraphUrls) }));
  const initial = config.supergraphUrl ? undefined : loadSupergraph(config.supergraphPath);
  let subgraphs = initial ? located(initial.subgraphs) : [];
  // Which fetches read only @public fields, for the current supergraph (performance/publicFetches.ts).
  let publicFetches = initial ? PublicFetchClassifier.fromSupergraph(initial.sdl) : undefined;
  let supergraphLoaded = false;
  // One for all subgraphs: a mutation to any of them invalidates what is shared (subgraphDataSource.ts).
  const sharing = new SubgraphFetchSharing(config.fetchSharing);
  sharing.registerMetrics(resilience.metrics.registry);
  let stopping = false;

  const gateway = new ApolloGateway({
    supergraphSdl: watchedSupergraph({
      path: config.supergraphPath,
      ...(config.supergraphUrl ? { url: config.supergraphUrl } : {}),
      pollMs: config.supergraphPollMs,
      watch: config.supergraphWatch,
      logger,
      onApplied: (supergraph) => {
        subgraphs = located(supergraph.subgraphs);
        publicFetches = PublicFetchClassifier.fromSupergraph(supergraph.sdl);
        sharing.invalidate();
        resilience.metrics.supergraphReloads.inc({ result: 'applied' });
      },
      onRejected: () => resilience.metrics.supergraphReloads.inc({ result: 'rejected' }),
    }),
    queryPlannerConfig: { cache: countingQueryPlanCache(resilience.metrics.queryPlanCache) },
    buildService: ({ name, url }) => new SubgraphDataSource({ name, url: resolveSubgraphUrl({ name, url: url ?? '' }, config.subgraphUrls), resilience, sharing, publicFetches: () => publicFetches }),
    logger: { debug: () => undefined, info: (m) => logger.info(String(m)), warn: (m) => logger.warn(String(m)), error: (m) => logger.error(String(m)) },
  });

  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    // The process entry stops the server on SIGINT/SIGTERM itself (drain, then close the pools). Apollo's
    // own handler would race it: a second stop() during the first never returns (the barrier it awaits
    // is only resolved when stopping fails), so the process hung until its grace timer or a SIGKILL.
    stopOnTerminationSignals: false,
    introspection: config.introspection,
    includeStacktraceInErrorResponses: false,
    formatError: (formatted, error) =>
      formatError(formatted, error, { onMasked: (masked, original) => logger.error('masked error', { error: original, path: masked.path, message: masked.message }) }),
    plugins: [
      metricsPlugin(resilience.metrics),
      tracingPlugin(logger),
      ...features.flatMap((feature) => feature.plugins ?? []),
      // Apollo's default landing page loads Sandbox from a CDN: off, unless a feature serves its own.
      ...(features.some((feature) => feature.providesLandingPage) ? [] : [ApolloServerPluginLandingPageDisabled()]),
    ],
  });

  const healthOf = async () => {
    const results = await Promise.all(
      subgraphs.map(async (s) => ({ name: s.name, url: s.url, ...(await probe(s.url, 2000)) })),
    );
    const up = supergraphLoaded && !stopping && results.every((r) => r.status === 'up');
    return { status: up ? 'ok' : 'degraded', service: 'gateway', supergraph: supergraphLoaded ? 'loaded' : 'not loaded', stopping, subgraphs: results, circuits: Object.fromEntries(resilience.circuitStates()) };
  };

  const httpServer = createGraphQLHttpServer<GatewayContext>({
    apollo,
    logger,
    maxBodyBytes: config.maxBodyBytes,
    preHandlers: features.flatMap((feature) => feature.preHandlers ?? []),
    tracer,
    routes: {
      ...Object.assign({}, ...features.map((feature) => feature.routes ?? {})),
      // Liveness with detail: the gateway answers 200 while it runs; `status` says whether every subgraph is up.
      '/health': async (_request, response) => sendJson(response, 200, await healthOf()),
      '/metrics': (_request, response) => {
        const text = resilience.metrics.render();
        response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'content-length': Buffer.byteLength(text) });
        response.end(text);
      },
      '/ready': async (_request, response) => {
        const health = await healthOf();
        sendJson(response, health.status === 'ok' ? 200 : 503, { ...health, status: health.status === 'ok' ? 'ready' : 'not ready' });
      },
    },
    context: async (request, requestId, span) => {
      const authorization = request.headers.authorization;
      let principal: Principal | null;
      try {
        principal = await principalFromAuthorizationAsync(authorization, config.auth);
      } catch (error) {
        throw new GraphQLError(error instanceof Error ? error.message : 'Invalid token', {
          extensions: { code: ErrorCode.UNAUTHENTICATED, http: { status: 401 } },
        });
      }
      return { principal, requestId, trace: traceContextOf(request.headers.traceparent, span), ...(authorization ? { authorization } : {}) };
    },
  });
  apollo.addPlugin(ApolloServerPluginDrainHttpServer({ httpServer }));

  return {
    apollo,
    httpServer,
    async start() {
      await apollo.start();
      supergraphLoaded = true;
      const port = await listen(httpServer, config.port, config.host);
      return `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}/graphql`;
    },
    async stop() {
      stopping = true;
      for (const feature of features) await feature.stop?.();
      await apollo.stop();
      if (httpServer.listening) await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      // After in-flight requests finished: their subgraph fetches used these pools.
      resilience.close();
      // Last: the spans of the requests that just finished go out.
      await tracer?.shutdown();
    },
  };
}
