/**
 * Locations per request: by id (`Location.__resolveReference`, `StockLevel.location`) and the whole
 * list (which locations sell online, for `Product.availableQuantity`). Either costs one round trip per
 * request, however many products ask.
 */
import type DataLoader from 'dataloader';
import { createKeyedLoader } from '../../../kit/src';
import type { LocationDocument, LocationRepository } from '../repositories/locationRepository';

/** A per-request loader of locations by id; `null` for unknown ids. */
export type LocationLoader = DataLoader<string, LocationDocument | null>;

/** Builds a {@link LocationLoader}. */
export function createLocationLoader(locations: LocationRepository): LocationLoader {
  return createKeyedLoader((ids: readonly string[]) => locations.findByIds(ids), (location) => location._id);
}

/** Every location, read at most once per request. */
export interface LocationDirectory {
  /** All locations, ordered by name. */
  all(): Promise<LocationDocument[]>;
  /** Ids of the locations whose stock can be sold online: warehouses and ship-from-store stores. */
  onlineSellable(): Promise<ReadonlySet<string>>;
  /** One location of the list by id, null when unknown (no round trip beyond reading the list). */
  find(id: string): Promise<LocationDocument | null>;
}

/** Builds a per-request {@link LocationDirectory}; what it reads also primes `byId`. */
export function createLocationDirectory(locations: LocationRepository, byId: LocationLoader): LocationDirectory {
  let all: Promise<LocationDocument[]> | undefined;
  const load = () => {
    all ??= locations.findAll().then((found) => {
      for (const location of found) byId.prime(location._id, location);
      return found;
    });
    return all;
  };
  let index: Promise<Map<string, LocationDocument>> | undefined;
  return {
    all: load,
    async find(id) {
      index ??= load().then((found) => new Map(found.map((location) => [location._id, location])));
      return (await index).get(id) ?? null;
    },
    async onlineSellable() {
      const found = await load();
      return new Set(found.filter((location) => location.kind === 'WAREHOUSE' || location.shipFromStoreEnabled).map((location) => location._id));
    },
  };
}
