/**
 * The inventory request context: the kit's principal and logger, the subgraph's repositories and
 * services (shared, stateless), and fresh DataLoaders for every request, so callers with different
 * permissions never share a cache.
 */
import type { Logger, MongoStore, RequestContext } from '../../kit/src';
import type { InventoryConfig } from './inventoryConfig';
import { createLocationDirectory, createLocationLoader, type LocationDirectory, type LocationLoader } from './loaders/locationLoader';
import { createProductLoader, type ProductLoader } from './loaders/productLoader';
import { createStockLoader, type StockLoader } from './loaders/stockLoader';
import { LocationRepository } from './repositories/locationRepository';
import { ProductRepository } from './repositories/productRepository';
import { ReservationRepository } from './repositories/reservationRepository';
import { RestockRepository } from './repositories/restockRepository';
import { StockAdjustmentRepository } from './repositories/stockAdjustmentRepository';
import { StockRepository } from './repositories/stockRepository';
import { ReservationService } from './reservations/reservationService';

/** Inventory's repositories, one set per process. */
export interface InventoryRepositories {
  products: ProductRepository;
  locations: LocationRepository;
  stock: StockRepository;
  reservations: ReservationRepository;
  restocks: RestockRepository;
  adjustments: StockAdjustmentRepository;
}

/** Everything the resolvers share across requests. */
export interface InventoryServices {
  repositories: InventoryRepositories;
  reservations: ReservationService;
}

/** The per-request loaders. */
export interface InventoryLoaders {
  product: ProductLoader;
  location: LocationLoader;
  locations: LocationDirectory;
  stockBySku: StockLoader;
}

/** What inventory resolvers find in their context. */
export interface InventoryContext extends RequestContext {
  repositories: InventoryRepositories;
  reservations: ReservationService;
  loaders: InventoryLoaders;
}

/** Creates the repositories of `store`. */
export function createInventoryRepositories(store: MongoStore): InventoryRepositories {
  return {
    products: new ProductRepository(store),
    locations: new LocationRepository(store),
    stock: new StockRepository(store),
    reservations: new ReservationRepository(store),
    restocks: new RestockRepository(store),
    adjustments: new StockAdjustmentRepository(store),
  };
}

/** Creates the process-wide services over `store`. */
export function createInventoryServices(store: MongoStore, config: InventoryConfig, logger: Logger): InventoryServices {
  const repositories = createInventoryRepositories(store);
  return { repositories, reservations: new ReservationService({ ...repositories, config, logger }) };
}

/** Builds one request's context: shared services plus fresh loaders. */
export function createInventoryContext(base: RequestContext, services: InventoryServices): InventoryContext {
  const { repositories } = services;
  const location = createLocationLoader(repositories.locations);
  return {
    ...base,
    repositories,
    reservations: services.reservations,
    loaders: {
      product: createProductLoader(repositories.products),
      location,
      locations: createLocationDirectory(repositories.locations, location),
      stockBySku: createStockLoader(repositories.stock),
    },
  };
}
