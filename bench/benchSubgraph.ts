/**
 * A subgraph process for the benchmark: the same builder, configuration and database as
 * `subgraphs/<name>/src/index.ts` (via `runSubgraph`'s pieces), plus two counters the harness reads
 * over the IPC channel — database round trips (`MongoStore.commandCount`) and GraphQL requests served
 * (the gateway's subgraph fetches) — so each workload can show fetches and round trips per operation.
 *
 * Usage (by the harness): `node dist/bench/benchSubgraph.js <name>` (compiled; or `node --import tsx bench/benchSubgraph.ts <name>`) with `PORT`, `MONGODB_URI`,
 * `MONGODB_DB`, the `<NAME>_URL`s and `JWT_SIGNING_KEY` in the environment, and an IPC channel.
 */
import { buildCustomersServer } from '../subgraphs/customers/src/server';
import { buildInventoryServer } from '../subgraphs/inventory/src/server';
import {
  MongoStore,
  createLogger,
  isSubgraphName,
  readEventOptions,
  readSubgraphConfig,
  type SubgraphBuilder,
  type SubgraphName,
} from '../subgraphs/kit/src';
import { buildLoyaltyServer } from '../subgraphs/loyalty/src/server';
import { buildMessagingServer } from '../subgraphs/messaging/src/server';
import { buildOrdersServer } from '../subgraphs/orders/src/server';

const BUILDERS: Record<SubgraphName, SubgraphBuilder> = {
  customers: buildCustomersServer,
  inventory: buildInventoryServer,
  orders: buildOrdersServer,
  loyalty: buildLoyaltyServer,
  messaging: buildMessagingServer,
};

/** What the harness gets back for a `counters` message. */
export interface SubgraphCounters {
  name: SubgraphName;
  /** Database commands issued (driver housekeeping excluded). */
  commands: number;
  /** POSTs and GETs to `/graphql`. */
  graphqlRequests: number;
}

async function main(): Promise<void> {
  const name = process.argv[2];
  if (!isSubgraphName(name)) throw new Error(`usage: benchSubgraph.ts <subgraph>, got ${JSON.stringify(name)}`);
  const logger = createLogger(name, 'warn');
  const config = readSubgraphConfig(name);
  const uri = process.env.MONGODB_URI;
  if (!uri) throw new Error('MONGODB_URI is required');
  const store = await MongoStore.connect({ uri, databaseName: config.databaseName });
  const server = BUILDERS[name]({ store, auth: config.auth, logger, introspection: false, events: readEventOptions() });
  let graphqlRequests = 0;
  server.httpServer.prependListener('request', (request) => {
    if (request.url?.startsWith('/graphql')) graphqlRequests += 1;
  });
  await server.start(config.port, config.host);
  process.on('message', (message) => {
    if (message !== 'counters') return;
    const counters: SubgraphCounters = { name, commands: store.commandCount, graphqlRequests };
    process.send?.(counters);
  });
  const shutdown = async () => {
    await server.stop().catch(() => undefined);
    await store.close().catch(() => undefined);
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown());
  process.on('disconnect', () => void shutdown());
  process.send?.('ready');
}

main().catch((error: unknown) => {
  process.stderr.write(`bench subgraph failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
