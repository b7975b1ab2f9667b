/**
 * Who may see and change a customer (DESIGN.md "Who may do what"), applied the same way by root
 * fields, mutations, `_entities` and every Customer field:
 * - no token → UNAUTHENTICATED; ANALYST → FORBIDDEN (aggregates only, never personal data);
 * - ASSOCIATE, AGENT, ADMIN and SERVICE → any customer;
 * - CUSTOMER → only the customer whose id is their `sub`, or the survivor that id was merged into
 *   (`mergedFrom`), since a merge only says the two records were one person all along.
 * A CUSTOMER asking for someone else gets FORBIDDEN whether or not that id exists, so the answer
 * does not reveal who is a customer.
 */
import { ForbiddenError, UnauthenticatedError, isStaff, type Principal } from '../../../kit/src';
import type { CustomersContext } from '../context';
import type { CustomerDocument } from '../repositories/customerRepository';

/** Throws UNAUTHENTICATED without a token and FORBIDDEN for an ANALYST. */
export function requirePersonalDataCaller(principal: Principal | null): Principal {
  if (!principal) throw new UnauthenticatedError();
  if (principal.role === 'ANALYST') throw new ForbiddenError('Analysts see aggregates only, never personal data');
  return principal;
}

/** True when `principal` may read and change `customer`. */
export function isCustomerOf(principal: Principal | null, customer: CustomerDocument): boolean {
  if (!principal) return false;
  if (isStaff(principal)) return true;
  return principal.role === 'CUSTOMER' && (principal.sub === customer._id || (customer.mergedFrom ?? []).includes(principal.sub));
}

function forbiddenFor(principal: Principal): ForbiddenError {
  return principal.role === 'ANALYST' ? new ForbiddenError('Analysts see aggregates only, never personal data') : new ForbiddenError("You may only see and change your own customer's data");
}

/**
 * Checks a read of `requestedId`, which loaded as `customer` (null when there is none). Returns what
 * the caller may have, or throws (see module comment).
 */
export function authorizeCustomerRead(context: CustomersContext, requestedId: string, customer: CustomerDocument | null): CustomerDocument | null {
  const principal = requirePersonalDataCaller(context.principal);
  if (customer === null) {
    if (principal.role === 'CUSTOMER' && principal.sub !== requestedId) throw forbiddenFor(principal);
    return null;
  }
  if (!isCustomerOf(principal, customer)) throw forbiddenFor(principal);
  return customer;
}

/**
 * Field-level check on a Customer about to be returned: the root field already checked, this is the
 * second lock that holds should a new path ever hand out a Customer without checking.
 */
export function assertCanRead(context: CustomersContext, customer: CustomerDocument): void {
  if (context.registeredIds.has(customer._id)) return;
  if (!context.principal) throw new UnauthenticatedError();
  if (!isCustomerOf(context.principal, customer)) throw forbiddenFor(context.principal);
}
