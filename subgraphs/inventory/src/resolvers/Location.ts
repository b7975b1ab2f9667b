/** Resolvers of `Location`. Public: stores and warehouses need no token. */
import type { InventoryContext } from '../context';
import { isIdentifier } from '../input/identifiers';
import type { LocationDocument } from '../repositories/locationRepository';
import type { InventoryResolvers } from './resolverTypes';

/** Resolvers of `Location`. */
export const locationResolvers: InventoryResolvers = {
  Location: {
    __resolveReference(reference: { id: unknown }, context: InventoryContext) {
      return isIdentifier(reference.id) ? context.loaders.location.load(reference.id) : null;
    },
    id: (location: LocationDocument) => location._id,
    coordinates: (location: LocationDocument) => location.coordinates ?? null,
  },
};
