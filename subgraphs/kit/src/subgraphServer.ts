/**
 * Builds a subgraph from its SDL file and resolvers: an `@apollo/subgraph` schema in Apollo Server
 * behind the kit's HTTP front, with the principal and request-scoped loaders in the context, errors
 * masked, `/health` and `/ready`. Building does not listen (tests build in-process); `start` listens.
 */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { GraphQLError, parse } from 'graphql';
import type { Principal } from './auth/principal';
import { principalFromAuthorization, type AuthConfig } from './auth/tokens';
import type { SubgraphName } from './estate';
import { ErrorCode, formatError } from './errors';
import { createGraphQLHttpServer, listen, sendJson, type RouteHandler } from './http';
import type { Logger } from './logger';
import type { IndexDeclaration, MongoStore } from './mongo';
import { schemaPath } from './paths';
import { DateTimeScalar } from './scalars';

/** What every resolver of every subgraph finds in its context. */
export interface RequestContext {
  /** The verified caller, or null for an anonymous request. */
  principal: Principal | null;
  /** Travels in `x-request-id` from the gateway. */
  requestId: string;
  logger: Logger;
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
}

/** Options for {@link buildSubgraphServer}. */
export interface SubgraphServerOptions {
  store: MongoStore;
  auth: AuthConfig;
  logger: Logger;
  /** Allow introspection (the gateway and tools compose from `_service`, not introspection). @default true */
  introspection?: boolean;
}

/** A built subgraph, not yet listening. */
export interface SubgraphServer {
  name: SubgraphName;
  apollo: ApolloServer<RequestContext>;
  httpServer: Server;
  store: MongoStore;
  /** Creates indexes, starts Apollo Server and listens; resolves with the GraphQL URL. */
  start(port: number, host?: string): Promise<string>;
  /** Stops accepting, finishes in-flight requests, then closes nothing else (the owner closes the store). */
  stop(): Promise<void>;
}

/** Reads `schema/<name>.graphql`. */
export function loadSubgraphTypeDefs(name: SubgraphName) {
  return parse(readFileSync(schemaPath(`${name}.graphql`), 'utf8'));
}

/** Builds the subgraph (see module comment). */
export function buildSubgraphServer<TContext extends RequestContext>(definition: SubgraphDefinition<TContext>, options: SubgraphServerOptions): SubgraphServer {
  const { store, auth, logger } = options;
  const schema = buildSubgraphSchema([
    { typeDefs: loadSubgraphTypeDefs(definition.name), resolvers: { DateTime: DateTimeScalar, ...definition.resolvers } as GraphQLResolverMap<unknown> },
  ]);

  const apollo = new ApolloServer<RequestContext>({
    schema,
    introspection: options.introspection ?? true,
    includeStacktraceInErrorResponses: false,
    formatError: (formatted, error) =>
      formatError(formatted, error, { onMasked: (masked, original) => logger.error('masked error', { error: original, path: masked.path }) }),
    // Inline tracing (ftv1) costs every request and only Apollo Studio reads it.
    plugins: [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginInlineTraceDisabled()],
  });

  const routes: Record<string, RouteHandler> = {
    '/health': (_request, response) => sendJson(response, 200, { status: 'ok', service: definition.name }),
    '/ready': async (_request, response) => {
      const database = await store.isReachable();
      sendJson(response, database ? 200 : 503, { status: database ? 'ready' : 'not ready', service: definition.name, database: database ? 'up' : 'down' });
    },
    ...definition.routes,
  };

  const server = createGraphQLHttpServer<RequestContext>({
    apollo,
    logger,
    routes,
    context: async (request, requestId) => {
      let principal: Principal | null;
      try {
        principal = principalFromAuthorization(request.headers.authorization, auth);
      } catch (error) {
        // Apollo Server answers context errors with their extensions.http status.
        throw new GraphQLError(error instanceof Error ? error.message : 'Invalid token', {
          extensions: { code: ErrorCode.UNAUTHENTICATED, http: { status: 401 } },
        });
      }
      return definition.createContext({ principal, requestId, logger: logger.child({ requestId }) });
    },
  });
  // Stop accepting and wait for in-flight requests before Apollo Server stops (graceful shutdown).
  apollo.addPlugin(ApolloServerPluginDrainHttpServer({ httpServer: server }));

  return {
    name: definition.name,
    apollo,
    httpServer: server,
    store,
    async start(port, host = '127.0.0.1') {
      await store.ensureIndexes(definition.indexes);
      await apollo.start();
      const bound = await listen(server, port, host);
      return `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${bound}/graphql`;
    },
    async stop() {
      await apollo.stop();
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
