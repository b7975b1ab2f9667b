/**
 * The gateway's configuration from environment variables, typed and validated at start: a bad value
 * stops the process with a message that names the variable.
 */
import { isAbsolute, join } from 'node:path';
import { DEFAULT_PORTS, SUBGRAPH_NAMES, readAuthConfig, readPort, repositoryRoot, urlVariableOf, type AuthConfig, type SubgraphName } from '../../subgraphs/kit/src';

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
  /** `INTROSPECTION`: allow introspection. @default true outside production */
  introspection: boolean;
  /** `MAX_BODY_BYTES`. @default 1048576 */
  maxBodyBytes: number;
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

/** Reads and validates the gateway configuration. */
export function readGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const production = env.NODE_ENV === 'production';
  const subgraphUrls: Partial<Record<SubgraphName, string>> = {};
  for (const name of SUBGRAPH_NAMES) {
    const variable = urlVariableOf(name);
    const raw = env[variable];
    if (raw === undefined || raw === '') continue;
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new Error(`${variable} must be an http(s) URL, got ${JSON.stringify(raw)}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`${variable} must be an http(s) URL, got ${JSON.stringify(raw)}`);
    subgraphUrls[name] = url.toString();
  }
  const supergraph = env.SUPERGRAPH_PATH ?? 'schema/supergraph.graphql';
  return {
    port: readPort(env, 'PORT', DEFAULT_PORTS.gateway),
    host: env.HOST ?? '127.0.0.1',
    supergraphPath: isAbsolute(supergraph) ? supergraph : join(repositoryRoot(), supergraph),
    subgraphUrls,
    subgraphTimeoutMs: readPositiveInt(env, 'SUBGRAPH_TIMEOUT_MS', 10_000),
    introspection: readBoolean(env, 'INTROSPECTION', !production),
    maxBodyBytes: readPositiveInt(env, 'MAX_BODY_BYTES', 1024 * 1024),
    production,
    auth: readAuthConfig(env),
  };
}
