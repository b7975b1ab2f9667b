/**
 * What orders adds to `Customer` (owned by customers): `orders`, `cart`, `purchaseSummary`. Each field
 * checks access itself, because these fields are reached through `_entities` as often as through the
 * gateway: the customer themself or staff, never an analyst. Each goes through a per-request loader, so
 * fifty customers of a query cost the round trips of one.
 */
import { BadUserInputError, CHANNELS, moneyFromCents, requireCustomerAccess, type Channel } from '../../../kit/src';
import type { OrdersContext } from '../context';
import { decodeOrderCursor, encodeOrderCursor } from '../orderCursor';
import type { CartDocument } from '../repositories/cartRepository';
import { ID_PATTERN } from '../validation/requireId';

/** A customer reference: all orders knows of a customer is the id. */
interface CustomerReference {
  id: string;
}

/** `orders(first ≤ 100, default 10)`. */
const DEFAULT_PAGE = 10;
const MAX_PAGE = 100;

/** Resolvers of Customer and its purchase summary. */
export const customerResolvers = {
  Customer: {
    // No database here; but a representation's id is client JSON, so only a well-formed id goes on to queries.
    __resolveReference: (reference: { id?: unknown }): CustomerReference | null =>
      typeof reference.id === 'string' && ID_PATTERN.test(reference.id) ? { id: reference.id } : null,
    async orders(customer: CustomerReference, args: { first?: number | null; after?: string | null; channel?: Channel | null }, context: OrdersContext) {
      requireCustomerAccess(context.principal, customer.id);
      const first = args.first ?? DEFAULT_PAGE;
      if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE) {
        throw new BadUserInputError(`first must be from 1 to ${MAX_PAGE}, got ${first}`, { field: 'first' });
      }
      const after = args.after ? decodeOrderCursor(args.after) : null;
      const page = await context.loaders.customerOrders.load({ customerId: customer.id, first, after, channel: args.channel ?? null });
      const last = page.orders[page.orders.length - 1];
      return {
        nodes: page.orders,
        pageInfo: { hasNextPage: page.hasNextPage, endCursor: last ? encodeOrderCursor(last) : null },
        totalCount: page.totalCount,
      };
    },
    async cart(customer: CustomerReference, _args: unknown, context: OrdersContext): Promise<CartDocument | null> {
      requireCustomerAccess(context.principal, customer.id);
      const cart = await context.loaders.cart.load(customer.id);
      return cart && Object.keys(cart.lines).length > 0 ? cart : null;
    },
    async purchaseSummary(customer: CustomerReference, _args: unknown, context: OrdersContext) {
      requireCustomerAccess(context.principal, customer.id);
      const figures = await context.loaders.purchaseSummary.load(customer.id);
      const lifetimeCents = figures.grossCents - figures.refundedCents;
      return {
        orderCount: figures.orderCount,
        lifetimeValue: moneyFromCents(lifetimeCents),
        averageOrderValue: moneyFromCents(figures.orderCount > 0 ? Math.round(lifetimeCents / figures.orderCount) : 0),
        channels: CHANNELS.filter((channel) => figures.channels.includes(channel)),
        lastOrderAt: figures.lastOrderAt,
      };
    },
  },
};
