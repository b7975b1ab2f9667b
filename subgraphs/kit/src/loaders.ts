/**
 * Request-scoped batching. Every `__resolveReference` and list-of-entities field goes through a loader
 * made here, so a customer-360 query costs a bounded number of database round trips however many
 * orders it touches. Loaders are built per request in the context factory: users with different
 * permissions never share a cache.
 */
import DataLoader from 'dataloader';

/**
 * A loader of documents by key: one `fetchMany(keys)` per tick, results handed back in key order, `null`
 * for keys with no document.
 */
export function createKeyedLoader<K extends string | number, V>(
  fetchMany: (keys: readonly K[]) => Promise<readonly V[]>,
  keyOf: (value: V) => K,
): DataLoader<K, V | null> {
  return new DataLoader<K, V | null>(async (keys) => {
    const found = await fetchMany(keys);
    const byKey = new Map<K, V>();
    for (const value of found) byKey.set(keyOf(value), value);
    return keys.map((key) => byKey.get(key) ?? null);
  });
}

/**
 * A loader of lists grouped by a key (e.g. stock levels by sku): one `fetchMany(keys)` per tick, each
 * key gets every value whose `groupOf` is that key, `[]` when none.
 */
export function createGroupedLoader<K extends string | number, V>(
  fetchMany: (keys: readonly K[]) => Promise<readonly V[]>,
  groupOf: (value: V) => K,
): DataLoader<K, V[]> {
  return new DataLoader<K, V[]>(async (keys) => {
    const found = await fetchMany(keys);
    const groups = new Map<K, V[]>();
    for (const value of found) {
      const key = groupOf(value);
      const group = groups.get(key);
      if (group) group.push(value);
      else groups.set(key, [value]);
    }
    return keys.map((key) => groups.get(key) ?? []);
  });
}
