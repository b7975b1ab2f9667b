/**
 * The shared test kit: start a database once per file, build a subgraph or the gateway in-process
 * against it, mint a token for any role, run an operation over real HTTP. Keeps each test a few lines.
 */
import {
  MongoStore,
  createLogger,
  databaseNameOf,
  readAuthConfig,
  signToken,
  type LocalDatabase,
  type LogLevel,
  type Role,
  type SubgraphBuilder,
  type SubgraphName,
  type SubgraphServer,
  type Logger,
  type TracingConfig,
} from '../../subgraphs/kit/src';
import { startLocalDatabase } from '../../subgraphs/kit/src/localDatabase';
import type { EventOptions } from '../../subgraphs/kit/src/events/eventOptions';

/** The dev auth config every test process shares with the servers it builds. */
export const testAuth = readAuthConfig({});

/** The log level of the estates tests start: silent, unless `TEST_LOG_LEVEL` (e.g. `debug`) asks, to see why a test failed. */
export function testLogLevel(): LogLevel {
  const level = process.env.TEST_LOG_LEVEL;
  return level === 'debug' || level === 'info' || level === 'warn' || level === 'error' ? level : 'silent';
}

/** Starts a database for this test file (memory backend; honours MONGODB_URI if set). */
export function startTestDatabase(): Promise<LocalDatabase> {
  return startLocalDatabase({ mode: 'memory' });
}

/** A token for `role`; `sub` defaults to `<role>-test`, `storeId` for associates. */
export function tokenFor(role: Role, sub = `${role.toLowerCase()}-test`, storeId?: string): string {
  return signToken({ sub, role, ...(storeId ? { storeId } : {}) }, testAuth);
}

/** A running in-process subgraph. */
export interface RunningSubgraph {
  name: SubgraphName;
  url: string;
  store: MongoStore;
  server: SubgraphServer;
  stop(): Promise<void>;
}

/** Options for {@link startSubgraph}. */
export interface StartSubgraphOptions {
  /** Database name; a unique one per test file keeps files independent. @default `zocalo_<name>_test` */
  databaseName?: string;
  /** @default 0 (any free port) */
  port?: number;
  /** Runs the event relay / NATS consumer with these options. @default none (events stay in `pendingEvents`) */
  events?: EventOptions;
  /** Exports spans (an OTLP collector stand-in). @default none */
  tracing?: TracingConfig;
  /** `MAX_IN_FLIGHT_REQUESTS`. @default 512 */
  maxInFlightRequests?: number;
  /** Where the subgraph logs. @default silent */
  logger?: Logger;
}

/** Builds subgraph `name` with `build` against `database` and listens on a free port. */
export async function startSubgraph(name: SubgraphName, build: SubgraphBuilder, database: LocalDatabase, options: StartSubgraphOptions = {}): Promise<RunningSubgraph> {
  const store = await MongoStore.connect({ uri: database.uri, databaseName: options.databaseName ?? `${databaseNameOf(name)}_test` });
  const server = build({
    store,
    auth: testAuth,
    logger: options.logger ?? createLogger(name, testLogLevel()),
    ...(options.events ? { events: options.events } : {}),
    ...(options.tracing ? { tracing: options.tracing } : {}),
    ...(options.maxInFlightRequests !== undefined ? { maxInFlightRequests: options.maxInFlightRequests } : {}),
  });
  const url = await server.start(options.port ?? 0);
  return {
    name,
    url,
    store,
    server,
    async stop() {
      await server.stop();
      await store.close();
    },
  };
}

/** The result of {@link execute}. */
export interface GraphQLResponse<TData = Record<string, unknown>> {
  status: number;
  data?: TData | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
  extensions?: Record<string, unknown>;
}

/** Sends one GraphQL operation over HTTP (POST, JSON) with an optional bearer token. */
export async function execute<TData = Record<string, unknown>>(url: string, query: string, variables: Record<string, unknown> = {}, token?: string, headers: Record<string, string> = {}): Promise<GraphQLResponse<TData>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as Omit<GraphQLResponse<TData>, 'status'>;
  return { status: response.status, ...body };
}

/** The `extensions.code` of each error, for terse assertions. */
export function errorCodes(response: GraphQLResponse<unknown>): unknown[] {
  return (response.errors ?? []).map((error) => error.extensions?.code);
}
