/**
 * The circuit breaker's states and the retry policy's rules, on a clock and a random source the test
 * controls (the estate tests show them at work through the gateway).
 */
import { describe, expect, it } from '@jest/globals';
import { CircuitBreaker, type CircuitState } from '../../gateway/src/resilience/circuitBreaker';
import { RetryPolicy } from '../../gateway/src/resilience/retryPolicy';

describe('CircuitBreaker', () => {
  const build = () => {
    let now = 1_000;
    const changes: [CircuitState, CircuitState][] = [];
    const breaker = new CircuitBreaker({ failureThreshold: 3, openMs: 500, now: () => now, onStateChange: (state, previous) => changes.push([previous, state]) });
    return { breaker, changes, advance: (ms: number) => (now += ms) };
  };

  it('opens after consecutive failures only; a success in between resets the count', () => {
    const { breaker } = build();
    breaker.failure();
    breaker.failure();
    breaker.success();
    breaker.failure();
    breaker.failure();
    expect(breaker.state).toBe('closed');
    expect(breaker.tryAcquire()).toBe(true);
    breaker.failure();
    expect(breaker.state).toBe('open');
    expect(breaker.tryAcquire()).toBe(false);
  });

  it('lets one probe through after the open period, and closes when it succeeds', () => {
    const { breaker, changes, advance } = build();
    for (let i = 0; i < 3; i += 1) breaker.failure();
    advance(499);
    expect(breaker.tryAcquire()).toBe(false);
    advance(1);
    expect(breaker.state).toBe('half-open');
    expect(breaker.tryAcquire()).toBe(true);
    // While the probe is out, everyone else still fails fast.
    expect(breaker.tryAcquire()).toBe(false);
    breaker.success();
    expect(breaker.state).toBe('closed');
    expect(breaker.tryAcquire()).toBe(true);
    expect(changes).toEqual([
      ['closed', 'open'],
      ['open', 'half-open'],
      ['half-open', 'closed'],
    ]);
  });

  it('opens again for a whole period when the probe fails', () => {
    const { breaker, advance } = build();
    for (let i = 0; i < 3; i += 1) breaker.failure();
    advance(500);
    expect(breaker.tryAcquire()).toBe(true);
    breaker.failure();
    expect(breaker.state).toBe('open');
    advance(499);
    expect(breaker.tryAcquire()).toBe(false);
    advance(1);
    expect(breaker.tryAcquire()).toBe(true);
  });

  it('frees the probe slot when the probe is abandoned', () => {
    const { breaker, advance } = build();
    for (let i = 0; i < 3; i += 1) breaker.failure();
    advance(500);
    expect(breaker.tryAcquire()).toBe(true);
    breaker.release();
    expect(breaker.tryAcquire()).toBe(true);
  });
});

describe('RetryPolicy', () => {
  it('retries queries after connection failures and 502/503/504, never mutations or timeouts', () => {
    const policy = new RetryPolicy({ maxRetries: 2 });
    expect(policy.shouldRetry(false, 'connection', 0)).toBe(true);
    expect(policy.shouldRetry(false, 'status', 0, 503)).toBe(true);
    expect(policy.shouldRetry(false, 'status', 0, 500)).toBe(false);
    expect(policy.shouldRetry(false, 'timeout', 0)).toBe(false);
    expect(policy.shouldRetry(true, 'connection', 0)).toBe(false);
    expect(policy.shouldRetry(false, 'connection', 2)).toBe(false);
  });

  it('spends at most the budget: a burst, then a fraction of first attempts', () => {
    const policy = new RetryPolicy({ maxRetries: 5, budgetBurst: 3, budgetRatio: 0.5 });
    const granted = () => policy.shouldRetry(false, 'connection', 0);
    expect([granted(), granted(), granted(), granted()]).toEqual([true, true, true, false]);
    policy.recordAttempt();
    expect(granted()).toBe(false);
    policy.recordAttempt();
    expect(granted()).toBe(true);
  });

  it('waits a jittered delay under a ceiling that doubles per retry', () => {
    const lowest = new RetryPolicy({ baseDelayMs: 20, maxDelayMs: 100, random: () => 0 });
    const highest = new RetryPolicy({ baseDelayMs: 20, maxDelayMs: 100, random: () => 0.999999 });
    expect(lowest.delayMs(0)).toBe(0);
    expect([0, 1, 2, 3].map((retry) => highest.delayMs(retry))).toEqual([19, 39, 79, 99]);
  });
});
