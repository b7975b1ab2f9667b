/** Accounts by customer id, batched per request (`Customer.loyalty`). */
import type DataLoader from 'dataloader';
import { createKeyedLoader } from '../../../kit/src';
import type { AccountRepository, AccountView } from '../repositories/accountRepository';

/** One `find({_id: {$in}})` per tick, whatever the number of customers. */
export function createAccountLoader(accounts: AccountRepository): DataLoader<string, AccountView | null> {
  return createKeyedLoader((customerIds: readonly string[]) => accounts.findViews(customerIds), (account) => account._id);
}
