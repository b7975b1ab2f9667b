/** The EARN/REVERSE entries of orders, batched per request (`Order.pointsEarned`). */
import type DataLoader from 'dataloader';
import { createGroupedLoader } from '../../../kit/src';
import type { LedgerRepository, OrderPointsEntry } from '../repositories/ledgerRepository';

/** One `find({orderId: {$in}})` per tick, whatever the number of orders; `[]` for orders without points. */
export function createOrderPointsLoader(ledger: LedgerRepository): DataLoader<string, OrderPointsEntry[]> {
  return createGroupedLoader((orderIds: readonly string[]) => ledger.findOrderEntries(orderIds), (entry) => entry.orderId as string);
}
