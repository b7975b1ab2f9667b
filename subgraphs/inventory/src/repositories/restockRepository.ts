/**
 * Data access of the `restocks` collection: one document per return, `_id` = return id, recording that
 * the return's units went back on hand (idempotency of `restock`).
 */
import type { Collection } from 'mongodb';
import { MongoServerError } from 'mongodb';
import type { MongoStore } from '../../../kit/src';
import type { StockLine } from '../input/lineInput';

/** A restock as stored. PENDING while its lines are being put back, DONE after. */
export interface RestockDocument {
  /** The return id. */
  _id: string;
  locationId: string;
  lines: StockLine[];
  status: 'PENDING' | 'DONE';
  createdAt: Date;
  doneAt?: Date;
}

/** Name of the collection. */
export const RESTOCKS = 'restocks';

/** Restocks by return id. */
export class RestockRepository {
  private readonly restocks: Collection<RestockDocument>;

  constructor(store: MongoStore) {
    this.restocks = store.collection<RestockDocument>(RESTOCKS);
  }

  /** Inserts the record; the existing one when the return was seen before. */
  async claim(document: RestockDocument): Promise<{ claimed: true } | { claimed: false; existing: RestockDocument | null }> {
    try {
      await this.restocks.insertOne(document);
      return { claimed: true };
    } catch (error) {
      if (error instanceof MongoServerError && error.code === 11000) return { claimed: false, existing: await this.restocks.findOne({ _id: document._id }) };
      throw error;
    }
  }

  /** Marks the restock done (idempotent). */
  async markDone(returnId: string, now: Date): Promise<void> {
    await this.restocks.updateOne({ _id: returnId, status: 'PENDING' }, { $set: { status: 'DONE', doneAt: now } });
  }

  /** Up to `limit` restocks still PENDING since before `cutoff` (a crash half-way), oldest first. */
  findPendingOlderThan(cutoff: Date, limit: number): Promise<RestockDocument[]> {
    return this.restocks.find({ status: 'PENDING', createdAt: { $lt: cutoff } }).sort({ createdAt: 1 }).limit(limit).toArray();
  }
}
