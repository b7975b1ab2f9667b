/** Data access of the `products` collection: the catalogue, `_id` = sku. */
import type { Collection, Filter } from 'mongodb';
import type { MongoStore } from '../../../kit/src';

/** A catalogue product as stored. */
export interface ProductDocument {
  /** The sku. */
  _id: string;
  name: string;
  /** `foldText(name)`: what searches match against (no collation on every server). */
  nameFolded: string;
  description: string;
  /** Category slug, e.g. `ropa`. */
  category: string;
  brand?: string;
  /** One price for every channel, VAT included, in centavos. */
  priceCents: number;
  active: boolean;
  updatedAt: Date;
}

/** What the product list can be narrowed by; built by the resolver from validated input only. */
export interface ProductQuery {
  category?: string;
  /** Folded words that must all occur in the folded name. */
  words?: string[];
  /** Only these skus (from a stock query). */
  skus?: string[];
  includeInactive: boolean;
}

/** Name of the collection. */
export const PRODUCTS = 'products';

/** The catalogue. */
export class ProductRepository {
  private readonly products: Collection<ProductDocument>;

  constructor(store: MongoStore) {
    this.products = store.collection<ProductDocument>(PRODUCTS);
  }

  /** Products by sku, in no particular order (loaders put them back in key order). */
  findBySkus(skus: readonly string[]): Promise<ProductDocument[]> {
    return this.products.find({ _id: { $in: [...skus] } }).toArray();
  }

  /** One page: skus after `afterSku`, ascending, at most `limit`; and the total of the whole query. */
  async findPage(query: ProductQuery, afterSku: string | undefined, limit: number): Promise<{ nodes: ProductDocument[]; totalCount: number }> {
    const filter = filterOf(query);
    const pageFilter: Filter<ProductDocument> = afterSku === undefined ? filter : { $and: [filter, { _id: { $gt: afterSku } }] };
    const [nodes, totalCount] = await Promise.all([
      this.products.find(pageFilter).sort({ _id: 1 }).limit(limit).toArray(),
      this.products.countDocuments(filter),
    ]);
    return { nodes, totalCount };
  }

  /** Inserts products (seed). */
  async insertMany(documents: readonly ProductDocument[]): Promise<void> {
    if (documents.length > 0) await this.products.insertMany([...documents], { ordered: false });
  }
}

/** The MongoDB filter of a validated {@link ProductQuery}; never built from client objects directly. */
function filterOf(query: ProductQuery): Filter<ProductDocument> {
  const clauses: Filter<ProductDocument>[] = [];
  if (!query.includeInactive) clauses.push({ active: true });
  if (query.category !== undefined) clauses.push({ category: query.category });
  if (query.skus !== undefined) clauses.push({ _id: { $in: query.skus } });
  // Words are already folded and regex-escaped; a string $regex (not a RegExp) works on every server.
  for (const word of query.words ?? []) clauses.push({ nameFolded: { $regex: word } });
  if (clauses.length === 0) return {};
  return clauses.length === 1 ? (clauses[0] as Filter<ProductDocument>) : { $and: clauses };
}
