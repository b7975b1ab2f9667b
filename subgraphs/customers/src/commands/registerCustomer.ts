/**
 * `registerCustomer`: claim the identities first, then write the customer; if the customer write
 * fails, release the claims (see `identityClaims.ts`). Anonymous sign-up is allowed (the web shop's
 * registration form has no token yet); the registering request may read back the new customer.
 */
import { BadUserInputError, ForbiddenError, type Channel } from '../../../kit/src';
import type { CustomersContext } from '../context';
import { newCustomerId, readDisplayName } from '../domain/fieldValidation';
import { normaliseEmail, normalisePhone } from '../domain/identityNormalisation';
import { searchTermsOf } from '../domain/searchTerms';
import type { CustomerDocument, IdentityRecord } from '../repositories/customerRepository';
import { claimIdentities, type IdentityToClaim } from './identityClaims';

/** SDL `RegisterCustomerInput`. */
export interface RegisterCustomerInput {
  displayName: string;
  email?: string | null;
  phone?: string | null;
  channel: Channel;
}

/** A blank optional string counts as absent. */
function present(value: string | null | undefined): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

/** Registers a customer (see module comment). */
export async function registerCustomer(context: CustomersContext, input: RegisterCustomerInput): Promise<CustomerDocument> {
  if (context.principal?.role === 'ANALYST') throw new ForbiddenError('Analysts see aggregates only, never personal data');
  const displayName = readDisplayName(input.displayName, 'input.displayName');
  const email = present(input.email) ? normaliseEmail(input.email, 'input.email') : null;
  const phone = present(input.phone) ? normalisePhone(input.phone, 'input.phone') : null;
  if (email === null && phone === null) throw new BadUserInputError('At least one of input.email or input.phone is required', { field: 'input.email' });

  const id = newCustomerId();
  const now = new Date();
  const toClaim: IdentityToClaim[] = [];
  if (email !== null) toClaim.push({ identity: { kind: 'EMAIL', value: email }, field: 'input.email' });
  if (phone !== null) {
    toClaim.push({ identity: { kind: 'PHONE', value: phone }, field: 'input.phone' });
    // Whoever registers through WhatsApp is writing from that number: the bot will know them by it.
    if (input.channel === 'WHATSAPP') toClaim.push({ identity: { kind: 'WHATSAPP', value: phone }, field: 'input.phone' });
  }
  const identities: IdentityRecord[] = toClaim.map(({ identity }) => ({ ...identity, linkedVia: input.channel, linkedAt: now }));
  const customer: CustomerDocument = {
    _id: id,
    displayName,
    email,
    phone,
    identities,
    addresses: [],
    wishlist: [],
    searchTerms: searchTermsOf({ displayName, email, phone, identities }),
    createdVia: input.channel,
    createdAt: now,
    updatedAt: now,
    version: 0,
  };

  const claimed = await claimIdentities(context, id, toClaim);
  try {
    await context.customers.insert(customer);
  } catch (error) {
    await context.identities.deleteHeldBy(claimed, id);
    throw error;
  }
  context.registeredIds.add(id);
  context.customerLoader.prime(id, customer);
  return customer;
}
