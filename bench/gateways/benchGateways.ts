/**
 * The three gateways compared, each started as its own process on the same supergraph and subgraphs:
 * - `zocalo`: Zócalo's gateway (`gateway/src/index.ts`, with its Node flags, gateway/src/nodeFlags.ts) in its production configuration — token
 *   verification, trusted documents enforced, operation limits, rate limiting (its limits raised so
 *   the load generator's few callers are not throttled; the buckets are still taken per request),
 *   fetch sharing (in-flight de-duplication, anonymous answers reused for 1 s). The fetch-sharing
 *   variables of {@link ZOCALO_TUNABLES}, when set for the benchmark itself, are passed on:
 *   `PUBLIC_FETCH_CACHE_TTL_MS=0 npm run bench` measures it without the public answer cache;
 * - `apollo`: plain `@apollo/gateway` in `@apollo/server` with default settings (`plainApolloGateway.ts`);
 * - `hive`: Hive Gateway (`@graphql-hive/gateway` CLI, one process, its defaults; `hiveGatewayConfig.ts`).
 * All three forward the caller's token; every subgraph verifies it again.
 */
import { join } from 'node:path';
import { freePort, repositoryRoot } from '../../subgraphs/kit/src';
import { GATEWAY_NODE_FLAGS } from '../../gateway/src/nodeFlags';
import { heapSnapshotFlags } from '../heapSnapshot';
import { entryArgs, startChild, waitForHttp, type BenchChild } from '../childProcess';

/** The gateway ids, in the order they run. */
export const GATEWAY_IDS = ['zocalo', 'apollo', 'hive'] as const;

/** One of {@link GATEWAY_IDS}. */
export type GatewayId = (typeof GATEWAY_IDS)[number];

/** Table labels. */
export const GATEWAY_LABELS: Record<GatewayId, string> = {
  zocalo: 'Zócalo',
  apollo: 'plain Apollo Gateway',
  hive: 'Hive Gateway',
};

/** A gateway that is running. */
export interface RunningGateway {
  id: GatewayId;
  url: string;
  /** Absent when the gateway runs elsewhere (`--url`): no CPU or memory figures then. */
  child?: BenchChild;
  stop(): Promise<void>;
}

/** Options for {@link startGateway}. */
export interface StartGatewayOptions {
  supergraphPath: string;
  /** The estate's shared environment (signing key, production mode, subgraph URLs). */
  env: NodeJS.ProcessEnv;
  /** Zócalo only: write a CPU profile here on exit. */
  cpuProfileDir?: string;
  /** Zócalo only: write heap snapshots on SIGUSR2 into this directory (../heapSnapshot.ts). */
  heapSnapshotDir?: string;
  /** Zócalo only: settings over everything else (a configuration variant, e.g. development mode). */
  zocaloEnv?: NodeJS.ProcessEnv;
}

/** Settings of Zócalo's gateway beyond the estate's: rate limits raised for a load generator. */
export const ZOCALO_BENCH_ENV: NodeJS.ProcessEnv = {
  RATE_LIMIT_PER_MINUTE: '100000000',
  RATE_LIMIT_ANONYMOUS_PER_MINUTE: '100000000',
  RATE_LIMIT_BURST: '1000000',
};

/** Zócalo settings a benchmark run may change from its own environment (see module comment). */
export const ZOCALO_TUNABLES = ['FETCH_DEDUPLICATION', 'PUBLIC_FETCH_SHARING', 'PUBLIC_FETCH_CACHE_TTL_MS', 'PUBLIC_FETCH_CACHE_ENTRIES', 'PUBLIC_FETCH_CACHE_MAX_BYTES'] as const;

/** The {@link ZOCALO_TUNABLES} set in `env`. */
export function zocaloTunablesOf(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const chosen: NodeJS.ProcessEnv = {};
  for (const name of ZOCALO_TUNABLES) if (env[name] !== undefined && env[name] !== '') chosen[name] = env[name];
  return chosen;
}

function commandOf(id: GatewayId, port: number, options: StartGatewayOptions): { args: string[]; env: NodeJS.ProcessEnv } {
  const root = repositoryRoot();
  const base = { ...options.env, PORT: String(port), SUPERGRAPH_PATH: options.supergraphPath };
  switch (id) {
    case 'zocalo':
      return {
        args: [...(options.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir] : []), ...(options.heapSnapshotDir ? heapSnapshotFlags(options.heapSnapshotDir) : []), ...GATEWAY_NODE_FLAGS, ...entryArgs('gateway/src/index.ts')],
        env: { ...base, ...ZOCALO_BENCH_ENV, ...zocaloTunablesOf(), ...options.zocaloEnv },
      };
    case 'apollo':
      return { args: entryArgs('bench/gateways/plainApolloGateway.ts'), env: base };
    case 'hive':
      return {
        args: [
          join(root, 'node_modules', '@graphql-hive', 'gateway', 'dist', 'bin.js'),
          'supergraph',
          options.supergraphPath,
          '--port',
          String(port),
          '--host',
          '127.0.0.1',
          '--fork',
          '1',
          '--config-path',
          join(root, 'bench', 'gateways', 'hiveGatewayConfig.ts'),
        ],
        env: base,
      };
    default: {
      const unreachable: never = id;
      throw new Error(`unknown gateway ${String(unreachable)}`);
    }
  }
}

/** Starts gateway `id` on a free port and waits until it answers HTTP. */
export async function startGateway(id: GatewayId, options: StartGatewayOptions): Promise<RunningGateway> {
  const port = await freePort();
  const { args, env } = commandOf(id, port, options);
  const child = startChild({ name: id, args, env });
  const url = `http://127.0.0.1:${port}/graphql`;
  try {
    await waitForHttp(child, url);
  } catch (error) {
    await child.stop();
    throw error;
  }
  return { id, url, child, stop: () => child.stop() };
}
