/**
 * The loyalty request context: the kit's principal, request id and logger, the programme (shared,
 * stateless) and a fresh set of DataLoaders per request, so callers with different permissions never
 * share a cache.
 */
import type DataLoader from 'dataloader';
import type { RequestContext } from '../../kit/src';
import { createAccountLoader } from './loaders/accountLoader';
import { createOrderPointsLoader } from './loaders/orderPointsLoader';
import { createTransactionPageLoader } from './loaders/transactionPageLoader';
import type { LoyaltyProgram } from './loyaltyProgram';
import type { AccountView } from './repositories/accountRepository';
import type { LedgerPage, LedgerPageRequest, OrderPointsEntry } from './repositories/ledgerRepository';

/** Request-scoped loaders of the loyalty subgraph. */
export interface LoyaltyLoaders {
  account: DataLoader<string, AccountView | null>;
  orderPoints: DataLoader<string, OrderPointsEntry[]>;
  transactionPages: DataLoader<LedgerPageRequest, LedgerPage, string>;
}

/** What loyalty resolvers find in their context. */
export interface LoyaltyContext extends RequestContext {
  program: LoyaltyProgram;
  loaders: LoyaltyLoaders;
}

/** Adds the programme and fresh loaders to the kit's base context. */
export function createLoyaltyContext(base: RequestContext, program: LoyaltyProgram): LoyaltyContext {
  return {
    ...base,
    program,
    loaders: {
      account: createAccountLoader(program.accounts),
      orderPoints: createOrderPointsLoader(program.ledger),
      transactionPages: createTransactionPageLoader(program.ledger),
    },
  };
}
