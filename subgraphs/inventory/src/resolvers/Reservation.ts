/** Resolvers of `Reservation` (internal: only the orders subgraph, with a SERVICE token, sees them). */
import type { ReservationDocument } from '../repositories/reservationRepository';
import type { InventoryResolvers } from './resolverTypes';

/** Resolvers of `Reservation`. */
export const reservationResolvers: InventoryResolvers = {
  Reservation: {
    orderId: (reservation: ReservationDocument) => reservation._id,
  },
};
