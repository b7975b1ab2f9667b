/**
 * Loads customers by id, following merge redirects: a merged duplicate's id resolves to its survivor
 * (DESIGN.md: `customer(id: duplicate)` returns the survivor). One `find({_id: {$in}})` per batch; a
 * second one only when some of the batch were merged away (merges keep redirects one hop, so rarely
 * more).
 */
import DataLoader from 'dataloader';
import type { CustomerDocument, CustomerRepository } from '../repositories/customerRepository';

/** Redirect hops followed before giving up (a cycle, or a chain merges did not flatten). */
const MAX_REDIRECTS = 4;

/**
 * Resolves ids to the customer each now stands for (itself, or the survivor it was merged into);
 * null for ids with no document or a broken redirect.
 */
export async function resolveCustomers(repository: CustomerRepository, ids: readonly string[]): Promise<Map<string, CustomerDocument | null>> {
  const byId = new Map<string, CustomerDocument>();
  const fetched = new Set<string>();
  let pending = [...new Set(ids)];
  for (let hop = 0; hop <= MAX_REDIRECTS && pending.length > 0; hop += 1) {
    for (const id of pending) fetched.add(id);
    for (const customer of await repository.findByIds(pending)) byId.set(customer._id, customer);
    const targets = new Set<string>();
    for (const customer of byId.values()) {
      if (customer.mergedInto !== undefined && !fetched.has(customer.mergedInto)) targets.add(customer.mergedInto);
    }
    pending = [...targets];
  }

  const resolved = new Map<string, CustomerDocument | null>();
  for (const id of ids) {
    let customer = byId.get(id);
    for (let hop = 0; customer?.mergedInto !== undefined && hop <= MAX_REDIRECTS; hop += 1) customer = byId.get(customer.mergedInto);
    resolved.set(id, customer && customer.mergedInto === undefined ? customer : null);
  }
  return resolved;
}

/** A per-request loader of customers by id, redirects followed (see module comment). */
export function createCustomerLoader(repository: CustomerRepository): DataLoader<string, CustomerDocument | null> {
  return new DataLoader<string, CustomerDocument | null>(async (ids) => {
    const resolved = await resolveCustomers(repository, ids);
    return ids.map((id) => resolved.get(id) ?? null);
  });
}
