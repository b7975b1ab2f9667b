/**
 * The indexes the orders subgraph's queries need, created at start. Carts, claims, counters and the
 * members projection are read by `_id` only.
 */
import type { IndexDeclaration } from '../../kit/src';

/** Indexes of the orders database. */
export const ordersIndexes: readonly IndexDeclaration[] = [
  // Customer.orders newest first, and its cursor (placedAt, _id); purchaseSummary's $match.
  { collection: 'orders', keys: { customerId: 1, placedAt: -1, _id: -1 }, options: { name: 'customer_newest_first' } },
  // Customer.orders(channel: …).
  { collection: 'orders', keys: { customerId: 1, channel: 1, placedAt: -1, _id: -1 }, options: { name: 'customer_channel_newest_first' } },
  // salesKpis: every pipeline starts with a placedAt range; per-channel reports can use the second.
  { collection: 'orders', keys: { placedAt: 1 }, options: { name: 'placed_at' } },
  { collection: 'orders', keys: { channel: 1, placedAt: 1 }, options: { name: 'channel_placed_at' } },
  // Order numbers are read over the phone: unique, and orderByNumber.
  { collection: 'orders', keys: { number: 1 }, options: { name: 'number_unique', unique: true } },
  // The reservation settler's query: few orders are ever HELD in a final status.
  { collection: 'orders', keys: { reservation: 1, status: 1 }, options: { name: 'reservation_status' } },
  // Second guard of idempotency behind the orderKeys claim; seeded orders have no key (sparse).
  { collection: 'orders', keys: { idempotencyKey: 1 }, options: { name: 'idempotency_key_unique', unique: true, sparse: true } },
  // The settler pays owed releases oldest first (the collection stays tiny: failures of two services at once).
  { collection: 'owedReleases', keys: { since: 1 }, options: { name: 'owed_since' } },
];
