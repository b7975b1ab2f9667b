/** `Return`: returned units of an order, with the refund computed from the prices stored on the order. */
import { moneyFromCents } from '../../../kit/src';
import type { OrdersContext } from '../context';
import type { OrderRecord, ReturnDocument, ReturnLineDocument } from '../repositories/orderRepository';

/** A return as the resolvers see it: the embedded document plus its order's id. */
export interface ReturnView extends ReturnDocument {
  orderId: string;
}

/** Wraps an embedded return for the resolvers below. */
export function toReturnView(orderId: string, record: ReturnDocument): ReturnView {
  return { ...record, orderId };
}

/** Resolvers of Return and ReturnLine. */
export const returnResolvers = {
  Return: {
    // Batched and usually primed: the order was just read or written in this request.
    order: async (view: ReturnView, _args: unknown, context: OrdersContext): Promise<OrderRecord | null> => context.loaders.order.load(view.orderId),
    location: (view: ReturnView) => ({ id: view.locationId }),
    refund: (view: ReturnView) => moneyFromCents(view.refundCents),
  },
  ReturnLine: {
    product: (line: ReturnLineDocument) => ({ sku: line.sku }),
    refund: (line: ReturnLineDocument) => moneyFromCents(line.refundCents),
  },
};
