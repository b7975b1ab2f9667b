/**
 * A circuit breaker per subgraph, as Apollo Router and Hive Gateway put in front of each subgraph:
 * while a subgraph keeps failing, the gateway stops sending it requests and answers at once
 * (SUBGRAPH_UNAVAILABLE) instead of making every client wait for a timeout or a refused connection;
 * after a pause it lets one request through to find out whether the subgraph is back.
 *
 *   closed ──(failureThreshold consecutive failures)──▶ open ──(openMs elapsed)──▶ half-open
 *   half-open ──(the probe succeeds)──▶ closed          half-open ──(the probe fails)──▶ open
 *
 * Only transport failures count (refused, reset, timed out, HTTP 5xx): a subgraph that answers with
 * GraphQL errors is up.
 */

/** Where a breaker is. */
export type CircuitState = 'closed' | 'open' | 'half-open';

/** Options for {@link CircuitBreaker}. */
export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. @default 5 */
  failureThreshold?: number;
  /** How long the circuit stays open before one probe request is let through, ms. @default 5000 */
  openMs?: number;
  /** Called on every change of state (logs, metrics). */
  onStateChange?: (state: CircuitState, previous: CircuitState) => void;
  /** @default Date.now */
  now?: () => number;
}

/** One subgraph's breaker (see module comment). */
export class CircuitBreaker {
  private current: CircuitState = 'closed';
  private failures = 0;
  private openedAt = 0;
  /** True while the one half-open probe is in flight: other requests keep failing fast meanwhile. */
  private probing = false;
  private readonly failureThreshold: number;
  private readonly openMs: number;
  private readonly now: () => number;

  constructor(private readonly options: CircuitBreakerOptions = {}) {
    this.failureThreshold = options.failureThreshold ?? 5;
    this.openMs = options.openMs ?? 5000;
    this.now = options.now ?? Date.now;
    if (!Number.isInteger(this.failureThreshold) || this.failureThreshold < 1) throw new Error(`failureThreshold must be a positive integer, got ${this.failureThreshold}`);
  }

  /** The state now (an open circuit whose pause is over reports half-open). */
  get state(): CircuitState {
    if (this.current === 'open' && this.now() - this.openedAt >= this.openMs) return 'half-open';
    return this.current;
  }

  /**
   * Asks to send one request. True: send it, then report {@link success} or {@link failure}. False:
   * the circuit is open (or a half-open probe is already out): fail the request now.
   */
  tryAcquire(): boolean {
    if (this.current === 'closed') return true;
    if (this.current === 'open') {
      if (this.now() - this.openedAt < this.openMs) return false;
      this.transition('half-open');
    }
    if (this.probing) return false;
    this.probing = true;
    return true;
  }

  /** The request reached the subgraph and got an answer. */
  success(): void {
    this.failures = 0;
    this.probing = false;
    if (this.current !== 'closed') this.transition('closed');
  }

  /** The request failed in transport (refused, reset, timed out, HTTP 5xx). */
  failure(): void {
    this.probing = false;
    if (this.current === 'half-open') {
      this.open();
      return;
    }
    this.failures += 1;
    if (this.current === 'closed' && this.failures >= this.failureThreshold) this.open();
  }

  /**
   * A request that was allowed but never judged (cancelled before an answer): frees the half-open
   * probe slot so the next request can probe.
   */
  release(): void {
    this.probing = false;
  }

  private open(): void {
    this.openedAt = this.now();
    this.failures = 0;
    this.transition('open');
  }

  private transition(next: CircuitState): void {
    const previous = this.current;
    if (previous === next) return;
    this.current = next;
    this.options.onStateChange?.(next, previous);
  }
}
