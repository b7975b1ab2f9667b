/** Builds the customers subgraph (does not listen: `index.ts` starts it, tests build it in-process). */
import { buildSubgraphServer, type SubgraphBuilder } from '../../kit/src';
import { createCustomersContext, type CustomersContext } from './context';
import { CUSTOMERS_INDEXES } from './indexes';
import { CUSTOMERS_COLLECTION, CustomerRepository, type CustomerDocument } from './repositories/customerRepository';
import { IdentityRepository } from './repositories/identityRepository';
import { Customer } from './resolvers/Customer';
import { Mutation } from './resolvers/Mutation';
import { Query } from './resolvers/Query';
import { WishlistItem } from './resolvers/WishlistItem';

/** The customers subgraph: owns `Customer` (identities, addresses, wishlist). */
export const buildCustomersServer: SubgraphBuilder = (options) => {
  const repositories = { customers: new CustomerRepository(options.store), identities: new IdentityRepository(options.store) };
  return buildSubgraphServer<CustomersContext>(
    {
      name: 'customers',
      resolvers: { Query, Mutation, Customer, WishlistItem },
      indexes: CUSTOMERS_INDEXES,
      createContext: (base) => createCustomersContext(base, repositories),
      // CustomerMerged and CustomerErased ride in customer documents' `pendingEvents`; the kit's relay delivers them.
      events: { publishes: { collections: [CUSTOMERS_COLLECTION] } },
      // @allow(owner:) as customerAccess.ts has it: a merged duplicate's token owns the survivor, an anonymous sign-up what it registered.
      authorization: {
        isOwner: (context, id, source) =>
          context.registeredIds.has(id) ||
          (context.principal?.role === 'CUSTOMER' && (context.principal.sub === id || ((source as Partial<CustomerDocument> | undefined)?.mergedFrom ?? []).includes(context.principal.sub))),
      },
    },
    options,
  );
};
