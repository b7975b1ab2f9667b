/**
 * Stock levels grouped by sku, batched per request: a page of 100 products asking for `availability`
 * and `availableQuantity` costs one `find({sku: {$in}})`, not 100.
 */
import type DataLoader from 'dataloader';
import { createGroupedLoader } from '../../../kit/src';
import type { StockDocument, StockRepository } from '../repositories/stockRepository';

/** A per-request loader: sku → its stock documents at every location (`[]` when none). */
export type StockLoader = DataLoader<string, StockDocument[]>;

/** Builds a {@link StockLoader}. */
export function createStockLoader(stock: StockRepository): StockLoader {
  return createGroupedLoader((skus: readonly string[]) => stock.findBySkus(skus), (level) => level.sku);
}
