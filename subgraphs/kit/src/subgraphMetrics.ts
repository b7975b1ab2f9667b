/**
 * What a subgraph measures for `/metrics` (Prometheus text), next to its event figures
 * (events/outboxStats.ts) and its load-shedding counters (loadShedder.ts): GraphQL requests and their
 * latency by operation name, errors by `extensions.code`, database round trips and their latency by
 * command, and the process's memory, CPU and event-loop delay. Every series carries `service`.
 *
 * The operation names a subgraph sees are the gateway's (`Customer360__orders__1`: the client's
 * operation, the subgraph, the fetch), so latency by operation reads as "this subgraph's share of
 * that client operation". Bounded like the gateway's: the first 200 names, then `other`.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { CommandFailedEvent, CommandSucceededEvent } from 'mongodb';
import type { GraphQLFormattedError } from 'graphql';
import { ErrorCode } from './errors';
import { BoundedLabelValues, Counter, Histogram, MetricRegistry } from './metricRegistry';
import type { Logger } from './logger';
import { isHousekeepingCommand, type MongoStore } from './mongo';
import { registerProcessMetrics } from './processMetrics';
import type { Span } from './telemetry/tracer';

/** What the plugin reads of a subgraph's request context (`RequestContext` has it). */
interface TelemetryContext {
  logger: Logger;
  span?: Span;
}

/** Codes that mean the server failed, not the request: they mark the request's span as an error. */
const SERVER_FAULT_CODES: ReadonlySet<string> = new Set([ErrorCode.INTERNAL_SERVER_ERROR, ErrorCode.DATABASE_UNAVAILABLE, ErrorCode.SUBGRAPH_UNAVAILABLE, ErrorCode.OVERLOADED]);

/** Database latency buckets, seconds: most commands take a millisecond or two. */
const DATABASE_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** The `extensions.code` of each error of a response (`UNKNOWN` when it has none). */
export function errorCodesOf(errors: readonly GraphQLFormattedError[] | undefined): string[] {
  return errors ? errors.map((error) => String(error.extensions?.code ?? 'UNKNOWN')) : [];
}

/** True when one of `codes` is a failure of the server rather than of the request. */
export function hasServerFault(codes: readonly string[]): boolean {
  return codes.some((code) => SERVER_FAULT_CODES.has(code));
}

/** One subgraph's metrics (see module comment). */
export class SubgraphMetrics {
  readonly registry = new MetricRegistry();
  readonly requests: Counter;
  readonly requestDuration: Histogram;
  readonly errors: Counter;
  readonly databaseCommands: Counter;
  readonly databaseFailures: Counter;
  readonly databaseDuration: Histogram;
  private readonly operations = new BoundedLabelValues(200);
  private readonly detach: () => void;

  constructor(
    readonly service: string,
    store: MongoStore,
  ) {
    const r = this.registry;
    this.requests = r.register(new Counter('zocalo_subgraph_requests_total', 'GraphQL requests by operation name.'));
    this.requestDuration = r.register(new Histogram('zocalo_subgraph_request_duration_seconds', 'GraphQL request latency by operation name.'));
    this.errors = r.register(new Counter('zocalo_subgraph_errors_total', 'Errors returned by extensions.code.'));
    this.databaseCommands = r.register(new Counter('zocalo_subgraph_database_commands_total', 'Database round trips by command (driver housekeeping not counted).'));
    this.databaseFailures = r.register(new Counter('zocalo_subgraph_database_command_failures_total', 'Database commands that failed, by command.'));
    this.databaseDuration = r.register(new Histogram('zocalo_subgraph_database_command_duration_seconds', 'Database round-trip latency by command.', DATABASE_BUCKETS));
    registerProcessMetrics(r, { service });
    this.detach = this.watchDatabase(store);
  }

  /** A GraphQL request ended: its operation name, seconds taken and the codes of its errors. */
  requestEnded(operationName: string | null | undefined, seconds: number, errorCodes: readonly string[]): void {
    const labels = { service: this.service, operation: this.operations.of(operationName) };
    this.requests.inc(labels);
    this.requestDuration.observe(labels, seconds);
    for (const code of errorCodes) this.errors.inc({ service: this.service, code });
  }

  /** Stops watching the database driver (the server stops). */
  close(): void {
    this.detach();
  }

  // Private: the driver reports every command it finished (`monitorCommands` is on in MongoStore), with
  // its duration; the same events the query-budget counters use, so the two always agree.
  private watchDatabase(store: MongoStore): () => void {
    const succeeded = (event: CommandSucceededEvent) => {
      if (isHousekeepingCommand(event.commandName)) return;
      const labels = { service: this.service, command: event.commandName };
      this.databaseCommands.inc(labels);
      this.databaseDuration.observe(labels, event.duration / 1000);
    };
    const failed = (event: CommandFailedEvent) => {
      if (isHousekeepingCommand(event.commandName)) return;
      const labels = { service: this.service, command: event.commandName };
      this.databaseCommands.inc(labels);
      this.databaseFailures.inc(labels);
      this.databaseDuration.observe(labels, event.duration / 1000);
    };
    store.client.on('commandSucceeded', succeeded);
    store.client.on('commandFailed', failed);
    return () => {
      store.client.off('commandSucceeded', succeeded);
      store.client.off('commandFailed', failed);
    };
  }
}

/**
 * The Apollo Server plugin of every subgraph: feeds {@link SubgraphMetrics}, names the request's span
 * after its operation (with its type, name and error codes), and writes one `debug` log line per
 * request — operation, duration, error codes — with the request and trace ids of the context's logger.
 */
export function subgraphMetricsPlugin(metrics: SubgraphMetrics): ApolloServerPlugin<TelemetryContext> {
  return {
    async requestDidStart({ contextValue }) {
      const started = performance.now();
      return {
        async didResolveOperation({ operation, operationName }) {
          const span = contextValue.span;
          if (!span || !operation) return;
          span.name = operationName ? `${operation.operation} ${operationName}` : operation.operation;
          span.setAttributes({ 'graphql.operation.type': operation.operation, 'graphql.operation.name': operationName ?? undefined });
        },
        async willSendResponse({ response, operationName }) {
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : response.body.initialResult.errors;
          const codes = errorCodesOf(errors);
          const seconds = (performance.now() - started) / 1000;
          metrics.requestEnded(operationName, seconds, codes);
          if (codes.length > 0) {
            contextValue.span?.setAttributes({ 'graphql.error.codes': [...new Set(codes)].join(',') });
            if (hasServerFault(codes)) contextValue.span?.setError(`GraphQL errors: ${[...new Set(codes)].join(', ')}`);
          }
          contextValue.logger.debug('graphql request', { operation: operationName ?? null, durationMs: Math.round(seconds * 1000), errors: codes });
        },
      };
    },
  };
}
