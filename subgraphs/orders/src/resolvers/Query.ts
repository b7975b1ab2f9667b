/** Queries of the orders subgraph: an order by id or number (its customer or staff), sales KPIs (ANALYST, ADMIN). */
import { BadUserInputError, CHANNELS, moneyFromCents, requireAuthenticated, requireCustomerAccess, requireRole } from '../../../kit/src';
import type { OrdersContext } from '../context';
import type { OrderRecord } from '../repositories/orderRepository';
import type { SegmentFigures } from '../repositories/salesKpisRepository';
import { requireId } from '../validation/requireId';

/** Longest KPI period: ten years keeps one request's work bounded. */
const MAX_KPI_PERIOD_MS = 10 * 366 * 86_400_000;

function averageCents(netCents: number, orders: number): number {
  return orders > 0 ? Math.round(netCents / orders) : 0;
}

function segment(figures: SegmentFigures) {
  return { customers: figures.customers, orders: figures.orders, averageOrderValue: moneyFromCents(averageCents(figures.netCents, figures.orders)) };
}

/** Resolvers of Query. */
export const queryResolvers = {
  Query: {
    async order(_root: unknown, args: { id: string }, context: OrdersContext): Promise<OrderRecord | null> {
      const principal = requireAuthenticated(context.principal);
      const order = await context.loaders.order.load(requireId(args.id, 'id'));
      if (order) requireCustomerAccess(principal, order.customerId);
      return order;
    },
    async orderByNumber(_root: unknown, args: { number: string }, context: OrdersContext): Promise<OrderRecord | null> {
      const principal = requireAuthenticated(context.principal);
      const number = args.number.trim().toUpperCase();
      if (!/^ZC-\d{6,9}$/.test(number)) throw new BadUserInputError(`number must look like ZC-104821, got ${JSON.stringify(args.number.slice(0, 40))}`, { field: 'number' });
      const order = await context.orders.findByNumber(number);
      if (order) requireCustomerAccess(principal, order.customerId);
      return order;
    },
    async salesKpis(_root: unknown, args: { from: Date; to: Date }, context: OrdersContext) {
      requireRole(context.principal, 'ANALYST', 'ADMIN');
      const { from, to } = args;
      if (to.getTime() <= from.getTime()) throw new BadUserInputError('to must be after from', { field: 'to' });
      if (to.getTime() - from.getTime() > MAX_KPI_PERIOD_MS) throw new BadUserInputError('The period may be at most ten years', { field: 'to' });

      const figures = await context.salesKpis.figures(from, to);
      const nonMembers: SegmentFigures = {
        customers: figures.buyers.customers - figures.members.customers,
        orders: figures.buyers.orders - figures.members.orders,
        netCents: figures.buyers.netCents - figures.members.netCents,
      };
      return {
        from,
        to,
        byChannel: [...figures.byChannel].sort((a, b) => CHANNELS.indexOf(a.channel) - CHANNELS.indexOf(b.channel)).map((channel) => ({
          channel: channel.channel,
          orders: channel.orders,
          revenue: moneyFromCents(channel.netCents),
          averageOrderValue: moneyFromCents(averageCents(channel.netCents, channel.orders)),
          returnRate: channel.soldUnits > 0 ? channel.returnedUnits / channel.soldUnits : 0,
        })),
        crossChannelCustomerShare: figures.buyers.customers > 0 ? figures.multiChannelBuyers / figures.buyers.customers : 0,
        loyaltyMembers: segment(figures.members),
        nonMembers: segment(nonMembers),
      };
    },
  },
};
