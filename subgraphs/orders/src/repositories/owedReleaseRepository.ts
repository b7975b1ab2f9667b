/**
 * The `owedReleases` collection: reservations that orders must still give back at inventory, one
 * document per order id that was never written (`_id` = that order id).
 *
 * When a placement fails after it asked inventory to reserve — the order write failed, or inventory did
 * not answer in time and may have reserved anyway — orders releases the reservation at once. If that
 * release cannot reach inventory either, the debt is written here and the reservation settler
 * (reservationSettler.ts) pays it on its next pass, so stock held for an order that does not exist
 * comes back in minutes instead of at inventory's reservation expiry (days).
 */
import type { Collection } from 'mongodb';
import type { MongoStore } from '../../../kit/src';

/** A release orders still owes inventory. */
export interface OwedReleaseDocument {
  /** The order id the reservation was made for (no order with this id exists). */
  _id: string;
  /** Why the placement failed, for the operator. */
  reason: string;
  since: Date;
  /** Failed attempts of the settler so far. */
  attempts: number;
}

/** Data access for owed releases (see module comment). */
export class OwedReleaseRepository {
  readonly collection: Collection<OwedReleaseDocument>;

  constructor(store: MongoStore) {
    this.collection = store.collection<OwedReleaseDocument>('owedReleases');
  }

  /** Records the debt (idempotent: a second record of the same order changes nothing). */
  async record(orderId: string, reason: string, now: Date = new Date()): Promise<void> {
    await this.collection.updateOne({ _id: orderId }, { $setOnInsert: { reason, since: now, attempts: 0 } }, { upsert: true });
  }

  /** Up to `limit` debts, oldest first. */
  oldest(limit: number): Promise<OwedReleaseDocument[]> {
    return this.collection.find({}).sort({ since: 1 }).limit(limit).toArray();
  }

  /** The debt is paid: inventory released the reservation or never had one. */
  async settle(orderId: string): Promise<void> {
    await this.collection.deleteOne({ _id: orderId });
  }

  /** Counts a failed attempt (the next pass tries again). */
  async countAttempt(orderId: string): Promise<void> {
    await this.collection.updateOne({ _id: orderId }, { $inc: { attempts: 1 } });
  }
}
