/**
 * `mergeCustomers(survivorId, duplicateId)` (AGENT or ADMIN): one person had two records. Without
 * multi-document transactions the steps are ordered so that a crash at any point loses nothing and
 * running the merge again finishes it:
 * 1. the duplicate's identity claims move to the survivor (`findCustomer` now lands on the survivor);
 * 2. the survivor takes in the duplicate's identities, addresses and wishlist (deduplicated against
 *    what it has, so a re-run adds nothing twice) and records the duplicate in `mergedFrom`,
 *    conditionally on the survivor's version. This is the merge's commit: `CustomerMerged` is pushed
 *    into the survivor's `pendingEvents` in this same write (outbox), once — a re-run finds the
 *    duplicate in `mergedFrom` and publishes nothing new;
 * 3. the duplicate becomes a tombstone `{ mergedInto }` without personal data, conditionally on the
 *    version read before step 2 — a change to the duplicate in between restarts the merge, whose
 *    step 2 then takes in that change too;
 * 4. older tombstones that pointed at the duplicate now point at the survivor (redirects stay one hop).
 * Merging a duplicate already merged into the same survivor returns the survivor.
 *
 * The event lives on the survivor's document with the survivor as subject because the relay orders
 * delivery per subject by the order of one document's `pendingEvents`: a later `CustomerErased` of the
 * survivor is pushed onto the same document, so no consumer can erase the survivor and only then move
 * the duplicate's data onto it.
  */
import { BadUserInputError, ConflictError, NotFoundError, createDomainEvent, requireRole } from '../../../kit/src';
import type { CustomersContext } from '../context';
import { readCustomerId } from '../domain/fieldValidation';
import { identityKeyOf } from '../domain/identityNormalisation';
import { foldText, searchTermsOf } from '../domain/searchTerms';
import { PERSONAL_FIELDS, type AddressRecord, type CustomerDocument } from '../repositories/customerRepository';

/** Attempts before a merge that keeps losing races gives up with CONFLICT. */
const MAX_ATTEMPTS = 3;

/** Two addresses are the same place when these parts agree, whatever the accents or case. */
function placeOf(address: AddressRecord): string {
  return foldText([address.street, address.number, address.interior ?? '', address.postalCode].join('|')).replace(/\s+/g, ' ');
}

/** The survivor's personal fields after taking in the duplicate's. */
function combine(survivor: CustomerDocument, duplicate: CustomerDocument) {
  const identities = [...(survivor.identities ?? [])];
  const heldKeys = new Set(identities.map(identityKeyOf));
  for (const identity of duplicate.identities ?? []) if (!heldKeys.has(identityKeyOf(identity))) identities.push(identity);

  const addresses = [...(survivor.addresses ?? [])];
  const places = new Set(addresses.map(placeOf));
  const survivorHasDefault = addresses.some((address) => address.isDefault);
  for (const address of duplicate.addresses ?? []) {
    if (places.has(placeOf(address))) continue;
    addresses.push({ ...address, isDefault: address.isDefault && !survivorHasDefault });
  }

  const wishlist = [...(survivor.wishlist ?? [])];
  const skus = new Set(wishlist.map((item) => item.sku));
  for (const item of duplicate.wishlist ?? []) if (!skus.has(item.sku)) wishlist.push(item);

  const displayName = survivor.displayName ?? duplicate.displayName ?? '';
  const email = survivor.email ?? duplicate.email ?? null;
  const phone = survivor.phone ?? duplicate.phone ?? null;
  const mergedFrom = [...new Set([...(survivor.mergedFrom ?? []), duplicate._id, ...(duplicate.mergedFrom ?? [])])];
  return { displayName, email, phone, identities, addresses, wishlist, mergedFrom, searchTerms: searchTermsOf({ displayName, email, phone, identities }) };
}

/** Merges `duplicateId` into `survivorId` (see module comment). */
export async function mergeCustomers(context: CustomersContext, survivorId: string, duplicateId: string): Promise<CustomerDocument> {
  requireRole(context.principal, 'AGENT', 'ADMIN');
  readCustomerId(survivorId, 'survivorId');
  readCustomerId(duplicateId, 'duplicateId');
  if (survivorId === duplicateId) throw new BadUserInputError('survivorId and duplicateId must be two different customers', { field: 'duplicateId' });

  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    const found = await context.customers.findByIds([survivorId, duplicateId]);
    const survivor = found.find((customer) => customer._id === survivorId);
    const duplicate = found.find((customer) => customer._id === duplicateId);
    if (!survivor || survivor.erasedAt !== undefined) throw new NotFoundError('Customer', survivorId);
    if (survivor.mergedInto !== undefined) throw new ConflictError('The survivor was itself merged into another customer; merge into that one', { field: 'survivorId', mergedInto: survivor.mergedInto });
    if (!duplicate || duplicate.erasedAt !== undefined) throw new NotFoundError('Customer', duplicateId);
    if (duplicate.mergedInto === survivorId) return survivor;
    if (duplicate.mergedInto !== undefined) throw new ConflictError('The duplicate was already merged into another customer', { field: 'duplicateId', mergedInto: duplicate.mergedInto });

    await context.identities.reassign(duplicateId, survivorId);
    const now = new Date();
    const alreadyPublished = (survivor.mergedFrom ?? []).includes(duplicateId);
    const event = createDomainEvent('CustomerMerged', 'customers', survivorId, { survivorId, duplicateId }, context.correlation);
    const merged = await context.customers.updateLive(
      survivorId,
      { $set: { ...combine(survivor, duplicate), updatedAt: now }, ...(alreadyPublished ? {} : { $push: { pendingEvents: event } }) },
      survivor.version,
    );
    if (!merged) continue;

    const unset = Object.fromEntries(PERSONAL_FIELDS.map((field) => [field, ''] as const));
    const tombstone = await context.customers.updateLive(duplicateId, { $set: { mergedInto: survivorId, mergedAt: now, updatedAt: now }, $unset: unset }, duplicate.version);
    if (!tombstone) continue;

    await context.customers.redirectTombstones(duplicateId, survivorId);
    context.customerLoader.clear(duplicateId).prime(survivorId, merged);
    return merged;
  }
  throw new ConflictError('The customers changed while the merge ran; try again');
}
