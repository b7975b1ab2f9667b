/**
 * The process entry of a subgraph (`subgraphs/<name>/src/index.ts` calls only this): read the config,
 * find the database, build, listen, and shut down gracefully on SIGTERM/SIGINT — stop accepting, finish
 * in-flight requests, then close MongoDB.
 */
import { readSubgraphConfig } from './config';
import type { SubgraphName } from './estate';
import { resolveMongoUri } from './localDatabase';
import { createLogger } from './logger';
import { MongoStore } from './mongo';
import type { SubgraphServer, SubgraphServerOptions } from './subgraphServer';

/** Builds a subgraph from its options; each subgraph's `server.ts` exports one. */
export type SubgraphBuilder = (options: SubgraphServerOptions) => SubgraphServer;

/** Starts subgraph `name` as a process; exits with 1 and a clear log line if it cannot start. */
export async function runSubgraph(name: SubgraphName, build: SubgraphBuilder): Promise<void> {
  const logger = createLogger(name);
  try {
    const config = readSubgraphConfig(name);
    const uri = await resolveMongoUri((line) => logger.info(line));
    const store = await MongoStore.connect({ uri, databaseName: config.databaseName });
    const server = build({ store, auth: config.auth, logger, introspection: !config.production || process.env.INTROSPECTION === 'true' });
    const url = await server.start(config.port, config.host);
    logger.info(`${name} subgraph ready at ${url}`, { database: config.databaseName });

    let stopping = false;
    const shutdown = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info(`${signal}: closing HTTP, then MongoDB`);
      try {
        await server.stop();
        await store.close();
      } finally {
        process.exit(0);
      }
    };
    process.on('SIGTERM', () => void shutdown('SIGTERM'));
    process.on('SIGINT', () => void shutdown('SIGINT'));
  } catch (error) {
    logger.error(`${name} subgraph could not start`, { error });
    process.exit(1);
  }
}
