/**
 * Seeds every subgraph's own database with its part of the demo dataset. Idempotent: a database that
 * already holds a seed (its `meta` document) is left alone unless `reset` is asked, so `npm start` can
 * call it on every start and only the first one writes. Deterministic: the same options give the same
 * data. Reports its progress — generating, then each collection — to a {@link SeedProgress}
 * (`npm run seed` draws it on stderr; seedProgress.ts).
 */
import { MongoStore, SUBGRAPH_NAMES, databaseNameOf, type SubgraphName } from '../../subgraphs/kit/src';
import { seedCustomers } from '../../subgraphs/customers/src/seed';
import { seedInventory } from '../../subgraphs/inventory/src/seed';
import { seedLoyalty } from '../../subgraphs/loyalty/src/seed';
import { seedMessaging } from '../../subgraphs/messaging/src/seed';
import { seedOrders } from '../../subgraphs/orders/src/seed';
import { generateDemoDataset, type DemoDataset, type DemoDatasetOptions } from './demoDataset';
import { SILENT_PROGRESS, prefixedProgress, type SeedProgress } from './seedProgress';

/** Each subgraph's seeder, writing its part into its own (empty) database. */
const SEEDERS: Record<SubgraphName, (store: MongoStore, dataset: DemoDataset, progress: SeedProgress) => Promise<void>> = {
  customers: seedCustomers,
  inventory: seedInventory,
  orders: seedOrders,
  loyalty: seedLoyalty,
  messaging: seedMessaging,
};

/** Options for {@link seedEstate}. */
export interface SeedEstateOptions extends DemoDatasetOptions {
  uri: string;
  /**
   * Drop each database and seed again: always (`true`), never (`false`: a seeded database is left
   * alone), or unless it holds a complete seed of the same sizes (`'when-different'`: the benchmark at
   * scale reuses a million orders seeded by an earlier run). @default false
   */
  reset?: boolean | 'when-different';
  /** Database name per subgraph. @default databaseNameOf */
  databaseNameOf?: (name: SubgraphName) => string;
  log?: (line: string) => void;
  /** Edits the generated dataset before it is written (tests shape it to their needs). */
  prepare?: (dataset: DemoDataset) => void;
  /** The dataset of these options, when the caller generated it already (the benchmark needs it too). */
  dataset?: DemoDataset;
  /** @default SILENT_PROGRESS */
  progress?: SeedProgress;
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
  const progress = options.progress ?? SILENT_PROGRESS;
  let dataset: DemoDataset | undefined = options.dataset;
  const outcome = {} as SeedOutcome;
  for (const name of SUBGRAPH_NAMES) {
    const store = await MongoStore.connect({ uri: options.uri, databaseName: nameOf(name) });
    try {
      const meta = store.collection<SeedMeta>('meta');
      const existing = await meta.findOne({ _id: 'seed' });
      const keep = options.reset === 'when-different' ? existing !== null && sameSizes(existing.options, datasetOptions) : !options.reset && existing !== null;
      if (keep) {
        outcome[name] = 'already seeded';
        continue;
      }
      // An unfinished seed has no meta document yet: 'when-different' clears it too.
      if (options.reset) await store.db.dropDatabase();
      if (!dataset) {
        const started = Date.now();
        dataset = generateWithProgress(datasetOptions, progress);
        options.prepare?.(dataset);
        log(`generated the demo dataset in ${Date.now() - started} ms: ${dataset.customers.length} customers, ${dataset.orders.length} orders, ${dataset.products.length} products, ${dataset.locations.length} locations`);
      }
      const started = Date.now();
      await SEEDERS[name](store, dataset, prefixedProgress(progress, nameOf(name)));
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

// Private: whether a recorded seed has the sizes asked for (defaults applied on both sides).
function sameSizes(recorded: DemoDatasetOptions, wanted: DemoDatasetOptions): boolean {
  const sizes = (o: DemoDatasetOptions) => [o.customers ?? 1000, o.orders ?? 5000, o.products ?? 200, o.seed ?? 2026].join('/');
  return sizes(recorded) === sizes(wanted);
}

// Private: generating a million orders takes a while; the progress shows it (orders generated, not written).
function generateWithProgress(options: DemoDatasetOptions, progress: SeedProgress): DemoDataset {
  let reported = 0;
  progress.begin('generating orders', options.orders ?? 5000, 'orders');
  const dataset = generateDemoDataset({
    ...options,
    onOrders: (generated) => {
      progress.advance(generated - reported);
      reported = generated;
    },
  });
  progress.advance(dataset.orders.length - reported);
  return dataset;
}
