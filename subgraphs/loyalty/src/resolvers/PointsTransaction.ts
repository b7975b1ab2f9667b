/** `PointsTransaction`: a ledger entry; its order is a reference the gateway completes from orders. */
import type { LedgerEntry } from '../repositories/ledgerRepository';

/** `PointsTransaction` resolvers. */
export const PointsTransaction = {
  id(entry: LedgerEntry): string {
    return entry._id;
  },

  order(entry: LedgerEntry): { id: string } | null {
    return entry.orderId ? { id: entry.orderId } : null;
  },
};
