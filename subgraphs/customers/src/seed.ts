/**
 * Writes the customers part of the demo dataset into an empty customers database: one document per
 * customer (with its search terms) and one identity claim per identity. An identity that two demo
 * customers happen to share (random marketplace ids can collide) stays with the first, as the unique
 * claim would decide at run time.
 */
import type { DemoDataset } from '../../../scripts/seed/demoDataset';
import { SILENT_PROGRESS, type SeedProgress } from '../../../scripts/seed/seedProgress';
import type { MongoStore } from '../../kit/src';
import { identityKeyOf } from './domain/identityNormalisation';
import { searchTermsOf } from './domain/searchTerms';
import { CustomerRepository, type CustomerDocument, type IdentityRecord } from './repositories/customerRepository';
import { IdentityRepository, type IdentityDocument } from './repositories/identityRepository';

/** Documents per insertMany. */
const CHUNK = 1000;

/** Seeds customers and identities (see module comment). */
export async function seedCustomers(store: MongoStore, dataset: DemoDataset, progress: SeedProgress = SILENT_PROGRESS): Promise<void> {
  const claims = new Map<string, IdentityDocument>();
  const customers: CustomerDocument[] = dataset.customers.map((demo) => {
    const identities: IdentityRecord[] = [];
    for (const identity of demo.identities) {
      const key = identityKeyOf(identity);
      if (claims.has(key)) continue;
      claims.set(key, { _id: key, kind: identity.kind, customerId: demo.id, claimedAt: identity.linkedAt });
      identities.push({ kind: identity.kind, value: identity.value, linkedVia: identity.linkedVia, linkedAt: identity.linkedAt });
    }
    const email = demo.email ?? null;
    const phone = demo.phone ?? null;
    return {
      _id: demo.id,
      displayName: demo.displayName,
      email,
      phone,
      identities,
      addresses: demo.addresses.map((address) => ({ ...address, label: address.label, interior: address.interior ?? null, country: 'MX' as const })),
      wishlist: demo.wishlist.map((item) => ({ ...item })),
      searchTerms: searchTermsOf({ displayName: demo.displayName, email, phone, identities }),
      createdVia: demo.createdVia,
      createdAt: demo.createdAt,
      updatedAt: demo.createdAt,
      version: 0,
    };
  });

  const customerRepository = new CustomerRepository(store);
  const identityRepository = new IdentityRepository(store);
  progress.begin('customers', customers.length);
  for (let start = 0; start < customers.length; start += CHUNK) {
    const chunk = customers.slice(start, start + CHUNK);
    await customerRepository.insertMany(chunk);
    progress.advance(chunk.length);
  }
  const identityDocuments = [...claims.values()];
  progress.begin('identities', identityDocuments.length);
  for (let start = 0; start < identityDocuments.length; start += CHUNK) {
    const chunk = identityDocuments.slice(start, start + CHUNK);
    await identityRepository.insertMany(chunk);
    progress.advance(chunk.length);
  }
}
