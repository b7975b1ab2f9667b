/**
 * Domain events end to end on the REAL subgraphs (issue 3, item 5), written once and run by
 * `domainEvents.test.ts` (HTTP push) and `domainEventsNats.test.ts` (NATS JetStream): the whole estate
 * once per file, every write through the gateway with real tokens, every effect checked through the
 * gateway and in each subgraph's own database.
 *
 * Customers are shaped in the seed (`shapeDataset`): five buyers with no earlier orders, each with its
 * own consent and channel, so the confirmation channel of each is known; a survivor and a duplicate
 * for the merge; a member with orders, conversations and consent for the erasure.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Document } from 'mongodb';
import type { DemoDataset } from '../../scripts/seed/demoDataset';
import { anonymousCustomerId } from '../../subgraphs/orders/src/events/handlers';
import { EVENTS_ENDPOINT_PATH, SUBGRAPH_NAMES, baseUrlOf, createDomainEvent, type Channel, type SubgraphName } from '../../subgraphs/kit/src';
import { NATS_SERVER_MISSING, findNatsServer, startNatsServer, type RunningNatsServer } from '../events/natsServer';
import { startEstate, type RunningEstate } from '../support/estate';
import { execute, tokenFor, type GraphQLResponse } from '../support/testkit';

const AGENT = tokenFor('AGENT', 'agent-e2e');
const ADMIN = tokenFor('ADMIN', 'admin-e2e');
const ANALYST = tokenFor('ANALYST', 'analyst-e2e');
const SERVICE = tokenFor('SERVICE', 'orders');

const STORE = 'MX-CDMX-CENTRO';
const OTHER_STORE = 'MX-CDMX-POLANCO';
const WAREHOUSE = 'MX-WH-TEPOTZOTLAN';
/** Longest wait for an event's effect; the suite fails with the last state seen if it passes. */
const EFFECT_DEADLINE_MS = 30_000;

/** How one buyer orders, and where their confirmation must go. */
interface BuyerPlan {
  channel: Channel;
  method: 'SHIP_TO_HOME' | 'PICKUP_IN_STORE' | 'SHIP_FROM_STORE' | 'IN_STORE_PURCHASE';
  locationId: string;
  consent: [Channel, boolean][];
  /** The channel ORDER_CONFIRMATION goes out on; null = skipped (no consented channel). */
  confirmationChannel: Channel | null;
}

const BUYER_PLANS: BuyerPlan[] = [
  { channel: 'WEB', method: 'SHIP_TO_HOME', locationId: WAREHOUSE, consent: [['WHATSAPP', true]], confirmationChannel: 'WHATSAPP' },
  { channel: 'APP', method: 'PICKUP_IN_STORE', locationId: STORE, consent: [['WHATSAPP', false], ['EMAIL', true]], confirmationChannel: 'EMAIL' },
  { channel: 'WHATSAPP', method: 'SHIP_FROM_STORE', locationId: STORE, consent: [['EMAIL', true], ['SMS', true]], confirmationChannel: 'SMS' },
  { channel: 'APP', method: 'SHIP_TO_HOME', locationId: WAREHOUSE, consent: [], confirmationChannel: 'APP' },
  { channel: 'STORE', method: 'IN_STORE_PURCHASE', locationId: STORE, consent: [], confirmationChannel: null },
];

