/**
 * Issues 5 and 6 end to end, through the GATEWAY of the whole estate (five subgraphs, their databases,
 * the event relays between them; real HTTP everywhere), seeded once for the file:
 *
 *  1. a web shopper fills a cart; the web offers click and collect only where everything is;
 *  2. the shopper finishes at the till of Centro (same cart, one more item added there), to pick up in
 *     Polanco: the stock is reserved in Polanco;
 *  3. Polanco marks it READY_FOR_PICKUP, then COMPLETED: the units leave Polanco; loyalty credits points;
 *  4. one item comes back through the call centre, in Guadalajara: stock back there, refund from the
 *     stored price, that line's points reversed;
 *  5. the call centre (AGENT) sees all of it in one query;
 *  6. 20 orders from six channels race for the last 3 units: exactly 3 succeed, no oversell; 10
 *     concurrent retries of one order through the gateway make one order;
 *  7. the analyst sees the KPIs of those orders, worked out from what the test did, and no personal data.
 *
 * Effects that travel as domain events (points, the event-driven commit) are polled for with a deadline.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DemoDataset } from '../../scripts/seed/demoDataset';
import { startEstate, type RunningEstate } from '../support/estate';
import { errorCodes, execute, tokenFor, type GraphQLResponse } from '../support/testkit';

const CENTRO = 'MX-CDMX-CENTRO';
const POLANCO = 'MX-CDMX-POLANCO';
const GDL = 'MX-GDL-CHAPULTEPEC';
const WAREHOUSE = 'MX-WH-TEPOTZOTLAN';

/** Products of this file, added to the seeded catalogue with stock we know. Prices in centavos. */
const GUAYABERA = { sku: 'ZC-E2E-0001', priceCents: 89_900 };
const JARRO = { sku: 'ZC-E2E-0002', priceCents: 32_000 };
const LAST_UNITS = { sku: 'ZC-E2E-0003', priceCents: 15_000 };

const CHANNELS = ['WEB', 'APP', 'STORE', 'CALL_CENTER', 'WHATSAPP', 'MARKETPLACE'] as const;
type Channel = (typeof CHANNELS)[number];

/** Adds this file's products and stock; makes the shopper a loyalty member and the racers non-members. */
function shapeDataset(dataset: DemoDataset, shopperId: string, racerIds: readonly string[], journeyStart: Date): void {
  const product = (sku: string, name: string, priceCents: number) => ({ sku, name, description: `${name} (prueba de extremo a extremo).`, category: 'hogar', brand: 'Zócalo', priceCents, active: true });
  dataset.products.push(product(GUAYABERA.sku, 'Guayabera de prueba', GUAYABERA.priceCents), product(JARRO.sku, 'Jarro de prueba', JARRO.priceCents), product(LAST_UNITS.sku, 'Alebrije de prueba', LAST_UNITS.priceCents));
  const stock = (sku: string, locationId: string, onHand: number) => ({ sku, locationId, onHand, reserved: 0 });
  dataset.stock.push(
    // Centro has guayaberas but a single jarro; Polanco has both; Guadalajara has no jarros at all.
    stock(GUAYABERA.sku, CENTRO, 10),
    stock(JARRO.sku, CENTRO, 1),
    stock(GUAYABERA.sku, POLANCO, 5),
    stock(JARRO.sku, POLANCO, 4),
    stock(GUAYABERA.sku, GDL, 0),
    stock(GUAYABERA.sku, WAREHOUSE, 50),
    stock(JARRO.sku, WAREHOUSE, 50),
    // The last three units, at one store only.
    stock(LAST_UNITS.sku, CENTRO, 3),
  );
  dataset.loyaltyMembers = dataset.loyaltyMembers.filter((member) => member.customerId !== shopperId && !racerIds.includes(member.customerId));
  dataset.loyaltyMembers.push({ customerId: shopperId, enrolledAt: new Date('2024-01-10T00:00:00Z'), enrolledVia: 'STORE' });
  // The KPI period of this file starts at the journey: no seeded order may fall in it.
  for (const order of dataset.orders) if (order.placedAt >= journeyStart) order.placedAt = new Date(journeyStart.getTime() - 86_400_000);
}

