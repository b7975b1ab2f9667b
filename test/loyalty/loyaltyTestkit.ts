/**
 * What the loyalty tests share: a loyalty subgraph over its own database per file, the operations they
 * send over HTTP, and domain events built with the kit's `createDomainEvent` (event delivery is not
 * loyalty's; the handlers are called directly, as the transport will call them).
 */
import { randomUUID } from 'node:crypto';
import { createDomainEvent, type Channel, type DomainEvent, type DomainEventHandlers, type DomainEventType, type LocalDatabase } from '../../subgraphs/kit/src';
import { createLoyaltyEventHandlers } from '../../subgraphs/loyalty/src/events/handlers';
import { createLoyaltyProgram, type LoyaltyProgram } from '../../subgraphs/loyalty/src/loyaltyProgram';
import { buildLoyaltyServer } from '../../subgraphs/loyalty/src/server';
import { execute, startSubgraph, startTestDatabase, tokenFor, type GraphQLResponse, type RunningSubgraph } from '../support/testkit';

/** A running loyalty subgraph with its database, programme and event handlers. */
export interface LoyaltyFixture {
  database: LocalDatabase;
  loyalty: RunningSubgraph;
  program: LoyaltyProgram;
  handlers: Required<Pick<DomainEventHandlers, 'OrderPlaced' | 'OrderCancelled' | 'OrderReturned' | 'CustomerMerged' | 'CustomerErased'>>;
  stop(): Promise<void>;
}

/** Starts a database and the loyalty subgraph over `databaseName` (unique per test file). */
export async function startLoyalty(databaseName: string): Promise<LoyaltyFixture> {
  const database = await startTestDatabase();
  const loyalty = await startSubgraph('loyalty', buildLoyaltyServer, database, { databaseName });
  const program = createLoyaltyProgram(loyalty.store);
  const handlers = createLoyaltyEventHandlers(loyalty.store, program) as LoyaltyFixture['handlers'];
  return {
    database,
    loyalty,
    program,
    handlers,
    async stop() {
      await loyalty.stop();
      await database.stop();
    },
  };
}

