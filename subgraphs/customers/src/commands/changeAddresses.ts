/**
 * `addAddress` and `removeAddress`. Exactly one address is the default whenever there is any: the
 * first one added becomes it, a new default takes over, and removing the default promotes the next.
 * Keeping that rule needs the whole array, so each change rewrites `addresses` conditionally on the
 * version it read (optimistic concurrency, retried) instead of `$push`/`$pull`.
 */
import { BadUserInputError, ConflictError, NotFoundError } from '../../../kit/src';
import type { CustomersContext } from '../context';
import { MAX_ADDRESSES, validateAddress, type AddressInput } from '../domain/addressValidation';
import { requirePersonalDataCaller } from '../domain/customerAccess';
import type { AddressRecord, CustomerDocument } from '../repositories/customerRepository';
import { loadCustomerForWrite } from './loadCustomerForWrite';

/** Attempts before a change that keeps losing races gives up with CONFLICT. */
const MAX_ATTEMPTS = 3;

/** Reads, computes the new addresses, writes if unchanged since the read; retries on a lost race. */
async function rewriteAddresses(
  context: CustomersContext,
  customerId: string,
  next: (addresses: AddressRecord[]) => AddressRecord[],
): Promise<CustomerDocument> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    const { customer } = await loadCustomerForWrite(context, customerId, 'customerId');
    const addresses = next(customer.addresses ?? []);
    const updated = await context.customers.updateLive(customer._id, { $set: { addresses, updatedAt: new Date() } }, customer.version);
    if (updated) return updated;
  }
  throw new ConflictError('The customer changed while this update ran; try again');
}

/** `addAddress`. */
export function addAddress(context: CustomersContext, customerId: string, input: AddressInput): Promise<CustomerDocument> {
  requirePersonalDataCaller(context.principal);
  const address = validateAddress(input);
  return rewriteAddresses(context, customerId, (addresses) => {
    if (addresses.length >= MAX_ADDRESSES) throw new BadUserInputError(`A customer keeps at most ${MAX_ADDRESSES} addresses; remove one first`, { field: 'address' });
    const isDefault = address.isDefault || !addresses.some((existing) => existing.isDefault);
    const others = isDefault ? addresses.map((existing) => ({ ...existing, isDefault: false })) : addresses;
    return [...others, { ...address, isDefault }];
  });
}

/** `removeAddress`; NOT_FOUND when the customer has no such address. */
export function removeAddress(context: CustomersContext, customerId: string, addressId: string): Promise<CustomerDocument> {
  requirePersonalDataCaller(context.principal);
  if (!/^adr_[A-Za-z0-9_]{1,64}$/.test(addressId)) throw new BadUserInputError('addressId is not an address id (adr_…)', { field: 'addressId' });
  return rewriteAddresses(context, customerId, (addresses) => {
    const removed = addresses.find((address) => address.id === addressId);
    if (!removed) throw new NotFoundError('Address', addressId);
    const rest = addresses.filter((address) => address.id !== addressId);
    const [first, ...others] = rest;
    if (removed.isDefault && first) return [{ ...first, isDefault: true }, ...others];
    return rest;
  });
}
