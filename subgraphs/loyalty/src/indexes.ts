/** The indexes the loyalty repositories need; created at start by the kit. */
import type { IndexDeclaration } from '../../kit/src';

/** Pending orders older than this are useless (the enrolment window is 30 days) and expire. */
const PENDING_EARNING_TTL_SECONDS = 90 * 86_400;

/** Indexes of the `accounts`, `ledger` and `pendingEarnings` collections. */
export const loyaltyIndexes: readonly IndexDeclaration[] = [
  // Exactly-once effects (EARN per order, REVERSE per order+cancel/return, REDEEM per customer+key).
  // Sparse because erasure removes the keys that name a customer (partial indexes are not portable).
  { collection: 'ledger', keys: { dedupeKey: 1 }, options: { name: 'ledger_dedupeKey_unique', unique: true, sparse: true } },
  // LoyaltyAccount.transactions: one customer's entries, newest first, with a stable tie-break.
  { collection: 'ledger', keys: { customerId: 1, at: -1, _id: -1 }, options: { name: 'ledger_customer_history' } },
  // Order.pointsEarned and reversals: the entries of an order.
  { collection: 'ledger', keys: { orderId: 1, kind: 1 }, options: { name: 'ledger_order' } },
  // The repair: accounts with transactions not yet copied to the ledger, unfinished merges.
  { collection: 'accounts', keys: { 'unsettled._id': 1 }, options: { name: 'accounts_unsettled', sparse: true } },
  { collection: 'accounts', keys: { status: 1 }, options: { name: 'accounts_status' } },
  // Late-enrolment credit: a customer's remembered orders by date.
  { collection: 'pendingEarnings', keys: { customerId: 1, placedAt: 1 }, options: { name: 'pending_customer_placedAt' } },
  { collection: 'pendingEarnings', keys: { placedAt: 1 }, options: { name: 'pending_ttl', expireAfterSeconds: PENDING_EARNING_TTL_SECONDS } },
];
