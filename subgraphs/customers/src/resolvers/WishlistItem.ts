/** `WishlistItem`: the product is a reference the gateway resolves through inventory. */
import type { WishlistRecord } from '../repositories/customerRepository';

/** Resolvers of `WishlistItem`. */
export const WishlistItem = {
  product: (item: WishlistRecord) => ({ __typename: 'Product' as const, sku: item.sku }),
};
