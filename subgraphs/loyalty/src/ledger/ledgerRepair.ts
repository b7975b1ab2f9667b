/**
 * Finishes whatever a crash interrupted, so the balance of every account equals the sum of its ledger:
 * settles transactions left in accounts' `unsettled`, finishes unfinished merges, and credits pending
 * orders of customers who are members by now. Every step is idempotent and safe beside live traffic
 * (see `pointsLedger.ts`), so it runs at start and from `npm run loyalty:verify -- --repair`.
 */
import type { LoyaltyProgram } from '../loyaltyProgram';

/** What a repair did. */
export interface LedgerRepairReport {
  /** Entries copied from accounts' `unsettled` into the ledger. */
  settledEntries: number;
  /** Merges finished. */
  finishedMerges: number;
  /** Pending orders of members credited (or found already credited and marked). */
  creditedOrders: number;
}

/** Runs the repair (see module comment). */
export async function repairLedger(program: LoyaltyProgram): Promise<LedgerRepairReport> {
  let settledEntries = 0;
  for (const account of await program.accounts.findWithUnsettled()) settledEntries += await program.pointsLedger.settle(account);

  const unfinished = await program.accounts.findUnfinishedMerges();
  for (const duplicate of unfinished) {
    if (duplicate.mergedInto) await program.merge.merge(duplicate.mergedInto, duplicate._id);
  }

  let creditedOrders = 0;
  for (const customerId of await program.accounts.findActiveIds(await program.pending.customersWithUncredited())) {
    const account = await program.pointsLedger.accountView(customerId);
    if (account?.status === 'ACTIVE') creditedOrders += await program.orderPoints.creditPending(account);
  }
  return { settledEntries, finishedMerges: unfinished.length, creditedOrders };
}
