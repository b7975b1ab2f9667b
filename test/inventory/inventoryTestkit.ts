/**
 * What the inventory tests share: start a database and the inventory subgraph for one file, seed a
 * small hand-made dataset through the real `seedInventory`, and read stock straight from the database
 * to check invariants the API does not show (holds, leftover claims).
 */
import type { DemoDataset, DemoLocation, DemoProduct, DemoStock } from '../../scripts/seed/demoDataset';
import { DEMO_LOCATIONS } from '../../scripts/seed/demoDataset';
import type { LocalDatabase } from '../../subgraphs/kit/src';
import { createLogger } from '../../subgraphs/kit/src';
import { createInventoryServices, type InventoryServices } from '../../subgraphs/inventory/src/context';
import { DEFAULT_INVENTORY_CONFIG, type InventoryConfig } from '../../subgraphs/inventory/src/inventoryConfig';
import type { StockDocument } from '../../subgraphs/inventory/src/repositories/stockRepository';
import { seedInventory } from '../../subgraphs/inventory/src/seed';
import { buildInventoryServerWith } from '../../subgraphs/inventory/src/server';
import { startSubgraph, startTestDatabase, type RunningSubgraph } from '../support/testkit';

/** Settings for tests: no background sweep (tests call `sweep` themselves, with a chosen `now`). */
export const TEST_INVENTORY_CONFIG: InventoryConfig = { ...DEFAULT_INVENTORY_CONFIG, sweepIntervalSeconds: 0 };

/** A running inventory subgraph with its own database, plus services over the same store. */
export interface InventoryUnderTest {
  database: LocalDatabase;
  subgraph: RunningSubgraph;
  url: string;
  services: InventoryServices;
  /** The stock document straight from the database (with markers), or null. */
  stockDocument(sku: string, locationId: string): Promise<StockDocument | null>;
  stop(): Promise<void>;
}

/**
 * Starts a database and the inventory subgraph on a free port, seeded with `dataset`. `config`
 * defaults to {@link TEST_INVENTORY_CONFIG}.
 */
export async function startInventory(databaseName: string, dataset: DemoDataset, config: InventoryConfig = TEST_INVENTORY_CONFIG): Promise<InventoryUnderTest> {
  const database = await startTestDatabase();
  const subgraph = await startSubgraph('inventory', (options) => buildInventoryServerWith(options, config), database, { databaseName });
  await seedInventory(subgraph.store, dataset);
  return {
    database,
    subgraph,
    url: subgraph.url,
    services: createInventoryServices(subgraph.store, config, createLogger('inventory-test', 'silent')),
    stockDocument: (sku, locationId) => subgraph.store.collection<StockDocument>('stock').findOne({ _id: `${sku}@${locationId}` }),
    async stop() {
      await subgraph.stop();
      await database.stop();
    },
  };
}

/** A test product (price 100.00 MXN unless given). */
export function testProduct(sku: string, name: string, extra: Partial<DemoProduct> = {}): DemoProduct {
  return { sku, name, description: `${name} de prueba`, category: 'despensa', brand: 'Prueba', priceCents: 10_000, active: true, ...extra };
}

/** A small dataset: the demo locations, the given products and stock, no orders. */
export function testDataset(products: DemoProduct[], stock: DemoStock[], locations: DemoLocation[] = DEMO_LOCATIONS): DemoDataset {
  return { locations, products, stock, customers: [], orders: [], loyaltyMembers: [], conversations: [], contactPreferences: [] };
}

/** Ids of the demo locations, for readable tests. */
export const CENTRO = 'MX-CDMX-CENTRO'; // store: pickup and ship-from-store
export const POLANCO = 'MX-CDMX-POLANCO'; // store: pickup only
export const GUADALAJARA = 'MX-GDL-CHAPULTEPEC'; // store: pickup and ship-from-store
export const OAXACA = 'MX-OAX-CENTRO'; // store: pickup only
export const TEPOTZOTLAN = 'MX-WH-TEPOTZOTLAN'; // warehouse near CDMX
export const EL_SALTO = 'MX-WH-GDL'; // warehouse near Guadalajara
