/**
 * Indexes inventory's queries need (created at start). Hot paths use `_id` (sku, location id,
 * `<sku>@<locationId>`, order id, return id) and need nothing more; these serve the lists, the stock
 * loader and the sweep.
 */
import type { IndexDeclaration } from '../../kit/src';
import { LOCATIONS } from './repositories/locationRepository';
import { PRODUCTS } from './repositories/productRepository';
import { RESERVATIONS } from './repositories/reservationRepository';
import { RESTOCKS } from './repositories/restockRepository';
import { STOCK_ADJUSTMENTS } from './repositories/stockAdjustmentRepository';
import { STOCK } from './repositories/stockRepository';

/** Inventory's index declarations. */
export const inventoryIndexes: readonly IndexDeclaration[] = [
  // The catalogue by category, in sku order (the list's order).
  { collection: PRODUCTS, keys: { category: 1, _id: 1 } },
  { collection: PRODUCTS, keys: { active: 1, _id: 1 } },
  { collection: LOCATIONS, keys: { kind: 1, name: 1 } },
  { collection: LOCATIONS, keys: { name: 1 } },
  // The stock loader groups by sku; in-stock filters go by location.
  { collection: STOCK, keys: { sku: 1, locationId: 1 } },
  { collection: STOCK, keys: { locationId: 1, sku: 1 } },
  // The sweep looks for old reservations per state.
  { collection: RESERVATIONS, keys: { status: 1, heldAt: 1 } },
  { collection: RESERVATIONS, keys: { status: 1, claimedAt: 1 } },
  { collection: RESERVATIONS, keys: { status: 1, updatedAt: 1 } },
  { collection: RESTOCKS, keys: { status: 1, createdAt: 1 } },
  // The audit trail per location (and sku), newest first.
  { collection: STOCK_ADJUSTMENTS, keys: { locationId: 1, at: -1 } },
  { collection: STOCK_ADJUSTMENTS, keys: { locationId: 1, sku: 1, at: -1 } },
];
