/**
 * Seeds every subgraph's own database with its part of the demo dataset. Idempotent: a database that
 * already holds a seed (its `meta` document) is left alone unless `reset` is asked, so `npm start` can
 * call it on every start and only the first one writes. Deterministic: the same options give the same
 * data.
 */
import { MongoStore, SUBGRAPH_NAMES, databaseNameOf, type SubgraphName } from '../../subgraphs/kit/src';
import { seedCustomers } from '../../subgraphs/customers/src/seed';
import { seedInventory } from '../../subgraphs/inventory/src/seed';
import { seedLoyalty } from '../../subgraphs/loyalty/src/seed';
import { seedMessaging } from '../../subgraphs/messaging/src/seed';
import { seedOrders } from '../../subgraphs/orders/src/seed';
import { generateDemoDataset, type DemoDataset, type DemoDatasetOptions } from './demoDataset';

/** Each subgraph's seeder, writing its part into its own (empty) database. */
const SEEDERS: Record<SubgraphName, (store: MongoStore, dataset: DemoDataset) => Promise<void>> = {
  customers: seedCustomers,
  inventory: seedInventory,
  orders: seedOrders,
  loyalty: seedLoyalty,
  messaging: seedMessaging,
};

/** Options for {@link seedEstate}. */
export interface SeedEstateOptions extends DemoDatasetOptions {
  uri: string;
  /** Drop each database and seed again. @default false */
  reset?: boolean;
  /** Database name per subgraph. @default databaseNameOf */
  databaseNameOf?: (name: SubgraphName) => string;
  log?: (line: string) => void;
  /** Edits the generated dataset before it is written (tests shape it to their needs). */
  prepare?: (dataset: DemoDataset) => void;
}

/** What {@link seedEstate} did per subgraph. */
export type SeedOutcome = Record<SubgraphName, 'seeded' | 'already seeded'>;

interface SeedMeta {
  _id: 'seed';
  seededAt: Date;
  options: DemoDatasetOptions;
  counts: Record<string, number>;
}

/** Seeds the estate (see module comment). */
export async function seedEstate(options: SeedEstateOptions): Promise<SeedOutcome> {
  const log = options.log ?? (() => undefined);
  const nameOf = options.databaseNameOf ?? databaseNameOf;
  const datasetOptions: DemoDatasetOptions = {
    ...(options.customers !== undefined ? { customers: options.customers } : {}),
    ...(options.orders !== undefined ? { orders: options.orders } : {}),
    ...(options.products !== undefined ? { products: options.products } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
  };
  let dataset: DemoDataset | undefined;
  const outcome = {} as SeedOutcome;
  for (const name of SUBGRAPH_NAMES) {
    const store = await MongoStore.connect({ uri: options.uri, databaseName: nameOf(name) });
    try {
      const meta = store.collection<SeedMeta>('meta');
      if (options.reset) await store.db.dropDatabase();
      else if (await meta.findOne({ _id: 'seed' })) {
        outcome[name] = 'already seeded';
        continue;
      }
      if (!dataset) {
        const started = Date.now();
        dataset = generateDemoDataset(datasetOptions);
        options.prepare?.(dataset);
        log(`generated the demo dataset in ${Date.now() - started} ms: ${dataset.customers.length} customers, ${dataset.orders.length} orders, ${dataset.products.length} products, ${dataset.locations.length} locations`);
      }
      const started = Date.now();
      await SEEDERS[name](store, dataset);
      const counts: Record<string, number> = {};
      for (const collection of await store.db.listCollections({}, { nameOnly: true }).toArray()) {
        if (collection.name !== 'meta') counts[collection.name] = await store.db.collection(collection.name).countDocuments();
      }
      await meta.replaceOne({ _id: 'seed' }, { seededAt: new Date(), options: datasetOptions, counts }, { upsert: true });
      log(`seeded ${nameOf(name)} in ${Date.now() - started} ms: ${Object.entries(counts).map(([c, n]) => `${n} ${c}`).join(', ')}`);
      outcome[name] = 'seeded';
    } finally {
      await store.close();
    }
  }
  return outcome;
}
