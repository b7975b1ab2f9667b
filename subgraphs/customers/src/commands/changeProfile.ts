/**
 * `updateCustomer` and `linkIdentity`: both may link new identities, so both go the same way — claim
 * the new identities, then write the customer conditionally on the version read (optimistic
 * concurrency, retried), and release this call's claims if the write never happens.
 *
 * A new primary e-mail or phone is linked as an identity; the old one stays linked (a channel may
 * still know the customer by it), only the primary changes.
 */
import { ConflictError, type Channel } from '../../../kit/src';
import type { CustomersContext } from '../context';
import { requirePersonalDataCaller } from '../domain/customerAccess';
import { readDisplayName } from '../domain/fieldValidation';
import { identityKeyOf, normaliseEmail, normalisePhone, type NormalisedIdentity } from '../domain/identityNormalisation';
import { searchTermsOf } from '../domain/searchTerms';
import type { CustomerDocument, IdentityRecord } from '../repositories/customerRepository';
import { claimIdentity, type IdentityToClaim } from './identityClaims';
import { loadCustomerForWrite } from './loadCustomerForWrite';

/** Attempts before a write that keeps losing races gives up with CONFLICT. */
const MAX_ATTEMPTS = 3;

/** SDL `UpdateCustomerInput`: null or omitted leaves a field as it is. */
export interface UpdateCustomerInput {
  displayName?: string | null;
  email?: string | null;
  phone?: string | null;
  channel?: Channel | null;
}

/** A validated change. */
interface ProfileChange {
  displayName: string | null;
  email: string | null;
  phone: string | null;
  link: IdentityToClaim[];
  channel: Channel | null;
  /** The argument that carries the customer id, for error messages. */
  idField: string;
}

/** `updateCustomer`. */
export function updateCustomer(context: CustomersContext, id: string, input: UpdateCustomerInput): Promise<CustomerDocument> {
  requirePersonalDataCaller(context.principal);
  const displayName = input.displayName == null ? null : readDisplayName(input.displayName, 'input.displayName');
  const email = input.email == null ? null : normaliseEmail(input.email, 'input.email');
  const phone = input.phone == null ? null : normalisePhone(input.phone, 'input.phone');
  const link: IdentityToClaim[] = [];
  if (email !== null) link.push({ identity: { kind: 'EMAIL', value: email }, field: 'input.email' });
  if (phone !== null) link.push({ identity: { kind: 'PHONE', value: phone }, field: 'input.phone' });
  return changeProfile(context, id, { displayName, email, phone, link, channel: input.channel ?? null, idField: 'id' });
}

/** `linkIdentity`; the identity is already normalised. */
export function linkIdentity(context: CustomersContext, customerId: string, identity: NormalisedIdentity, channel: Channel | null): Promise<CustomerDocument> {
  return changeProfile(context, customerId, { displayName: null, email: null, phone: null, link: [{ identity, field: 'identity.value' }], channel, idField: 'customerId' });
}

/** The first identity of `kind` among `identities`, for a primary field that is still empty. */
function firstOfKind(identities: readonly IdentityRecord[], kind: 'EMAIL' | 'PHONE'): string | null {
  return identities.find((identity) => identity.kind === kind)?.value ?? null;
}

async function changeProfile(context: CustomersContext, id: string, change: ProfileChange): Promise<CustomerDocument> {
  // Claims this call inserted, with the customer they were made for (a concurrent merge may change it between attempts).
  const inserted: { key: string; customerId: string }[] = [];
  try {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      const { customer } = await loadCustomerForWrite(context, id, change.idField);
      const current = customer.identities ?? [];
      const held = new Set(current.map(identityKeyOf));
      const toLink = change.link.filter(({ identity }) => !held.has(identityKeyOf(identity)));
      for (const toClaim of toLink) {
        if ((await claimIdentity(context, customer._id, toClaim)) === 'inserted') inserted.push({ key: identityKeyOf(toClaim.identity), customerId: customer._id });
      }

      const now = new Date();
      const identities = [...current, ...toLink.map(({ identity }) => ({ ...identity, linkedVia: change.channel, linkedAt: now }))];
      const displayName = change.displayName ?? customer.displayName ?? '';
      const email = change.email ?? customer.email ?? firstOfKind(identities, 'EMAIL');
      const phone = change.phone ?? customer.phone ?? firstOfKind(identities, 'PHONE');
      const unchanged = toLink.length === 0 && displayName === customer.displayName && email === (customer.email ?? null) && phone === (customer.phone ?? null);
      if (unchanged) return customer;

      const updated = await context.customers.updateLive(
        customer._id,
        { $set: { displayName, email, phone, identities, searchTerms: searchTermsOf({ displayName, email, phone, identities }), updatedAt: now } },
        customer.version,
      );
      if (updated) return updated;
    }
    throw new ConflictError('The customer changed while this update ran; try again');
  } catch (error) {
    for (const { key, customerId } of inserted) await context.identities.deleteHeldBy([key], customerId);
    throw error;
  }
}
