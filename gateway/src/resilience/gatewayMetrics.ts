/**
 * What the gateway measures for `/metrics`: requests and their latency by operation name, errors by
 * code, every subgraph fetch (outcome, latency, retries), circuit states, supergraph reloads, requests
 * in flight and the process's memory (the soak bench watches it stay flat).
 */
import { Counter, Gauge, Histogram, MetricRegistry } from './metricRegistry';
import type { CircuitState } from './circuitBreaker';

/** How a subgraph fetch ended. */
export type FetchOutcome = 'ok' | 'error' | 'timeout' | 'rejected';

/** Operation names seen as their own series; beyond this, "other" (clients choose names, the label set must stay bounded). */
const MAX_OPERATION_NAMES = 200;

const CIRCUIT_VALUES: Record<CircuitState, number> = { closed: 0, 'half-open': 1, open: 2 };

/** The gateway's metrics (see module comment). */
export class GatewayMetrics {
  readonly registry = new MetricRegistry();
  readonly requests = this.registry.register(new Counter('zocalo_gateway_requests_total', 'GraphQL requests by operation name.'));
  readonly requestDuration = this.registry.register(new Histogram('zocalo_gateway_request_duration_seconds', 'GraphQL request latency by operation name.'));
  readonly errors = this.registry.register(new Counter('zocalo_gateway_errors_total', 'Errors returned to clients by extensions.code.'));
  readonly subgraphFetches = this.registry.register(new Counter('zocalo_gateway_subgraph_fetches_total', 'Subgraph fetches by subgraph and outcome (ok, error, timeout, rejected by an open circuit).'));
  readonly subgraphDuration = this.registry.register(new Histogram('zocalo_gateway_subgraph_fetch_duration_seconds', 'Subgraph fetch latency (all attempts) by subgraph.'));
  readonly subgraphRetries = this.registry.register(new Counter('zocalo_gateway_subgraph_retries_total', 'Retried subgraph fetches by subgraph.'));
  readonly supergraphReloads = this.registry.register(new Counter('zocalo_gateway_supergraph_reloads_total', 'Supergraph reloads by result (applied, rejected).'));
  private inFlight = 0;
  private readonly operationNames = new Set<string>();

  constructor(circuitStates: () => Iterable<[string, CircuitState]>) {
    this.registry.register(
      new Gauge('zocalo_gateway_circuit_state', 'Circuit breaker per subgraph: 0 closed, 1 half-open, 2 open.', function* () {
        for (const [subgraph, state] of circuitStates()) yield [{ subgraph }, CIRCUIT_VALUES[state]];
      }),
    );
    this.registry.register(new Gauge('zocalo_gateway_requests_in_flight', 'GraphQL requests being executed.', () => [[{}, this.inFlight]]));
    this.registry.register(
      new Gauge('zocalo_process_memory_bytes', 'Memory of the gateway process by kind (rss, heapUsed, heapTotal, external).', () => {
        const usage = process.memoryUsage();
        return [
          [{ kind: 'rss' }, usage.rss],
          [{ kind: 'heapUsed' }, usage.heapUsed],
          [{ kind: 'heapTotal' }, usage.heapTotal],
          [{ kind: 'external' }, usage.external],
        ];
      }),
    );
  }

  /** A request entered execution. */
  requestStarted(): void {
    this.inFlight += 1;
  }

  /** A request ended: its operation name, seconds taken and the codes of the errors it returned. */
  requestEnded(operationName: string | null | undefined, seconds: number, errorCodes: readonly string[]): void {
    this.inFlight -= 1;
    const operation = this.operationLabel(operationName);
    this.requests.inc({ operation });
    this.requestDuration.observe({ operation }, seconds);
    for (const code of errorCodes) this.errors.inc({ code });
  }

  /** One subgraph fetch ended (after its retries). */
  fetchEnded(subgraph: string, outcome: FetchOutcome, seconds: number): void {
    this.subgraphFetches.inc({ subgraph, outcome });
    if (outcome !== 'rejected') this.subgraphDuration.observe({ subgraph }, seconds);
  }

  /** Prometheus text for `/metrics`. */
  render(): string {
    return this.registry.render();
  }

  private operationLabel(name: string | null | undefined): string {
    if (!name) return 'anonymous';
    if (this.operationNames.has(name)) return name;
    if (this.operationNames.size >= MAX_OPERATION_NAMES) return 'other';
    this.operationNames.add(name);
    return name;
  }
}
