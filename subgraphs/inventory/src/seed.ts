/**
 * Writes inventory's part of the demo dataset into an EMPTY database: locations, the catalogue, stock
 * per (sku, location) and one HELD reservation per open order (PLACED or READY_FOR_PICKUP), with the
 * matching `holds.<orderId>` markers on the stock documents — so that cancelling, picking up or
 * shipping a seeded order releases or commits exactly what the dataset reserved for it.
 *
 * The dataset's `stock.reserved` already counts the units of open orders; the seed checks that it
 * equals the sum of the holds it derives, so the two can never disagree silently.
 */
import type { MongoStore } from '../../kit/src';
import type { DemoDataset } from '../../../scripts/seed/demoDataset';
import { SILENT_PROGRESS, type SeedProgress } from '../../../scripts/seed/seedProgress';
import { foldText } from './catalogue/foldText';
import { createInventoryRepositories } from './context';
import type { StockLine } from './input/lineInput';
import type { LocationDocument } from './repositories/locationRepository';
import type { ProductDocument } from './repositories/productRepository';
import type { ReservationDocument } from './repositories/reservationRepository';
import { stockIdOf, type StockDocument } from './repositories/stockRepository';

/** Documents per insertMany. */
const CHUNK = 1000;

/** Open order statuses: their units are still reserved at the fulfilment location. */
const OPEN_STATUSES: ReadonlySet<string> = new Set(['PLACED', 'READY_FOR_PICKUP']);

async function insertInChunks<T>(label: string, documents: readonly T[], insert: (chunk: readonly T[]) => Promise<void>, progress: SeedProgress): Promise<void> {
  progress.begin(label, documents.length);
  for (let start = 0; start < documents.length; start += CHUNK) {
    const chunk = documents.slice(start, start + CHUNK);
    await insert(chunk);
    progress.advance(chunk.length);
  }
}

/** Seeds inventory (see module comment). */
export async function seedInventory(store: MongoStore, dataset: DemoDataset, progress: SeedProgress = SILENT_PROGRESS): Promise<void> {
  const repositories = createInventoryRepositories(store);
  const seededAt = new Date();

  const locations: LocationDocument[] = dataset.locations.map((location) => ({
    _id: location.id,
    name: location.name,
    kind: location.kind,
    address: { ...location.address },
    coordinates: { ...location.coordinates },
    openingHours: location.openingHours.map((hours) => ({ ...hours })),
    pickupEnabled: location.pickupEnabled,
    shipFromStoreEnabled: location.shipFromStoreEnabled,
  }));

  const products: ProductDocument[] = dataset.products.map((product) => ({
    _id: product.sku,
    name: product.name,
    nameFolded: foldText(product.name),
    description: product.description,
    category: product.category,
    brand: product.brand,
    priceCents: product.priceCents,
    active: product.active,
    updatedAt: seededAt,
  }));

  const stock = new Map<string, StockDocument>();
  for (const level of dataset.stock) {
    const id = stockIdOf(level.sku, level.locationId);
    stock.set(id, { _id: id, sku: level.sku, locationId: level.locationId, onHand: level.onHand, reserved: level.reserved, updatedAt: seededAt });
  }

  const reservations: ReservationDocument[] = [];
  const heldUnits = new Map<string, number>();
  for (const order of dataset.orders) {
    if (!OPEN_STATUSES.has(order.status)) continue;
    const locationId = order.fulfillment.locationId;
    const quantities = new Map<string, number>();
    for (const line of order.lines) quantities.set(line.sku, (quantities.get(line.sku) ?? 0) + line.quantity);
    const lines: StockLine[] = [...quantities].map(([sku, quantity]) => ({ sku, quantity }));
    for (const line of lines) {
      const id = stockIdOf(line.sku, locationId);
      const level = stock.get(id);
      if (!level) throw new Error(`Demo order ${order.id} holds ${line.sku} at ${locationId}, which has no stock record`);
      level.holds = { ...level.holds, [order.id]: line.quantity };
      heldUnits.set(id, (heldUnits.get(id) ?? 0) + line.quantity);
    }
    reservations.push({
      _id: order.id,
      locationId,
      lines,
      status: 'HELD',
      claimToken: 'seed',
      claimedAt: order.placedAt,
      heldAt: order.placedAt,
      updatedAt: order.placedAt,
    });
  }
  for (const level of stock.values()) {
    const held = heldUnits.get(level._id) ?? 0;
    if (held !== level.reserved) throw new Error(`Demo stock ${level._id} says ${level.reserved} reserved but its open orders hold ${held}`);
  }

  await insertInChunks('locations', locations, (chunk) => repositories.locations.insertMany(chunk), progress);
  await insertInChunks('products', products, (chunk) => repositories.products.insertMany(chunk), progress);
  await insertInChunks('stock', [...stock.values()], (chunk) => repositories.stock.insertMany(chunk), progress);
  await insertInChunks('reservations', reservations, (chunk) => repositories.reservations.insertMany(chunk), progress);
}
