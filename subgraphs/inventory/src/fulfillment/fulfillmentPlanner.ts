/**
 * `fulfillmentOptions`: for the requested lines, which methods are honestly possible and from where.
 * A location qualifies only when it has EVERY line available (split shipments are not offered):
 *  - PICKUP_IN_STORE at each pickup-enabled store, with a ready-by time;
 *  - SHIP_FROM_STORE from each ship-from-store store, with delivery days to the postal code;
 *  - SHIP_TO_HOME from the fastest warehouse (one option: the shopper chooses a method, not a warehouse).
 * Out of stock everywhere (or a discontinued product) → an empty list. Three database round trips
 * whatever the number of lines and locations.
 */
import { BadUserInputError, NotFoundError } from '../../../kit/src';
import type { StockLine } from '../input/lineInput';
import type { LocationDocument, LocationRepository } from '../repositories/locationRepository';
import type { ProductRepository } from '../repositories/productRepository';
import { availableOf, type StockRepository } from '../repositories/stockRepository';
import { estimateDeliveryDays } from './deliveryEstimate';
import { pickupReadyBy } from './pickupReadyBy';

/** Methods this planner offers (IN_STORE_PURCHASE happens at the till, not online). */
export type PlannedMethod = 'PICKUP_IN_STORE' | 'SHIP_FROM_STORE' | 'SHIP_TO_HOME';

/** One `FulfillmentOption`. */
export interface FulfillmentOption {
  method: PlannedMethod;
  location: LocationDocument;
  readyBy: Date | null;
  estimatedDeliveryDays: number | null;
}

/** What the planner reads. */
export interface FulfillmentPlannerDependencies {
  products: ProductRepository;
  locations: LocationRepository;
  stock: StockRepository;
}

/** A five-digit Mexican código postal, or BAD_USER_INPUT. */
export function requirePostalCode(postalCode: string | null | undefined): string | undefined {
  if (postalCode === null || postalCode === undefined) return undefined;
  const trimmed = postalCode.trim();
  if (!/^\d{5}$/.test(trimmed)) throw new BadUserInputError(`postalCode must be a five-digit código postal, got ${JSON.stringify(postalCode.slice(0, 20))}`, { field: 'postalCode' });
  return trimmed;
}

const METHOD_ORDER: Record<PlannedMethod, number> = { PICKUP_IN_STORE: 0, SHIP_FROM_STORE: 1, SHIP_TO_HOME: 2 };

/** Plans the options (see module comment). `lines` are normalised (one per sku). */
export async function planFulfillment(deps: FulfillmentPlannerDependencies, lines: readonly StockLine[], postalCode: string | undefined, now: Date = new Date()): Promise<FulfillmentOption[]> {
  const skus = lines.map((line) => line.sku);
  const [products, locations, stock] = await Promise.all([deps.products.findBySkus(skus), deps.locations.findAll(), deps.stock.findBySkus(skus)]);
  for (const sku of skus) {
    if (!products.some((product) => product._id === sku)) throw new NotFoundError('Product', sku);
  }
  if (products.some((product) => !product.active)) return [];

  const available = new Map(stock.map((level) => [level._id, availableOf(level)]));
  const hasEverything = (location: LocationDocument) => lines.every((line) => (available.get(`${line.sku}@${location._id}`) ?? 0) >= line.quantity);

  const options: FulfillmentOption[] = [];
  let bestWarehouse: FulfillmentOption | undefined;
  for (const location of locations.filter(hasEverything)) {
    const days = estimateDeliveryDays(location.address.postalCode, postalCode);
    if (location.kind === 'STORE') {
      const readyBy = location.pickupEnabled ? pickupReadyBy(location.openingHours, now) : null;
      if (readyBy !== null) options.push({ method: 'PICKUP_IN_STORE', location, readyBy, estimatedDeliveryDays: null });
      if (location.shipFromStoreEnabled) options.push({ method: 'SHIP_FROM_STORE', location, readyBy: null, estimatedDeliveryDays: days });
    } else if (bestWarehouse === undefined || days < (bestWarehouse.estimatedDeliveryDays ?? Infinity)) {
      // Locations come ordered by name, so ties go to the first by name: stable answers.
      bestWarehouse = { method: 'SHIP_TO_HOME', location, readyBy: null, estimatedDeliveryDays: days };
    }
  }
  if (bestWarehouse) options.push(bestWarehouse);
  // Pickups soonest first, shipments fastest first; then by name (the order of `locations`).
  return options
    .map((option, index) => ({ option, index }))
    .sort((a, b) =>
      METHOD_ORDER[a.option.method] - METHOD_ORDER[b.option.method] ||
      (a.option.readyBy?.getTime() ?? 0) - (b.option.readyBy?.getTime() ?? 0) ||
      (a.option.estimatedDeliveryDays ?? 0) - (b.option.estimatedDeliveryDays ?? 0) ||
      a.index - b.index,
    )
    .map(({ option }) => option);
}
