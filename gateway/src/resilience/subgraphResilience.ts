/**
 * Everything the gateway's subgraph data sources share, one per gateway: a circuit breaker, timeout
 * and keep-alive pool per subgraph, the retry policy and the metrics. The data sources themselves come
 * and go (Apollo Gateway builds new ones when a reloaded supergraph changes a URL); breakers and
 * pools live here so a reload neither closes an open circuit nor drops warm connections.
 */
import type { Logger } from '../../../subgraphs/kit/src';
import { CircuitBreaker, type CircuitState } from './circuitBreaker';
import { GatewayMetrics } from './gatewayMetrics';
import { RetryPolicy } from './retryPolicy';
import { SubgraphTransport } from './subgraphTransport';

/** Options for {@link SubgraphResilience}. */
export interface SubgraphResilienceOptions {
  /** Fetch timeout of a subgraph without its own, ms. */
  timeoutMs: number;
  /** Timeouts by subgraph name, ms. */
  timeoutsMs?: Partial<Record<string, number>>;
  /** Retries of a failed query fetch. @default 2 */
  retries?: number;
  /** @default 5 */
  failureThreshold?: number;
  /** @default 5000 */
  openMs?: number;
  /** Keep-alive sockets per subgraph. @default 64 */
  maxSockets?: number;
  /** The name of the subgraph served at a URL (fetch spans say which subgraph they called). */
  subgraphNameOf?: (url: string) => string | undefined;
  logger: Logger;
}

/** The shared resilience state of one gateway (see module comment). */
export class SubgraphResilience {
  readonly retry: RetryPolicy;
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
  private readonly breakers = new Map<string, CircuitBreaker>();
  private readonly transports = new Map<string, SubgraphTransport>();

  constructor(private readonly options: SubgraphResilienceOptions) {
    this.logger = options.logger;
    this.retry = new RetryPolicy({ maxRetries: options.retries ?? 2 });
    this.metrics = new GatewayMetrics(() => this.circuitStates());
  }

  /** The breaker of subgraph `name`, created closed on first use. */
  breakerFor(name: string): CircuitBreaker {
    let breaker = this.breakers.get(name);
    if (!breaker) {
      breaker = new CircuitBreaker({
        failureThreshold: this.options.failureThreshold ?? 5,
        openMs: this.options.openMs ?? 5000,
        onStateChange: (state, previous) => {
          this.logger[state === 'open' ? 'warn' : 'info'](`circuit of subgraph ${name} ${previous} → ${state}`, { subgraph: name, circuit: state });
        },
      });
      this.breakers.set(name, breaker);
    }
    return breaker;
  }

  /** The fetch timeout of subgraph `name`, ms. */
  timeoutFor(name: string): number {
    return this.options.timeoutsMs?.[name] ?? this.options.timeoutMs;
  }

  /** The keep-alive pool for `url`, created on first use. */
  transportFor(url: string): SubgraphTransport {
    let transport = this.transports.get(url);
    if (!transport) {
      const nameOf = this.options.subgraphNameOf;
      transport = new SubgraphTransport({ url, ...(this.options.maxSockets ? { maxSockets: this.options.maxSockets } : {}), ...(nameOf ? { subgraphName: () => nameOf(url) } : {}) });
      this.transports.set(url, transport);
    }
    return transport;
  }

  /** Every subgraph's circuit state (metrics, /health). */
  *circuitStates(): Iterable<[string, CircuitState]> {
    for (const [name, breaker] of this.breakers) yield [name, breaker.state];
  }

  /** Closes every pool (gateway stop, after in-flight requests finished). */
  close(): void {
    for (const transport of this.transports.values()) transport.close();
    this.transports.clear();
  }
}
