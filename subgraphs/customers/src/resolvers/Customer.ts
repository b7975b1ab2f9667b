/**
 * `Customer`: the entity this subgraph owns. Every field checks the caller may read this customer
 * (`assertCanRead`), also when the customer came through `_entities` — a subgraph is never trusted to
 * be called only by the gateway.
 *
 * `_entities` decision: a representation the caller may not see (another customer's id under a
 * CUSTOMER token; any id under an ANALYST token) resolves to null WITH a FORBIDDEN error at its path,
 * the same answer `customer(id:)` gives, so a caller learns why and never gets a field of it. No token:
 * UNAUTHENTICATED. A merged duplicate's id resolves to the survivor; an erased customer resolves to an
 * empty record (`erasedAt` set, no personal data), so orders that reference it still resolve.
 */
import type { CustomersContext } from '../context';
import { assertCanRead, authorizeCustomerRead, requirePersonalDataCaller } from '../domain/customerAccess';
import { isCustomerId } from '../domain/fieldValidation';
import type { AddressRecord, CustomerDocument, IdentityRecord, WishlistRecord } from '../repositories/customerRepository';

/** What an erased customer is called. */
export const ERASED_DISPLAY_NAME = '(erased)';

/** A personal field: checked, then read. */
function personal<T>(read: (customer: CustomerDocument) => T) {
  return (customer: CustomerDocument, _args: unknown, context: CustomersContext): T => {
    assertCanRead(context, customer);
    return read(customer);
  };
}

/** Resolvers of `Customer`. */
export const Customer = {
  /** Batched through the request's loader: one `find` per batch of representations. */
  async __resolveReference(reference: { id?: unknown }, context: CustomersContext): Promise<CustomerDocument | null> {
    requirePersonalDataCaller(context.principal);
    const id = reference.id;
    if (!isCustomerId(id)) return authorizeCustomerRead(context, String(id), null);
    return authorizeCustomerRead(context, id, await context.customerLoader.load(id));
  },
  id: (customer: CustomerDocument) => customer._id,
  displayName: personal((customer) => (customer.erasedAt !== undefined ? ERASED_DISPLAY_NAME : (customer.displayName ?? ''))),
  email: personal((customer) => customer.email ?? null),
  phone: personal((customer) => customer.phone ?? null),
  identities: personal((customer): IdentityRecord[] => customer.identities ?? []),
  addresses: personal((customer): AddressRecord[] => customer.addresses ?? []),
  /** Newest first. */
  wishlist: personal((customer): WishlistRecord[] => [...(customer.wishlist ?? [])].sort((a, b) => b.addedAt.getTime() - a.addedAt.getTime())),
  createdVia: personal((customer) => customer.createdVia),
  createdAt: personal((customer) => customer.createdAt),
  updatedAt: personal((customer) => customer.updatedAt),
  erasedAt: personal((customer) => customer.erasedAt ?? null),
};
