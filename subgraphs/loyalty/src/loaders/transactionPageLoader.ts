/** Pages of ledgers, batched per request (`LoyaltyAccount.transactions` under many accounts). */
import DataLoader from 'dataloader';
import type { LedgerPage, LedgerPageRequest, LedgerRepository } from '../repositories/ledgerRepository';

/** One `$facet` aggregation per tick for every page asked for (see `LedgerRepository.pages`). */
export function createTransactionPageLoader(ledger: LedgerRepository): DataLoader<LedgerPageRequest, LedgerPage, string> {
  return new DataLoader<LedgerPageRequest, LedgerPage, string>((requests) => ledger.pages(requests), {
    cacheKeyFn: (request) => JSON.stringify([request.customerId, request.first, request.after?.at.getTime() ?? null, request.after?.id ?? null]),
  });
}
