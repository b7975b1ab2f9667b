/**
 * W2 — the web shop's category page, anonymous (`Catalogue`): twelve products of a category that are
 * in stock in the shopper's store, with prices and available quantity. Category × store pairs are drawn
 * round-robin. W5 — the same page for signed-in shoppers: each request carries the `CUSTOMER` token of
 * the next customer (round-robin), as a web shop whose shoppers are logged in sends it.
 */
import { DEMO_LOCATIONS } from '../../scripts/seed/demoDataset';
import { signToken } from '../../subgraphs/kit/src';
import { loadBenchOperation } from './benchOperation';
import { pathOf, roundRobin, type WorkloadContext, type WorkloadFactory } from './workload';

/** Builds W2. */
export const webWorkload: WorkloadFactory = (context) => catalogueWorkload(context, false);

/** Builds W5. */
export const signedInWebWorkload: WorkloadFactory = (context) => catalogueWorkload(context, true);

function catalogueWorkload({ dataset, auth }: WorkloadContext, signedIn: boolean): ReturnType<WorkloadFactory> {
  const nextToken = signedIn ? roundRobin(dataset.customers.map((customer) => signToken({ sub: customer.id, role: 'CUSTOMER' }, auth))) : undefined;
  const categories = [...new Set(dataset.products.map((product) => product.category))];
  const stores = DEMO_LOCATIONS.filter((location) => location.kind === 'STORE').map((location) => location.id);
  const pairs = categories.flatMap((category) => stores.map((locationId) => ({ category, locationId })));
  const nextPair = roundRobin(pairs);

  return {
    id: signedIn ? 'W5' : 'W2',
    title: signedIn ? 'web: category page, in stock in my store (signed-in shoppers)' : 'web: category page, in stock in my store (anonymous)',
    steps: [
      {
        operation: loadBenchOperation('web', 'Catalogue'),
        prepare(state) {
          const pair = nextPair();
          state.pair = pair;
          const variables = { filter: { category: pair.category, inStockOnly: true, locationId: pair.locationId }, first: 12 };
          return nextToken ? { variables, token: nextToken() } : { variables };
        },
        check(data, state) {
          const { category } = state.pair as { category: string };
          const nodes = pathOf(data, 'products.nodes');
          const total = pathOf(data, 'products.totalCount');
          if (!Array.isArray(nodes) || nodes.length === 0 || nodes.length > 12) return `products.nodes has ${Array.isArray(nodes) ? nodes.length : 'no'} items`;
          if (typeof total !== 'number' || total < nodes.length) return 'products.totalCount is wrong';
          for (const node of nodes as { category?: string; price?: { amount?: unknown }; availableQuantity?: unknown }[]) {
            if (node.category !== category) return `a ${String(node.category)} product in the ${category} page`;
            if (typeof node.price?.amount !== 'string' || typeof node.availableQuantity !== 'number') return 'a product lacks its price or quantity';
          }
          return undefined;
        },
      },
    ],
  };
}
