/**
 * Builds a subgraph from its SDL file and resolvers: an `@apollo/subgraph` schema in Apollo Server
 * behind the kit's HTTP front, with the principal and request-scoped loaders in the context, errors
 * masked, `/health` and `/ready`. Building does not listen (tests build in-process); `start` listens.
 *
 * Domain events (events/): a definition with `events.publishes` gets an outbox relay, one with
 * `events.handlers` the consumer endpoint `/internal/events` (and, with NATS, a JetStream consumer);
 * both get `/metrics`, `/internal/dead-letters` and event figures in `/health`. The relay and the NATS
 * consumer run only when `options.events` is given — `runSubgraph` always gives it, from the
 * environment — so a test that builds a publisher without it finds its events still in
 * `pendingEvents`, and nothing pushes to other subgraphs' default ports behind its back.
 *
 * Operations: load shedding first among the HTTP checks (`maxInFlightRequests`, loadShedder.ts), a
 * Prometheus `/metrics` (requests, latency and errors by operation, database round trips, event
 * backlog, load shedding, process; subgraphMetrics.ts), and, when `tracing` is given, a span per
 * request and per event delivery exported over OTLP (telemetry/). Each request's id and trace reach
 * the resolvers' logger and ride in the events it publishes (`correlation`).
 */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { GraphQLError, parse, type DocumentNode } from 'graphql';
import { AUDIT_INDEXES, AuditLog } from './audit/auditLog';
import { enforceAuthorization, type AuthorizationOptions } from './auth/authorizationDirectives';
import type { Principal } from './auth/principal';
import { principalFromAuthorization, type AuthConfig } from './auth/tokens';
import type { SubgraphName } from './estate';
import { ErrorCode, formatError } from './errors';
import type { EventCorrelation } from './events/domainEvent';
import type { EventOptions } from './events/eventOptions';
import { eventMetricsText } from './events/outboxStats';
import { createSubgraphEvents, type SubgraphEvents, type SubgraphEventsDefinition } from './events/subgraphEvents';
import { createGraphQLHttpServer, listen, sendJson, type RouteHandler } from './http';
import { LoadShedder } from './loadShedder';
import type { Logger } from './logger';
import type { IndexDeclaration, MongoStore } from './mongo';
import { schemaPath } from './paths';
import { DateTimeScalar } from './scalars';
import { SubgraphMetrics, subgraphMetricsPlugin } from './subgraphMetrics';
import { formatTraceparent, parseTraceparent } from './telemetry/traceparent';
import { Tracer, type Span } from './telemetry/tracer';
import type { TracingConfig } from './telemetry/tracingConfig';

/** What every resolver of every subgraph finds in its context. */
export interface RequestContext {
  /** The verified caller, or null for an anonymous request. */
  principal: Principal | null;
  /** Travels in `x-request-id` from the gateway. */
  requestId: string;
  /** Bound to `requestId` and `traceId`. */
  logger: Logger;
  /** What the events this request publishes carry: pass it to `createDomainEvent`. */
  correlation: EventCorrelation;
  /** The request's SERVER span, when trace export is configured. */
  span?: Span;
}

/** A subgraph's own parts, handed to {@link buildSubgraphServer}. */
export interface SubgraphDefinition<TContext extends RequestContext> {
  name: SubgraphName;
  resolvers: GraphQLResolverMap<TContext>;
  /** Indexes its repositories need; created at start. */
  indexes: readonly IndexDeclaration[];
  /** Adds the subgraph's repositories and fresh DataLoaders to the base context, per request. */
  createContext(base: RequestContext): TContext;
  /** Extra HTTP routes (internal endpoints). */
  routes?: Record<string, RouteHandler>;
  /** The SDL, when not `schema/<name>.graphql` (test subgraphs). @default loadSubgraphTypeDefs(name) */
  typeDefs?: DocumentNode;
  /** Domain events the subgraph publishes (collections carrying `pendingEvents`) and handles. */
  events?: SubgraphEventsDefinition;
  /** Widens who owns a customer for `@allow(owner:)` (see auth/authorizationDirectives.ts). */
  authorization?: Pick<AuthorizationOptions<TContext>, 'isOwner'>;
}

