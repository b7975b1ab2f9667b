/**
 * Data access of the `reservations` collection: one document per order, `_id` = order id. The unique
 * `_id` is what makes reserving idempotent under concurrent duplicates: the first request inserts the
 * document in state PENDING (the claim) and is the only one that reserves; a duplicate's insert fails
 * with E11000 and it waits for the claim to settle instead.
 *
 * States: PENDING (claimed, lines being held) → HELD → COMMITTING → COMMITTED, or HELD → RELEASING →
 * RELEASED. The -ING states are the mutual exclusion between a commit and a release of the same order:
 * whoever moves the document out of HELD first owns the lines; the other gets CONFLICT.
 */
import type { Collection } from 'mongodb';
import { MongoServerError } from 'mongodb';
import type { MongoStore } from '../../../kit/src';
import type { StockLine } from '../input/lineInput';

/** Where a reservation is in its life. */
export type ReservationStatus = 'PENDING' | 'HELD' | 'RELEASING' | 'RELEASED' | 'COMMITTING' | 'COMMITTED';

/** Why a reservation was released. */
export type ReleaseReason = 'CANCELLED' | 'EXPIRED';

/** A reservation as stored. */
export interface ReservationDocument {
  /** The order id. */
  _id: string;
  locationId: string;
  lines: StockLine[];
  status: ReservationStatus;
  /** Identifies the request that holds the PENDING claim, so only it may settle the claim. */
  claimToken: string;
  claimedAt: Date;
  heldAt?: Date;
  releasedAt?: Date;
  releaseReason?: ReleaseReason;
  committedAt?: Date;
  updatedAt: Date;
}

/** Name of the collection. */
export const RESERVATIONS = 'reservations';

/** Reservations by order id. */
export class ReservationRepository {
  private readonly reservations: Collection<ReservationDocument>;

  constructor(store: MongoStore) {
    this.reservations = store.collection<ReservationDocument>(RESERVATIONS);
  }

  /** Inserts the PENDING claim; false when the order already has a reservation document. */
  async claim(document: ReservationDocument): Promise<boolean> {
    try {
      await this.reservations.insertOne(document);
      return true;
    } catch (error) {
      if (error instanceof MongoServerError && error.code === 11000) return false;
      throw error;
    }
  }

  /** The reservation of an order, or null. */
  findByOrderId(orderId: string): Promise<ReservationDocument | null> {
    return this.reservations.findOne({ _id: orderId });
  }

  /** PENDING → HELD, only by the request holding the claim. Null when the claim was taken away. */
  markHeld(orderId: string, claimToken: string, now: Date): Promise<ReservationDocument | null> {
    return this.reservations.findOneAndUpdate(
      { _id: orderId, status: 'PENDING', claimToken },
      { $set: { status: 'HELD', heldAt: now, updatedAt: now } },
      { returnDocument: 'after' },
    );
  }

  /** Deletes a PENDING claim that reserved nothing, so a later retry of the order may reserve afresh. */
  async dropClaim(orderId: string, claimToken: string): Promise<void> {
    await this.reservations.deleteOne({ _id: orderId, status: 'PENDING', claimToken });
  }

  /**
   * Moves the reservation into `to` from any of `from` (e.g. HELD or RELEASING → RELEASING); null when
   * it is in none of them.
   */
  transition(orderId: string, from: readonly ReservationStatus[], to: ReservationStatus, now: Date, extra: Partial<ReservationDocument> = {}): Promise<ReservationDocument | null> {
    return this.reservations.findOneAndUpdate(
      { _id: orderId, status: { $in: [...from] } },
      { $set: { ...extra, status: to, updatedAt: now } },
      { returnDocument: 'after' },
    );
  }

  /** Takes an abandoned PENDING claim away from its request (sweeper). */
  takeOverClaim(orderId: string, claimToken: string, now: Date): Promise<ReservationDocument | null> {
    return this.reservations.findOneAndUpdate(
      { _id: orderId, status: 'PENDING', claimToken },
      { $set: { status: 'RELEASING', updatedAt: now } },
      { returnDocument: 'after' },
    );
  }

  /** Deletes a reservation taken over from an abandoned claim, once its holds are undone. */
  async deleteAbandoned(orderId: string): Promise<void> {
    await this.reservations.deleteOne({ _id: orderId, status: 'RELEASING', heldAt: { $exists: false } });
  }

  /** Up to `limit` reservations in `status` whose `field` is before `cutoff`, oldest first. */
  findOlderThan(status: ReservationStatus, field: 'heldAt' | 'claimedAt' | 'updatedAt', cutoff: Date, limit: number): Promise<ReservationDocument[]> {
    return this.reservations
      .find({ status, [field]: { $lt: cutoff } })
      .sort({ [field]: 1 })
      .limit(limit)
      .toArray();
  }

  /** Inserts reservations (seed). */
  async insertMany(documents: readonly ReservationDocument[]): Promise<void> {
    if (documents.length > 0) await this.reservations.insertMany([...documents], { ordered: false });
  }
}