/** Who plays which part; filled by `shapeDataset`. */
interface Cast {
  buyers: string[];
  survivor: string;
  duplicate: string;
  erased: { id: string; displayName: string; email: string; phone: string };
  skus: [string, string, string];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns a value that is not undefined; fails with `describe(last)` at the deadline. */
async function eventually<T>(what: string, probe: () => Promise<T | undefined>, state: () => Promise<unknown> = async () => undefined): Promise<T> {
  const deadline = Date.now() + EFFECT_DEADLINE_MS;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Not reached within ${EFFECT_DEADLINE_MS} ms: ${what}; last state: ${JSON.stringify(await state())}`);
    await sleep(150);
  }
}

/** The data of a response that must have no errors. */
function dataOf<T>(response: GraphQLResponse<T>): T {
  expect(response.errors ?? []).toEqual([]);
  return response.data as T;
}

/** Makes the seed fit the suite (see module comment) and records the cast. */
function shapeDataset(dataset: DemoDataset, cast: Partial<Cast>): void {
  const customers = dataset.customers;
  if (customers.length < 12 || dataset.orders.length < 10) throw new Error('dataset too small for the domain events suite');
  const at = (index: number) => customers[index] as DemoDataset['customers'][number];
  const buyers = BUYER_PLANS.map((_, index) => at(index).id);
  const survivor = at(5).id;
  const duplicate = at(6).id;
  const erased = at(7);
  const others = customers.slice(8).map((customer) => customer.id);
  // Buyers start with no orders (their balance is then exactly their new orders' points); the merge
  // pair and the erased customer get known orders.
  dataset.orders.forEach((order, index) => {
    if (index < 3) order.customerId = survivor;
    else if (index < 5) order.customerId = duplicate;
    else if (index < 8) order.customerId = erased.id;
    else if ([...buyers, survivor, duplicate, erased.id].includes(order.customerId)) order.customerId = others[index % others.length] as string;
  });
  const cast5 = [...buyers, survivor, duplicate, erased.id];
  dataset.loyaltyMembers = [
    ...dataset.loyaltyMembers.filter((member) => !cast5.includes(member.customerId)),
    ...cast5.map((customerId) => ({ customerId, enrolledAt: new Date('2020-01-01T00:00:00Z'), enrolledVia: 'STORE' as Channel })),
  ];
  dataset.contactPreferences = dataset.contactPreferences.filter((preference) => !buyers.includes(preference.customerId));
  BUYER_PLANS.forEach((plan, index) => {
    for (const [channel, optedIn] of plan.consent) dataset.contactPreferences.push({ customerId: buyers[index] as string, channel, optedIn, updatedVia: 'WEB', updatedAt: new Date('2024-01-01T00:00:00Z') });
  });
  if (!dataset.contactPreferences.some((preference) => preference.customerId === erased.id)) {
    dataset.contactPreferences.push({ customerId: erased.id, channel: 'EMAIL', optedIn: true, updatedVia: 'WEB', updatedAt: new Date('2024-01-01T00:00:00Z') });
  }
  const template = dataset.conversations[0];
  if (!template) throw new Error('dataset has no conversation');
  for (const customerId of [survivor, duplicate, erased.id]) {
    dataset.conversations.push({
      ...template,
      id: `cnv_events_${customerId}`,
      customerId,
      status: 'OPEN',
      subject: 'Consulta de producto',
      messages: template.messages.map((message, index) => ({ ...message, id: `msg_events_${customerId}_${index}`, body: `${message.body} (${customerId})` })),
    });
    delete dataset.conversations[dataset.conversations.length - 1]?.orderId;
  }
  // Three active products with plenty of stock where the suite orders and returns.
  const skus = dataset.products.filter((product) => product.active).slice(0, 3).map((product) => product.sku) as [string, string, string];
  for (const sku of skus) {
    for (const locationId of [STORE, OTHER_STORE, WAREHOUSE]) {
      const stock = dataset.stock.find((entry) => entry.sku === sku && entry.locationId === locationId);
      if (stock) stock.onHand = stock.reserved + 500;
      else dataset.stock.push({ sku, locationId, onHand: 500, reserved: 0 });
    }
  }
  if (!erased.email || !erased.phone) throw new Error('the erased customer needs an e-mail and a phone');
  Object.assign(cast, { buyers, survivor, duplicate, erased: { id: erased.id, displayName: erased.displayName, email: erased.email, phone: erased.phone }, skus });
}

const PLACE_ORDER = /* GraphQL */ `
  mutation Place($input: PlaceOrderInput!) {
    placeOrder(input: $input) { id number status total { amount } }
  }
`;

interface PlacedOrder {
  id: string;
  number: string;
  status: string;
  total: { amount: string };
}

const ORDER_POINTS = /* GraphQL */ `
  query OrderPoints($id: ID!) {
    order(id: $id) { id status pointsEarned }
  }
`;

const STOCK = /* GraphQL */ `
  query Stock($sku: ID!, $locationId: ID!) {
    product(sku: $sku) { availability(locationId: $locationId) { onHand reserved available } }
  }
`;

interface StockLevel {
  onHand: number;
  reserved: number;
  available: number;
}

/** Each customer's orders with their points, and their balance. */
interface CustomerPoints {
  id: string;
  orders: { totalCount: number; nodes: { id: string; pointsEarned: number }[] };
  loyalty: { points: number } | null;
  conversations: { id: string }[];
}

/** Registers the suite for one transport. */
export function describeDomainEventsSuite(transport: 'http' | 'nats'): void {
  const label = transport === 'http' ? 'HTTP push' : 'NATS JetStream';

  describe(`domain events on the real subgraphs (${label})`, () => {
    let estate: RunningEstate;
    let nats: RunningNatsServer | undefined;
    const cast = {} as Cast;
    const runKey = Date.now().toString(36);
    let orderSeq = 0;

    const place = async (customerId: string, plan: Pick<BuyerPlan, 'channel' | 'method' | 'locationId'>, lines: { sku: string; quantity: number }[]): Promise<PlacedOrder> => {
      orderSeq += 1;
      const input = { customerId, channel: plan.channel, lines, fulfillment: { method: plan.method, locationId: plan.locationId }, idempotencyKey: `events-${runKey}-${orderSeq}` };
      return dataOf(await execute<{ placeOrder: PlacedOrder }>(estate.url, PLACE_ORDER, { input }, AGENT)).placeOrder;
    };

    const stockOf = async (sku: string, locationId: string): Promise<StockLevel> => {
      const data = dataOf(await execute<{ product: { availability: StockLevel[] } }>(estate.url, STOCK, { sku, locationId }, AGENT));
      return data.product.availability[0] ?? { onHand: 0, reserved: 0, available: 0 };
    };

    const pointsOf = async (customerIds: readonly string[]): Promise<Record<string, CustomerPoints>> => {
      const fields = customerIds
        .map((id, index) => `c${index}: customer(id: ${JSON.stringify(id)}) { id orders(first: 100) { totalCount nodes { id pointsEarned } } loyalty { points } conversations(first: 50) { id } }`)
        .join('\n');
      const data = dataOf(await execute<Record<string, CustomerPoints>>(estate.url, `query Points {\n${fields}\n}`, {}, AGENT));
      return Object.fromEntries(customerIds.map((id, index) => [id, data[`c${index}`] as CustomerPoints]));
    };

    const orderPoints = async (id: string): Promise<{ status: string; pointsEarned: number }> =>
      dataOf(await execute<{ order: { status: string; pointsEarned: number } }>(estate.url, ORDER_POINTS, { id }, AGENT)).order;

    const db = (name: SubgraphName) => estate.subgraphs[name].store.db;

    const sumOfPoints = (customer: CustomerPoints) => customer.orders.nodes.reduce((sum, order) => sum + order.pointsEarned, 0);

    beforeAll(async () => {
      if (transport === 'nats') {
        if (!findNatsServer()) throw new Error(NATS_SERVER_MISSING);
        nats = await startNatsServer();
      }
      estate = await startEstate({
        databasePrefix: `events_${transport}`,
        seed: { customers: 14, orders: 12, products: 12, prepare: (dataset) => shapeDataset(dataset, cast) },
        // A short backoff: the suite stops a subscriber for a few seconds, and the relay must not then
        // sleep through half a minute of retries after it is back. With retries that fast, the default
        // 12 attempts would be spent in ~9 s of outage (the defaults span 7–14 min), hence more attempts.
        events: { backoffBaseMs: 100, backoffMaxMs: 1_000, maxAttempts: 300, ...(nats ? { natsUrl: nats.url } : {}) },
      });
    }, 120_000);

    afterAll(async () => {
      await estate?.stop();
      await nats?.stop();
    });

    it('catches up after loyalty was down for 50 orders: every order earns once, balances add up, confirmations go out once on the consented channel, till purchases are committed', async () => {
      const [skuA, skuB] = cast.skus;
      await estate.stopSubgraph('loyalty');
      const placed: { order: PlacedOrder; buyer: number }[] = [];
      const placingStarted = Date.now();
      try {
        // Ten rounds of five buyers ordering at once, each through their own channel.
        for (let round = 0; round < 10; round += 1) {
          const lines = round % 2 === 0 ? [{ sku: skuA, quantity: 1 }] : [{ sku: skuA, quantity: 1 }, { sku: skuB, quantity: 2 }];
          const orders = await Promise.all(BUYER_PLANS.map((plan, buyer) => place(cast.buyers[buyer] as string, plan, lines)));
          orders.forEach((order, buyer) => placed.push({ order, buyer }));
        }
      } finally {
        await estate.restartSubgraph('loyalty');
      }
      process.stderr.write(`[${label}] 50 orders placed with loyalty down in ${Date.now() - placingStarted} ms\n`);
      expect(placed).toHaveLength(50);
      const placedIds = placed.map(({ order }) => order.id);

      // Points: every order earns, each balance is the sum of its orders' points.
      const settled = await eventually(
        'every order has pointsEarned > 0 and each balance equals the sum of its orders',
        async () => {
          const state = await pointsOf(cast.buyers);
          const all = Object.values(state).flatMap((customer) => customer.orders.nodes);
          const complete = placedIds.every((id) => (all.find((order) => order.id === id)?.pointsEarned ?? 0) > 0);
          const balanced = Object.values(state).every((customer) => customer.loyalty?.points === sumOfPoints(customer));
          return complete && balanced ? state : undefined;
        },
        async () => Object.values(await pointsOf(cast.buyers)).map((customer) => ({ id: customer.id, points: customer.loyalty?.points, sum: sumOfPoints(customer), earning: customer.orders.nodes.filter((order) => order.pointsEarned > 0).length })),
      );
      for (const customer of Object.values(settled)) {
        expect(customer.orders.totalCount).toBe(10);
        expect(customer.loyalty?.points).toBe(sumOfPoints(customer));
      }
      // None counted twice: exactly one EARN entry per order in loyalty's ledger.
      const earns = await db('loyalty').collection('ledger').aggregate<{ _id: string; n: number }>([{ $match: { orderId: { $in: placedIds }, kind: 'EARN' } }, { $group: { _id: '$orderId', n: { $sum: 1 } } }]).toArray();
      expect(earns).toHaveLength(50);
      expect(earns.filter((entry) => entry.n !== 1)).toEqual([]);

      // Confirmations: one per order, on the buyer's preferred consented channel (or skipped), one message each.
      const notices = await eventually('50 order confirmations settled', async () => {
        const found = await db('messaging').collection('notifications').find({ orderId: { $in: placedIds }, template: 'ORDER_CONFIRMATION' }).toArray();
        return found.length === 50 && found.every((notice) => notice.status !== 'PENDING') ? found : undefined;
      });
      for (const { order, buyer } of placed) {
        const notice = notices.find((candidate) => candidate.orderId === order.id) as Document;
        const expected = (BUYER_PLANS[buyer] as BuyerPlan).confirmationChannel;
        expect([order.id, notice.status, notice.channel ?? null]).toEqual([order.id, expected ? 'SENT' : 'SKIPPED', expected]);
      }
      const sentIds = notices.filter((notice) => notice.status === 'SENT').map((notice) => notice.messageId as string);
      expect(new Set(sentIds).size).toBe(40);
      expect(await db('messaging').collection('outgoingMessages').countDocuments({ messageId: { $in: sentIds } })).toBe(40);
      expect(await db('messaging').collection('messages').countDocuments({ orderId: { $in: placedIds } })).toBe(40);

      // Till purchases left the store with the customer: their reservations are committed.
      const tillOrders = placed.filter(({ buyer }) => (BUYER_PLANS[buyer] as BuyerPlan).method === 'IN_STORE_PURCHASE').map(({ order }) => order.id);
      expect(tillOrders).toHaveLength(10);
      const reservations = await db('inventory').collection('reservations').find({ _id: { $in: tillOrders } } as Document).toArray();
      expect(reservations.map((reservation) => reservation.status)).toEqual(tillOrders.map(() => 'COMMITTED'));
    }, 90_000);

    it('click and collect: pickup commits the reservation and the customer is told the order is ready', async () => {
      const [, , skuC] = cast.skus;
      const plan = BUYER_PLANS[1] as BuyerPlan;
      const before = await stockOf(skuC, STORE);
      const order = await place(cast.buyers[1] as string, plan, [{ sku: skuC, quantity: 3 }]);
      expect(await stockOf(skuC, STORE)).toEqual({ onHand: before.onHand, reserved: before.reserved + 3, available: before.available - 3 });
      dataOf(await execute(estate.url, 'mutation($id: ID!) { markReadyForPickup(id: $id) { status } }', { id: order.id }, AGENT));
      const notice = await eventually('READY_FOR_PICKUP sent', async () => {
        const found = await db('messaging').collection('notifications').findOne({ orderId: order.id, template: 'READY_FOR_PICKUP' });
        return found?.status === 'SENT' ? found : undefined;
      });
      expect(notice.channel).toBe('EMAIL');
      dataOf(await execute(estate.url, 'mutation($id: ID!) { completePickup(id: $id) { status } }', { id: order.id }, AGENT));
      expect(await stockOf(skuC, STORE)).toEqual({ onHand: before.onHand - 3, reserved: before.reserved, available: before.available - 3 });
      const reservation = await db('inventory').collection('reservations').findOne({ _id: order.id } as Document);
      expect(reservation?.status).toBe('COMMITTED');
      // The PickupCompleted event reached inventory and changed nothing more.
      const pickup = await eventually('PickupCompleted processed by inventory', async () => {
        const processed = await db('inventory').collection('processedEvents').findOne({ type: 'PickupCompleted', subject: order.id });
        return processed ?? undefined;
      });
      expect(pickup.source).toBe('orders');
      expect(await stockOf(skuC, STORE)).toEqual({ onHand: before.onHand - 3, reserved: before.reserved, available: before.available - 3 });
    }, 60_000);

    it('cancellation releases the stock and reverses the points', async () => {
      const [skuA] = cast.skus;
      const customerId = cast.buyers[0] as string;
      const before = await stockOf(skuA, WAREHOUSE);
      const order = await place(customerId, BUYER_PLANS[0] as BuyerPlan, [{ sku: skuA, quantity: 2 }]);
      expect((await stockOf(skuA, WAREHOUSE)).available).toBe(before.available - 2);
      const earned = await eventually('the order earned points', async () => {
        const { pointsEarned } = await orderPoints(order.id);
        return pointsEarned > 0 ? pointsEarned : undefined;
      });
      const balanceBefore = (await pointsOf([customerId]))[customerId]?.loyalty?.points as number;

      dataOf(await execute(estate.url, 'mutation($id: ID!) { cancelOrder(id: $id) { status } }', { id: order.id }, AGENT));
      await eventually('points reversed', async () => ((await orderPoints(order.id)).pointsEarned === 0 ? true : undefined));
      const after = (await pointsOf([customerId]))[customerId] as CustomerPoints;
      expect(after.loyalty?.points).toBe(balanceBefore - earned);
      expect(after.loyalty?.points).toBe(sumOfPoints(after));
      expect(await stockOf(skuA, WAREHOUSE)).toEqual(before);
      expect((await db('inventory').collection('reservations').findOne({ _id: order.id } as Document))?.status).toBe('RELEASED');
      await eventually('OrderCancelled processed by inventory and loyalty', async () => {
        const processed = await Promise.all((['inventory', 'loyalty'] as const).map((name) => db(name).collection('processedEvents').countDocuments({ type: 'OrderCancelled', subject: order.id })));
        return processed.every((count) => count === 1) ? true : undefined;
      });
      expect(await stockOf(skuA, WAREHOUSE)).toEqual(before);
    }, 60_000);

    it('a return in another store reverses points in proportion and restocks where the goods came back', async () => {
      const [skuA, skuB] = cast.skus;
      const customerId = cast.buyers[4] as string;
      const order = await place(customerId, BUYER_PLANS[4] as BuyerPlan, [{ sku: skuA, quantity: 2 }, { sku: skuB, quantity: 1 }]);
      expect(order.status).toBe('COMPLETED');
      const earned = await eventually('the till purchase earned points', async () => {
        const { pointsEarned } = await orderPoints(order.id);
        return pointsEarned > 0 ? pointsEarned : undefined;
      });
      const returnedAt = await stockOf(skuA, OTHER_STORE);
      const input = { orderId: order.id, channel: 'STORE', locationId: OTHER_STORE, lines: [{ sku: skuA, quantity: 1 }] };
      const returned = dataOf(await execute<{ requestReturn: { refund: { amount: string } } }>(estate.url, 'mutation($input: ReturnInput!) { requestReturn(input: $input) { refund { amount } } }', { input }, AGENT));
      const refundCents = Math.round(Number(returned.requestReturn.refund.amount) * 100);
      const totalCents = Math.round(Number(order.total.amount) * 100);
      const expected = earned - Math.floor((earned * refundCents) / totalCents);
      expect(expected).toBeLessThan(earned);
      await eventually(`pointsEarned falls to ${expected}`, async () => ((await orderPoints(order.id)).pointsEarned === expected ? true : undefined), () => orderPoints(order.id));
      const customer = (await pointsOf([customerId]))[customerId] as CustomerPoints;
      expect(customer.loyalty?.points).toBe(sumOfPoints(customer));
      expect(await stockOf(skuA, OTHER_STORE)).toEqual({ ...returnedAt, onHand: returnedAt.onHand + 1, available: returnedAt.available + 1 });
      // The event copy of the restock, once inventory has it, adds nothing.
      await eventually('OrderReturned processed by inventory', async () => ((await db('inventory').collection('processedEvents').countDocuments({ type: 'OrderReturned', subject: order.id })) === 1 ? true : undefined));
      expect((await stockOf(skuA, OTHER_STORE)).onHand).toBe(returnedAt.onHand + 1);
    }, 60_000);

    it('a merge moves orders, points and conversations to the survivor, and the balances add up', async () => {
      const { survivor, duplicate } = cast;
      const before = await pointsOf([survivor, duplicate]);
      const s = before[survivor] as CustomerPoints;
      const d = before[duplicate] as CustomerPoints;
      expect(d.orders.totalCount).toBe(2);
      expect(d.loyalty?.points ?? 0).toBeGreaterThan(0);
      expect(d.conversations.length).toBeGreaterThan(0);

      dataOf(await execute(estate.url, 'mutation($s: ID!, $d: ID!) { mergeCustomers(survivorId: $s, duplicateId: $d) { id } }', { s: survivor, d: duplicate }, AGENT));
      const expected = { orders: s.orders.totalCount + d.orders.totalCount, points: (s.loyalty?.points ?? 0) + (d.loyalty?.points ?? 0), conversations: s.conversations.length + d.conversations.length };
      const merged = await eventually(
        'the survivor holds both customers\' orders, points and conversations',
        async () => {
          const now = (await pointsOf([survivor]))[survivor] as CustomerPoints;
          const seen = { orders: now.orders.totalCount, points: now.loyalty?.points ?? 0, conversations: now.conversations.length };
          return JSON.stringify(seen) === JSON.stringify(expected) ? now : undefined;
        },
        () => pointsOf([survivor]),
      );
      expect(merged.loyalty?.points).toBe(sumOfPoints(merged) + ((s.loyalty?.points ?? 0) - sumOfPoints(s)) + ((d.loyalty?.points ?? 0) - sumOfPoints(d)));
      // Nothing is left under the duplicate's id in any subgraph.
      expect(await db('orders').collection('orders').countDocuments({ customerId: duplicate })).toBe(0);
      expect(await db('loyalty').collection('ledger').countDocuments({ customerId: duplicate })).toBe(0);
      expect(await db('loyalty').collection('accounts').findOne({ _id: duplicate } as Document, { projection: { status: 1, points: 1, mergedInto: 1 } })).toEqual({ _id: duplicate, status: 'MERGED', points: 0, mergedInto: survivor });
      expect(await db('messaging').collection('conversations').countDocuments({ customerId: duplicate })).toBe(0);
      expect(await db('messaging').collection('messages').countDocuments({ customerId: duplicate })).toBe(0);
    }, 60_000);

    it('an erasure leaves no personal data in any subgraph and the sales KPIs unchanged', async () => {
      const { erased } = cast;
      // One fresh order too, so every subgraph holds event-made data about the customer.
      const order = await place(erased.id, { channel: 'WEB', method: 'SHIP_TO_HOME', locationId: WAREHOUSE }, [{ sku: cast.skus[1], quantity: 1 }]);
      await eventually('the fresh order earned and was confirmed', async () => {
        const { pointsEarned } = await orderPoints(order.id);
        const notice = await db('messaging').collection('notifications').findOne({ orderId: order.id });
        return pointsEarned > 0 && notice && notice.status !== 'PENDING' ? true : undefined;
      });
      const ordersBefore = await db('orders').collection('orders').countDocuments({ customerId: erased.id });
      expect(ordersBefore).toBe(4);
      const window = { from: new Date(Date.now() - 3 * 365 * 86_400_000).toISOString(), to: new Date(Date.now() + 86_400_000).toISOString() };
      const KPIS = 'query($from: DateTime!, $to: DateTime!) { salesKpis(from: $from, to: $to) { byChannel { channel orders revenue { amount } averageOrderValue { amount } returnRate } crossChannelCustomerShare loyaltyMembers { averageOrderValue { amount } } nonMembers { averageOrderValue { amount } } } }';
      const kpisBefore = dataOf(await execute(estate.url, KPIS, window, ANALYST));

      expect(dataOf(await execute<{ eraseCustomer: boolean }>(estate.url, 'mutation($id: ID!) { eraseCustomer(id: $id) }', { id: erased.id }, ADMIN)).eraseCustomer).toBe(true);
      await eventually(
        'every subscriber processed CustomerErased',
        async () => {
          const counts = await Promise.all((['orders', 'loyalty', 'messaging'] as const).map((name) => db(name).collection('processedEvents').countDocuments({ type: 'CustomerErased', subject: erased.id })));
          return counts.every((count) => count === 1) ? true : undefined;
        },
      );

      // No document of any subgraph's database mentions the name, e-mail or phone.
      const needles = [erased.displayName, erased.email, erased.phone, erased.phone.replace('+', '')];
      const leaks: string[] = [];
      for (const name of SUBGRAPH_NAMES) {
        for (const { name: collection } of await db(name).listCollections({}, { nameOnly: true }).toArray()) {
          for (const document of await db(name).collection(collection).find({}).toArray()) {
            const text = JSON.stringify(document);
            for (const needle of needles) if (text.includes(needle)) leaks.push(`${name}.${collection} ${String(document._id)} contains ${needle}`);
          }
        }
      }
      expect(leaks).toEqual([]);
      // Subgraph by subgraph: what is left is anonymous.
      expect(await db('customers').collection('identities').countDocuments({ customerId: erased.id })).toBe(0);
      expect(await db('orders').collection('orders').countDocuments({ customerId: erased.id })).toBe(0);
      expect(await db('orders').collection('orders').countDocuments({ customerId: anonymousCustomerId(erased.id) })).toBe(ordersBefore);
      expect(await db('orders').collection('carts').countDocuments({ _id: erased.id } as Document)).toBe(0);
      expect(await db('loyalty').collection('ledger').countDocuments({ customerId: erased.id })).toBe(0);
      expect(await db('loyalty').collection('accounts').findOne({ _id: erased.id } as Document, { projection: { status: 1, points: 1, enrolledAt: 1 } })).toEqual({ _id: erased.id, status: 'ERASED', points: 0 });
      expect(await db('loyalty').collection('pendingEarnings').countDocuments({ customerId: erased.id })).toBe(0);
      expect(await db('messaging').collection('messages').countDocuments({ customerId: erased.id, body: { $ne: null } })).toBe(0);
      expect(await db('messaging').collection('contactPreferences').countDocuments({ customerId: erased.id })).toBe(0);
      expect(await db('messaging').collection('outgoingMessages').countDocuments({ 'recipient.customerId': erased.id, body: { $ne: null } })).toBe(0);
      // The accounting facts stay: the sales KPIs do not move.
      expect(dataOf(await execute(estate.url, KPIS, window, ANALYST))).toEqual(kpisBefore);
    }, 60_000);

    it('the same event POSTed three times to /internal/events has one effect (loyalty, messaging, inventory)', async () => {
      const customerId = cast.buyers[0] as string;
      const orderId = `ord_redelivery_${runKey}`;
      const event = createDomainEvent('OrderPlaced', 'orders', orderId, {
        orderId,
        number: `ZC-R${runKey}`,
        customerId,
        channel: 'WEB',
        totalCents: 250_000,
        lines: [{ sku: cast.skus[0], quantity: 1, unitPriceCents: 250_000 }],
        fulfillment: { method: 'SHIP_TO_HOME', locationId: WAREHOUSE },
        placedAt: new Date().toISOString(),
      });
      const balanceBefore = (await pointsOf([customerId]))[customerId]?.loyalty?.points as number;
      const post = (name: SubgraphName) =>
        fetch(`${baseUrlOf(estate.subgraphs[name].url)}${EVENTS_ENDPOINT_PATH}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${SERVICE}` },
          body: JSON.stringify(event),
        }).then(async (response) => ({ status: response.status, body: (await response.json()) as { status?: string } }));
      for (const name of ['loyalty', 'messaging'] as const) {
        // Two at once (the race), then a third after they answered (the plain redelivery).
        const concurrent = await Promise.all([post(name), post(name)]);
        const third = await post(name);
        expect([...concurrent, third].map((answer) => answer.status)).toEqual([200, 200, 200]);
        expect(concurrent.map((answer) => answer.body.status)).toContain('processed');
        expect(third.body.status).toBe('duplicate');
        expect(await db(name).collection('processedEvents').countDocuments({ _id: event.id } as Document)).toBe(1);
      }
      const earns = await db('loyalty').collection('ledger').find({ orderId, kind: 'EARN' }).toArray();
      expect(earns).toHaveLength(1);
      expect(earns[0]?.points).toBeGreaterThan(0);
      expect((await pointsOf([customerId]))[customerId]?.loyalty?.points).toBe(balanceBefore + (earns[0]?.points as number));
      expect(await db('messaging').collection('notifications').countDocuments({ orderId })).toBe(1);
      expect(await db('messaging').collection('messages').countDocuments({ orderId })).toBe(1);
      expect(await db('messaging').collection('outgoingMessages').countDocuments({ 'recipient.customerId': customerId, body: { $regex: `ZC-R${runKey}` } })).toBe(1);

      // Inventory: a till purchase's OrderPlaced commits its HELD reservation — the durable path when
      // orders' own commit call was lost — once, however often it arrives.
      const tillOrderId = `ord_till_redelivery_${runKey}`;
      const sku = cast.skus[2];
      const reserve = 'mutation($orderId: ID!, $locationId: ID!, $lines: [LineInput!]!) { reserveStock(orderId: $orderId, locationId: $locationId, lines: $lines) { status } }';
      const held = dataOf(await execute<{ reserveStock: { status: string } }>(estate.subgraphs.inventory.url, reserve, { orderId: tillOrderId, locationId: OTHER_STORE, lines: [{ sku, quantity: 2 }] }, SERVICE));
      expect(held.reserveStock.status).toBe('HELD');
      const stockHeld = await stockOf(sku, OTHER_STORE);
      const till = createDomainEvent('OrderPlaced', 'orders', tillOrderId, {
        orderId: tillOrderId,
        number: `ZC-T${runKey}`,
        customerId,
        channel: 'STORE',
        totalCents: 100_000,
        lines: [{ sku, quantity: 2, unitPriceCents: 50_000 }],
        fulfillment: { method: 'IN_STORE_PURCHASE', locationId: OTHER_STORE },
        placedAt: new Date().toISOString(),
      });
      const postTill = () =>
        fetch(`${baseUrlOf(estate.subgraphs.inventory.url)}${EVENTS_ENDPOINT_PATH}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${SERVICE}` },
          body: JSON.stringify(till),
        }).then((response) => response.status);
      expect([...(await Promise.all([postTill(), postTill()])), await postTill()]).toEqual([200, 200, 200]);
      expect((await db('inventory').collection('reservations').findOne({ _id: tillOrderId } as Document))?.status).toBe('COMMITTED');
      expect(await stockOf(sku, OTHER_STORE)).toEqual({ onHand: stockHeld.onHand - 2, reserved: stockHeld.reserved - 2, available: stockHeld.available });
    }, 60_000);
  });
}
