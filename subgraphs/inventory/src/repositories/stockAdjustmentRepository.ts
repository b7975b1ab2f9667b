/**
 * Data access of the `stockAdjustments` collection: the audit trail of manual stock changes (who, with
 * which role, when, through which channel, why, by how much, and the resulting on-hand count).
 *
 * An entry is written as PENDING before the stock changes and settled (APPLIED or REFUSED) after, so
 * there is never a stock change without a trail: at worst a crash leaves a PENDING entry, which says
 * "attempted, outcome unknown". With an idempotency key the entry's `_id` is derived from it, which
 * also makes a retried adjustment apply once.
 */
import type { Collection } from 'mongodb';
import { MongoServerError } from 'mongodb';
import type { Channel, MongoStore, Role } from '../../../kit/src';

/** Outcome of an adjustment. */
export type StockAdjustmentStatus = 'PENDING' | 'APPLIED' | 'REFUSED';

/** One audit entry. */
export interface StockAdjustmentDocument {
  _id: string;
  sku: string;
  locationId: string;
  delta: number;
  reason: string;
  channel: Channel;
  /** The principal's `sub`. */
  by: string;
  role: Role;
  /** The associate's store claim, when there is one. */
  storeId?: string;
  at: Date;
  status: StockAdjustmentStatus;
  /** onHand after an APPLIED adjustment. */
  resultingOnHand?: number;
  /** Why a REFUSED adjustment was refused. */
  refusal?: string;
}

/** Name of the collection. */
export const STOCK_ADJUSTMENTS = 'stockAdjustments';

/** The audit trail. */
export class StockAdjustmentRepository {
  private readonly adjustments: Collection<StockAdjustmentDocument>;

  constructor(store: MongoStore) {
    this.adjustments = store.collection<StockAdjustmentDocument>(STOCK_ADJUSTMENTS);
  }

  /** Records the intent; the existing entry when one with this `_id` exists (a retry). */
  async begin(entry: StockAdjustmentDocument): Promise<StockAdjustmentDocument | null> {
    try {
      await this.adjustments.insertOne(entry);
      return null;
    } catch (error) {
      if (error instanceof MongoServerError && error.code === 11000) return this.adjustments.findOne({ _id: entry._id });
      throw error;
    }
  }

  /** Settles a PENDING entry. */
  async settle(id: string, outcome: { status: 'APPLIED'; resultingOnHand: number } | { status: 'REFUSED'; refusal: string }): Promise<void> {
    await this.adjustments.updateOne({ _id: id, status: 'PENDING' }, { $set: outcome });
  }

  /** The newest entries at a location (optionally of one sku), newest first. */
  findRecent(locationId: string, sku: string | undefined, limit: number): Promise<StockAdjustmentDocument[]> {
    return this.adjustments
      .find(sku === undefined ? { locationId } : { locationId, sku })
      .sort({ at: -1, _id: -1 })
      .limit(limit)
      .toArray();
  }
}
