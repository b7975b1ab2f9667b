/**
 * Inventory's own settings, read from the environment and validated at start (a bad value stops the
 * process with a message naming the variable).
 *
 * Why these defaults: a HELD reservation belongs to an order that was placed. Its normal ends are a
 * commit (shipped, picked up) or a release (cancelled), both sent by the orders subgraph; a pickup may
 * legitimately wait days in the store. So expiry is only a safety net for reservations whose order was
 * never created or was lost (orders reserved, then failed before storing the order): 14 days, longer
 * than any pickup window plus shipping, so it never takes stock from a live order. What must expire
 * quickly is a claim abandoned half-way (the process died while holding lines): 2 minutes.
 */

/** Inventory settings. */
export interface InventoryConfig {
  /** `RESERVATION_TTL_MINUTES`: HELD reservations older than this are released by the sweep. @default 20160 (14 days) */
  reservationTtlMinutes: number;
  /** `RESERVATION_CLAIM_TIMEOUT_SECONDS`: a PENDING claim (or an unfinished release/commit) older than this is cleaned up. @default 120 */
  claimTimeoutSeconds: number;
  /** `RESERVATION_SWEEP_INTERVAL_SECONDS`: how often the sweep runs; 0 turns it off. @default 60 */
  sweepIntervalSeconds: number;
}

/** The defaults (see module comment). */
export const DEFAULT_INVENTORY_CONFIG: InventoryConfig = {
  reservationTtlMinutes: 14 * 24 * 60,
  claimTimeoutSeconds: 120,
  sweepIntervalSeconds: 60,
};

function readWholeNumber(env: NodeJS.ProcessEnv, variable: string, fallback: number, minimum: number): number {
  const raw = env[variable];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < minimum) throw new Error(`${variable} must be a whole number ≥ ${minimum}, got ${JSON.stringify(raw)}`);
  return value;
}

/** Reads and validates the inventory settings. */
export function readInventoryConfig(env: NodeJS.ProcessEnv = process.env): InventoryConfig {
  return {
    reservationTtlMinutes: readWholeNumber(env, 'RESERVATION_TTL_MINUTES', DEFAULT_INVENTORY_CONFIG.reservationTtlMinutes, 1),
    claimTimeoutSeconds: readWholeNumber(env, 'RESERVATION_CLAIM_TIMEOUT_SECONDS', DEFAULT_INVENTORY_CONFIG.claimTimeoutSeconds, 5),
    sweepIntervalSeconds: readWholeNumber(env, 'RESERVATION_SWEEP_INTERVAL_SECONDS', DEFAULT_INVENTORY_CONFIG.sweepIntervalSeconds, 0),
  };
}
