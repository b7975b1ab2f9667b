/**
 * The `orders` collection. One document per order holds everything whose changes must be atomic
 * together: its lines with the returned quantity of each, its returns, its status and the events it
 * publishes (`pendingEvents`, per the kit's events module). So a transition, a return or a placement is
 * one single-document write, and an event exists exactly when its state change does.
 *
 * `soldUnits`, `returnedUnits` and `refundedCents` are kept as counters beside the lines so that the
 * return rule ("RETURNED when every unit is back") can be a filter of a conditional update, and the
 * KPIs need no `$unwind` over lines.
 */
import type { Collection, Document, Filter, UpdateFilter } from 'mongodb';
import type { Channel, DomainEvent, MongoStore } from '../../../kit/src';

/** Where an order is in its life. */
export const ORDER_STATUSES = ['PLACED', 'READY_FOR_PICKUP', 'SHIPPED', 'COMPLETED', 'CANCELLED', 'PARTIALLY_RETURNED', 'RETURNED'] as const;

/** One of {@link ORDER_STATUSES}. */
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** How an order reaches the customer (the SDL's `FulfillmentMethod`). */
export const FULFILLMENT_METHODS = ['SHIP_TO_HOME', 'PICKUP_IN_STORE', 'SHIP_FROM_STORE', 'IN_STORE_PURCHASE'] as const;

/** One of {@link FULFILLMENT_METHODS}. */
export type FulfillmentMethod = (typeof FULFILLMENT_METHODS)[number];

/**
 * What orders believes the inventory reservation of an order is; inventory is the arbiter. NONE: inventory
 * said it knows no reservation for the order.
 */
export type ReservationStatus = 'HELD' | 'COMMITTED' | 'RELEASED' | 'NONE';

/** A line, priced when the order was placed. */
export interface OrderLineDocument {
  sku: string;
  productName: string;
  quantity: number;
  unitPriceCents: number;
  returnedQuantity: number;
}

/** Returned units of one line, with their refund. */
export interface ReturnLineDocument {
  sku: string;
  quantity: number;
  unitPriceCents: number;
  refundCents: number;
}

/**
 * A return, embedded in its order. PENDING while the units are being restocked at inventory (the
 * quantities are already claimed); RECEIVED once restocked. Only RECEIVED returns are shown.
 */
export interface ReturnDocument {
  id: string;
  channel: Channel;
  locationId: string;
  lines: ReturnLineDocument[];
  refundCents: number;
  status: 'PENDING' | 'RECEIVED';
  createdAt: Date;
  /** `sub` of whoever recorded it. */
  createdBy: string;
}

/** An order document. */
export interface OrderDocument {
  /** `ord_<uuid without dashes>` (seeded: `ord_0000001`). */
  _id: string;
  /** `ZC-` + at least 6 digits, unique. */
  number: string;
  customerId: string;
  channel: Channel;
  status: OrderStatus;
  lines: OrderLineDocument[];
  totalCents: number;
  soldUnits: number;
  returnedUnits: number;
  refundedCents: number;
  fulfillment: { method: FulfillmentMethod; locationId: string };
  reservation: ReservationStatus;
  /** `<customerId>:<idempotencyKey>` of placements through the API; absent on seeded orders. */
  idempotencyKey?: string;
  returns: ReturnDocument[];
  placedAt: Date;
  updatedAt: Date;
  /** Outbox entries not yet moved by the relay (kit events module). Never read by resolvers. */
  pendingEvents: DomainEvent[];
}

/** An order as resolvers read it: without its pending events. */
export type OrderRecord = Omit<OrderDocument, 'pendingEvents'>;

/** One page request of a customer's orders. */
export interface CustomerOrdersRequest {
  customerId: string;
  /** 1–100. */
  first: number;
  after: { placedAt: Date; id: string } | null;
  channel: Channel | null;
}

/** A page of a customer's orders, newest first. */
export interface CustomerOrdersPage {
  orders: OrderRecord[];
  hasNextPage: boolean;
  totalCount: number;
}

/** Purchase figures of one customer (non-cancelled orders). */
export interface PurchaseFigures {
  customerId: string;
  orderCount: number;
  grossCents: number;
  refundedCents: number;
  channels: Channel[];
  lastOrderAt: Date | null;
}

/** Reads never carry the outbox: it can be long and is the relay's business. */
const WITHOUT_EVENTS = { pendingEvents: 0 } as const;

/** Newest first, ties broken by id so the cursor is total. */
const NEWEST_FIRST = { placedAt: -1, _id: -1 } as const;

/** Data access for orders (see module comment). */
export class OrderRepository {
  readonly collection: Collection<OrderDocument>;

  constructor(store: MongoStore) {
    this.collection = store.collection<OrderDocument>('orders');
  }

  /** Orders by id, in any order; missing ids are simply absent. */
  findByIds(ids: readonly string[]): Promise<OrderRecord[]> {
    return this.collection.find({ _id: { $in: [...ids] } }, { projection: WITHOUT_EVENTS }).toArray();
  }

  /** One order by id. */
  findById(id: string): Promise<OrderRecord | null> {
    return this.collection.findOne({ _id: id }, { projection: WITHOUT_EVENTS });
  }

  /** One order by its human-readable number. */
  findByNumber(number: string): Promise<OrderRecord | null> {
    return this.collection.findOne({ number }, { projection: WITHOUT_EVENTS });
  }

  /** The order placed with this (customer-scoped) idempotency key, if any. */
  findByIdempotencyKey(idempotencyKey: string): Promise<OrderRecord | null> {
    return this.collection.findOne({ idempotencyKey }, { projection: WITHOUT_EVENTS });
  }

  /** Inserts a new order (its OrderPlaced event is in `pendingEvents`). */
  async insert(order: OrderDocument): Promise<void> {
    await this.collection.insertOne(order);
  }

  /**
   * The one conditional update every status transition is: applies `update` only when the order is
   * still in one of `from` (and matches `extra`); `null` when it is not (then the caller reports the
   * current status).
   */
  transition(id: string, from: readonly OrderStatus[], update: UpdateFilter<OrderDocument>, extra: Filter<OrderDocument> = {}): Promise<OrderRecord | null> {
    return this.collection.findOneAndUpdate({ ...extra, _id: id, status: { $in: [...from] } }, update, { returnDocument: 'after', projection: WITHOUT_EVENTS });
  }

  /** Records what inventory said about the order's reservation (bookkeeping; inventory is the arbiter). */
  async setReservation(id: string, reservation: ReservationStatus): Promise<void> {
    await this.collection.updateOne({ _id: id }, { $set: { reservation } });
  }

  /** Orders whose stock has left or come back while their reservation is still HELD (reservationSettler.ts). */
  findUnsettled(limit: number): Promise<Pick<OrderDocument, '_id' | 'status'>[]> {
    return this.collection
      .find({ reservation: 'HELD', status: { $in: ['SHIPPED', 'COMPLETED', 'PARTIALLY_RETURNED', 'RETURNED', 'CANCELLED'] } }, { projection: { _id: 1, status: 1 } })
      .limit(limit)
      .toArray();
  }

  /**
   * Pages of several customers' orders in ONE round trip: a `$facet` with a page and a count per
   * request over the orders of all the customers asked for. The round trips of a customer-360 query
   * so stay constant however many customers and orders it reaches.
   */
  async pagesByCustomer(requests: readonly CustomerOrdersRequest[]): Promise<CustomerOrdersPage[]> {
    if (requests.length === 0) return [];
    const customerIds = [...new Set(requests.map((request) => request.customerId))];
    const facets: Record<string, Document[]> = {};
    requests.forEach((request, index) => {
      const scope: Document = { customerId: request.customerId, ...(request.channel ? { channel: request.channel } : {}) };
      const page: Document = request.after
        ? { ...scope, $or: [{ placedAt: { $lt: request.after.placedAt } }, { placedAt: request.after.placedAt, _id: { $lt: request.after.id } }] }
        : scope;
      facets[`page${index}`] = [{ $match: page }, { $sort: NEWEST_FIRST }, { $limit: request.first + 1 }, { $project: WITHOUT_EVENTS }];
      facets[`count${index}`] = [{ $match: scope }, { $count: 'n' }];
    });
    const [result] = await this.collection.aggregate<Record<string, Document[]>>([{ $match: { customerId: { $in: customerIds } } }, { $facet: facets }]).toArray();
    return requests.map((request, index) => {
      const rows = (result?.[`page${index}`] ?? []) as OrderRecord[];
      const count = (result?.[`count${index}`]?.[0] as { n?: number } | undefined)?.n ?? 0;
      return { orders: rows.slice(0, request.first), hasNextPage: rows.length > request.first, totalCount: count };
    });
  }

  /** Purchase figures of several customers in one aggregation (cancelled orders left out). */
  async purchaseFigures(customerIds: readonly string[]): Promise<PurchaseFigures[]> {
    const rows = await this.collection
      .aggregate<{ _id: string; orderCount: number; grossCents: number; refundedCents: number; channels: Channel[]; lastOrderAt: Date | null }>([
        { $match: { customerId: { $in: [...customerIds] }, status: { $ne: 'CANCELLED' } } },
        {
          $group: {
            _id: '$customerId',
            orderCount: { $sum: 1 },
            grossCents: { $sum: '$totalCents' },
            refundedCents: { $sum: '$refundedCents' },
            channels: { $addToSet: '$channel' },
            lastOrderAt: { $max: '$placedAt' },
          },
        },
      ])
      .toArray();
    return rows.map(({ _id, ...figures }) => ({ customerId: _id, ...figures }));
  }

  /**
   * Claims the quantities of a return, atomically: each returned line's `returnedQuantity` must still
   * leave room (`lines.<i>.returnedQuantity ≤ quantity − returned`), and the order must be returnable.
   * Adds the return as PENDING. `null` when a condition no longer holds.
   */
  claimReturn(order: OrderRecord, pending: ReturnDocument, lineIndexes: readonly number[]): Promise<OrderRecord | null> {
    const filter: Document = { _id: order._id, status: { $in: ['COMPLETED', 'PARTIALLY_RETURNED'] } };
    const increments: Record<string, number> = {};
    pending.lines.forEach((line, position) => {
      const index = lineIndexes[position] as number;
      const ordered = order.lines[index] as OrderLineDocument;
      filter[`lines.${index}.sku`] = line.sku;
      filter[`lines.${index}.returnedQuantity`] = { $lte: ordered.quantity - line.quantity };
      increments[`lines.${index}.returnedQuantity`] = line.quantity;
    });
    const units = pending.lines.reduce((sum, line) => sum + line.quantity, 0);
    return this.collection.findOneAndUpdate(
      filter as Filter<OrderDocument>,
      { $inc: { ...increments, returnedUnits: units, refundedCents: pending.refundCents }, $push: { returns: pending }, $set: { updatedAt: pending.createdAt } },
      { returnDocument: 'after', projection: WITHOUT_EVENTS },
    );
  }

  /**
   * Marks a claimed return RECEIVED, sets the order's status from its counters at this very moment
   * (RETURNED when every unit is back) and publishes `event`, in one write. Each attempt is
   * conditional on the counters, so concurrent returns of the same order cannot leave a stale status.
   * (Filters name only `returns.id`: the positional `$` must point at that one element, and
   * mongo-java-server does not support `$elemMatch` with `$`.)
   */
  async receiveReturn(orderId: string, returnId: string, event: DomainEvent, at: Date): Promise<OrderRecord> {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      for (const [status, comparison] of [
        ['RETURNED', '$eq'],
        ['PARTIALLY_RETURNED', '$lt'],
      ] as const) {
        const updated = await this.collection.findOneAndUpdate(
          { _id: orderId, 'returns.id': returnId, $expr: { [comparison]: ['$returnedUnits', '$soldUnits'] } },
          { $set: { 'returns.$.status': 'RECEIVED', status, updatedAt: at }, $push: { pendingEvents: event } },
          { returnDocument: 'after', projection: WITHOUT_EVENTS },
        );
        if (updated) return updated;
      }
    }
    throw new Error(`Return ${returnId} of order ${orderId} could not be marked received`);
  }

  /**
   * Undoes a claimed return whose units could not be restocked (inventory unavailable): gives the
   * quantities back and removes the PENDING return, so nothing of it remains.
   */
  async abandonReturn(orderId: string, pending: ReturnDocument, lineIndexes: readonly number[]): Promise<void> {
    const decrements: Record<string, number> = {};
    pending.lines.forEach((line, position) => {
      decrements[`lines.${lineIndexes[position] as number}.returnedQuantity`] = -line.quantity;
    });
    const units = pending.lines.reduce((sum, line) => sum + line.quantity, 0);
    const undone = await this.collection.updateOne(
      { _id: orderId, 'returns.id': pending.id },
      { $inc: { ...decrements, returnedUnits: -units, refundedCents: -pending.refundCents }, $pull: { returns: { id: pending.id } } },
    );
    // A concurrent return may have declared the order RETURNED counting these units; it no longer is.
    if (undone.modifiedCount === 1) {
      await this.collection.updateOne({ _id: orderId, status: 'RETURNED', $expr: { $lt: ['$returnedUnits', '$soldUnits'] } }, { $set: { status: 'PARTIALLY_RETURNED' } });
    }
  }
}
