/**
 * `Customer` (owned by the customers subgraph): loyalty adds `loyalty`. The reference needs no
 * database read — the id is all loyalty knows of a customer — and `loyalty` loads accounts through the
 * request's DataLoader, so N customers cost one round trip. Authorization is checked here, also for
 * `_entities` calls: the customer themself or staff; ANALYST is refused (no personal accounts).
 */
import { requireCustomerAccess } from '../../../kit/src';
import type { LoyaltyContext } from '../context';
import type { AccountView } from '../repositories/accountRepository';

/** The loyalty subgraph's view of a customer. */
export interface CustomerReference {
  id: string;
}

/** `Customer` resolvers. */
export const Customer = {
  __resolveReference(reference: CustomerReference): CustomerReference {
    return { id: reference.id };
  },

  async loyalty(customer: CustomerReference, _args: unknown, context: LoyaltyContext): Promise<AccountView | null> {
    requireCustomerAccess(context.principal, customer.id);
    const account = await context.loaders.account.load(customer.id);
    // Merged and erased accounts are not the customer's programme membership any more.
    return account?.status === 'ACTIVE' ? account : null;
  },
};
