/**
 * Order numbers people can read over the phone: `ZC-` and six digits (more once the counter passes
 * 999999), from one counter document incremented atomically, so numbers are unique without a retry
 * loop. The seed raises the counter above the seeded numbers; a unique index on `orders.number` guards
 * anything else.
 */
import type { Collection } from 'mongodb';
import type { MongoStore } from '../../../kit/src';

/** A counter document. */
export interface CounterDocument {
  _id: string;
  value: number;
}

const ORDER_NUMBER_COUNTER = 'orderNumber';

/** `ZC-` + the value, zero-padded to six digits. */
export function formatOrderNumber(value: number): string {
  return `ZC-${String(value).padStart(6, '0')}`;
}

/** The numeric part of an order number, or null if it is not one. */
export function parseOrderNumber(number: string): number | null {
  const match = /^ZC-(\d{6,9})$/.exec(number);
  return match ? Number(match[1]) : null;
}

/** Data access for the order-number counter (see module comment). */
export class OrderNumberRepository {
  readonly collection: Collection<CounterDocument>;

  constructor(store: MongoStore) {
    this.collection = store.collection<CounterDocument>('counters');
  }

  /** The next order number. */
  async next(): Promise<string> {
    const counter = await this.collection.findOneAndUpdate({ _id: ORDER_NUMBER_COUNTER }, { $inc: { value: 1 } }, { upsert: true, returnDocument: 'after' });
    if (!counter) throw new Error('The order-number counter did not return a value');
    return formatOrderNumber(counter.value);
  }

  /** Makes sure the next number is above `value` (never lowers the counter). */
  async raiseTo(value: number): Promise<void> {
    await this.collection.updateOne({ _id: ORDER_NUMBER_COUNTER }, { $max: { value } }, { upsert: true });
  }
}
