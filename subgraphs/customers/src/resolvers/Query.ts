/** Root queries of the customers subgraph. */
import { UnauthenticatedError, requireRole } from '../../../kit/src';
import type { CustomersContext } from '../context';
import { authorizeCustomerRead, requirePersonalDataCaller } from '../domain/customerAccess';
import { cursorOf, readCursor, readCustomerId, readFirst } from '../domain/fieldValidation';
import { identityKeyOf, normaliseIdentity, type IdentityKind } from '../domain/identityNormalisation';
import { searchFilterOf } from '../domain/searchTerms';
import type { CustomerDocument } from '../repositories/customerRepository';

/** A page of customers (SDL `CustomerConnection`). */
export interface CustomerConnection {
  nodes: CustomerDocument[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

/** Resolvers of `Query`. */
export const Query = {
  /** A merged duplicate's id gives the survivor; an erased customer gives an empty record (see Customer). */
  async customer(_parent: unknown, args: { id: string }, context: CustomersContext): Promise<CustomerDocument | null> {
    requirePersonalDataCaller(context.principal);
    readCustomerId(args.id);
    return authorizeCustomerRead(context, args.id, await context.customerLoader.load(args.id));
  },

  /** One `_id` lookup in `identities`, then the customer through the loader. */
  async findCustomer(_parent: unknown, args: { identity: { kind: IdentityKind; value: string } }, context: CustomersContext): Promise<CustomerDocument | null> {
    requirePersonalDataCaller(context.principal);
    const identity = normaliseIdentity(args.identity.kind, args.identity.value, 'identity.value');
    const claim = await context.identities.findByKey(identityKeyOf(identity));
    if (!claim) return null;
    const customer = await context.customerLoader.load(claim.customerId);
    // A claim whose customer is gone (an orphan, or erased in flight) finds nobody.
    if (!customer || customer.erasedAt !== undefined) return null;
    return authorizeCustomerRead(context, claim.customerId, customer);
  },

  /** Staff only: a CUSTOMER may not browse other customers. Ordered by id, so pages are stable. */
  async searchCustomers(_parent: unknown, args: { query: string; first?: number | null; after?: string | null }, context: CustomersContext): Promise<CustomerConnection> {
    requireRole(context.principal, 'ASSOCIATE', 'AGENT', 'ADMIN', 'SERVICE');
    const first = readFirst(args.first);
    const after = readCursor(args.after);
    const filter = searchFilterOf(args.query);
    // One more than asked tells whether another page follows, without a second query.
    const [page, totalCount] = await Promise.all([context.customers.findPage(filter, after, first + 1), context.customers.count(filter)]);
    const nodes = page.slice(0, first);
    const last = nodes.at(-1);
    return { nodes, pageInfo: { hasNextPage: page.length > first, endCursor: last ? cursorOf(last._id) : null }, totalCount };
  },

  /** The customer of a CUSTOMER token; null for staff and services, who are not customers. */
  async me(_parent: unknown, _args: unknown, context: CustomersContext): Promise<CustomerDocument | null> {
    if (!context.principal) throw new UnauthenticatedError();
    if (context.principal.role !== 'CUSTOMER') return null;
    const { sub } = context.principal;
    return authorizeCustomerRead(context, sub, await context.customerLoader.load(sub));
  },
};
