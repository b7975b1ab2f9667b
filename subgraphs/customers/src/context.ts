/**
 * The context of a customers request: the kit's principal, request id and logger, the repositories,
 * and DataLoaders made fresh for this request so callers with different permissions never share a cache.
 */
import type DataLoader from 'dataloader';
import type { RequestContext } from '../../kit/src';
import { createCustomerLoader } from './loaders/customerLoader';
import type { CustomerDocument, CustomerRepository } from './repositories/customerRepository';
import type { IdentityRepository } from './repositories/identityRepository';

/** The repositories of this subgraph (stateless; built once per server). */
export interface CustomersRepositories {
  customers: CustomerRepository;
  identities: IdentityRepository;
}

/** What every customers resolver finds in its context. */
export interface CustomersContext extends RequestContext, CustomersRepositories {
  /** Customers by id, merge redirects followed. */
  customerLoader: DataLoader<string, CustomerDocument | null>;
  /**
   * Customers registered by this very request: an anonymous sign-up may read back what it just
   * submitted (and nothing else).
   */
  registeredIds: Set<string>;
}

/** Builds the context of one request. */
export function createCustomersContext(base: RequestContext, repositories: CustomersRepositories): CustomersContext {
  return { ...base, ...repositories, customerLoader: createCustomerLoader(repositories.customers), registeredIds: new Set() };
}
