/**
 * Catalogue products (name, current price, active) from inventory, one `_entities` HTTP call per tick
 * for all the skus a request needs: a cart of 30 lines prices in one call, not 30.
 */
import DataLoader from 'dataloader';
import type { CatalogueProduct, InventoryClient } from '../inventoryClient';

/** Builds the per-request product loader; `null` for skus inventory does not know. */
export function createProductLoader(inventory: InventoryClient): DataLoader<string, CatalogueProduct | null> {
  return new DataLoader<string, CatalogueProduct | null>(async (skus) => (await inventory.catalogue(skus)).products);
}
