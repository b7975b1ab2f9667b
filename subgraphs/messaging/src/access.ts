/**
 * Who may do what in messaging (DESIGN.md "Who may do what"): a customer reads and writes only their
 * own conversations and consent; associates, agents, admins and services any; analysts nothing — they
 * see aggregates, and messaging holds none. Sending a message is staff's (or a service's) act.
 */
import { ForbiddenError, requireAuthenticated, requireCustomerAccess, requireRole, type Principal } from '../../kit/src';

/** Throws unless the caller may read or write `customerId`'s messaging records. */
export function requireMessagingAccess(principal: Principal | null, customerId: string): Principal {
  return requireCustomerAccess(principal, customerId);
}

/** Throws UNAUTHENTICATED without a token, FORBIDDEN for analysts; anyone else may go on to per-customer checks. */
export function requireMessagingReader(principal: Principal | null): Principal {
  const who = requireAuthenticated(principal);
  if (who.role === 'ANALYST') throw new ForbiddenError('Analysts see aggregates only, never conversations or consent');
  return who;
}

/** Throws unless the caller is staff or a service (sending messages). */
export function requireMessagingStaff(principal: Principal | null): Principal {
  return requireRole(principal, 'ASSOCIATE', 'AGENT', 'ADMIN', 'SERVICE');
}

/** The `author` of a message written by `principal`: `customer` for the customer, else their id. */
export function authorOf(principal: Principal): string {
  return principal.role === 'CUSTOMER' ? 'customer' : principal.sub;
}
