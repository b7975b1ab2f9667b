/** Exponential backoff with jitter, shared by the relay (HTTP retries) and the NATS consumer (naks). */

/** Backoff policy. */
export interface RetryPolicy {
  /** Delay after the first failed attempt. */
  baseMs: number;
  /** Ceiling of the delay. */
  maxMs: number;
}

/**
 * Delay before attempt `attempts + 1`, after `attempts` (≥ 1) failures: `base · 2^(attempts−1)`,
 * capped at `max`, scaled by a random factor in [0.5, 1) ("equal jitter"): retries of many events that
 * failed together (a subscriber restarting) spread out instead of arriving in one burst, and each still
 * waits at least half the nominal delay.
 */
export function retryDelayMs(attempts: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(attempts, 1) - 1, 30);
  const nominal = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
  return Math.round(nominal * (0.5 + random() * 0.5));
}
