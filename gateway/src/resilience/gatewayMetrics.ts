/**
 * What the gateway measures for `/metrics`: requests and their latency by operation name, errors by
 * code, every subgraph fetch (outcome, latency, retries), circuit states, supergraph reloads, query
 * plan cache hits, requests in flight, and the process's memory, CPU and event-loop delay (the soak
 * bench watches memory stay flat). Features add their own (load shedding, trace export).
 */
import { BoundedLabelValues, Counter, Gauge, Histogram, MetricRegistry, registerProcessMetrics } from '../../../subgraphs/kit/src';
import type { CircuitState } from './circuitBreaker';

/** How a subgraph fetch ended. */
export type FetchOutcome = 'ok' | 'error' | 'timeout' | 'rejected';

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
  readonly queryPlanCache = this.registry.register(new Counter('zocalo_gateway_query_plan_cache_total', 'Query plan cache lookups by result (hit, miss).'));
  private inFlight = 0;
  /** Clients choose operation names: the label set must stay bounded. */
  private readonly operationNames = new BoundedLabelValues(200);

  constructor(circuitStates: () => Iterable<[string, CircuitState]>) {
    this.registry.register(
      new Gauge('zocalo_gateway_circuit_state', 'Circuit breaker per subgraph: 0 closed, 1 half-open, 2 open.', function* () {
        for (const [subgraph, state] of circuitStates()) yield [{ subgraph }, CIRCUIT_VALUES[state]];
      }),
    );
    this.registry.register(new Gauge('zocalo_gateway_requests_in_flight', 'GraphQL requests being executed.', () => [[{}, this.inFlight]]));
    registerProcessMetrics(this.registry);
  }

  /** A request entered execution. */
  requestStarted(): void {
    this.inFlight += 1;
  }

  /** A request ended: its operation name, seconds taken and the codes of the errors it returned. */
  requestEnded(operationName: string | null | undefined, seconds: number, errorCodes: readonly string[]): void {
    this.inFlight -= 1;
    const operation = this.operationNames.of(operationName);
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
}
