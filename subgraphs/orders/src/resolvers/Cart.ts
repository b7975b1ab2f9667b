/**
 * `Cart`: lines with the CURRENT catalogue price (the price is fixed only when an order is placed),
 * read from inventory through the request's product loader — one `_entities` call for all the lines
 * of all the carts of a request.
 */
import { moneyFromCents, type Channel } from '../../../kit/src';
import type { OrdersContext } from '../context';
import type { CartChangeDocument, CartDocument } from '../repositories/cartRepository';

/** A cart line as the resolvers see it. */
export interface CartLineView {
  sku: string;
  quantity: number;
  updatedVia: Channel;
  addedAt: Date;
}

/** The lines of a cart, in the order they were first added. */
export function cartLines(cart: CartDocument): CartLineView[] {
  return Object.entries(cart.lines)
    .map(([sku, line]) => ({ sku, quantity: line.quantity, updatedVia: line.updatedVia, addedAt: line.addedAt }))
    .sort((a, b) => a.addedAt.getTime() - b.addedAt.getTime() || a.sku.localeCompare(b.sku));
}

async function unitPriceCents(context: OrdersContext, sku: string): Promise<number> {
  // A product gone from the catalogue keeps its line (the customer sees and removes it) at no price.
  return (await context.loaders.product.load(sku))?.priceCents ?? 0;
}

/** Resolvers of Cart, CartLine and CartChange. */
export const cartResolvers = {
  Cart: {
    id: (cart: CartDocument) => cart._id,
    customer: (cart: CartDocument) => ({ id: cart._id }),
    lines: (cart: CartDocument) => cartLines(cart),
    total: async (cart: CartDocument, _args: unknown, context: OrdersContext) => {
      const lines = cartLines(cart);
      const prices = await Promise.all(lines.map((line) => unitPriceCents(context, line.sku)));
      return moneyFromCents(lines.reduce((sum, line, index) => sum + line.quantity * (prices[index] ?? 0), 0));
    },
    changes: (cart: CartDocument) => cart.changes ?? [],
  },
  CartLine: {
    product: (line: CartLineView) => ({ sku: line.sku }),
    unitPrice: async (line: CartLineView, _args: unknown, context: OrdersContext) => moneyFromCents(await unitPriceCents(context, line.sku)),
    lineTotal: async (line: CartLineView, _args: unknown, context: OrdersContext) => moneyFromCents(line.quantity * (await unitPriceCents(context, line.sku))),
  },
  CartChange: {
    product: (change: CartChangeDocument) => ({ sku: change.sku }),
  },
};
