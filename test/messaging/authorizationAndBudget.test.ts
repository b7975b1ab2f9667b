/**
 * Who may read and write conversations and consent — every role, on root fields and on `_entities`
 * (a subgraph is never trusted to be called only by the gateway) — and the query budget: database round
 * trips of `Customer.conversations` (with messages and consent) for 5 and for 50 customers are the same.
 * The data is messaging's part of a small demo dataset, written by `seedMessaging`.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Role } from '../../subgraphs/kit/src';
import { seedMessaging } from '../../subgraphs/messaging/src/seed';
import { generateDemoDataset, type DemoDataset } from '../../scripts/seed/demoDataset';
import { errorCodes } from '../support/testkit';
import { dataOf, startMessaging, token, type MessagingUnderTest } from './messagingTestkit';

let messaging: MessagingUnderTest;
let dataset: DemoDataset;

beforeAll(async () => {
  messaging = await startMessaging('zocalo_messaging_access_test');
  dataset = generateDemoDataset({ customers: 160, orders: 500, products: 20 });
  await seedMessaging(messaging.subgraph.store, dataset);
});

afterAll(async () => {
  await messaging?.stop();
});

describe('seedMessaging', () => {
  it('writes conversations with their messages, consent with its first history entry, and the order projection', async () => {
    const { conversations, messages, preferences, history, orderChannels } = messaging.services.repositories;
    expect(await conversations.collection.countDocuments()).toBe(dataset.conversations.length);
    expect(await messages.collection.countDocuments()).toBe(dataset.conversations.reduce((sum, c) => sum + c.messages.length, 0));
    expect(await preferences.collection.countDocuments()).toBe(dataset.contactPreferences.length);
    expect(await history.collection.countDocuments()).toBe(dataset.contactPreferences.length);
    expect(await orderChannels.collection.countDocuments()).toBe(dataset.orders.length);
    const demo = dataset.conversations.find((c) => c.messages.some((m) => m.channel !== c.messages[0]?.channel));
    if (demo) {
      const stored = await conversations.findById(demo.id);
      expect(stored?.channels).toEqual([...new Set(demo.messages.map((m) => m.channel))]);
      expect(stored?.messageCount).toBe(demo.messages.length);
    }
  });
});

describe('authorization matrix', () => {
  let owner: string;
  let conversationId: string;

  beforeAll(() => {
    const demo = dataset.conversations.find((c) => c.status === 'OPEN') ?? dataset.conversations[0];
    if (!demo) throw new Error('the demo dataset has no conversations');
    owner = demo.customerId;
    conversationId = demo.id;
  });

  type Caller = 'owner' | 'other customer' | Exclude<Role, 'CUSTOMER'> | 'no token';
  const CALLERS: Caller[] = ['owner', 'other customer', 'ASSOCIATE', 'AGENT', 'ADMIN', 'SERVICE', 'ANALYST', 'no token'];
  const tokenOf = (caller: Caller): string | null =>
    caller === 'owner' ? token('CUSTOMER', owner) : caller === 'other customer' ? token('CUSTOMER', 'cus_stranger') : caller === 'no token' ? null : token(caller, `${caller.toLowerCase()}-1`);
  const expected = (caller: Caller, allowedFor: Caller[]) => (allowedFor.includes(caller) ? [] : [caller === 'no token' ? 'UNAUTHENTICATED' : 'FORBIDDEN']);
  const READERS: Caller[] = ['owner', 'ASSOCIATE', 'AGENT', 'ADMIN', 'SERVICE'];

  const operations: { name: string; allowed: Caller[]; run: (as: string | null) => Promise<unknown[]> }[] = [
    { name: 'conversation(id)', allowed: READERS, run: async (as) => errorCodes(await messaging.run(`query($id: ID!) { conversation(id: $id) { id messages { totalCount } } }`, { id: conversationId }, as)) },
    {
      name: '_entities Conversation',
      allowed: READERS,
      run: async (as) => errorCodes(await messaging.run(`query($r: [_Any!]!) { _entities(representations: $r) { ... on Conversation { id messages { nodes { body } } } } }`, { r: [{ __typename: 'Conversation', id: conversationId }] }, as)),
    },
    {
      name: '_entities Customer.conversations',
      allowed: READERS,
      run: async (as) => errorCodes(await messaging.run(`query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { conversations { id } } } }`, { r: [{ __typename: 'Customer', id: owner }] }, as)),
    },
    {
      name: '_entities Customer.contactPreferences and history',
      allowed: READERS,
      run: async (as) => errorCodes(await messaging.run(`query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { contactPreferences { channel } contactPreferenceHistory { optedIn } } } }`, { r: [{ __typename: 'Customer', id: owner }] }, as)),
    },
    {
      name: 'logInteraction (inbound)',
      allowed: READERS,
      run: async (as) => errorCodes(await messaging.run(`mutation($input: InteractionInput!) { logInteraction(input: $input) { id } }`, { input: { customerId: owner, channel: 'APP', direction: 'INBOUND', body: 'hola', conversationId } }, as)),
    },
    {
      name: 'logInteraction (outbound)',
      allowed: ['ASSOCIATE', 'AGENT', 'ADMIN', 'SERVICE'],
      run: async (as) => errorCodes(await messaging.run(`mutation($input: InteractionInput!) { logInteraction(input: $input) { id } }`, { input: { customerId: owner, channel: 'STORE', direction: 'OUTBOUND', body: 'Le apartamos la talla M.', conversationId } }, as)),
    },
    {
      name: 'reopenConversation',
      allowed: READERS,
      run: async (as) => errorCodes(await messaging.run(`mutation($id: ID!) { reopenConversation(id: $id) { id } }`, { id: conversationId }, as)),
    },
  ];

  for (const operation of operations) {
    it(`${operation.name}: allowed for ${operation.allowed.join(', ')}; FORBIDDEN for the others, UNAUTHENTICATED without a token`, async () => {
      const outcomes = await Promise.all(CALLERS.map(async (caller) => [caller, await operation.run(tokenOf(caller))] as const));
      for (const [caller, codes] of outcomes) expect({ caller, codes }).toEqual({ caller, codes: expected(caller, operation.allowed) });
    });
  }
});

describe('query budget', () => {
  const CUSTOMER_360 = /* GraphQL */ `query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer {
    id
    conversations(first: 3) { id channels subject lastMessageAt order { id } messages(first: 5) { totalCount nodes { id channel body author } } }
    contactPreferences { channel optedIn updatedVia }
    contactPreferenceHistory(first: 3) { channel optedIn changedBy }
  } } }`;

  const roundTrips = async (query: string, representations: unknown[]) => {
    const before = messaging.subgraph.store.commandCount;
    const response = await messaging.run<{ _entities: unknown[] }>(query, { r: representations });
    const data = dataOf(response);
    expect(data._entities).toHaveLength(representations.length);
    return { trips: messaging.subgraph.store.commandCount - before, data };
  };

  it('Customer.conversations with messages and consent: 5 customers and 50 customers cost the same round trips', async () => {
    const withConversations = [...new Set(dataset.conversations.map((c) => c.customerId))];
    expect(withConversations.length).toBeGreaterThanOrEqual(50);
    const customers = (n: number) => withConversations.slice(0, n).map((id) => ({ __typename: 'Customer', id }));
    const five = await roundTrips(CUSTOMER_360, customers(5));
    const fifty = await roundTrips(CUSTOMER_360, customers(50));
    expect(fifty.trips).toBe(five.trips);
    expect(five.trips).toBeLessThanOrEqual(5);
    const conversationsReturned = (fifty.data._entities as { conversations: unknown[] }[]).reduce((sum, c) => sum + c.conversations.length, 0);
    expect(conversationsReturned).toBeGreaterThanOrEqual(50);
  });

  it('Conversation __resolveReference and Order.notifications: 5 and 50 cost the same round trips', async () => {
    const conversations = (n: number) => dataset.conversations.slice(0, n).map((c) => ({ __typename: 'Conversation', id: c.id }));
    const byReference = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Conversation { id channels messages(first: 2) { nodes { body } } } } }`;
    expect((await roundTrips(byReference, conversations(50))).trips).toBe((await roundTrips(byReference, conversations(5))).trips);
    const orders = (n: number) => dataset.orders.slice(0, n).map((o) => ({ __typename: 'Order', id: o.id }));
    const notices = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { id notifications { template channel } } } }`;
    expect((await roundTrips(notices, orders(50))).trips).toBe((await roundTrips(notices, orders(5))).trips);
  });
});
