/**
 * The process entry of a subgraph (`subgraphs/<name>/src/index.ts` calls only this): read the config,
 * find the database, build, listen, and shut down gracefully on SIGTERM/SIGINT — stop the event relay
 * and consumer (in-flight deliveries finish), stop accepting, finish in-flight requests, then close
 * MongoDB — all within `SHUTDOWN_TIMEOUT_MS`, and promptly even when the database is gone (a drain
 * stuck on it is cut short, and the close is bounded: see `stopServer` and `MongoStore.close`).
 * Event options (transport, relay pace) come from the environment: see `readEventOptions`.
 */
import { readSubgraphConfig } from './config';
import { readEventOptions } from './events/eventOptions';
import type { SubgraphName } from './estate';
import { resolveMongoUri } from './localDatabase';
import { createLogger, type Logger } from './logger';
import { MongoStore, STORE_CLOSE_WITHIN_MS } from './mongo';
import type { SubgraphServer, SubgraphServerOptions } from './subgraphServer';

/** Builds a subgraph from its options; each subgraph's `server.ts` exports one. */
export type SubgraphBuilder = (options: SubgraphServerOptions) => SubgraphServer;

/** Starts subgraph `name` as a process; exits with 1 and a clear log line if it cannot start. */
export async function runSubgraph(name: SubgraphName, build: SubgraphBuilder): Promise<void> {
  const logger = createLogger(name);
  try {
    const config = readSubgraphConfig(name);
    const events = readEventOptions();
    const uri = await resolveMongoUri((line) => logger.info(line));
    const store = await MongoStore.connect({ uri, databaseName: config.databaseName });
    const server = build({
      store,
      auth: config.auth,
      logger,
      introspection: !config.production || process.env.INTROSPECTION === 'true',
      events,
      maxInFlightRequests: config.maxInFlightRequests,
      tracing: config.tracing,
    });
    const url = await server.start(config.port, config.host);
    logger.info(`${name} subgraph ready at ${url}`, {
      database: config.databaseName,
      events: events.natsUrl ? 'nats' : 'http',
      maxInFlightRequests: config.maxInFlightRequests,
      traces: config.tracing ? config.tracing.endpoint : 'off',
    });

    // A stray rejected promise (a driver callback during a database outage, say) must not take the
    // process down with every request in it: log it in full and keep serving; /ready tells the truth.
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
        // A second signal: the operator does not want to wait for the drain.
        logger.warn(`${signal} again: exiting without waiting for the drain`);
        process.exit(1);
      }
      stopping = true;
      firstSignalAt = Date.now();
      const graceMs = shutdownGraceMs();
      logger.info(`${signal}: stopping events, draining HTTP, then closing MongoDB`, { graceMs });
      // The drain waits for in-flight requests; one that never ends must not keep the process forever.
      setTimeout(() => {
        logger.error(`shutdown took longer than ${graceMs} ms; exiting`);
        process.exit(1);
      }, graceMs).unref();
      let code = 0;
      try {
        const closeWithinMs = Math.min(STORE_CLOSE_WITHIN_MS, Math.floor(graceMs / 4));
        const closedEarly = await stopServer(server, store, logger, closeWithinMs);
        if (!closedEarly) await store.close({ withinMs: closeWithinMs, logger });
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
    logger.error(`${name} subgraph could not start`, { error });
    process.exit(1);
  }
}

/** How long a drain may take before shutdown checks whether the database still answers, and that check's own bound. */
const DRAIN_CHECK_MS = 1_000;

/**
 * Stops the server (events, then HTTP). Its drain — a relay pass, requests in flight — may be waiting
 * on a database that no longer answers: a command on the wire waits for its answer without a time
 * limit, and a new connection's handshake for the driver's 30 s connect timeout, so such a drain would
 * last the whole grace. While the drain is slow the database is pinged; once it does not answer, the
 * store is closed under the drain (bounded): the commands in flight fail at once (requests answer
 * DATABASE_UNAVAILABLE; the relay's state is in the database, so an interrupted pass costs at most a
 * redelivery), and what still waits for a handshake after that bound is left behind. Resolves true
 * when it closed the store.
 */
async function stopServer(server: SubgraphServer, store: MongoStore, logger: Logger, closeWithinMs: number): Promise<boolean> {
  const stopped = server.stop();
  const settled = stopped.then(
    () => true,
    () => true,
  );
  for (;;) {
    if (await settlesWithin(settled, DRAIN_CHECK_MS)) break;
    if (!(await store.isReachable(DRAIN_CHECK_MS))) {
      logger.warn('the database does not answer; closing it so the drain stops waiting for it');
      const closing = store.close({ withinMs: closeWithinMs, logger });
      const drained = await settlesWithin(settled, closeWithinMs);
      await closing;
      if (!drained) {
        logger.warn('the drain still waits for the database; stopping without it');
        return true;
      }
      await stopped;
      return true;
    }
  }
  await stopped;
  return false;
}

/** True when `promise` (which must not reject) settles within `ms`. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** `SHUTDOWN_TIMEOUT_MS`: the longest a graceful stop may take before the process exits anyway. @default 20000 */
function shutdownGraceMs(): number {
  const value = Number(process.env.SHUTDOWN_TIMEOUT_MS);
  return Number.isInteger(value) && value > 0 ? value : 20_000;
}
