/**
 * Loaders of list fields that take arguments (`conversations(status, first)`): one loader per distinct
 * set of arguments in a request, so every customer asked with the same arguments — the usual case, a
 * list of customers in one query — shares one batch.
 */
import type DataLoader from 'dataloader';

/** Returns the loader for `argumentsKey`, creating it with `create` on first use. */
export function argumentKeyedLoaders<K, V>(create: (argumentsKey: string) => DataLoader<K, V>): (argumentsKey: string) => DataLoader<K, V> {
  const loaders = new Map<string, DataLoader<K, V>>();
  return (argumentsKey) => {
    let loader = loaders.get(argumentsKey);
    if (!loader) {
      loader = create(argumentsKey);
      loaders.set(argumentsKey, loader);
    }
    return loader;
  };
}
