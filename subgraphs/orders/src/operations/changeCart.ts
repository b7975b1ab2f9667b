/**
 * `addToCart` and `updateCartLine`: the customer's one cart, changed from any channel. The sku must be
 * an active catalogue product to be added (asked of inventory through the request's product loader,
 * which also serves the prices of the returned cart); removing needs no catalogue.
 */
import { BadUserInputError, requireCustomerAccess, type Channel } from '../../../kit/src';
import type { OrdersContext } from '../context';
import { MAX_CART_LINES, MAX_CART_QUANTITY, type CartDocument } from '../repositories/cartRepository';
import { requireQuantity } from '../validation/normaliseLines';
import { requireId } from '../validation/requireId';

/** Arguments of both cart mutations. */
export interface CartChangeArgs {
  customerId: string;
  sku: string;
  quantity: number;
  channel: Channel;
}

/** ADD adds units to a line; SET sets a line's quantity (0 removes it). */
export type CartChangeMode = 'ADD' | 'SET';

/** Applies one change and returns the cart after it (an empty cart when nothing is left). */
export async function changeCart(context: OrdersContext, args: CartChangeArgs, mode: CartChangeMode): Promise<CartDocument> {
  const customerId = requireId(args.customerId, 'customerId');
  requireCustomerAccess(context.principal, customerId);
  const sku = requireId(args.sku, 'sku');
  const quantity = requireQuantity(args.quantity, 'quantity', mode === 'ADD' ? 1 : 0);

  if (quantity > 0) {
    const product = await context.loaders.product.load(sku);
    if (!product) throw new BadUserInputError(`${sku} is not in the catalogue`, { field: 'sku', sku });
    if (!product.active) throw new BadUserInputError(`${sku} (${product.name}) is discontinued`, { field: 'sku', sku });
  }

  const result = mode === 'ADD' ? await context.carts.add(customerId, sku, quantity, args.channel) : await context.carts.set(customerId, sku, quantity, args.channel);
  if (result === 'QUANTITY_LIMIT') throw new BadUserInputError(`A cart holds at most ${MAX_CART_QUANTITY} units of ${sku}`, { field: 'quantity', sku });
  if (result === 'LINE_LIMIT') throw new BadUserInputError(`A cart holds at most ${MAX_CART_LINES} different products`, { field: 'sku', sku });
  const cart = result ?? emptyCart(customerId, args.channel);
  context.loaders.cart.clear(customerId).prime(customerId, cart);
  return cart;
}

function emptyCart(customerId: string, channel: Channel): CartDocument {
  const now = new Date();
  return { _id: customerId, lines: {}, lineCount: 0, updatedVia: channel, updatedAt: now, createdAt: now, changes: [] };
}
