/**
 * Resolvers of `Product`. Public: the catalogue needs no token. `availability` and `availableQuantity`
 * read stock through the per-request loader grouped by sku, so a page of products costs one stock
 * query however long it is.
 */
import { moneyFromCents } from '../../../kit/src';
import type { InventoryContext } from '../context';
import { isIdentifier, requireIdentifier } from '../input/identifiers';
import type { ProductDocument } from '../repositories/productRepository';
import { availableOf, type StockDocument } from '../repositories/stockRepository';
import type { InventoryResolvers } from './resolverTypes';

/** Resolvers of `Product`. */
export const productResolvers: InventoryResolvers = {
  Product: {
    __resolveReference(reference: { sku: unknown }, context: InventoryContext) {
      // A malformed key cannot name a product; answer null like an unknown one.
      return isIdentifier(reference.sku) ? context.loaders.product.load(reference.sku) : null;
    },
    sku: (product: ProductDocument) => product._id,
    brand: (product: ProductDocument) => product.brand ?? null,
    price: (product: ProductDocument) => moneyFromCents(product.priceCents),

    async availability(product: ProductDocument, args: { locationId?: string | null }, context: InventoryContext): Promise<StockDocument[]> {
      const locationId = args.locationId === null || args.locationId === undefined ? undefined : requireIdentifier(args.locationId, 'locationId');
      const levels = await context.loaders.stockBySku.load(product._id);
      return levels.filter((level) => locationId === undefined || level.locationId === locationId).sort((a, b) => (a.locationId < b.locationId ? -1 : a.locationId > b.locationId ? 1 : 0));
    },

    async availableQuantity(product: ProductDocument, _args: unknown, context: InventoryContext): Promise<number> {
      const [levels, sellable] = await Promise.all([context.loaders.stockBySku.load(product._id), context.loaders.locations.onlineSellable()]);
      return levels.reduce((sum, level) => (sellable.has(level.locationId) ? sum + availableOf(level) : sum), 0);
    },
  },
};
