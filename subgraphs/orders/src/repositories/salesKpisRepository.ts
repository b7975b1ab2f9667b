/**
 * The aggregations behind `salesKpis`, on the portable subset of the database contract test ($match,
 * $group, $lookup, $sort; `$cond` and `$subtract` as expressions). Every pipeline starts with a range
 * match on `placedAt` (index `{placedAt: 1}`), so a period of a million orders is read once per
 * pipeline, by index, and reduced to a handful of groups; the three pipelines run in parallel.
 *
 * Definitions (also in the SDL): cancelled orders are not sales and are left out everywhere; revenue
 * is net of refunds (order totals minus refunds of returns), attributed to the period and channel in
 * which the order was placed; the return rate is returned units over sold units; a loyalty member is a
 * customer enrolled before the end of the period, according to orders' `loyaltyMembers` projection.
 */
import type { Collection, Document } from 'mongodb';
import type { Channel, MongoStore } from '../../../kit/src';
import type { OrderDocument } from './orderRepository';

/** Figures of one channel. */
export interface ChannelFigures {
  channel: Channel;
  orders: number;
  netCents: number;
  soldUnits: number;
  returnedUnits: number;
}

/** Orders and net revenue of a group of customers. */
export interface SegmentFigures {
  customers: number;
  orders: number;
  netCents: number;
}

/** Everything `salesKpis` is computed from. */
export interface SalesFigures {
  byChannel: ChannelFigures[];
  /** Every customer who bought in the period. */
  buyers: SegmentFigures;
  multiChannelBuyers: number;
  members: SegmentFigures;
}

const NET_CENTS = { $subtract: ['$totalCents', '$refundedCents'] };

/** Data access for the sales KPIs (see module comment). */
export class SalesKpisRepository {
  readonly orders: Collection<OrderDocument>;

  constructor(store: MongoStore) {
    this.orders = store.collection<OrderDocument>('orders');
  }

  /** The figures of orders placed in `[from, to)`. */
  async figures(from: Date, to: Date): Promise<SalesFigures> {
    const period: Document = { $match: { placedAt: { $gte: from, $lt: to }, status: { $ne: 'CANCELLED' } } };
    const perCustomer: Document = { $group: { _id: '$customerId', orders: { $sum: 1 }, netCents: { $sum: NET_CENTS } } };
    const [byChannel, buyers, members] = await Promise.all([
      this.aggregate<ChannelFigures & { _id: Channel }>([
        period,
        {
          $group: {
            _id: '$channel',
            orders: { $sum: 1 },
            netCents: { $sum: NET_CENTS },
            soldUnits: { $sum: '$soldUnits' },
            returnedUnits: { $sum: '$returnedUnits' },
          },
        },
      ]),
      this.aggregate<SegmentFigures & { multiChannel: number }>([
        period,
        { $group: { _id: { customerId: '$customerId', channel: '$channel' }, orders: { $sum: 1 }, netCents: { $sum: NET_CENTS } } },
        { $group: { _id: '$_id.customerId', channels: { $sum: 1 }, orders: { $sum: '$orders' }, netCents: { $sum: '$netCents' } } },
        {
          $group: {
            _id: null,
            customers: { $sum: 1 },
            multiChannel: { $sum: { $cond: [{ $gt: ['$channels', 1] }, 1, 0] } },
            orders: { $sum: '$orders' },
            netCents: { $sum: '$netCents' },
          },
        },
      ]),
      this.aggregate<SegmentFigures>([
        period,
        perCustomer,
        { $lookup: { from: 'loyaltyMembers', localField: '_id', foreignField: '_id', as: 'member' } },
        { $match: { 'member.enrolledAt': { $lt: to } } },
        { $group: { _id: null, customers: { $sum: 1 }, orders: { $sum: '$orders' }, netCents: { $sum: '$netCents' } } },
      ]),
    ]);
    const everyone = buyers[0];
    const enrolled = members[0];
    return {
      byChannel: byChannel.map(({ _id, orders, netCents, soldUnits, returnedUnits }) => ({ channel: _id, orders, netCents, soldUnits, returnedUnits })),
      buyers: { customers: everyone?.customers ?? 0, orders: everyone?.orders ?? 0, netCents: everyone?.netCents ?? 0 },
      multiChannelBuyers: everyone?.multiChannel ?? 0,
      members: { customers: enrolled?.customers ?? 0, orders: enrolled?.orders ?? 0, netCents: enrolled?.netCents ?? 0 },
    };
  }

  // Private: big periods may need more than the in-memory limit of a $group on real MongoDB.
  private aggregate<T extends Document>(pipeline: Document[]): Promise<T[]> {
    return this.orders.aggregate<T>(pipeline, { allowDiskUse: true }).toArray();
  }
}
