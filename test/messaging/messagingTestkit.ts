/**
 * What the messaging tests share: one database and one in-process messaging subgraph per test file, the
 * event handlers over the same database (events are handed to them directly: delivery is the relay's
 * business), the local outbox, and a fixed store directory instead of the inventory subgraph.
 */
import { createLogger, createDomainEvent, type DomainEventHandlers, type LocalDatabase, type Role } from '../../subgraphs/kit/src';
import { createMessagingEventHandlers } from '../../subgraphs/messaging/src/events/handlers';
import { createStaticLocationDirectory } from '../../subgraphs/messaging/src/locationDirectory';
import { createMessagingServices, type MessagingServices } from '../../subgraphs/messaging/src/messagingServices';
import { LocalOutboxProvider } from '../../subgraphs/messaging/src/providers/localOutboxProvider';
import { createMessagingServerBuilder } from '../../subgraphs/messaging/src/server';
import { execute, startSubgraph, startTestDatabase, tokenFor, type GraphQLResponse, type RunningSubgraph } from '../support/testkit';

/** Store names the notices use in tests (the inventory subgraph's, for the demo locations). */
export const TEST_LOCATIONS = { 'MX-CDMX-POLANCO': 'Zócalo Polanco', 'MX-OAX-CENTRO': 'Zócalo Oaxaca Centro' } as const;

/** A running messaging subgraph with its own database. */
export interface MessagingUnderTest {
  database: LocalDatabase;
  subgraph: RunningSubgraph;
  url: string;
  /** Services over the subgraph's store (repositories, provider) for direct checks. */
  services: MessagingServices;
  /** The local outbox the handlers send through. */
  outbox: LocalOutboxProvider;
  handlers: DomainEventHandlers;
  /** Sends an operation with an AGENT token unless another is given (`null` for none). */
  run<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<GraphQLResponse<T>>;
  stop(): Promise<void>;
}

/** Starts the database and the subgraph; `databaseName` must be unique per test file. */
export async function startMessaging(databaseName: string): Promise<MessagingUnderTest> {
  const database = await startTestDatabase();
  const locationDirectory = createStaticLocationDirectory(TEST_LOCATIONS);
  const subgraph = await startSubgraph('messaging', createMessagingServerBuilder({ locationDirectory }), database, { databaseName });
  const logger = createLogger('messaging-test', 'silent');
  const outbox = new LocalOutboxProvider(subgraph.store);
  const services = createMessagingServices(subgraph.store, { provider: outbox, locationDirectory, logger });
  const agent = tokenFor('AGENT', 'agent-7');
  return {
    database,
    subgraph,
    url: subgraph.url,
    services,
    outbox,
    handlers: createMessagingEventHandlers({ services }),
    run: (query, variables = {}, token = agent) => execute(subgraph.url, query, variables, token ?? undefined),
    async stop() {
      await subgraph.stop();
      await database.stop();
    },
  };
}

/** A token for `role` (customers: `sub` is their id). */
export function token(role: Role, sub?: string): string {
  return tokenFor(role, sub);
}

/** Fails with the errors when a response has any, else returns its data. */
export function dataOf<T>(response: GraphQLResponse<T>): T {
  if (response.errors?.length || !response.data) throw new Error(`GraphQL errors: ${JSON.stringify(response.errors)}`);
  return response.data;
}

/** An OrderPlaced event as the orders subgraph publishes it. */
export function orderPlaced(order: { orderId: string; customerId: string; number: string; channel?: 'WEB' | 'APP' | 'STORE' | 'WHATSAPP' | 'CALL_CENTER'; locationId?: string; method?: string; totalCents?: number }) {
  return createDomainEvent('OrderPlaced', 'orders', order.orderId, {
    orderId: order.orderId,
    number: order.number,
    customerId: order.customerId,
    channel: order.channel ?? 'WEB',
    totalCents: order.totalCents ?? 129_900,
    lines: [{ sku: 'ZC-ROPA-0001', quantity: 1, unitPriceCents: order.totalCents ?? 129_900 }],
    fulfillment: { method: order.method ?? 'PICKUP_IN_STORE', locationId: order.locationId ?? 'MX-CDMX-POLANCO' },
    placedAt: new Date().toISOString(),
  });
}

/** Every Conversation field the tests read. */
export const CONVERSATION_FIELDS = /* GraphQL */ `
  id status channels subject startedAt lastMessageAt
  customer { id }
  order { id }
  messages(first: 50) { totalCount pageInfo { hasNextPage endCursor } nodes { id channel direction body author deliveryStatus kind sentAt conversationId } }
`;

/** A Conversation as the tests read it. */
export interface ConversationView {
  id: string;
  status: 'OPEN' | 'CLOSED';
  channels: string[];
  subject: string | null;
  startedAt: string;
  lastMessageAt: string;
  customer: { id: string };
  order: { id: string } | null;
  messages: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    nodes: { id: string; channel: string; direction: string; body: string | null; author: string; deliveryStatus: string; kind: string; sentAt: string; conversationId: string }[];
  };
}
