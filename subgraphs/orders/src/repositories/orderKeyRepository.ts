/**
 * Idempotency claims of `placeOrder`. The first call with a key inserts `{ _id: "<customerId>:<key>" }`
 * BEFORE anything else happens; the unique `_id` lets exactly one of any number of concurrent calls
 * win, so one key makes one reservation and one order. The others wait for that order and return it.
 * A claim whose placement failed is deleted (nothing written); a claim left behind by a crashed process
 * is taken over once it is older than the stale age.
 *
 * Keys are scoped to the customer: two customers who happen to pick the same key never see each
 * other's orders.
 */
import { MongoServerError, type Collection } from 'mongodb';
import type { MongoStore } from '../../../kit/src';

/** A claim of an idempotency key. */
export interface OrderKeyDocument {
  /** `<customerId>:<idempotencyKey>`. */
  _id: string;
  /** The id the winning call gives its order. */
  orderId: string;
  /** Hash of the normalised request: the same key with a different request is a CONFLICT. */
  fingerprint: string;
  claimedAt: Date;
}

/** Outcome of {@link OrderKeyRepository.claim}. */
export type ClaimOutcome = { claimed: true } | { claimed: false; existing: OrderKeyDocument | null };

const DUPLICATE_KEY = 11000;

/** Data access for idempotency claims (see module comment). */
export class OrderKeyRepository {
  readonly collection: Collection<OrderKeyDocument>;

  constructor(store: MongoStore) {
    this.collection = store.collection<OrderKeyDocument>('orderKeys');
  }

  /** Tries to claim `id` for `orderId`; when taken, returns the existing claim (or null if it just vanished). */
  async claim(id: string, orderId: string, fingerprint: string): Promise<ClaimOutcome> {
    try {
      await this.collection.insertOne({ _id: id, orderId, fingerprint, claimedAt: new Date() });
      return { claimed: true };
    } catch (error) {
      if (!(error instanceof MongoServerError) || error.code !== DUPLICATE_KEY) throw error;
      return { claimed: false, existing: await this.collection.findOne({ _id: id }) };
    }
  }

  /** Takes over a claim of a crashed placement (still naming `staleOrderId`, older than `staleBefore`). */
  async takeOver(id: string, staleOrderId: string, orderId: string, staleBefore: Date): Promise<boolean> {
    const result = await this.collection.updateOne({ _id: id, orderId: staleOrderId, claimedAt: { $lt: staleBefore } }, { $set: { orderId, claimedAt: new Date() } });
    return result.modifiedCount === 1;
  }

  /** Releases a claim whose placement wrote nothing, unless someone else has taken it over meanwhile. */
  async release(id: string, orderId: string): Promise<void> {
    await this.collection.deleteOne({ _id: id, orderId });
  }
}
