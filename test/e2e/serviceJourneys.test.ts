/**
 * Service journeys through the GATEWAY (issues 4, 7 and 8): the whole estate once, seeded, every call
 * with the token of the channel that makes it — the WhatsApp bot (SERVICE), the call-centre agent
 * (AGENT), the till (ASSOCIATE), the app (the customer's own CUSTOMER token) — and the effects checked
 * through the graph and, where a guarantee is about stored data, in the subgraph's own database.
 *
 * The seed is shaped in `shapeDataset`: a customer who writes on WhatsApp about their one order and
 * has never said anything about consent; a loyalty member with no orders who buys at the till; a
 * loyalty member whose balance the app and the till spend at the same moment; a customer with a
 * wishlist started in the app.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Document } from 'mongodb';
import type { DemoDataset } from '../../scripts/seed/demoDataset';
import { verifyLedger } from '../../subgraphs/loyalty/src/verifyLedger';
import { startEstate, type RunningEstate } from '../support/estate';
import { errorCodes, execute, tokenFor, type GraphQLResponse } from '../support/testkit';

const STORE = 'MX-CDMX-CENTRO';
const WHATSAPP_BOT = tokenFor('SERVICE', 'whatsapp-bot');
const AGENT = tokenFor('AGENT', 'agent-lucia');
const TILL = tokenFor('ASSOCIATE', 'associate-centro', STORE);
const ADMIN = tokenFor('ADMIN', 'admin-journeys');
/** Longest wait for a domain event's effect; the test fails with the last state seen after it. */
const EFFECT_DEADLINE_MS = 30_000;

/** Who plays which part; filled by `shapeDataset`. */
interface Cast {
  /** Writes on WhatsApp about `orderId`; no contact preference at all. */
  whatsapp: { id: string; displayName: string; email: string | undefined; phone: string; streets: string[]; orderId: string; orderNumber: string };
  /** Loyalty member without orders: buys at the till, spends in the app. */
  shopper: string;
  /** Loyalty member whose points the app and the till redeem at once. */
  spender: string;
  /** Saves products in the app. */
  wisher: string;
  /** An active product with stock at {@link STORE}, and two more for the wishlist. */
  skus: [string, string, string];
}

/** Makes the seed fit the journeys (see module comment) and records the cast. */
function shapeDataset(dataset: DemoDataset, cast: Partial<Cast>): void {
  const [whatsapp, shopper, spender, wisher] = dataset.customers;
  const others = dataset.customers.slice(4);
  if (!whatsapp?.phone || !shopper || !spender || !wisher || others.length === 0) throw new Error('dataset too small for the service journeys');
  const cast4 = [whatsapp.id, shopper.id, spender.id, wisher.id];

  // The WhatsApp customer: WhatsApp on their phone number, exactly one order (an open one if there is),
  // no conversation and no consent statement yet.
  if (!whatsapp.identities.some((identity) => identity.kind === 'WHATSAPP')) {
    whatsapp.identities.push({ kind: 'WHATSAPP', value: whatsapp.phone, linkedVia: 'WHATSAPP', linkedAt: whatsapp.createdAt });
  }
  const order = dataset.orders.find((candidate) => candidate.status === 'PLACED' || candidate.status === 'READY_FOR_PICKUP') ?? dataset.orders[0];
  if (!order) throw new Error('dataset has no order');
  dataset.orders.forEach((candidate, index) => {
    if (candidate === order) candidate.customerId = whatsapp.id;
    else if (cast4.includes(candidate.customerId)) candidate.customerId = (others[index % others.length] as DemoDataset['customers'][number]).id;
  });
  dataset.conversations = dataset.conversations.filter((conversation) => conversation.customerId !== whatsapp.id);
  dataset.contactPreferences = dataset.contactPreferences.filter((preference) => preference.customerId !== whatsapp.id);

  // The two loyalty members.
  dataset.loyaltyMembers = [
    ...dataset.loyaltyMembers.filter((member) => member.customerId !== shopper.id && member.customerId !== spender.id),
    { customerId: shopper.id, enrolledAt: new Date('2025-01-10T00:00:00Z'), enrolledVia: 'STORE' },
    { customerId: spender.id, enrolledAt: new Date('2025-01-10T00:00:00Z'), enrolledVia: 'APP' },
  ];

  // Plenty of stock of the till's product at the store; the wisher starts with an empty wishlist.
  const skus = dataset.products.filter((product) => product.active).slice(0, 3).map((product) => product.sku);
  if (skus.length < 3) throw new Error('dataset has too few active products');
  const stock = dataset.stock.find((entry) => entry.sku === skus[0] && entry.locationId === STORE);
  if (stock) stock.onHand = stock.reserved + 500;
  else dataset.stock.push({ sku: skus[0] as string, locationId: STORE, onHand: 500, reserved: 0 });
  wisher.wishlist = [];

  Object.assign(cast, {
    whatsapp: { id: whatsapp.id, displayName: whatsapp.displayName, email: whatsapp.email, phone: whatsapp.phone, streets: whatsapp.addresses.map((address) => address.street), orderId: order.id, orderNumber: order.number },
    shopper: shopper.id,
    spender: spender.id,
    wisher: wisher.id,
    skus,
  });
}

