/**
 * The whole estate in one test process: a database, the five subgraphs (each its own HTTP server and
 * its own database), and the gateway in front of them — real HTTP everywhere. Start it once per test
 * file.
 */
import { buildGateway, type GatewayServer } from '../../gateway/src/server';
import { readGatewayConfig } from '../../gateway/src/config';
import { buildCustomersServer } from '../../subgraphs/customers/src/server';
import { buildInventoryServer } from '../../subgraphs/inventory/src/server';
import { buildLoyaltyServer } from '../../subgraphs/loyalty/src/server';
import { buildMessagingServer } from '../../subgraphs/messaging/src/server';
import { buildOrdersServer, createOrdersBuilder } from '../../subgraphs/orders/src/server';
import type { EventOptions } from '../../subgraphs/kit/src/events/eventOptions';
import { SUBGRAPH_NAMES, createLogger, freePort, type LocalDatabase, type SubgraphBuilder, type SubgraphName, type TracingConfig } from '../../subgraphs/kit/src';
import { seedEstate } from '../../scripts/seed/seedEstate';
import type { DemoDataset } from '../../scripts/seed/demoDataset';
import { startSubgraph, startTestDatabase, testAuth, testLogLevel, type RunningSubgraph } from './testkit';

/** Every subgraph's builder. */
export const BUILDERS: Record<SubgraphName, SubgraphBuilder> = {
  customers: buildCustomersServer,
  inventory: buildInventoryServer,
  orders: buildOrdersServer,
  loyalty: buildLoyaltyServer,
  messaging: buildMessagingServer,
};

/** A running estate. */
export interface RunningEstate {
  database: LocalDatabase;
  subgraphs: Record<SubgraphName, RunningSubgraph>;
  gateway: GatewayServer;
  /** The gateway's GraphQL URL. */
  url: string;
  /**
   * Another gateway (not started) in front of this estate's subgraphs, read from `env` over their
   * `<NAME>_URL`s (which `env` may override), silent, with the test signing key.
   */
  buildGateway(env?: NodeJS.ProcessEnv): GatewayServer;
  /** Database round trips so far, summed over the five subgraphs. */
  commandCount(): number;
  /** Stops one subgraph (to test failures); `restart` brings it back on the same port. */
  stopSubgraph(name: SubgraphName): Promise<void>;
  restartSubgraph(name: SubgraphName): Promise<void>;
  stop(): Promise<void>;
}

/** Options for {@link startEstate}. */
export interface StartEstateOptions {
  /** Prefix of the database names, unique per test file. */
  databasePrefix: string;
  /** Seeds these sizes of demo data first (after `prepare` edits the dataset). */
  seed?: { customers: number; orders: number; products: number; prepare?: (dataset: DemoDataset) => void };
  /**
   * Domain events: relays and consumers run with these options (subscriber URLs are filled in), or
   * `false` to leave events in `pendingEvents`. @default {} (HTTP push between the in-process subgraphs)
   */
  events?: EventOptions | false;
  /** More gateway environment (e.g. `CIRCUIT_OPEN_MS`, `SUPERGRAPH_PATH`), read by `readGatewayConfig`. */
  gatewayEnv?: NodeJS.ProcessEnv;
  /** Every process exports spans with these settings (to an OTLP collector stand-in). @default none */
  tracing?: TracingConfig;
}

/** Starts the estate (see module comment). */
export async function startEstate(options: StartEstateOptions): Promise<RunningEstate> {
  const database = await startTestDatabase();
  const databaseNameOf = (name: SubgraphName) => `${options.databasePrefix}_${name}`;
  if (options.seed) {
    const { prepare, ...sizes } = options.seed;
    await seedEstate({ uri: database.uri, reset: true, ...sizes, databaseNameOf, ...(prepare ? { prepare } : {}) });
  }
  // Ports first: orders must know inventory's URL, and each relay its subscribers', before they start.
  const ports = {} as Record<SubgraphName, number>;
  for (const name of SUBGRAPH_NAMES) ports[name] = await freePort();
  const urlOf = (name: SubgraphName) => `http://127.0.0.1:${ports[name]}/graphql`;
  const builders: Record<SubgraphName, SubgraphBuilder> = { ...BUILDERS, orders: createOrdersBuilder({ inventoryUrl: urlOf('inventory') }) };
  const subscriberUrls = Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, urlOf(name)]));
  const events = options.events === false ? undefined : { relayIntervalMs: 100, ...options.events, subscriberUrls: { ...subscriberUrls, ...options.events?.subscriberUrls } };
  const startOne = (name: SubgraphName) =>
    startSubgraph(name, builders[name], database, { databaseName: databaseNameOf(name), port: ports[name], ...(events ? { events } : {}), ...(options.tracing ? { tracing: options.tracing } : {}) });
  const subgraphs = {} as Record<SubgraphName, RunningSubgraph>;
  for (const name of SUBGRAPH_NAMES) subgraphs[name] = await startOne(name);
  const gatewayConfig = (env: NodeJS.ProcessEnv = {}) => {
    const urls = Object.fromEntries(SUBGRAPH_NAMES.map((name) => [`${name.toUpperCase()}_URL`, subgraphs[name].url]));
    return { ...readGatewayConfig({ PORT: '0', ...urls, ...env }), auth: testAuth };
  };
  const config = { ...gatewayConfig(options.gatewayEnv), ...(options.tracing ? { tracing: options.tracing } : {}) };
  const gateway = buildGateway({ config, logger: createLogger('gateway', testLogLevel()) });
  const url = await gateway.start();

  return {
    database,
    subgraphs,
    gateway,
    url,
    buildGateway: (env) => buildGateway({ config: gatewayConfig(env), logger: createLogger('gateway', 'silent') }),
    commandCount: () => SUBGRAPH_NAMES.reduce((sum, name) => sum + subgraphs[name].store.commandCount, 0),
    async stopSubgraph(name) {
      await subgraphs[name].server.stop();
    },
    async restartSubgraph(name) {
      await subgraphs[name].store.close();
      subgraphs[name] = await startOne(name);
    },
    async stop() {
      await gateway.stop();
      for (const name of SUBGRAPH_NAMES) await subgraphs[name].stop().catch(() => undefined);
      await database.stop();
    },
  };
}
