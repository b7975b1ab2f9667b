/**
 * The gateway's configuration from environment variables, typed and validated at start: a bad value
 * stops the process with a message that names the variable.
 */
import { isAbsolute, join } from 'node:path';
import {
  DEFAULT_PORTS,
  SUBGRAPH_NAMES,
  readAuthConfig,
  readMaxInFlightRequests,
  readPort,
  readTracingConfig,
  repositoryRoot,
  urlVariableOf,
  type AuthConfig,
  type SubgraphName,
  type TracingConfig,
} from '../../subgraphs/kit/src';
import { readSubgraphFetchSharingConfig, type SubgraphFetchSharingConfig } from './performance/subgraphFetchSharing';

/** Everything the gateway reads from its environment. */
export interface GatewayConfig {
  /** `PORT`. @default 4000 */
  port: number;
  /** `HOST`. @default "127.0.0.1" */
  host: string;
  /** `SUPERGRAPH_PATH`: the supergraph to serve. @default "schema/supergraph.graphql" */
  supergraphPath: string;
  /** `<NAME>_URL` (e.g. `ORDERS_URL`): where to reach a subgraph instead of the URL in the supergraph. */
  subgraphUrls: Partial<Record<SubgraphName, string>>;
  /** `SUBGRAPH_TIMEOUT_MS`: longest wait for one subgraph fetch. @default 10000 */
  subgraphTimeoutMs: number;
  /**
   * `<NAME>_SUBGRAPH_TIMEOUT_MS` (`CUSTOMERS_SUBGRAPH_TIMEOUT_MS` … `MESSAGING_SUBGRAPH_TIMEOUT_MS`): a
   * subgraph's own fetch timeout, by name. Not `<NAME>_TIMEOUT_MS`: orders reads `INVENTORY_TIMEOUT_MS`
   * for its own calls to inventory, and one environment often feeds every process.
   */
  subgraphTimeoutsMs: Partial<Record<string, number>>;
  /** `SUBGRAPH_RETRIES`: retries of a failed query fetch (never of a mutation); 0 turns retries off. @default 2 */
  subgraphRetries: number;
  /** `SUBGRAPH_MAX_SOCKETS`: keep-alive connections per subgraph. @default 64 */
  subgraphMaxSockets: number;
  /** `CIRCUIT_FAILURE_THRESHOLD`: consecutive failed fetches that open a subgraph's circuit. @default 5 */
  circuitFailureThreshold: number;
  /** `CIRCUIT_OPEN_MS`: how long an open circuit fails fast before it lets one probe through. @default 5000 */
  circuitOpenMs: number;
  /** `SUPERGRAPH_URL`: poll the supergraph from this URL instead of reading `supergraphPath`. */
  supergraphUrl?: string;
  /** `SUPERGRAPH_POLL_MS`: how often `SUPERGRAPH_URL` is polled. @default 10000 */
  supergraphPollMs: number;
  /** `SUPERGRAPH_WATCH`: reload the supergraph file when it changes. @default true */
  supergraphWatch: boolean;
  /** `SHUTDOWN_TIMEOUT_MS`: the longest a graceful stop may take before the process exits anyway. @default 20000 */
  shutdownTimeoutMs: number;
  /** `INTROSPECTION`: allow introspection. @default true outside production */
  introspection: boolean;
  /** `MAX_BODY_BYTES`. @default 1048576 */
  maxBodyBytes: number;
  /** `MAX_IN_FLIGHT_REQUESTS`: requests served at once before 503 OVERLOADED (resilience/loadShedding.ts); 0 = unbounded. @default 512 */
  maxInFlightRequests: number;
  /** `OTEL_EXPORTER_OTLP_ENDPOINT` and the other `OTEL_*` variables: trace export, or null when off. */
  tracing: TracingConfig | null;
  /** `FETCH_DEDUPLICATION`, `PUBLIC_FETCH_CACHE_*`: sharing of subgraph answers (performance/subgraphFetchSharing.ts). */
  fetchSharing: SubgraphFetchSharingConfig;
  production: boolean;
  auth: AuthConfig;
}