let estate: RunningEstate;
let gateway: string;
let shopper: { id: string; displayName: string; phone: string };
let racers: { id: string; displayName: string }[];
const journeyStart = new Date(Date.now() - 1_000);

const agent = tokenFor('AGENT', 'agent-maria');
const centroTill = tokenFor('ASSOCIATE', 'assoc-centro', CENTRO);
const polancoStaff = tokenFor('ASSOCIATE', 'assoc-polanco', POLANCO);
const analyst = tokenFor('ANALYST', 'analyst-1');
const service = tokenFor('SERVICE', 'channel-bridge');

/** This file's timeouts: the machine that runs the suite may be shared and slow; the defaults are for production. */
const TIMEOUTS = { INVENTORY_TIMEOUT_MS: '20000', SUBGRAPH_TIMEOUT_MS: '30000' };
const savedInventoryTimeout = process.env.INVENTORY_TIMEOUT_MS;

beforeAll(async () => {
  let captured: DemoDataset | undefined;
  // Read by the orders subgraph when the estate builds it.
  process.env.INVENTORY_TIMEOUT_MS = TIMEOUTS.INVENTORY_TIMEOUT_MS;
  estate = await startEstate({
    databasePrefix: 'e2ecommerce',
    gatewayEnv: { SUBGRAPH_TIMEOUT_MS: TIMEOUTS.SUBGRAPH_TIMEOUT_MS },
    seed: {
      customers: 40,
      orders: 200,
      products: 20,
      prepare: (dataset) => {
        const [first, ...others] = dataset.customers;
        if (!first || others.length < 20) throw new Error('dataset too small');
        shapeDataset(dataset, first.id, others.slice(0, 20).map((customer) => customer.id), journeyStart);
        captured = dataset;
      },
    },
  });
  gateway = estate.url;
  const [first, ...others] = captured?.customers ?? [];
  shopper = { id: first?.id ?? '', displayName: first?.displayName ?? '', phone: first?.phone ?? '' };
  racers = others.slice(0, 20).map((customer) => ({ id: customer.id, displayName: customer.displayName }));
}, 180_000);

afterAll(async () => {
  await estate?.stop();
  if (savedInventoryTimeout === undefined) delete process.env.INVENTORY_TIMEOUT_MS;
  else process.env.INVENTORY_TIMEOUT_MS = savedInventoryTimeout;
});

/** Runs `operation` through the gateway and fails the test on any error. */
async function ok<T>(query: string, variables: Record<string, unknown>, token?: string): Promise<T> {
  const response = await execute<T>(gateway, query, variables, token);
  expect(response.errors).toBeUndefined();
  return response.data as T;
}