/** A new id with a prefix, e.g. `cus_…`. */
export function newId(prefix: string): string {
  return `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
}

export const ENROLL = /* GraphQL */ `
  mutation Enroll($customerId: ID!, $channel: Channel!) {
    enrollLoyalty(customerId: $customerId, channel: $channel) { tier points lifetimePoints enrolledVia }
  }
`;

export const REDEEM = /* GraphQL */ `
  mutation Redeem($customerId: ID!, $points: Int!, $channel: Channel!, $idempotencyKey: String!) {
    redeemPoints(customerId: $customerId, points: $points, channel: $channel, idempotencyKey: $idempotencyKey) { points }
  }
`;

export const ADJUST = /* GraphQL */ `
  mutation Adjust($customerId: ID!, $points: Int!, $reason: String!, $idempotencyKey: String) {
    adjustPoints(customerId: $customerId, points: $points, reason: $reason, idempotencyKey: $idempotencyKey) { points }
  }
`;

/** `Customer.loyalty` through `_entities`, as the gateway asks for it. */
export const CUSTOMER_LOYALTY = /* GraphQL */ `
  query CustomerLoyalty($representations: [_Any!]!, $first: Int, $after: String) {
    _entities(representations: $representations) {
      ... on Customer {
        id
        loyalty {
          tier
          points
          lifetimePoints
          enrolledVia
          nextTier { tier pointsNeeded }
          transactions(first: $first, after: $after) {
            totalCount
            pageInfo { hasNextPage endCursor }
            nodes { id kind points channel reason at order { id } }
          }
        }
      }
    }
  }
`;

/** `Order.pointsEarned` through `_entities`. */
export const ORDER_POINTS = /* GraphQL */ `
  query OrderPoints($representations: [_Any!]!) {
    _entities(representations: $representations) { ... on Order { id pointsEarned } }
  }
`;

/** A loyalty account as `CUSTOMER_LOYALTY` returns it. */
export interface LoyaltyView {
  tier: string;
  points: number;
  lifetimePoints: number;
  enrolledVia: string;
  nextTier: { tier: string; pointsNeeded: number } | null;
  transactions: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    nodes: { id: string; kind: string; points: number; channel: string; reason: string | null; at: string; order: { id: string } | null }[];
  };
}

/** Reads a customer's account over HTTP (as an AGENT unless a token is given); null when not enrolled. */
export async function readLoyalty(url: string, customerId: string, token = tokenFor('AGENT'), first = 20, after?: string): Promise<LoyaltyView | null> {
  const response = await execute<{ _entities: { loyalty: LoyaltyView | null }[] }>(
    url,
    CUSTOMER_LOYALTY,
    { representations: [{ __typename: 'Customer', id: customerId }], first, ...(after ? { after } : {}) },
    token,
  );
  if (response.errors) throw new Error(`readLoyalty failed: ${JSON.stringify(response.errors)}`);
  return response.data?._entities[0]?.loyalty ?? null;
}

/** Enrols (as staff) and gives the account `points` with an ADMIN adjustment. */
export async function memberWithPoints(url: string, customerId: string, points: number, channel: Channel = 'APP'): Promise<void> {
  const enrolled = await execute(url, ENROLL, { customerId, channel }, tokenFor('ASSOCIATE', 'associate-1', 'MX-CDMX-CENTRO'));
  if (enrolled.errors) throw new Error(`enrol failed: ${JSON.stringify(enrolled.errors)}`);
  if (points === 0) return;
  const adjusted = await execute(url, ADJUST, { customerId, points, reason: 'Saldo inicial de prueba' }, tokenFor('ADMIN'));
  if (adjusted.errors) throw new Error(`adjust failed: ${JSON.stringify(adjusted.errors)}`);
}

/** Builds an `OrderPlaced` event as the orders subgraph publishes it. */
export function orderPlaced(customerId: string, totalCents: number, options: { orderId?: string; channel?: Channel; placedAt?: Date } = {}): DomainEvent<'OrderPlaced'> {
  const orderId = options.orderId ?? newId('ord');
  return createDomainEvent('OrderPlaced', 'orders', orderId, {
    orderId,
    number: `ZC-${orderId.slice(-6)}`,
    customerId,
    channel: options.channel ?? 'STORE',
    totalCents,
    lines: [{ sku: 'ZC-ROPA-0001', quantity: 1, unitPriceCents: totalCents }],
    fulfillment: { method: 'IN_STORE_PURCHASE', locationId: 'MX-CDMX-CENTRO' },
    placedAt: (options.placedAt ?? new Date()).toISOString(),
  });
}

/** Builds an `OrderCancelled` event for an order. */
export function orderCancelled(placed: DomainEvent<'OrderPlaced'>, channel: Channel = 'CALL_CENTER'): DomainEvent<'OrderCancelled'> {
  const { orderId, number, customerId } = placed.payload;
  return createDomainEvent('OrderCancelled', 'orders', orderId, { orderId, number, customerId, channel });
}

/** Builds an `OrderReturned` event refunding `refundCents` of an order. */
export function orderReturned(placed: DomainEvent<'OrderPlaced'>, refundCents: number, returnId = newId('ret'), channel: Channel = 'STORE'): DomainEvent<'OrderReturned'> {
  const { orderId, number, customerId, totalCents } = placed.payload;
  return createDomainEvent('OrderReturned', 'orders', orderId, {
    orderId,
    number,
    customerId,
    returnId,
    channel,
    locationId: 'MX-CDMX-CENTRO',
    lines: [],
    refundCents,
    orderTotalCents: totalCents,
  });
}

/** Builds a customers event. */
export function customerEvent<T extends 'CustomerMerged' | 'CustomerErased'>(type: T, payload: DomainEvent<T>['payload']): DomainEvent<T> {
  const subject = 'survivorId' in payload ? payload.survivorId : (payload as { customerId: string }).customerId;
  return createDomainEvent(type as DomainEventType, 'customers', subject, payload as never) as DomainEvent<T>;
}

/** Errors' codes and extensions, for assertions. */
export function firstError(response: GraphQLResponse<unknown>): { code: unknown; extensions: Record<string, unknown> } | undefined {
  const error = response.errors?.[0];
  return error ? { code: error.extensions?.code, extensions: error.extensions ?? {} } : undefined;
}
