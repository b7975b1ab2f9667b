/** Resolvers of `StockLevel`: `available` is computed, never stored, so it cannot drift. */
import type { InventoryContext } from '../context';
import type { LocationDocument } from '../repositories/locationRepository';
import { availableOf, type StockDocument } from '../repositories/stockRepository';
import type { InventoryResolvers } from './resolverTypes';

/** Resolvers of `StockLevel`. */
export const stockLevelResolvers: InventoryResolvers = {
  StockLevel: {
    async location(level: StockDocument, _args: unknown, context: InventoryContext): Promise<LocationDocument> {
      // From the request's one read of every location, the read `availableQuantity` needs too: by-id
      // loads racing that read would cost a round trip or not depending on timing.
      const location = await context.loaders.locations.find(level.locationId);
      // Stock documents are only ever written for existing locations; a miss is a data bug, masked.
      if (location === null) throw new Error(`Stock ${level._id} names an unknown location`);
      return location;
    },
    available: (level: StockDocument) => availableOf(level),
    updatedAt: (level: StockDocument) => level.updatedAt ?? null,
  },
};
