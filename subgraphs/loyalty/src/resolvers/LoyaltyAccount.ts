/**
 * `LoyaltyAccount`: reached only through `Customer.loyalty` or a mutation, which authorize the caller.
 * The tier and the next tier are computed as of now from the points earned per month, so a tier falls
 * when old months leave the 12-month window even without a new transaction (`earningRule.ts`).
 */
import type { LoyaltyContext } from '../context';
import { nextTierAfter, pointsInTierWindow, tierAt, type LoyaltyTier } from '../earningRule';
import { pageSizeInput } from '../input/loyaltyInput';
import { decodeTransactionCursor, encodeTransactionCursor } from '../input/transactionCursor';
import type { AccountView } from '../repositories/accountRepository';
import type { LedgerEntry } from '../repositories/ledgerRepository';

/** The `PointsTransactionConnection` object. */
export interface PointsTransactionConnection {
  nodes: LedgerEntry[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

/** `LoyaltyAccount` resolvers. */
export const LoyaltyAccount = {
  tier(account: AccountView): LoyaltyTier {
    return tierAt(account.earnedByMonth, new Date());
  },

  nextTier(account: AccountView): { tier: LoyaltyTier; pointsNeeded: number } | null {
    return nextTierAfter(pointsInTierWindow(account.earnedByMonth, new Date()));
  },

  async transactions(account: AccountView, args: { first?: number | null; after?: string | null }, context: LoyaltyContext): Promise<PointsTransactionConnection> {
    const first = pageSizeInput(args.first);
    const after = decodeTransactionCursor(args.after);
    const page = await context.loaders.transactionPages.load({ customerId: account._id, first, ...(after ? { after } : {}) });
    const last = page.entries.at(-1);
    return {
      nodes: page.entries,
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: last ? encodeTransactionCursor(last) : null },
      totalCount: page.totalCount,
    };
  },
};