/** Polls `probe` until `accept` holds; fails with `what` and the last value after the deadline. */
async function eventually<T>(what: string, probe: () => Promise<T>, accept: (value: T) => boolean, deadlineMs = 20_000): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  let last = await probe();
  while (!accept(last)) {
    if (Date.now() > deadline) throw new Error(`${what}: not reached; last seen ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    last = await probe();
  }
  return last;
}

const STOCK = `query Stock($sku: ID!, $locationId: ID) { product(sku: $sku) { sku availableQuantity availability(locationId: $locationId) { location { id } onHand reserved available } } }`;
interface StockView {
  product: { sku: string; availableQuantity: number; availability: { location: { id: string }; onHand: number; reserved: number; available: number }[] };
}

/** Stock of a sku at one location as any channel sees it (the catalogue is public: no token). */
async function stockAt(sku: string, locationId: string): Promise<{ onHand: number; reserved: number; available: number }> {
  const data = await ok<StockView>(STOCK, { sku, locationId });
  const [level] = data.product.availability;
  return { onHand: level?.onHand ?? 0, reserved: level?.reserved ?? 0, available: level?.available ?? 0 };
}

const ADD_TO_CART = `mutation Add($customerId: ID!, $sku: ID!, $quantity: Int!, $channel: Channel!) {
  addToCart(customerId: $customerId, sku: $sku, quantity: $quantity, channel: $channel) { id lines { product { sku } quantity } } }`;

const ORDER_FIELDS = `id number channel status total { amount } refunded { amount }
  fulfillment { method location { id name } }
  lines { product { sku name } quantity returnedQuantity unitPrice { amount } }
  returns { channel location { id } refund { amount } lines { product { sku } quantity } }`;

interface OrderView {
  id: string;
  number: string;
  channel: string;
  status: string;
  total: { amount: string };
  refunded: { amount: string };
  fulfillment: { method: string; location: { id: string; name: string } };
  lines: { product: { sku: string; name: string }; quantity: number; returnedQuantity: number; unitPrice: { amount: string } }[];
  returns: { channel: string; location: { id: string }; refund: { amount: string }; lines: { product: { sku: string }; quantity: number }[] }[];
}

const PLACE_ORDER = `mutation Place($input: PlaceOrderInput!) { placeOrder(input: $input) { ${ORDER_FIELDS} } }`;
const TRANSITION = (mutation: string) => `mutation Step($id: ID!) { ${mutation}(id: $id) { id status } }`;
const POINTS = `query Points($id: ID!) { order(id: $id) { id pointsEarned } }`;

/** The journey's order, shared by the steps below (they run in order). */
let journeyOrder: OrderView;
let pointsBeforeReturn = 0;
/** Orders the KPIs must count, as the test placed them: channel, customer, net centavos, units sold/returned. */
const placed: { channel: Channel; customerId: string; netCents: number; sold: number; returned: number; member: boolean }[] = [];

function amount(cents: number): string {
  return (cents / 100).toFixed(2);
}

describe('web cart → till → click and collect in another store → return by the call centre in a third', () => {
  it('the web shopper fills a cart; click and collect is offered only where every line is', async () => {
    const customer = tokenFor('CUSTOMER', shopper.id);
    await ok(ADD_TO_CART, { customerId: shopper.id, sku: GUAYABERA.sku, quantity: 2, channel: 'WEB' }, customer);
    await ok(ADD_TO_CART, { customerId: shopper.id, sku: JARRO.sku, quantity: 1, channel: 'WEB' }, customer);

    // Anonymous, as the web shop asks before checkout: 2 guayaberas and 2 jarros.
    const options = await ok<{ fulfillmentOptions: { method: string; location: { id: string }; readyBy: string | null; estimatedDeliveryDays: number | null }[] }>(
      `query Options($lines: [LineInput!]!, $postalCode: String) { fulfillmentOptions(lines: $lines, postalCode: $postalCode) { method location { id } readyBy estimatedDeliveryDays } }`,
      { lines: [{ sku: GUAYABERA.sku, quantity: 2 }, { sku: JARRO.sku, quantity: 2 }], postalCode: '11560' },
    );
    const pickup = options.fulfillmentOptions.filter((option) => option.method === 'PICKUP_IN_STORE');
    expect(pickup.map((option) => option.location.id)).toEqual([POLANCO]);
    expect(pickup[0]?.readyBy).toEqual(expect.any(String));
    expect(options.fulfillmentOptions.find((option) => option.method === 'SHIP_TO_HOME')).toMatchObject({ location: { id: WAREHOUSE }, estimatedDeliveryDays: expect.any(Number) });
  });

  it('the till at Centro sees the same cart, adds one more jarro and places the order for pickup in Polanco', async () => {
    const CART = `query Cart($id: ID!) { customer(id: $id) { id displayName cart { lines { product { sku name } quantity updatedVia } changes { channel action quantity } } } }`;
    interface CartView {
      customer: { id: string; displayName: string; cart: { lines: { product: { sku: string; name: string }; quantity: number; updatedVia: string }[]; changes: { channel: string }[] } | null };
    }
    const atTill = await ok<CartView>(CART, { id: shopper.id }, centroTill);
    expect(atTill.customer.cart?.lines.map((line) => [line.product.sku, line.quantity, line.updatedVia])).toEqual([
      [GUAYABERA.sku, 2, 'WEB'],
      [JARRO.sku, 1, 'WEB'],
    ]);
    await ok(ADD_TO_CART, { customerId: shopper.id, sku: JARRO.sku, quantity: 1, channel: 'STORE' }, centroTill);
    const cart = (await ok<CartView>(CART, { id: shopper.id }, centroTill)).customer.cart;
    expect(cart?.changes.map((change) => change.channel)).toEqual(['WEB', 'WEB', 'STORE']);
    const polancoBefore = { guayabera: await stockAt(GUAYABERA.sku, POLANCO), jarro: await stockAt(JARRO.sku, POLANCO) };

    const { placeOrder } = await ok<{ placeOrder: OrderView }>(
      PLACE_ORDER,
      {
        input: {
          customerId: shopper.id,
          channel: 'STORE',
          lines: cart?.lines.map((line) => ({ sku: line.product.sku, quantity: line.quantity })),
          fulfillment: { method: 'PICKUP_IN_STORE', locationId: POLANCO },
          idempotencyKey: `till-centro-${shopper.id}-1`,
        },
      },
      centroTill,
    );
    journeyOrder = placeOrder;
    const totalCents = 2 * GUAYABERA.priceCents + 2 * JARRO.priceCents;
    expect(placeOrder).toMatchObject({ channel: 'STORE', status: 'PLACED', total: { amount: amount(totalCents) }, fulfillment: { method: 'PICKUP_IN_STORE', location: { id: POLANCO } } });
    expect(placeOrder.number).toMatch(/^ZC-\d{6,}$/);

    // Reserved in Polanco, where it will be picked up; nothing moved in Centro; the cart is empty.
    expect(await stockAt(GUAYABERA.sku, POLANCO)).toEqual({ onHand: polancoBefore.guayabera.onHand, reserved: 2, available: polancoBefore.guayabera.onHand - 2 });
    expect(await stockAt(JARRO.sku, POLANCO)).toEqual({ onHand: polancoBefore.jarro.onHand, reserved: 2, available: polancoBefore.jarro.onHand - 2 });
    expect(await stockAt(JARRO.sku, CENTRO)).toEqual({ onHand: 1, reserved: 0, available: 1 });
    expect((await ok<CartView>(CART, { id: shopper.id }, centroTill)).customer.cart).toBeNull();
  });

  it('Polanco marks it ready, the shopper picks it up: the units leave Polanco and loyalty credits the points', async () => {
    const customer = tokenFor('CUSTOMER', shopper.id);
    // The shopper may not run the store's steps; Polanco's staff may.
    expect(errorCodes(await execute(gateway, TRANSITION('markReadyForPickup'), { id: journeyOrder.id }, customer))).toEqual(['FORBIDDEN']);
    expect((await ok<{ markReadyForPickup: { status: string } }>(TRANSITION('markReadyForPickup'), { id: journeyOrder.id }, polancoStaff)).markReadyForPickup.status).toBe('READY_FOR_PICKUP');
    // Picking up twice, or cancelling once it is picked up, is a CONFLICT naming the state.
    expect((await ok<{ completePickup: { status: string } }>(TRANSITION('completePickup'), { id: journeyOrder.id }, polancoStaff)).completePickup.status).toBe('COMPLETED');
    const again = await execute(gateway, TRANSITION('completePickup'), { id: journeyOrder.id }, polancoStaff);
    expect(errorCodes(again)).toEqual(['CONFLICT']);
    expect(again.errors?.[0]?.extensions).toMatchObject({ status: 'COMPLETED' });

    expect(await stockAt(GUAYABERA.sku, POLANCO)).toEqual({ onHand: 3, reserved: 0, available: 3 });
    expect(await stockAt(JARRO.sku, POLANCO)).toEqual({ onHand: 2, reserved: 0, available: 2 });

    // OrderPlaced reached loyalty through the relay: a member earns on an order from any channel.
    const earned = await eventually(
      'points for the journey order',
      () => ok<{ order: { pointsEarned: number } }>(POINTS, { id: journeyOrder.id }, customer),
      (data) => data.order.pointsEarned > 0,
    );
    pointsBeforeReturn = earned.order.pointsEarned;
    expect(pointsBeforeReturn).toBeGreaterThanOrEqual(Math.floor((2 * GUAYABERA.priceCents + 2 * JARRO.priceCents) / 1_000));
  });

  it('one jarro comes back through the call centre in Guadalajara: stock back there, refund from the stored price, its points reversed', async () => {
    const gdlBefore = await stockAt(JARRO.sku, GDL);
    const RETURN = `mutation Return($input: ReturnInput!) { requestReturn(input: $input) { id channel status location { id } refund { amount } order { ${ORDER_FIELDS} } } }`;
    const { requestReturn } = await ok<{ requestReturn: { id: string; channel: string; status: string; location: { id: string }; refund: { amount: string }; order: OrderView } }>(
      RETURN,
      { input: { orderId: journeyOrder.id, channel: 'CALL_CENTER', locationId: GDL, lines: [{ sku: JARRO.sku, quantity: 1 }] } },
      agent,
    );

    expect(requestReturn).toMatchObject({ channel: 'CALL_CENTER', status: 'RECEIVED', location: { id: GDL }, refund: { amount: amount(JARRO.priceCents) } });
    expect(requestReturn.order).toMatchObject({ status: 'PARTIALLY_RETURNED', refunded: { amount: amount(JARRO.priceCents) } });
    expect(requestReturn.order.lines.find((line) => line.product.sku === JARRO.sku)).toMatchObject({ quantity: 2, returnedQuantity: 1, unitPrice: { amount: amount(JARRO.priceCents) } });
    // Back on hand where it was returned (Guadalajara never carried it), not where it was sold.
    expect(gdlBefore).toEqual({ onHand: 0, reserved: 0, available: 0 });
    expect(await stockAt(JARRO.sku, GDL)).toEqual({ onHand: 1, reserved: 0, available: 1 });
    expect(await stockAt(JARRO.sku, POLANCO)).toEqual({ onHand: 2, reserved: 0, available: 2 });

    // OrderReturned reached loyalty: it takes back floor(earned × refund / total) — the returned line's share.
    const totalCents = 2 * GUAYABERA.priceCents + 2 * JARRO.priceCents;
    const reversed = Math.floor((pointsBeforeReturn * JARRO.priceCents) / totalCents);
    expect(reversed).toBeGreaterThan(0);
    await eventually(
      'points reversed for the returned line',
      () => ok<{ order: { pointsEarned: number } }>(POINTS, { id: journeyOrder.id }, agent),
      (data) => data.order.pointsEarned === pointsBeforeReturn - reversed,
    );
    placed.push({ channel: 'STORE', customerId: shopper.id, netCents: totalCents - JARRO.priceCents, sold: 4, returned: 1, member: true });
  });

  it('the call centre sees it all in one query: the cart, the order, where it was picked up and returned, the points', async () => {
    const data = await ok<{
      customer: {
        displayName: string;
        cart: unknown;
        orders: { nodes: (OrderView & { pointsEarned: number })[] };
        purchaseSummary: { channels: string[] };
        loyalty: { points: number; transactions: { nodes: { kind: string; points: number; channel: string; order: { number: string } | null }[] } };
      };
    }>(
      `query CallCentre($id: ID!) { customer(id: $id) {
        displayName cart { lines { quantity } }
        orders(first: 3) { nodes { ${ORDER_FIELDS} pointsEarned } }
        purchaseSummary { channels }
        loyalty { points transactions(first: 10) { nodes { kind points channel order { number } } } } } }`,
      { id: shopper.id },
      agent,
    );
    const { customer } = data;
    expect(customer.displayName).toBe(shopper.displayName);
    expect(customer.cart).toBeNull();
    const order = customer.orders.nodes[0] as OrderView & { pointsEarned: number };
    expect(order).toMatchObject({
      number: journeyOrder.number,
      channel: 'STORE',
      status: 'PARTIALLY_RETURNED',
      fulfillment: { method: 'PICKUP_IN_STORE', location: { id: POLANCO, name: 'Zócalo Polanco' } },
      returns: [{ channel: 'CALL_CENTER', location: { id: GDL }, refund: { amount: amount(JARRO.priceCents) }, lines: [{ product: { sku: JARRO.sku }, quantity: 1 }] }],
    });
    expect(order.lines.map((line) => line.product.name)).toEqual(['Guayabera de prueba', 'Jarro de prueba']);
    expect(customer.purchaseSummary.channels).toContain('STORE');
    const ledger = customer.loyalty.transactions.nodes.filter((entry) => entry.order?.number === journeyOrder.number);
    expect(ledger.map((entry) => entry.kind).sort()).toEqual(['EARN', 'REVERSE']);
    expect(ledger.reduce((sum, entry) => sum + entry.points, 0)).toBe(order.pointsEarned);
  });
});

describe('the last three units, wanted from every channel at once', () => {
  /** Who places an order in each channel: the shopper's own app/web, the till, the agent, a bridge service. */
  function tokenOf(channel: Channel, customerId: string): string {
    if (channel === 'STORE') return centroTill;
    if (channel === 'CALL_CENTER') return agent;
    if (channel === 'WHATSAPP' || channel === 'MARKETPLACE') return service;
    return tokenFor('CUSTOMER', customerId);
  }

  it('20 parallel orders from six channels for 3 units: exactly 3 succeed, the rest OUT_OF_STOCK, never oversold', async () => {
    const attempts = racers.map((racer, index) => ({ customerId: racer.id, channel: CHANNELS[index % CHANNELS.length] as Channel }));
    const responses = await Promise.all(
      attempts.map(({ customerId, channel }, index) =>
        execute<{ placeOrder: OrderView }>(
          gateway,
          PLACE_ORDER,
          { input: { customerId, channel, lines: [{ sku: LAST_UNITS.sku, quantity: 1 }], fulfillment: { method: 'PICKUP_IN_STORE', locationId: CENTRO }, idempotencyKey: `race-${index}-${customerId}` } },
          tokenOf(channel, customerId),
        ),
      ),
    );

    const won = responses.map((response, index) => ({ response, attempt: attempts[index] })).filter(({ response }) => response.data?.placeOrder);
    const refused = responses.filter((response) => errorCodes(response)[0] === 'OUT_OF_STOCK');
    expect(won).toHaveLength(3);
    expect(refused).toHaveLength(17);
    for (const response of refused) expect(response.errors?.[0]?.extensions).toMatchObject({ sku: LAST_UNITS.sku, requested: 1, available: 0, field: 'input.lines[0].quantity' });
    expect(await stockAt(LAST_UNITS.sku, CENTRO)).toEqual({ onHand: 3, reserved: 3, available: 0 });
    const catalogue = await ok<StockView>(STOCK, { sku: LAST_UNITS.sku, locationId: null });
    expect(catalogue.product.availableQuantity).toBe(0);
    // Each refused racer's order does not exist: the winners are the racers' only orders of that sku.
    const winners = await Promise.all(won.map(({ attempt }) => ok<{ customer: { orders: { totalCount: number; nodes: OrderView[] } } }>(
      `query Mine($id: ID!) { customer(id: $id) { orders(first: 5) { totalCount nodes { ${ORDER_FIELDS} } } } }`,
      { id: attempt?.customerId },
      agent,
    )));
    for (const [index, { customer }] of winners.entries()) {
      const mine = customer.orders.nodes.filter((order) => order.lines.some((line) => line.product.sku === LAST_UNITS.sku));
      expect(mine).toHaveLength(1);
      expect(mine[0]?.channel).toBe(won[index]?.attempt?.channel);
    }
    for (const { attempt } of won) placed.push({ channel: attempt?.channel as Channel, customerId: attempt?.customerId as string, netCents: LAST_UNITS.priceCents, sold: 1, returned: 0, member: false });
  });

  it('10 concurrent retries of one order through the gateway make one order and one reservation', async () => {
    const customer = tokenFor('CUSTOMER', shopper.id);
    const before = await stockAt(JARRO.sku, WAREHOUSE);
    const input = { customerId: shopper.id, channel: 'WEB', lines: [{ sku: JARRO.sku, quantity: 1 }], fulfillment: { method: 'SHIP_TO_HOME' }, idempotencyKey: `web-retry-${shopper.id}` };

    const responses = await Promise.all(Array.from({ length: 10 }, () => execute<{ placeOrder: OrderView }>(gateway, PLACE_ORDER, { input }, customer)));

    expect(responses.flatMap((response) => response.errors ?? [])).toEqual([]);
    expect(new Set(responses.map((response) => response.data?.placeOrder.id)).size).toBe(1);
    expect(await stockAt(JARRO.sku, WAREHOUSE)).toEqual({ onHand: before.onHand, reserved: before.reserved + 1, available: before.available - 1 });
    placed.push({ channel: 'WEB', customerId: shopper.id, netCents: JARRO.priceCents, sold: 1, returned: 0, member: true });
  });
});

describe('the analyst', () => {
  const KPIS = `query Kpis($from: DateTime!, $to: DateTime!) { salesKpis(from: $from, to: $to) {
    byChannel { channel orders revenue { amount } averageOrderValue { amount } returnRate }
    crossChannelCustomerShare
    loyaltyMembers { customers orders averageOrderValue { amount } }
    nonMembers { customers orders averageOrderValue { amount } } } }`;

  it('sees the KPIs of exactly what happened, by channel, members against the rest', async () => {
    const response = await execute<{ salesKpis: Record<string, unknown> }>(gateway, KPIS, { from: journeyStart.toISOString(), to: new Date(Date.now() + 60_000).toISOString() }, analyst);
    expect(response.errors).toBeUndefined();

    // Expected figures from what this file placed (cancelled nothing; one return of one jarro).
    const channels = [...new Set(placed.map((order) => order.channel))];
    const expectedByChannel = channels.map((channel) => {
      const mine = placed.filter((order) => order.channel === channel);
      const net = mine.reduce((sum, order) => sum + order.netCents, 0);
      const sold = mine.reduce((sum, order) => sum + order.sold, 0);
      const returned = mine.reduce((sum, order) => sum + order.returned, 0);
      return { channel, orders: mine.length, revenue: { amount: amount(net) }, averageOrderValue: { amount: amount(Math.round(net / mine.length)) }, returnRate: returned / sold };
    });
    const byCustomer = new Map<string, Set<string>>();
    for (const order of placed) byCustomer.set(order.customerId, (byCustomer.get(order.customerId) ?? new Set()).add(order.channel));
    const multiChannel = [...byCustomer.values()].filter((set) => set.size > 1).length;
    const segment = (member: boolean) => {
      const mine = placed.filter((order) => order.member === member);
      const net = mine.reduce((sum, order) => sum + order.netCents, 0);
      return { customers: new Set(mine.map((order) => order.customerId)).size, orders: mine.length, averageOrderValue: { amount: amount(mine.length ? Math.round(net / mine.length) : 0) } };
    };

    const kpis = response.data?.salesKpis as { byChannel: { channel: string }[]; crossChannelCustomerShare: number };
    const byChannel = [...kpis.byChannel].sort((a, b) => a.channel.localeCompare(b.channel));
    expect(byChannel).toEqual(expectedByChannel.sort((a, b) => a.channel.localeCompare(b.channel)));
    expect(kpis.crossChannelCustomerShare).toBeCloseTo(multiChannel / byCustomer.size, 10);
    expect(multiChannel).toBe(1);
    expect(response.data?.salesKpis).toMatchObject({ loyaltyMembers: segment(true), nonMembers: segment(false) });
  });

  it('sees no personal data: the KPIs name nobody, and customers, orders and searches are FORBIDDEN', async () => {
    const kpis = await execute(gateway, KPIS, { from: '2020-01-01T00:00:00Z', to: new Date(Date.now() + 60_000).toISOString() }, analyst);
    const text = JSON.stringify(kpis);
    for (const person of [shopper, ...racers]) {
      expect(text).not.toContain(person.id);
      expect(text).not.toContain(person.displayName);
    }
    expect(shopper.phone).not.toBe('');
    expect(text).not.toContain(shopper.phone);

    const refusals: GraphQLResponse[] = await Promise.all([
      execute(gateway, `query { customer(id: "${shopper.id}") { displayName } }`, {}, analyst),
      execute(gateway, `query { order(id: "${journeyOrder.id}") { number } }`, {}, analyst),
      execute(gateway, `query { searchCustomers(query: "a", first: 5) { totalCount } }`, {}, analyst),
    ]);
    for (const refusal of refusals) expect(errorCodes(refusal)).toEqual(['FORBIDDEN']);
  });
});