function readBoolean(env: NodeJS.ProcessEnv, variable: string, fallback: boolean): boolean {
  const raw = env[variable];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new Error(`${variable} must be true or false, got ${JSON.stringify(raw)}`);
}

function readPositiveInt(env: NodeJS.ProcessEnv, variable: string, fallback: number): number {
  const raw = env[variable];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${variable} must be a positive integer, got ${JSON.stringify(raw)}`);
  return value;
}

function readNonNegativeInt(env: NodeJS.ProcessEnv, variable: string, fallback: number): number {
  const raw = env[variable];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${variable} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  return value;
}

function readHttpUrl(variable: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`${variable} must be an http(s) URL, got ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`${variable} must be an http(s) URL, got ${JSON.stringify(raw)}`);
  return url.toString();
}

/** Reads and validates the gateway configuration. */
export function readGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const production = env.NODE_ENV === 'production';
  const subgraphUrls: Partial<Record<SubgraphName, string>> = {};
  for (const name of SUBGRAPH_NAMES) {
    const variable = urlVariableOf(name);
    const raw = env[variable];
    if (raw === undefined || raw === '') continue;
    subgraphUrls[name] = readHttpUrl(variable, raw);
  }
  const supergraph = env.SUPERGRAPH_PATH ?? 'schema/supergraph.graphql';
  const subgraphTimeoutsMs: Partial<Record<string, number>> = {};
  for (const name of SUBGRAPH_NAMES) {
    // LOYALTY_SUBGRAPH_TIMEOUT_MS → loyalty; a supergraph's other subgraphs use SUBGRAPH_TIMEOUT_MS.
    const variable = `${name.toUpperCase()}_SUBGRAPH_TIMEOUT_MS`;
    if (env[variable] !== undefined && env[variable] !== '') subgraphTimeoutsMs[name] = readPositiveInt(env, variable, 0);
  }
  const supergraphUrl = env.SUPERGRAPH_URL ? readHttpUrl('SUPERGRAPH_URL', env.SUPERGRAPH_URL) : undefined;
  return {
    port: readPort(env, 'PORT', DEFAULT_PORTS.gateway),
    host: env.HOST ?? '127.0.0.1',
    supergraphPath: isAbsolute(supergraph) ? supergraph : join(repositoryRoot(), supergraph),
    subgraphUrls,
    subgraphTimeoutMs: readPositiveInt(env, 'SUBGRAPH_TIMEOUT_MS', 10_000),
    subgraphTimeoutsMs,
    subgraphRetries: readNonNegativeInt(env, 'SUBGRAPH_RETRIES', 2),
    subgraphMaxSockets: readPositiveInt(env, 'SUBGRAPH_MAX_SOCKETS', 64),
    circuitFailureThreshold: readPositiveInt(env, 'CIRCUIT_FAILURE_THRESHOLD', 5),
    circuitOpenMs: readPositiveInt(env, 'CIRCUIT_OPEN_MS', 5000),
    ...(supergraphUrl ? { supergraphUrl } : {}),
    supergraphPollMs: readPositiveInt(env, 'SUPERGRAPH_POLL_MS', 10_000),
    supergraphWatch: readBoolean(env, 'SUPERGRAPH_WATCH', true),
    shutdownTimeoutMs: readPositiveInt(env, 'SHUTDOWN_TIMEOUT_MS', 20_000),
    introspection: readBoolean(env, 'INTROSPECTION', !production),
    maxBodyBytes: readPositiveInt(env, 'MAX_BODY_BYTES', 1024 * 1024),
    maxInFlightRequests: readMaxInFlightRequests(env),
    tracing: readTracingConfig(env),
    fetchSharing: readSubgraphFetchSharingConfig(env),
    production,
    auth: readAuthConfig(env),
  };
}
