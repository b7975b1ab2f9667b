/**
 * Starts the gateway process. SIGTERM/SIGINT: the server stops accepting connections, in-flight
 * requests finish (and their subgraph fetches), the supergraph watcher and connection pools close,
 * then the process exits; past SHUTDOWN_TIMEOUT_MS, or on a second signal, it exits at once.
 * Apollo's own usage telemetry is off unless `APOLLO_TELEMETRY_DISABLED` says otherwise (apolloTelemetry.ts).
 */
import { createLogger } from '../../subgraphs/kit/src';
import { disableApolloTelemetryUnlessSet } from './apolloTelemetry';
import { readGatewayConfig } from './config';
import { buildGateway } from './server';

async function main(): Promise<void> {
  const logger = createLogger('gateway');
  try {
    disableApolloTelemetryUnlessSet();
    const config = readGatewayConfig();
    const gateway = buildGateway({ config, logger });
    const url = await gateway.start();
    logger.info(`gateway ready at ${url}`, { supergraph: config.supergraphPath });
    // A stray rejected promise must not take the gateway down with every request in it: log it in
    // full and keep serving.
    process.on('unhandledRejection', (reason) => logger.error('unhandled promise rejection (process kept running)', { error: reason }));

    // Signals often come in pairs that mean one thing: Ctrl-C in a terminal reaches every process of
    // the group (SIGINT) while `npm start` also sends each child SIGTERM. Only a repeat that comes
    // later than REPEAT_WINDOW_MS is an operator who does not want to wait for the drain.
    const REPEAT_WINDOW_MS = 2_000;
    let stopping = false;
    let firstSignalAt = 0;
    const shutdown = async (signal: string) => {
      if (stopping && Date.now() - firstSignalAt < REPEAT_WINDOW_MS) return;
      if (stopping) {
        logger.warn(`${signal} again: exiting without waiting for the drain`);
        process.exit(1);
      }
      stopping = true;
      firstSignalAt = Date.now();
      logger.info(`${signal}: no new connections, draining in-flight requests, then stopping`, { graceMs: config.shutdownTimeoutMs });
      setTimeout(() => {
        logger.error(`shutdown took longer than ${config.shutdownTimeoutMs} ms; exiting`);
        process.exit(1);
      }, config.shutdownTimeoutMs).unref();
      let code = 0;
      try {
        await gateway.stop();
        logger.info('stopped');
      } catch (error) {
        logger.error('error while stopping', { error });
        code = 1;
      } finally {
        process.exit(code);
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