/** Options for {@link buildSubgraphServer}. */
export interface SubgraphServerOptions {
  store: MongoStore;
  auth: AuthConfig;
  logger: Logger;
  /** Allow introspection (the gateway and tools compose from `_service`, not introspection). @default true */
  introspection?: boolean;
  /**
   * Runs the event relay (publishers) and the NATS consumer (subscribers, with `natsUrl`) from `start`
   * to `stop`, configured by these options. Absent: neither runs (the consumer endpoint is still served).
   */
  events?: EventOptions;
  /** `MAX_IN_FLIGHT_REQUESTS`: requests served at once before 503 OVERLOADED; 0 = unbounded. @default 512 */
  maxInFlightRequests?: number;
  /** Export spans over OTLP (`OTEL_EXPORTER_OTLP_ENDPOINT`…, readTracingConfig). @default none */
  tracing?: TracingConfig | null;
}

/** A built subgraph, not yet listening. */
export interface SubgraphServer {
  name: SubgraphName;
  apollo: ApolloServer<RequestContext>;
  httpServer: Server;
  store: MongoStore;
  /** The event machinery, or null when the definition has no `events`; `events.start()`/`stop()` control it by hand. */
  events: SubgraphEvents | null;
  /** Creates indexes, starts Apollo Server and listens, then starts events if `options.events`; resolves with the GraphQL URL. */
  start(port: number, host?: string): Promise<string>;
  /** Stops events (in-flight deliveries finish), stops accepting, finishes in-flight requests; the owner closes the store. */
  stop(): Promise<void>;
}

/** Reads `schema/<name>.graphql`. */
export function loadSubgraphTypeDefs(name: SubgraphName) {
  return parse(readFileSync(schemaPath(`${name}.graphql`), 'utf8'));
}

