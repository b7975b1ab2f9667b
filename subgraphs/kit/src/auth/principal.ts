/**
 * Who is calling, and the access rules of DESIGN.md "Who may do what" in one place, so every subgraph
 * (and every `_entities` call) decides the same way.
 */
import { ForbiddenError, UnauthenticatedError } from '../errors';

/** The roles a token may carry. */
export const ROLES = ['CUSTOMER', 'ASSOCIATE', 'AGENT', 'ANALYST', 'ADMIN', 'SERVICE'] as const;

/** A role claim. */
export type Role = (typeof ROLES)[number];

/** Verified claims of the caller's token. */
export interface Principal {
  /** Subject: for a CUSTOMER, their customer id. */
  sub: string;
  role: Role;
  /** For an ASSOCIATE: the store (location id) they work at. */
  storeId?: string;
}

/** Roles that serve any customer (store staff, call centre, administrators, other subgraphs). */
const STAFF_ROLES: ReadonlySet<Role> = new Set<Role>(['ASSOCIATE', 'AGENT', 'ADMIN', 'SERVICE']);

/** Type guard for the role claim. */
export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Throws UNAUTHENTICATED when there is no verified principal. */
export function requireAuthenticated(principal: Principal | null): Principal {
  if (!principal) throw new UnauthenticatedError();
  return principal;
}

/** Throws unless the caller has one of `roles`. */
export function requireRole(principal: Principal | null, ...roles: Role[]): Principal {
  const who = requireAuthenticated(principal);
  if (!roles.includes(who.role)) {
    throw new ForbiddenError(`This needs one of the roles ${roles.join(', ')}; the token has ${who.role}`);
  }
  return who;
}

/** True when the caller is staff (or a service) and so may serve any customer. */
export function isStaff(principal: Principal | null): boolean {
  return principal !== null && STAFF_ROLES.has(principal.role);
}

/** True when the caller may read and change the personal data of `customerId`. */
export function canAccessCustomer(principal: Principal | null, customerId: string): boolean {
  if (!principal) return false;
  if (STAFF_ROLES.has(principal.role)) return true;
  return principal.role === 'CUSTOMER' && principal.sub === customerId;
}

/**
 * Throws UNAUTHENTICATED without a token and FORBIDDEN when the caller may not see this customer's data
 * (another customer, or an ANALYST, who sees aggregates only).
 */
export function requireCustomerAccess(principal: Principal | null, customerId: string): Principal {
  const who = requireAuthenticated(principal);
  if (!canAccessCustomer(who, customerId)) {
    throw new ForbiddenError(
      who.role === 'ANALYST' ? 'Analysts see aggregates only, never personal data' : "You may only see and change your own customer's data",
    );
  }
  return who;
}
