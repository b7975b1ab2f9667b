/**
 * `carts`: the one active cart of each customer, `_id` = customer id, shared by every channel.
 *
 * Lines are a map keyed by sku (`lines.<sku>`), not an array, so that every change is one conditional
 * update addressed by sku — "add to the quantity unless it would pass 999", "add a line unless there
 * are already 50" — without reading first (mongo-java-server cannot combine `$elemMatch` with the
 * positional `$`). Skus are validated to contain no `.` or `$`. The channel of each change is kept on
 * the line, on the cart, and in `changes` (the latest 50).
 */
import { MongoServerError, type Collection, type UpdateFilter } from 'mongodb';
import type { Channel, MongoStore } from '../../../kit/src';

/** Most units of one sku in a cart. */
export const MAX_CART_QUANTITY = 999;

/** Most lines in a cart (the most an order may have). */
export const MAX_CART_LINES = 50;

/** Changes kept in a cart's history. */
const KEPT_CHANGES = 50;

/** One line of a cart. */
export interface CartLineDocument {
  quantity: number;
  addedAt: Date;
  updatedAt: Date;
  updatedVia: Channel;
}

/** One change of a cart, as it was asked for. */
export interface CartChangeDocument {
  sku: string;
  /** ADD: `quantity` units were added; SET: the line was set to `quantity` (0 removes). */
  action: 'ADD' | 'SET';
  quantity: number;
  channel: Channel;
  at: Date;
}

/** A cart document. */
export interface CartDocument {
  /** The customer id. */
  _id: string;
  lines: Record<string, CartLineDocument>;
  lineCount: number;
  updatedVia: Channel;
  updatedAt: Date;
  createdAt: Date;
  changes: CartChangeDocument[];
}

/** Why a cart change was refused. */
export type CartRefusal = 'QUANTITY_LIMIT' | 'LINE_LIMIT';

const DUPLICATE_KEY = 11000;

/** Data access for carts (see module comment). */
export class CartRepository {
  readonly collection: Collection<CartDocument>;

  constructor(store: MongoStore) {
    this.collection = store.collection<CartDocument>('carts');
  }

  /** Carts by customer id. */
  findByCustomerIds(customerIds: readonly string[]): Promise<CartDocument[]> {
    return this.collection.find({ _id: { $in: [...customerIds] } }).toArray();
  }

  /** Adds `quantity` units of `sku` (a new line or more of an existing one). */
  async add(customerId: string, sku: string, quantity: number, channel: Channel): Promise<CartDocument | CartRefusal> {
    const now = new Date();
    const change: CartChangeDocument = { sku, action: 'ADD', quantity, channel, at: now };
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const more = await this.collection.findOneAndUpdate(
        { _id: customerId, [`lines.${sku}.quantity`]: { $lte: MAX_CART_QUANTITY - quantity } },
        { $inc: { [`lines.${sku}.quantity`]: quantity }, $set: lineTouch(sku, channel, now), $push: pushChange(change) } as UpdateFilter<CartDocument>,
        { returnDocument: 'after' },
      );
      if (more) return more;
      const added = await this.addLine(customerId, sku, quantity, channel, change, now);
      if (added !== 'RETRY') return added;
    }
    return this.refusalFor(customerId, sku, quantity);
  }

  /** Sets the quantity of `sku` (0 removes the line; removing a missing line changes nothing). */
  async set(customerId: string, sku: string, quantity: number, channel: Channel): Promise<CartDocument | CartRefusal | null> {
    const now = new Date();
    const change: CartChangeDocument = { sku, action: 'SET', quantity, channel, at: now };
    if (quantity === 0) {
      const removed = await this.collection.findOneAndUpdate(
        { _id: customerId, [`lines.${sku}`]: { $exists: true } },
        { $unset: { [`lines.${sku}`]: '' }, $inc: { lineCount: -1 }, $set: { updatedVia: channel, updatedAt: now }, $push: pushChange(change) } as UpdateFilter<CartDocument>,
        { returnDocument: 'after' },
      );
      return removed ?? (await this.collection.findOne({ _id: customerId }));
    }
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const changed = await this.collection.findOneAndUpdate(
        { _id: customerId, [`lines.${sku}`]: { $exists: true } },
        { $set: { [`lines.${sku}.quantity`]: quantity, ...lineTouch(sku, channel, now) }, $push: pushChange(change) } as UpdateFilter<CartDocument>,
        { returnDocument: 'after' },
      );
      if (changed) return changed;
      const added = await this.addLine(customerId, sku, quantity, channel, change, now);
      if (added !== 'RETRY') return added;
    }
    return this.refusalFor(customerId, sku, 0);
  }

  /**
   * Checkout: the lines of `skus` leave the cart once they are ordered, whichever channel filled it
   * (each removal is recorded as a SET to 0 through the ordering channel). Skus not in the cart are
   * skipped.
   */
  async removeOrdered(customerId: string, skus: readonly string[], channel: Channel): Promise<void> {
    for (const sku of skus) await this.set(customerId, sku, 0, channel);
  }

  /**
   * Adds a new line, creating the cart if needed, only while the sku is absent and there is room.
   * A duplicate `_id` means the cart exists and one condition failed: 'RETRY' lets the caller try
   * the existing-line path again (another channel may just have added the sku). Shared by add and set.
   */
  private async addLine(customerId: string, sku: string, quantity: number, channel: Channel, change: CartChangeDocument, now: Date): Promise<CartDocument | 'RETRY'> {
    try {
      const added = await this.collection.findOneAndUpdate(
        { _id: customerId, [`lines.${sku}`]: { $exists: false }, lineCount: { $lt: MAX_CART_LINES } },
        {
          $set: { [`lines.${sku}`]: { quantity, addedAt: now, updatedAt: now, updatedVia: channel }, updatedVia: channel, updatedAt: now },
          $inc: { lineCount: 1 },
          $setOnInsert: { createdAt: now },
          $push: pushChange(change),
        } as UpdateFilter<CartDocument>,
        { upsert: true, returnDocument: 'after' },
      );
      return added ?? 'RETRY';
    } catch (error) {
      if (error instanceof MongoServerError && error.code === DUPLICATE_KEY) return 'RETRY';
      throw error;
    }
  }

  // Private: after the conditional updates gave up, says which limit stood in the way.
  private async refusalFor(customerId: string, sku: string, adding: number): Promise<CartRefusal> {
    const cart = await this.collection.findOne({ _id: customerId });
    const line = cart?.lines[sku];
    if (line && line.quantity + adding > MAX_CART_QUANTITY) return 'QUANTITY_LIMIT';
    return 'LINE_LIMIT';
  }
}

function lineTouch(sku: string, channel: Channel, now: Date): Record<string, unknown> {
  return { [`lines.${sku}.updatedAt`]: now, [`lines.${sku}.updatedVia`]: channel, updatedVia: channel, updatedAt: now };
}

function pushChange(change: CartChangeDocument): Record<string, unknown> {
  return { changes: { $each: [change], $slice: -KEPT_CHANGES } };
}
