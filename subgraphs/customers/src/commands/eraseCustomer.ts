/**
 * `eraseCustomer(id)` (the customer themself or ADMIN; LFPDPPP/RGPD right to erasure). One write turns
 * the customer into a tombstone `{ erasedAt }` — name, e-mail, phone, identities, addresses, wishlist
 * and search terms removed — and pushes `CustomerErased` into its `pendingEvents` (the other subgraphs
 * erase their part when the relay delivers it). Then the identity claims are deleted. In that order
 * because once the tombstone exists no identity can be linked to it any more (links write only to live
 * customers and release their claim otherwise), so the deletion catches every claim; a crash between
 * the two is finished by calling `eraseCustomer` again, which is idempotent and publishes nothing new.
 *
 * Kept: the id (orders still reference it and resolve to an empty customer), `createdVia`,
 * `createdAt`, `mergedFrom` (ids, not personal data).
 */
import { ForbiddenError, NotFoundError, createDomainEvent } from '../../../kit/src';
import type { CustomersContext } from '../context';
import { authorizeCustomerRead, requirePersonalDataCaller } from '../domain/customerAccess';
import { readCustomerId } from '../domain/fieldValidation';
import { resolveCustomers } from '../loaders/customerLoader';
import { PERSONAL_FIELDS } from '../repositories/customerRepository';

/** Erases a customer's personal data (see module comment); true when it is erased. */
export async function eraseCustomer(context: CustomersContext, id: string): Promise<boolean> {
  const principal = requirePersonalDataCaller(context.principal);
  readCustomerId(id);
  if (principal.role !== 'ADMIN' && principal.role !== 'CUSTOMER') throw new ForbiddenError('Only the customer themself or an ADMIN may erase a customer');
  const customer = (await resolveCustomers(context.customers, [id])).get(id) ?? null;
  authorizeCustomerRead(context, id, customer);
  if (!customer) throw new NotFoundError('Customer', id);

  if (customer.erasedAt === undefined) {
    const now = new Date();
    const event = createDomainEvent('CustomerErased', 'customers', customer._id, { customerId: customer._id }, context.correlation);
    const unset = Object.fromEntries(PERSONAL_FIELDS.map((field) => [field, ''] as const));
    const erased = await context.customers.updateLive(customer._id, { $set: { erasedAt: now, updatedAt: now }, $unset: unset, $push: { pendingEvents: event } });
    // Null when a concurrent erasure won (fine: it published the event) or a merge moved the data on.
    if (!erased) {
      const again = (await resolveCustomers(context.customers, [customer._id])).get(customer._id);
      if (again?._id !== customer._id || again.erasedAt === undefined) return eraseCustomer(context, id);
    }
  }
  await context.identities.deleteAllOf(customer._id);
  context.customerLoader.clear(id);
  return true;
}
