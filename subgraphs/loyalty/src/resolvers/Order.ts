/**
 * `Order` (owned by the orders subgraph): loyalty adds `pointsEarned`, the EARN of the order net of its
 * reversals, batched through the request's DataLoader (one query per batch of orders).
 *
 * Loyalty knows an order only by id, so access is decided from the ledger: an authenticated caller is
 * required; staff see the points; an ANALYST is refused (FORBIDDEN: no personal data); a CUSTOMER sees
 * the points when the order's ledger entries are theirs and 0 otherwise — 0, not an error, so that
 * probing other customers' order ids reveals nothing (not even whether that customer is a member).
 */
import { ForbiddenError, requireAuthenticated } from '../../../kit/src';
import type { LoyaltyContext } from '../context';

/** The loyalty subgraph's view of an order. */
export interface OrderReference {
  id: string;
}

/** `Order` resolvers. */
export const Order = {
  __resolveReference(reference: OrderReference): OrderReference {
    return { id: reference.id };
  },

  async pointsEarned(order: OrderReference, _args: unknown, context: LoyaltyContext): Promise<number> {
    const principal = requireAuthenticated(context.principal);
    if (principal.role === 'ANALYST') throw new ForbiddenError('Analysts see aggregates only, never personal data');
    const entries = await context.loaders.orderPoints.load(order.id);
    if (principal.role === 'CUSTOMER' && entries.some((entry) => entry.customerId !== principal.sub)) return 0;
    return entries.reduce((sum, entry) => sum + entry.points, 0);
  },
};
