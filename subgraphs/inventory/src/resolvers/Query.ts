/** Root queries: the public catalogue and locations, fulfilment options, and the stock audit trail. */
import { BadUserInputError } from '../../../kit/src';
import { decodeProductCursor, encodeProductCursor } from '../catalogue/productCursor';
import { escapeRegExp, foldText } from '../catalogue/foldText';
import type { InventoryContext } from '../context';
import { planFulfillment, requirePostalCode } from '../fulfillment/fulfillmentPlanner';
import { requireIdentifier } from '../input/identifiers';
import { normalizeLines } from '../input/lineInput';
import type { LocationKind } from '../repositories/locationRepository';
import type { ProductDocument, ProductQuery } from '../repositories/productRepository';
import type { StockAdjustmentDocument } from '../repositories/stockAdjustmentRepository';
import { requireStockAuthority } from '../stock/adjustStock';
import type { InventoryResolvers } from './resolverTypes';

/** `ProductFilter` as received. */
interface ProductFilterInput {
  category?: string | null;
  search?: string | null;
  locationId?: string | null;
  inStockOnly?: boolean | null;
  includeInactive?: boolean | null;
}

/** A page of the product list. */
interface ProductConnection {
  nodes: ProductDocument[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

/** `first` of the product list. */
const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 100;
const MAX_SEARCH_LENGTH = 100;
const MAX_SEARCH_WORDS = 10;

/** Validated filter → repository query (client values never reach MongoDB as objects). */
async function productQueryOf(filter: ProductFilterInput | null | undefined, context: InventoryContext): Promise<ProductQuery> {
  const query: ProductQuery = { includeInactive: filter?.includeInactive === true };
  if (!filter) return query;
  if (filter.category !== null && filter.category !== undefined) {
    const category = filter.category.trim().toLowerCase();
    if (!/^[a-z0-9-]{1,50}$/.test(category)) throw new BadUserInputError('filter.category must be a category slug such as "ropa"', { field: 'filter.category' });
    query.category = category;
  }
  if (filter.search !== null && filter.search !== undefined) {
    if (filter.search.length > MAX_SEARCH_LENGTH) throw new BadUserInputError(`filter.search may be at most ${MAX_SEARCH_LENGTH} characters`, { field: 'filter.search' });
    const words = foldText(filter.search).split(' ').filter((word) => word !== '');
    if (words.length > MAX_SEARCH_WORDS) throw new BadUserInputError(`filter.search may have at most ${MAX_SEARCH_WORDS} words`, { field: 'filter.search' });
    query.words = words.map(escapeRegExp);
  }
  const locationId = filter.locationId === null || filter.locationId === undefined ? undefined : requireIdentifier(filter.locationId, 'filter.locationId');
  if (filter.inStockOnly === true) {
    const locationIds = locationId !== undefined ? [locationId] : [...(await context.loaders.locations.onlineSellable())];
    query.skus = await context.repositories.stock.skusAvailableAt(locationIds);
  }
  return query;
}

/** Resolvers of `Query`. */
export const queryResolvers: InventoryResolvers = {
  Query: {
    product(_parent: unknown, args: { sku: string }, context: InventoryContext) {
      return context.loaders.product.load(requireIdentifier(args.sku, 'sku'));
    },

    async products(_parent: unknown, args: { filter?: ProductFilterInput | null; first?: number | null; after?: string | null }, context: InventoryContext): Promise<ProductConnection> {
      const first = args.first ?? DEFAULT_PAGE_SIZE;
      if (first < 0 || first > MAX_PAGE_SIZE) throw new BadUserInputError(`first must be 0–${MAX_PAGE_SIZE}, got ${first}`, { field: 'first' });
      const afterSku = args.after === null || args.after === undefined ? undefined : decodeProductCursor(args.after);
      const query = await productQueryOf(args.filter, context);
      // One more than asked tells whether another page follows, without a second query.
      const page = await context.repositories.products.findPage(query, afterSku, first + 1);
      const nodes = page.nodes.slice(0, first);
      for (const product of nodes) context.loaders.product.prime(product._id, product);
      const last = nodes.at(-1);
      return { nodes, pageInfo: { hasNextPage: page.nodes.length > first, endCursor: last ? encodeProductCursor(last._id) : null }, totalCount: page.totalCount };
    },

    location(_parent: unknown, args: { id: string }, context: InventoryContext) {
      return context.loaders.location.load(requireIdentifier(args.id, 'id'));
    },

    async locations(_parent: unknown, args: { kind?: LocationKind | null }, context: InventoryContext) {
      const all = await context.loaders.locations.all();
      return args.kind ? all.filter((location) => location.kind === args.kind) : all;
    },

    fulfillmentOptions(_parent: unknown, args: { lines: { sku: string; quantity: number }[]; postalCode?: string | null }, context: InventoryContext) {
      const lines = normalizeLines(args.lines);
      return planFulfillment(context.repositories, lines, requirePostalCode(args.postalCode));
    },

    async stockAdjustments(_parent: unknown, args: { locationId: string; sku?: string | null; first?: number | null }, context: InventoryContext): Promise<StockAdjustmentDocument[]> {
      const locationId = requireIdentifier(args.locationId, 'locationId');
      // The audit trail of a store is for the people who may adjust its stock.
      requireStockAuthority(context.principal, locationId);
      const sku = args.sku === null || args.sku === undefined ? undefined : requireIdentifier(args.sku, 'sku');
      const first = args.first ?? DEFAULT_PAGE_SIZE;
      if (first < 1 || first > MAX_PAGE_SIZE) throw new BadUserInputError(`first must be 1–${MAX_PAGE_SIZE}, got ${first}`, { field: 'first' });
      return context.repositories.adjustments.findRecent(locationId, sku, first);
    },
  },
};