/** The data of a response that must have no errors. */
function dataOf<T>(response: GraphQLResponse<T>): T {
  expect(response.errors ?? []).toEqual([]);
  return response.data as T;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns a value that is not undefined; fails with the last state at the deadline. */
async function eventually<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + EFFECT_DEADLINE_MS;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Not reached within ${EFFECT_DEADLINE_MS} ms: ${what}`);
    await sleep(150);
  }
}

/** The phone as a person types it on the bot's form: "+52 1 55 1234 5678". */
function asWhatsAppTypes(e164: string): string {
  const national = e164.replace(/^\+52/, '');
  return `+52 1 ${national.slice(0, 2)} ${national.slice(2, 6)} ${national.slice(6)}`;
}

/** The phone as an agent types it from caller id: "(55) 1234-5678". */
function asAgentTypes(e164: string): string {
  const national = e164.replace(/^\+52/, '');
  return `(${national.slice(0, 2)}) ${national.slice(2, 6)}-${national.slice(6)}`;
}

interface MessageView {
  channel: string;
  direction: string;
  body: string | null;
  author: string;
}

interface ConversationView {
  id: string;
  status: string;
  channels: string[];
  order: { id: string } | null;
  messages: { totalCount: number; nodes: MessageView[] };
}

const CONVERSATION_FIELDS = 'id status channels order { id } messages(first: 20) { totalCount nodes { channel direction body author } }';

const LOG = /* GraphQL */ `
  mutation Log($input: InteractionInput!) { logInteraction(input: $input) { ${CONVERSATION_FIELDS} } }
`;

const LOYALTY = /* GraphQL */ `
  query Loyalty($id: ID!) { customer(id: $id) { loyalty { points lifetimePoints transactions(first: 50) { totalCount nodes { kind points channel order { id } } } } } }
`;

const REDEEM = /* GraphQL */ `
  mutation Redeem($customerId: ID!, $points: Int!, $channel: Channel!, $key: String!) {
    redeemPoints(customerId: $customerId, points: $points, channel: $channel, idempotencyKey: $key) { points }
  }
`;

describe('service journeys through the gateway', () => {
  let estate: RunningEstate;
  const cast = {} as Cast;
  const runKey = Date.now().toString(36);

  beforeAll(async () => {
    estate = await startEstate({
      databasePrefix: 'service_journeys',
      seed: { customers: 12, orders: 10, products: 12, prepare: (dataset) => shapeDataset(dataset, cast) },
    });
  }, 120_000);

  afterAll(async () => {
    await estate?.stop();
  });

  const db = (name: 'loyalty' | 'messaging') => estate.subgraphs[name].store.db;
  const customerToken = (id: string) => tokenFor('CUSTOMER', id);

  describe('WhatsApp, then the phone: one conversation', () => {
    let conversationId = '';

    it('the WhatsApp bot finds the customer by their WhatsApp number and answers where their order is', async () => {
      const { whatsapp } = cast;
      const found = dataOf(
        await execute<{ findCustomer: { id: string; displayName: string; orders: { nodes: { id: string; number: string; status: string; fulfillment: { method: string; location: { name: string } | null } }[] } } | null }>(
          estate.url,
          /* GraphQL */ `query Bot($number: String!) {
            findCustomer(identity: { kind: WHATSAPP, value: $number }) {
              id displayName orders(first: 1) { nodes { id number status fulfillment { method location { name } } } }
            }
          }`,
          { number: asWhatsAppTypes(whatsapp.phone) },
          WHATSAPP_BOT,
        ),
      ).findCustomer;
      expect(found?.id).toBe(whatsapp.id);
      const order = found?.orders.nodes[0];
      expect(order).toMatchObject({ id: whatsapp.orderId, number: whatsapp.orderNumber });

      // The customer's question and the bot's answer, both about the order, in one conversation.
      const asked = dataOf(
        await execute<{ logInteraction: ConversationView }>(estate.url, LOG, { input: { customerId: whatsapp.id, channel: 'WHATSAPP', direction: 'INBOUND', body: '¿Dónde está mi pedido?', orderId: whatsapp.orderId } }, WHATSAPP_BOT),
      ).logInteraction;
      const place = order?.fulfillment.location?.name ?? 'nuestro almacén';
      const answer = `Tu pedido ${order?.number} está ${order?.status} (${order?.fulfillment.method}, ${place}).`;
      const answered = dataOf(
        await execute<{ logInteraction: ConversationView }>(estate.url, LOG, { input: { customerId: whatsapp.id, channel: 'WHATSAPP', direction: 'OUTBOUND', body: answer, orderId: whatsapp.orderId } }, WHATSAPP_BOT),
      ).logInteraction;
      expect(answered.id).toBe(asked.id);
      expect(answered).toMatchObject({ status: 'OPEN', channels: ['WHATSAPP'], order: { id: whatsapp.orderId } });
      expect(answered.messages.nodes.map((message) => [message.direction, message.body])).toEqual([
        ['INBOUND', '¿Dónde está mi pedido?'],
        ['OUTBOUND', answer],
      ]);
      conversationId = answered.id;
    });

    it('the customer calls: the agent finds them by the phone, sees the WhatsApp conversation, and logs the call in it', async () => {
      const { whatsapp } = cast;
      const seen = dataOf(
        await execute<{ findCustomer: { id: string; conversations: ConversationView[] } | null }>(
          estate.url,
          /* GraphQL */ `query Agent($phone: String!) { findCustomer(identity: { kind: PHONE, value: $phone }) { id conversations(status: OPEN, first: 5) { ${CONVERSATION_FIELDS} } } }`,
          { phone: asAgentTypes(whatsapp.phone) },
          AGENT,
        ),
      ).findCustomer;
      expect(seen?.id).toBe(whatsapp.id);
      expect(seen?.conversations.map((conversation) => conversation.id)).toEqual([conversationId]);
      expect(seen?.conversations[0]?.messages.nodes.map((message) => [message.channel, message.body])).toEqual([
        ['WHATSAPP', '¿Dónde está mi pedido?'],
        ['WHATSAPP', expect.stringContaining(whatsapp.orderNumber)],
      ]);

      const logged = dataOf(
        await execute<{ logInteraction: ConversationView }>(
          estate.url,
          LOG,
          { input: { customerId: whatsapp.id, channel: 'CALL_CENTER', direction: 'INBOUND', body: 'Llama por el pedido que preguntó por WhatsApp; se le confirma la fecha.', conversationId } },
          AGENT,
        ),
      ).logInteraction;
      expect(logged.id).toBe(conversationId);
      expect([...logged.channels].sort()).toEqual(['CALL_CENTER', 'WHATSAPP']);
      expect(logged.messages.totalCount).toBe(3);
      expect(logged.messages.nodes[2]).toMatchObject({ channel: 'CALL_CENTER', author: 'agent-lucia' });
    });

    it('the customer sees the whole story in the app, and it is one conversation in the database', async () => {
      const { whatsapp } = cast;
      const me = dataOf(
        await execute<{ me: { conversations: ConversationView[] } }>(estate.url, `{ me { conversations(first: 5) { ${CONVERSATION_FIELDS} } } }`, {}, customerToken(whatsapp.id)),
      ).me;
      expect(me.conversations).toHaveLength(1);
      expect(me.conversations[0]?.messages.nodes.map((message) => message.channel)).toEqual(['WHATSAPP', 'WHATSAPP', 'CALL_CENTER']);
      expect(await db('messaging').collection('conversations').countDocuments({ customerId: whatsapp.id })).toBe(1);
    });
  });

  describe('points earned in the store are usable at once in the app', () => {
    it('the app cannot spend them before the purchase, the till sells, and the app spends them as soon as the order is processed', async () => {
      const { shopper } = cast;
      const app = customerToken(shopper);
      const before = dataOf(await execute<{ me: { loyalty: { points: number } } }>(estate.url, '{ me { loyalty { points } } }', {}, app)).me.loyalty.points;
      const wanted = before + 1;
      const tooEarly = await execute(estate.url, REDEEM, { customerId: shopper, points: wanted, channel: 'APP', key: `early-${runKey}` }, app);
      expect(errorCodes(tooEarly)).toEqual(['INSUFFICIENT_POINTS']);
      expect(tooEarly.errors?.[0]?.extensions).toMatchObject({ balance: before, requested: wanted });

      const order = dataOf(
        await execute<{ placeOrder: { id: string; channel: string } }>(
          estate.url,
          /* GraphQL */ `mutation Sell($input: PlaceOrderInput!) { placeOrder(input: $input) { id channel } }`,
          { input: { customerId: shopper, channel: 'STORE', lines: [{ sku: cast.skus[0], quantity: 2 }], fulfillment: { method: 'IN_STORE_PURCHASE', locationId: STORE }, idempotencyKey: `till-${runKey}` } },
          TILL,
        ),
      ).placeOrder;
      const earned = await eventually('the till order earned its points', async () => {
        const points = dataOf(await execute<{ order: { pointsEarned: number } }>(estate.url, 'query($id: ID!) { order(id: $id) { pointsEarned } }', { id: order.id }, app)).order.pointsEarned;
        return points > 0 ? points : undefined;
      });

      // The app's very next query shows them, with the till purchase in the ledger…
      const account = dataOf(await execute<{ customer: { loyalty: { points: number; transactions: { nodes: { kind: string; points: number; channel: string; order: { id: string } | null }[] } } } }>(estate.url, LOYALTY, { id: shopper }, app)).customer.loyalty;
      expect(account.points).toBe(before + earned);
      expect(account.transactions.nodes[0]).toEqual({ kind: 'EARN', points: earned, channel: 'STORE', order: { id: order.id } });
      // …and the app spends them right away.
      const spent = dataOf(await execute<{ redeemPoints: { points: number } }>(estate.url, REDEEM, { customerId: shopper, points: wanted, channel: 'APP', key: `spend-${runKey}` }, app)).redeemPoints;
      expect(spent.points).toBe(before + earned - wanted);
    }, 60_000);
  });

  describe('the app and the till redeem at the same moment', () => {
    it('balance 100, 10 redemptions of 10 from the app and 10 from the till at once: exactly 10 succeed, the balance ends at 0 and never goes below', async () => {
      const { spender } = cast;
      const current = dataOf(await execute<{ customer: { loyalty: { points: number } } }>(estate.url, LOYALTY, { id: spender }, AGENT)).customer.loyalty.points;
      if (current !== 100) {
        dataOf(await execute(estate.url, 'mutation($id: ID!, $points: Int!) { adjustPoints(customerId: $id, points: $points, reason: "Saldo de prueba del recorrido") { points } }', { id: spender, points: 100 - current }, ADMIN));
      }
      const app = customerToken(spender);
      const attempts = Array.from({ length: 20 }, (_, index) => {
        const fromApp = index % 2 === 0;
        return execute<{ redeemPoints: { points: number } }>(estate.url, REDEEM, { customerId: spender, points: 10, channel: fromApp ? 'APP' : 'STORE', key: `race-${runKey}-${index}` }, fromApp ? app : TILL);
      });
      const results = await Promise.all(attempts);

      const balancesAfterSuccess = results.filter((result) => !result.errors).map((result) => result.data?.redeemPoints.points as number);
      const refusals = results.filter((result) => result.errors);
      expect(balancesAfterSuccess).toHaveLength(10);
      // Every success saw a different balance on the way down: 90, 80, … 0 — never below zero.
      expect([...balancesAfterSuccess].sort((a, b) => a - b)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
      expect(refusals.map((result) => errorCodes(result))).toEqual(Array.from({ length: 10 }, () => ['INSUFFICIENT_POINTS']));
      for (const refusal of refusals) {
        const balance = refusal.errors?.[0]?.extensions?.balance as number;
        expect(balance).toBeGreaterThanOrEqual(0);
        expect(balance).toBeLessThan(10);
      }

      const after = dataOf(await execute<{ customer: { loyalty: { points: number; transactions: { nodes: { kind: string; channel: string }[] } } } }>(estate.url, LOYALTY, { id: spender }, AGENT)).customer.loyalty;
      expect(after.points).toBe(0);
      expect(after.transactions.nodes.filter((transaction) => transaction.kind === 'REDEEM')).toHaveLength(10);
      // The ledger still explains every balance, this one included.
      const verification = await verifyLedger(estate.subgraphs.loyalty.store);
      expect(verification.mismatches).toEqual([]);
      expect(verification.ok).toBe(true);
      expect(await db('loyalty').collection('ledger').countDocuments({ customerId: spender, kind: 'REDEEM' })).toBe(10);

      // A retry of a winning request (same key) is the same redemption, not a second one.
      const winner = results.findIndex((result) => !result.errors);
      const retry = dataOf(await execute<{ redeemPoints: { points: number } }>(estate.url, REDEEM, { customerId: spender, points: 10, channel: winner % 2 === 0 ? 'APP' : 'STORE', key: `race-${runKey}-${winner}` }, winner % 2 === 0 ? app : TILL));
      expect(retry.redeemPoints.points).toBe(0);
      expect(await db('loyalty').collection('ledger').countDocuments({ customerId: spender, kind: 'REDEEM' })).toBe(10);
    }, 60_000);
  });

  describe('consent', () => {
    const SEND = /* GraphQL */ `
      mutation Send($input: SendMessageInput!) { sendMessage(input: $input) { id channel kind deliveryStatus } }
    `;

    it('a marketing message without an opt-in is refused and nothing is sent, although a service message about the order may go to the same channel', async () => {
      const { whatsapp } = cast;
      const sentBefore = await db('messaging').collection('outgoingMessages').countDocuments({ 'recipient.customerId': whatsapp.id });
      const refused = await execute(
        estate.url,
        SEND,
        { input: { customerId: whatsapp.id, channel: 'WHATSAPP', kind: 'MARKETING', body: '¡2×1 en toda la tienda este fin de semana!', idempotencyKey: `promo-${runKey}` } },
        AGENT,
      );
      expect(errorCodes(refused)).toEqual(['CONSENT_REQUIRED']);
      expect(refused.errors?.[0]?.extensions).toMatchObject({ channel: 'WHATSAPP' });
      expect(await db('messaging').collection('outgoingMessages').countDocuments({ 'recipient.customerId': whatsapp.id })).toBe(sentBefore);
      expect(await db('messaging').collection('messages').countDocuments({ customerId: whatsapp.id, kind: 'MARKETING' } as Document)).toBe(0);

      // The customer wrote on WhatsApp about the order: a SERVICE message about it may go there.
      const service = dataOf(
        await execute<{ sendMessage: { channel: string; kind: string } }>(
          estate.url,
          SEND,
          { input: { customerId: whatsapp.id, channel: 'WHATSAPP', kind: 'SERVICE', orderId: whatsapp.orderId, body: `Tu pedido ${whatsapp.orderNumber} sale mañana.`, idempotencyKey: `service-${runKey}` } },
          AGENT,
        ),
      ).sendMessage;
      expect(service).toMatchObject({ channel: 'WHATSAPP', kind: 'SERVICE' });
      expect(await db('messaging').collection('outgoingMessages').countDocuments({ 'recipient.customerId': whatsapp.id })).toBe(sentBefore + 1);
    });

    it('after the customer opts in from the app, the same marketing message goes, and the history shows the change', async () => {
      const { whatsapp } = cast;
      const app = customerToken(whatsapp.id);
      dataOf(await execute(estate.url, 'mutation($id: ID!) { setContactPreference(customerId: $id, channel: WHATSAPP, optedIn: true, via: APP) { optedIn } }', { id: whatsapp.id }, app));
      const sent = dataOf(
        await execute<{ sendMessage: { channel: string; kind: string } }>(
          estate.url,
          SEND,
          { input: { customerId: whatsapp.id, channel: 'WHATSAPP', kind: 'MARKETING', body: '¡2×1 en toda la tienda este fin de semana!', idempotencyKey: `promo-${runKey}` } },
          AGENT,
        ),
      ).sendMessage;
      expect(sent).toMatchObject({ channel: 'WHATSAPP', kind: 'MARKETING' });
      const history = dataOf(
        await execute<{ me: { contactPreferenceHistory: { channel: string; previousOptedIn: boolean | null; optedIn: boolean; via: string; changedBy: string }[] } }>(
          estate.url,
          '{ me { contactPreferenceHistory(channel: WHATSAPP, first: 10) { channel previousOptedIn optedIn via changedBy } } }',
          {},
          app,
        ),
      ).me.contactPreferenceHistory;
      expect(history).toEqual([{ channel: 'WHATSAPP', previousOptedIn: null, optedIn: true, via: 'APP', changedBy: 'customer' }]);
    });
  });

  describe('all my data (LFPDPPP / RGPD access)', () => {
    it('the query documented in the customers README gives the customer everything every channel knows, in one request', async () => {
      const readme = readFileSync(path.join(__dirname, '../../subgraphs/customers/README.md'), 'utf8');
      const query = /```graphql\n(query MyData[\s\S]*?)```/.exec(readme)?.[1];
      expect(query).toBeDefined();
      const { whatsapp } = cast;
      const me = dataOf(
        await execute<{ me: { id: string; phone: string; identities: { kind: string; value: string }[]; orders: { totalCount: number; nodes: { number: string }[] }; conversations: { messages: { nodes: { channel: string; body: string }[] } }[]; contactPreferences: { channel: string; optedIn: boolean }[] } }>(
          estate.url,
          query as string,
          {},
          customerToken(whatsapp.id),
        ),
      ).me;
      expect(me.id).toBe(whatsapp.id);
      expect(me.phone).toBe(whatsapp.phone);
      expect(me.identities).toEqual(expect.arrayContaining([{ kind: 'WHATSAPP', value: whatsapp.phone }].map((identity) => expect.objectContaining(identity))));
      expect(me.orders.nodes.map((order) => order.number)).toEqual([whatsapp.orderNumber]);
      expect(me.conversations.flatMap((conversation) => conversation.messages.nodes.map((message) => message.body))).toEqual(expect.arrayContaining(['¿Dónde está mi pedido?']));
      expect(me.contactPreferences).toEqual([expect.objectContaining({ channel: 'WHATSAPP', optedIn: true })]);
    });
  });

  describe('the wishlist across channels', () => {
    it('what the customer saves in the app the associate sees on the till, with the product from inventory', async () => {
      const { wisher, skus } = cast;
      const app = customerToken(wisher);
      const ADD = 'mutation($id: ID!, $sku: ID!, $channel: Channel!) { addToWishlist(customerId: $id, sku: $sku, channel: $channel) { id } }';
      dataOf(await execute(estate.url, ADD, { id: wisher, sku: skus[1], channel: 'APP' }, app));
      dataOf(await execute(estate.url, ADD, { id: wisher, sku: skus[2], channel: 'WEB' }, app));
      const onTheTill = dataOf(
        await execute<{ customer: { wishlist: { addedVia: string; product: { sku: string; name: string; price: { amount: string } } }[] } }>(
          estate.url,
          'query($id: ID!) { customer(id: $id) { wishlist { addedVia product { sku name price { amount } } } } }',
          { id: wisher },
          TILL,
        ),
      ).customer.wishlist;
      expect(onTheTill.map((item) => [item.product.sku, item.addedVia]).sort()).toEqual([[skus[1], 'APP'], [skus[2], 'WEB']].sort());
      for (const item of onTheTill) {
        expect(item.product.name.length).toBeGreaterThan(0);
        expect(item.product.price.amount).toMatch(/^\d+\.\d{2}$/);
      }
    });
  });

  describe('the right to be forgotten', () => {
    it('after the customer erases themself from the app, no query of the graph returns their name, contacts, addresses or messages', async () => {
      const { whatsapp } = cast;
      const EVERYTHING = /* GraphQL */ `query Everything($id: ID!) {
        customer(id: $id) {
          id displayName email phone identities { kind value } addresses { street neighborhood postalCode } wishlist { product { sku } }
          orders(first: 20) { nodes { number status } } loyalty { points }
          conversations(first: 20) { subject channels messages(first: 50) { nodes { channel body } } } contactPreferences { channel optedIn }
        }
      }`;
      const before = JSON.stringify(dataOf(await execute(estate.url, EVERYTHING, { id: whatsapp.id }, AGENT)));
      const needles = [whatsapp.displayName, whatsapp.phone, '¿Dónde está mi pedido?', '2×1 en toda la tienda', ...whatsapp.streets, ...(whatsapp.email ? [whatsapp.email] : [])];
      // The query does reach the data while there is some: each needle is found before the erasure.
      for (const needle of needles) expect(before).toContain(needle);

      expect(dataOf(await execute<{ eraseCustomer: boolean }>(estate.url, 'mutation($id: ID!) { eraseCustomer(id: $id) }', { id: whatsapp.id }, customerToken(whatsapp.id))).eraseCustomer).toBe(true);
      await eventually('every subscriber processed CustomerErased', async () => {
        const counts = await Promise.all(
          (['orders', 'loyalty', 'messaging'] as const).map((name) => estate.subgraphs[name].store.db.collection('processedEvents').countDocuments({ type: 'CustomerErased', subject: whatsapp.id })),
        );
        return counts.every((count) => count === 1) ? true : undefined;
      });

      const after = JSON.stringify(dataOf(await execute(estate.url, EVERYTHING, { id: whatsapp.id }, AGENT)));
      expect(needles.filter((needle) => after.includes(needle))).toEqual([]);
      const found = await execute<{ findCustomer: unknown }>(estate.url, 'query($v: String!) { findCustomer(identity: { kind: WHATSAPP, value: $v }) { id } }', { v: whatsapp.phone }, WHATSAPP_BOT);
      expect(found.data?.findCustomer ?? null).toBeNull();
    }, 60_000);
  });
});
