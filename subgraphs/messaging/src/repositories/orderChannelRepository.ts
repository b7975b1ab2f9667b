/**
 * The `orderChannels` projection, `_id` = order id: what messaging learns about an order from the
 * orders subgraph's events (its customer, the channel it was placed through, its number and location).
 * It answers "may a service message about this order go to this channel?" and fills templates, without
 * ever reading the orders database.
 */
import type { Channel, MongoStore } from '../../../kit/src';
import { isDuplicateKeyError } from './duplicateKey';

/** A projected order. */
export interface OrderChannelDocument {
  _id: string;
  customerId: string;
  channel: Channel;
  number: string;
  /** The fulfilment location (the pickup store for click and collect). */
  locationId: string;
  fulfillmentMethod: string | null;
  placedAt: Date | null;
  recordedAt: Date;
}

/** Data access for the order projection. */
export class OrderChannelRepository {
  readonly collection;

  constructor(store: MongoStore) {
    this.collection = store.collection<OrderChannelDocument>('orderChannels');
  }

  findById(orderId: string): Promise<OrderChannelDocument | null> {
    return this.collection.findOne({ _id: orderId });
  }

  /** Records an order once; later deliveries of the event leave the first record (and any merge) alone. */
  async record(order: OrderChannelDocument): Promise<void> {
    const { _id, ...fields } = order;
    try {
      await this.collection.updateOne({ _id }, { $setOnInsert: fields }, { upsert: true });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
  }

  /** Customer merge: the duplicate's orders are the survivor's. */
  async repoint(duplicateId: string, survivorId: string): Promise<void> {
    await this.collection.updateMany({ customerId: duplicateId }, { $set: { customerId: survivorId } });
  }
}
