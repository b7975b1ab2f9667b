/**
 * `Order`, its lines and fulfilment. Orders are readable by their customer and by staff — also when
 * reached through `_entities` (another subgraph's `Conversation.order`, loyalty's transactions), because
 * a subgraph is never trusted to be called only by the gateway.
 */
import { moneyFromCents, requireAuthenticated, requireCustomerAccess } from '../../../kit/src';
import type { OrdersContext } from '../context';
import type { OrderLineDocument, OrderRecord } from '../repositories/orderRepository';
import { ID_PATTERN } from '../validation/requireId';
import { toReturnView } from './Return';

/** Resolvers of Order, OrderLine and Fulfillment. */
export const orderResolvers = {
  Order: {
    async __resolveReference(reference: { id: string }, context: OrdersContext): Promise<OrderRecord | null> {
      const principal = requireAuthenticated(context.principal);
      if (typeof reference.id !== 'string' || !ID_PATTERN.test(reference.id)) return null;
      const order = await context.loaders.order.load(reference.id);
      if (order) requireCustomerAccess(principal, order.customerId);
      return order;
    },
    id: (order: OrderRecord) => order._id,
    customer: (order: OrderRecord) => ({ id: order.customerId }),
    total: (order: OrderRecord) => moneyFromCents(order.totalCents),
    refunded: (order: OrderRecord) => moneyFromCents(order.refundedCents),
    returns: (order: OrderRecord) => order.returns.filter((entry) => entry.status === 'RECEIVED').map((entry) => toReturnView(order._id, entry)),
  },
  OrderLine: {
    product: (line: OrderLineDocument) => ({ sku: line.sku }),
    unitPrice: (line: OrderLineDocument) => moneyFromCents(line.unitPriceCents),
    lineTotal: (line: OrderLineDocument) => moneyFromCents(line.unitPriceCents * line.quantity),
  },
  Fulfillment: {
    location: (fulfillment: OrderRecord['fulfillment']) => ({ id: fulfillment.locationId }),
  },
};