/** Builds the subgraph (see module comment). */
export function buildSubgraphServer<TContext extends RequestContext>(definition: SubgraphDefinition<TContext>, options: SubgraphServerOptions): SubgraphServer {
  const { store, auth, logger } = options;
  const auditLog = new AuditLog(store, definition.name, logger);
  // The SDL's @public/@allow/@audited enforced on every resolver, `_entities` included (schema/authorization.graphql).
  const schema = enforceAuthorization<TContext>(
    buildSubgraphSchema([
      { typeDefs: definition.typeDefs ?? loadSubgraphTypeDefs(definition.name), resolvers: { DateTime: DateTimeScalar, ...definition.resolvers } as GraphQLResolverMap<unknown> },
    ]),
    { ...definition.authorization, auditLog },
  );

  const apollo = new ApolloServer<RequestContext>({
    schema,
    // The process entry stops the server on SIGINT/SIGTERM itself (drain, then close the pools). Apollo's
    // own handler would race it: a second stop() during the first never returns (the barrier it awaits
    // is only resolved when stopping fails), so the process hung until its grace timer or a SIGKILL.
    stopOnTerminationSignals: false,
    introspection: options.introspection ?? true,
    includeStacktraceInErrorResponses: false,
    formatError: (formatted, error) =>
      formatError(formatted, error, { onMasked: (masked, original) => logger.error('masked error', { error: original, path: masked.path }) }),
    // Inline tracing (ftv1) costs every request and only Apollo Studio reads it. Cache control: no
    // field has a cache hint, and its per-field hook makes Apollo Server wrap every resolver call.
    plugins: [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginInlineTraceDisabled(), ApolloServerPluginCacheControlDisabled()],
  });

  const tracer = options.tracing ? new Tracer({ config: options.tracing, serviceName: definition.name, logger }) : null;
  const shedder = new LoadShedder({ name: `${definition.name} subgraph`, ...(options.maxInFlightRequests !== undefined ? { maxInFlight: options.maxInFlightRequests } : {}) });
  const metrics = new SubgraphMetrics(definition.name, store);
  shedder.registerMetrics(metrics.registry, 'zocalo_subgraph', { service: definition.name });
  tracer?.registerMetrics(metrics.registry, { service: definition.name });
  apollo.addPlugin(subgraphMetricsPlugin(metrics));

  const events = definition.events ? createSubgraphEvents({ name: definition.name, definition: definition.events, store, auth, logger, events: options.events, tracer }) : null;

  const routes: Record<string, RouteHandler> = {
    '/health': async (_request, response) => {
      if (!events) {
        sendJson(response, 200, { status: 'ok', service: definition.name });
        return;
      }
      // Liveness stays 200 when the figures cannot be read (the database has /ready).
      const detail = await events.health().catch((error: unknown) => ({ error: error instanceof Error ? error.message : String(error) }));
      sendJson(response, 200, { status: 'ok', service: definition.name, events: detail });
    },
    '/ready': async (_request, response) => {
      const database = await store.isReachable();
      sendJson(response, database ? 200 : 503, { status: database ? 'ready' : 'not ready', service: definition.name, database: database ? 'up' : 'down' });
    },
    // Prometheus text: the subgraph's own metrics, then the event figures (read from the database,
    // so left out, not failed, while it is down).
    '/metrics': async (_request, response) => {
      let text = metrics.registry.render();
      if (events) text += await events.health().then((health) => eventMetricsText(definition.name, health), () => '');
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'content-length': Buffer.byteLength(text) });
      response.end(text);
    },
    // ADMIN reads the audit log: `GET /internal/audit?first=20&after=<endCursor>`, newest first.
    '/internal/audit': async (request, response) => {
      let principal: Principal | null;
      try {
        principal = principalFromAuthorization(request.headers.authorization, auth);
      } catch {
        principal = null;
      }
      if (!principal) return sendJson(response, 401, { errors: [{ message: 'A valid Authorization: Bearer token is required', extensions: { code: ErrorCode.UNAUTHENTICATED } }] });
      if (principal.role !== 'ADMIN') return sendJson(response, 403, { errors: [{ message: 'The audit log is for ADMIN only', extensions: { code: ErrorCode.FORBIDDEN } }] });
      const search = request.query;
      try {
        sendJson(response, 200, await auditLog.page(Number(search.get('first') ?? 20), search.get('after')));
      } catch (error) {
        sendJson(response, 400, { errors: [{ message: error instanceof Error ? error.message : 'Bad request', extensions: { code: ErrorCode.BAD_USER_INPUT } }] });
      }
    },
    ...events?.routes,
    ...definition.routes,
  };

  const server = createGraphQLHttpServer<RequestContext>({
    apollo,
    logger,
    routes,
    tracer,
    preHandlers: [shedder.preHandler],
    context: async (request, requestId, span) => {
      let principal: Principal | null;
      try {
        principal = principalFromAuthorization(request.headers.authorization, auth);
      } catch (error) {
        // Apollo Server answers context errors with their extensions.http status.
        throw new GraphQLError(error instanceof Error ? error.message : 'Invalid token', {
          extensions: { code: ErrorCode.UNAUTHENTICATED, http: { status: 401 } },
        });
      }
      // The W3C trace the gateway sends in `traceparent`, so one id finds the request in every log, and
      // the events it publishes continue its trace.
      const caller = span ? null : parseTraceparent(request.headers.traceparent);
      const traceparent = span?.traceparent ?? (caller ? formatTraceparent(caller.traceId, caller.spanId, caller.flags) : undefined);
      const traceId = span?.traceId ?? caller?.traceId;
      return definition.createContext({
        principal,
        requestId,
        logger: logger.child(traceId ? { requestId, traceId } : { requestId }),
        correlation: traceparent ? { requestId, traceparent } : { requestId },
        ...(span ? { span } : {}),
      });
    },
  });
  // Stop accepting and wait for in-flight requests before Apollo Server stops (graceful shutdown).
  apollo.addPlugin(ApolloServerPluginDrainHttpServer({ httpServer: server }));

  return {
    name: definition.name,
    apollo,
    httpServer: server,
    store,
    events,
    async start(port, host = '127.0.0.1') {
      await store.ensureIndexes(definition.indexes);
      await store.ensureIndexes(AUDIT_INDEXES);
      if (events) await store.ensureIndexes(events.indexes);
      await apollo.start();
      const bound = await listen(server, port, host);
      if (events && options.events) await events.start();
      return `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${bound}/graphql`;
    },
    async stop() {
      await events?.stop();
      await apollo.stop();
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
      metrics.close();
      // Last: the spans of the requests and deliveries that just finished go out.
      await tracer?.shutdown();
    },
  };
}
