/**
 * Data access of the `stock` collection: one document per (sku, location), `_id: "<sku>@<locationId>"`,
 * so every hot-path write addresses exactly one document by its primary key.
 *
 * Invariant: `0 ≤ reserved ≤ onHand`. It is kept by single-document conditional updates only — the
 * filter states the precondition (`onHand − reserved ≥ qty`), the update applies the change, and
 * MongoDB does both atomically — never by reading and then writing.
 *
 * Each reservation leaves a marker `holds.<orderId>: qty` in the same write that raises `reserved`,
 * and each restock a marker `restocks.<returnId>: qty` in the write that raises `onHand`. A marker
 * makes its line idempotent on its own: a retried, duplicated or resumed step finds the marker (or its
 * absence) and does nothing twice, even after a crash half-way through a multi-line request. Hold
 * markers are removed when the reservation is committed or released; restock markers stay (their
 * number grows only with returns of that sku at that location).
 */
import type { Collection } from 'mongodb';
import { MongoServerError } from 'mongodb';
import type { MongoStore } from '../../../kit/src';

/** Stock of one sku at one location as stored. */
export interface StockDocument {
  /** `<sku>@<locationId>` */
  _id: string;
  sku: string;
  locationId: string;
  /** Units physically there. */
  onHand: number;
  /** Units promised to open orders; the sum of `holds`. */
  reserved: number;
  /** Order id → units that order holds here. Not loaded by list reads. */
  holds?: Record<string, number>;
  /** Return id → units that return put back here. Not loaded by list reads. */
  restocks?: Record<string, number>;
  updatedAt?: Date;
}

/** Name of the collection. */
export const STOCK = 'stock';

/** The document id of the stock of `sku` at `locationId`. */
export function stockIdOf(sku: string, locationId: string): string {
  return `${sku}@${locationId}`;
}

/** `onHand − reserved`, never below zero. */
export function availableOf(stock: Pick<StockDocument, 'onHand' | 'reserved'>): number {
  return Math.max(0, stock.onHand - stock.reserved);
}

/** The markers are per-order bookkeeping, not something list reads need to carry around. */
const WITHOUT_MARKERS = { projection: { holds: 0, restocks: 0 } } as const;

/** `$expr` precondition: at least `quantity` units are available. */
function availableAtLeast(quantity: number) {
  return { $gte: [{ $subtract: ['$onHand', '$reserved'] }, quantity] };
}

/** Stock per (sku, location). */
export class StockRepository {
  private readonly stock: Collection<StockDocument>;

  constructor(store: MongoStore) {
    this.stock = store.collection<StockDocument>(STOCK);
  }

  /** Every stock document of these skus (all locations), without markers. */
  findBySkus(skus: readonly string[]): Promise<StockDocument[]> {
    return this.stock.find({ sku: { $in: [...skus] } }, WITHOUT_MARKERS).toArray();
  }

  /** One stock document with its markers, or null. */
  findById(id: string): Promise<StockDocument | null> {
    return this.stock.findOne({ _id: id });
  }

  /** One stock document without markers, or null. */
  findLevel(sku: string, locationId: string): Promise<StockDocument | null> {
    return this.stock.findOne({ _id: stockIdOf(sku, locationId) }, WITHOUT_MARKERS);
  }

  /** Skus with at least one available unit at any of `locationIds`. */
  async skusAvailableAt(locationIds: readonly string[]): Promise<string[]> {
    const groups = await this.stock
      .aggregate<{ _id: string }>([
        { $match: { locationId: { $in: [...locationIds] }, $expr: { $gt: ['$onHand', '$reserved'] } } },
        { $group: { _id: '$sku' } },
      ])
      .toArray();
    return groups.map((group) => group._id);
  }

  /**
   * Holds `quantity` units for `orderId` if that many are available and the order holds none here yet.
   * True when this call reserved them.
   */
  async hold(sku: string, locationId: string, orderId: string, quantity: number, now: Date): Promise<boolean> {
    const result = await this.stock.updateOne(
      { _id: stockIdOf(sku, locationId), [`holds.${orderId}`]: { $exists: false }, $expr: availableAtLeast(quantity) },
      { $inc: { reserved: quantity }, $set: { [`holds.${orderId}`]: quantity, updatedAt: now } },
    );
    return result.modifiedCount === 1;
  }

  /** Gives back the units `orderId` holds here (compensation, release, expiry). No-op when it holds none. */
  async unhold(sku: string, locationId: string, orderId: string, quantity: number, now: Date): Promise<boolean> {
    const result = await this.stock.updateOne(
      { _id: stockIdOf(sku, locationId), [`holds.${orderId}`]: { $exists: true } },
      { $inc: { reserved: -quantity }, $unset: { [`holds.${orderId}`]: '' }, $set: { updatedAt: now } },
    );
    return result.modifiedCount === 1;
  }

  /** The held units leave the location (order fulfilled or picked up): reserved and onHand both drop. */
  async consumeHold(sku: string, locationId: string, orderId: string, quantity: number, now: Date): Promise<boolean> {
    const result = await this.stock.updateOne(
      { _id: stockIdOf(sku, locationId), [`holds.${orderId}`]: { $exists: true } },
      { $inc: { reserved: -quantity, onHand: -quantity }, $unset: { [`holds.${orderId}`]: '' }, $set: { updatedAt: now } },
    );
    return result.modifiedCount === 1;
  }

  /**
   * Puts `quantity` returned units on hand once per return; creates the stock document when the
   * location never carried the sku. False when this return was already restocked here.
   */
  async restockOnce(sku: string, locationId: string, returnId: string, quantity: number, now: Date): Promise<boolean> {
    try {
      const result = await this.stock.updateOne(
        { _id: stockIdOf(sku, locationId), [`restocks.${returnId}`]: { $exists: false } },
        { $inc: { onHand: quantity }, $set: { [`restocks.${returnId}`]: quantity, updatedAt: now }, $setOnInsert: { sku, locationId, reserved: 0 } },
        { upsert: true },
      );
      return result.modifiedCount + result.upsertedCount === 1;
    } catch (error) {
      // The document exists with the marker, so the filter missed and the upsert hit the _id: done before.
      if (error instanceof MongoServerError && error.code === 11000) return false;
      throw error;
    }
  }

  /**
   * Changes onHand by `delta`. Increases upsert the document (the sku was never stocked here); a decrease
   * applies only if it keeps `onHand ≥ reserved`. Null when the decrease is refused.
   */
  adjust(sku: string, locationId: string, delta: number, now: Date): Promise<StockDocument | null> {
    const id = stockIdOf(sku, locationId);
    if (delta >= 0) {
      return this.stock.findOneAndUpdate(
        { _id: id },
        { $inc: { onHand: delta }, $set: { updatedAt: now }, $setOnInsert: { sku, locationId, reserved: 0 } },
        { upsert: true, returnDocument: 'after', ...WITHOUT_MARKERS },
      );
    }
    return this.stock.findOneAndUpdate({ _id: id, $expr: availableAtLeast(-delta) }, { $inc: { onHand: delta }, $set: { updatedAt: now } }, { returnDocument: 'after', ...WITHOUT_MARKERS });
  }

  /** Inserts stock documents (seed). */
  async insertMany(documents: readonly StockDocument[]): Promise<void> {
    if (documents.length > 0) await this.stock.insertMany([...documents], { ordered: false });
  }
}
