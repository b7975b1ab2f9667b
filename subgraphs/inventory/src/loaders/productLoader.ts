/** Products by sku, batched per request: `Product.__resolveReference` and `product(sku)`. */
import type DataLoader from 'dataloader';
import { createKeyedLoader } from '../../../kit/src';
import type { ProductDocument, ProductRepository } from '../repositories/productRepository';

/** A per-request loader of products by sku; `null` for unknown skus. */
export type ProductLoader = DataLoader<string, ProductDocument | null>;

/** Builds a {@link ProductLoader}: one `find({_id: {$in}})` per tick. */
export function createProductLoader(products: ProductRepository): ProductLoader {
  return createKeyedLoader((skus: readonly string[]) => products.findBySkus(skus), (product) => product._id);
}
