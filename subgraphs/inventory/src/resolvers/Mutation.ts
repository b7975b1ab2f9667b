/**
 * Root mutations. `adjustStock` is for store staff (see stock/adjustStock.ts). The four reservation
 * mutations are for the orders subgraph only: `@inaccessible` keeps them out of the public supergraph,
 * and — because a subgraph is never trusted to be called only by the gateway — each one checks for a
 * SERVICE token itself.
 */
import { requireRole, type Channel } from '../../../kit/src';
import type { InventoryContext } from '../context';
import { requireIdentifier } from '../input/identifiers';
import { normalizeLines } from '../input/lineInput';
import type { ReservationDocument } from '../repositories/reservationRepository';
import type { StockDocument } from '../repositories/stockRepository';
import { adjustStock } from '../stock/adjustStock';
import { restockReturn } from '../stock/restockReturn';
import type { InventoryResolvers } from './resolverTypes';

type LineArgument = { sku: string; quantity: number }[];

/** Resolvers of `Mutation`. */
export const mutationResolvers: InventoryResolvers = {
  Mutation: {
    adjustStock(
      _parent: unknown,
      args: { locationId: string; sku: string; delta: number; reason: string; channel?: Channel | null; idempotencyKey?: string | null },
      context: InventoryContext,
    ): Promise<StockDocument> {
      return adjustStock(context.repositories, context.principal, args);
    },

    reserveStock(_parent: unknown, args: { orderId: string; locationId: string; lines: LineArgument }, context: InventoryContext): Promise<ReservationDocument> {
      requireRole(context.principal, 'SERVICE'); // ROLES: SERVICE only (the orders subgraph)
      const orderId = requireIdentifier(args.orderId, 'orderId');
      const locationId = requireIdentifier(args.locationId, 'locationId');
      return context.reservations.reserve(orderId, locationId, normalizeLines(args.lines));
    },

    releaseReservation(_parent: unknown, args: { orderId: string }, context: InventoryContext): Promise<ReservationDocument | null> {
      requireRole(context.principal, 'SERVICE'); // ROLES: SERVICE only (the orders subgraph)
      return context.reservations.release(requireIdentifier(args.orderId, 'orderId'), 'CANCELLED');
    },

    commitReservation(_parent: unknown, args: { orderId: string }, context: InventoryContext): Promise<ReservationDocument | null> {
      requireRole(context.principal, 'SERVICE'); // ROLES: SERVICE only (the orders subgraph)
      return context.reservations.commit(requireIdentifier(args.orderId, 'orderId'));
    },

    async restock(_parent: unknown, args: { returnId: string; locationId: string; lines: LineArgument }, context: InventoryContext): Promise<boolean> {
      requireRole(context.principal, 'SERVICE'); // ROLES: SERVICE only (the orders subgraph)
      const returnId = requireIdentifier(args.returnId, 'returnId');
      const locationId = requireIdentifier(args.locationId, 'locationId');
      await restockReturn(context.repositories, returnId, locationId, normalizeLines(args.lines));
      return true;
    },
  },
};
