/**
 * A subgraph's configuration from the environment, typed and validated: a bad value stops the process
 * at start with a message naming the variable, rather than failing on the first request.
 */
import { readAuthConfig, type AuthConfig } from './auth/tokens';
import { DEFAULT_PORTS, databaseNameOf, type SubgraphName } from './estate';
import { readMaxInFlightRequests } from './loadShedder';
import { readTracingConfig, type TracingConfig } from './telemetry/tracingConfig';

/** Everything a subgraph process reads from its environment. */
export interface SubgraphConfig {
  name: SubgraphName;
  /** `PORT`. @default the subgraph's default port (4001–4005) */
  port: number;
  /** `HOST`. @default "127.0.0.1" (docker-compose sets 0.0.0.0) */
  host: string;
  /** `MONGODB_DB`. @default `zocalo_<name>` */
  databaseName: string;
  /** `NODE_ENV=production`. */
  production: boolean;
  auth: AuthConfig;
  /** `MAX_IN_FLIGHT_REQUESTS`: requests served at once before 503 OVERLOADED; 0 = unbounded. @default 512 */
  maxInFlightRequests: number;
  /** `OTEL_EXPORTER_OTLP_ENDPOINT` and the other `OTEL_*` variables: trace export, or null when off. */
  tracing: TracingConfig | null;
}

/** Parses a TCP port variable, naming it in the error. */
export function readPort(env: NodeJS.ProcessEnv, variable: string, fallback: number): number {
  const raw = env[variable];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${variable} must be a port number 0–65535, got ${JSON.stringify(raw)}`);
  return port;
}

/** Reads and validates the configuration of subgraph `name`. */
export function readSubgraphConfig(name: SubgraphName, env: NodeJS.ProcessEnv = process.env): SubgraphConfig {
  const databaseName = env.MONGODB_DB ?? databaseNameOf(name);
  if (!/^[A-Za-z0-9_-]{1,63}$/.test(databaseName)) throw new Error(`MONGODB_DB must be a plain database name, got ${JSON.stringify(databaseName)}`);
  return {
    name,
    port: readPort(env, 'PORT', DEFAULT_PORTS[name]),
    host: env.HOST ?? '127.0.0.1',
    databaseName,
    production: env.NODE_ENV === 'production',
    auth: readAuthConfig(env),
    maxInFlightRequests: readMaxInFlightRequests(env),
    tracing: readTracingConfig(env),
  };
}
