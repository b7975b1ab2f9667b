/**
 * Orders of customers who are not (yet) members (`pendingEarnings` collection, `_id` = order id). They
 * earn if the customer enrols within the window of `earningRule.ts`. A cancellation or return that
 * arrives before the enrolment is recorded here, so the credit is net of it.
 */
import type { Collection } from 'mongodb';
import type { Channel, MongoStore } from '../../../kit/src';

/** A return recorded against a pending order. */
export interface PendingReturn {
  returnId: string;
  refundCents: number;
  channel: Channel;
}

/** A document of the `pendingEarnings` collection. */
export interface PendingEarningDocument {
  /** The order id. */
  _id: string;
  customerId: string;
  channel: Channel;
  totalCents: number;
  placedAt: Date;
  returns: PendingReturn[];
  /** Set when the order was cancelled (the channel it was cancelled through). */
  cancelledVia?: Channel;
  /** Set once the order has been credited to an account. */
  creditedAt?: Date;
  recordedAt: Date;
}

/** Data access to the `pendingEarnings` collection. */
export class PendingEarningRepository {
  readonly collection: Collection<PendingEarningDocument>;

  constructor(store: MongoStore) {
    this.collection = store.collection<PendingEarningDocument>('pendingEarnings');
  }

  /** Remembers an order (idempotent: the first record wins). */
  async record(pending: PendingEarningDocument): Promise<void> {
    const { _id, ...fields } = pending;
    await this.collection.updateOne({ _id }, { $setOnInsert: fields }, { upsert: true });
  }

  /** Notes a cancellation on a pending order, if there is one. */
  async markCancelled(orderId: string, channel: Channel): Promise<void> {
    await this.collection.updateOne({ _id: orderId }, { $set: { cancelledVia: channel } });
  }

  /** Notes a return on a pending order, if there is one (once per return id). */
  async addReturn(orderId: string, pendingReturn: PendingReturn): Promise<void> {
    await this.collection.updateOne({ _id: orderId, 'returns.returnId': { $ne: pendingReturn.returnId } }, { $push: { returns: pendingReturn } });
  }

  /** Uncredited orders of a customer placed at or after `placedSince`. */
  findCreditable(customerId: string, placedSince: Date): Promise<PendingEarningDocument[]> {
    return this.collection.find({ customerId, placedAt: { $gte: placedSince }, creditedAt: { $exists: false } }).toArray();
  }

  /** Pending orders by id (fresh copies, to catch a cancellation that raced a credit). */
  findByIds(orderIds: readonly string[]): Promise<PendingEarningDocument[]> {
    if (orderIds.length === 0) return Promise.resolve([]);
    return this.collection.find({ _id: { $in: [...orderIds] } }).toArray();
  }

  /** Marks orders as credited. */
  async markCredited(orderIds: readonly string[], at: Date): Promise<void> {
    if (orderIds.length === 0) return;
    await this.collection.updateMany({ _id: { $in: [...orderIds] }, creditedAt: { $exists: false } }, { $set: { creditedAt: at } });
  }

  /** Hands a duplicate customer's pending orders to the survivor (merge). */
  async moveToCustomer(fromCustomerId: string, toCustomerId: string): Promise<void> {
    await this.collection.updateMany({ customerId: fromCustomerId }, { $set: { customerId: toCustomerId } });
  }

  /** Forgets a customer's pending orders (erasure). */
  async deleteForCustomer(customerId: string): Promise<void> {
    await this.collection.deleteMany({ customerId });
  }

  /** Customers with uncredited orders (the repair looks for members among them). */
  async customersWithUncredited(): Promise<string[]> {
    const ids = await this.collection.distinct('customerId', { creditedAt: { $exists: false } });
    return ids.filter((id): id is string => typeof id === 'string');
  }
}
