/** Carts by customer id, one `$in` query per tick (`Customer.cart` of many customers). */
import type DataLoader from 'dataloader';
import { createKeyedLoader } from '../../../kit/src';
import type { CartDocument, CartRepository } from '../repositories/cartRepository';

/** Builds the per-request cart loader. */
export function createCartLoader(carts: CartRepository): DataLoader<string, CartDocument | null> {
  return createKeyedLoader<string, CartDocument>((customerIds) => carts.findByCustomerIds(customerIds), (cart) => cart._id);
}
