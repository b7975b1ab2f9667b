/** Starts the gateway process; SIGTERM/SIGINT stop accepting, finish in-flight requests, then exit. */
import { createLogger } from '../../subgraphs/kit/src';
import { readGatewayConfig } from './config';
import { buildGateway } from './server';

async function main(): Promise<void> {
  const logger = createLogger('gateway');
  try {
    const config = readGatewayConfig();
    const gateway = buildGateway({ config, logger });
    const url = await gateway.start();
    logger.info(`gateway ready at ${url}`, { supergraph: config.supergraphPath });
    let stopping = false;
    const shutdown = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info(`${signal}: draining and stopping`);
      try {
        await gateway.stop();
      } finally {
        process.exit(0);
      }
    };
    process.on('SIGTERM', () => void shutdown('SIGTERM'));
    process.on('SIGINT', () => void shutdown('SIGINT'));
  } catch (error) {
    logger.error('gateway could not start', { error });
    process.exit(1);
  }
}

void main();
