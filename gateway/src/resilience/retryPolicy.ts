/**
 * When the gateway tries a subgraph fetch again: only queries (a mutation that failed in transport
 * may have been applied; retrying it could place an order twice), only after failures that mean the
 * request did not get an answer (refused, reset, HTTP 502/503/504), never after a timeout (the time
 * the client was promised is spent), after a delay with full jitter (so the gateway's retries do not
 * arrive at a recovering subgraph in step), and within a retry budget: retries may add at most
 * `budgetRatio` of recent traffic, as Apollo Router's `retry_percent` and Finagle's RetryBudget do, so
 * a subgraph that is down does not receive three times the load.
 */

/** Options for {@link RetryPolicy}. */
export interface RetryPolicyOptions {
  /** Retries after the first attempt (0 turns retrying off). @default 2 */
  maxRetries?: number;
  /** Ceiling of the first retry's delay; doubles per retry, ms. @default 25 */
  baseDelayMs?: number;
  /** Longest delay, ms. @default 250 */
  maxDelayMs?: number;
  /** Retries allowed per first attempt, on average. @default 0.2 */
  budgetRatio?: number;
  /** Retries that may be spent at once (the budget's capacity; a quiet gateway can still retry). @default 10 */
  budgetBurst?: number;
  /** @default Math.random */
  random?: () => number;
}

/** Why a fetch failed, as far as retrying is concerned. */
export type FetchFailure = 'connection' | 'timeout' | 'status';

/** The gateway's retry rules (see module comment); one per gateway, shared by every subgraph. */
export class RetryPolicy {
  readonly maxRetries: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly budgetRatio: number;
  private readonly budgetCap: number;
  private readonly random: () => number;
  /** Retry tokens: each first attempt deposits `budgetRatio`, each retry withdraws one. */
  private tokens: number;

  constructor(options: RetryPolicyOptions = {}) {
    this.maxRetries = options.maxRetries ?? 2;
    this.baseDelayMs = options.baseDelayMs ?? 25;
    this.maxDelayMs = options.maxDelayMs ?? 250;
    this.budgetRatio = options.budgetRatio ?? 0.2;
    this.budgetCap = options.budgetBurst ?? 10;
    this.tokens = this.budgetCap;
    this.random = options.random ?? Math.random;
  }

  /** Records a first attempt (feeds the budget). */
  recordAttempt(): void {
    if (this.tokens < this.budgetCap) this.tokens = Math.min(this.budgetCap, this.tokens + this.budgetRatio);
  }

  /**
   * Whether to try again after an attempt failed with `failure`; `retry` counts the retries already
   * made (0 after the first attempt). Takes a token from the budget when it says yes.
   * @param status the HTTP status for `failure === 'status'`
   */
  shouldRetry(isMutation: boolean, failure: FetchFailure, retry: number, status?: number): boolean {
    if (isMutation || retry >= this.maxRetries || failure === 'timeout') return false;
    if (failure === 'status' && status !== 502 && status !== 503 && status !== 504) return false;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Delay before retry number `retry` (0-based): uniform in [0, min(max, base·2^retry)] ("full jitter"). */
  delayMs(retry: number): number {
    return Math.floor(this.random() * Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** retry));
  }
}
