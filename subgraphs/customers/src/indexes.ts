/**
 * Indexes the customers repositories need. `_id` indexes (always unique) carry the hot paths: a
 * customer by id, an identity by `"<KIND>:<value>"` — the identity uniqueness guarantee.
 */
import type { IndexDeclaration } from '../../kit/src';
import { CUSTOMERS_COLLECTION } from './repositories/customerRepository';
import { IDENTITIES_COLLECTION } from './repositories/identityRepository';

/** Created at start by the kit. */
export const CUSTOMERS_INDEXES: readonly IndexDeclaration[] = [
  // searchCustomers: anchored prefix regexes on the multikey array, then `_id` order for paging.
  { collection: CUSTOMERS_COLLECTION, keys: { searchTerms: 1, _id: 1 } },
  // Merges re-point older tombstones (`updateMany({ mergedInto })`); only tombstones have the field.
  { collection: CUSTOMERS_COLLECTION, keys: { mergedInto: 1 }, options: { sparse: true } },
  // Merge moves, erasure deletes every identity of one customer.
  { collection: IDENTITIES_COLLECTION, keys: { customerId: 1 } },
];
