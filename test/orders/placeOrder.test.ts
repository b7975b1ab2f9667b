/**
 * The cart shared by every channel, and placing orders against the real inventory subgraph: stock
 * reserved where inventory keeps it, nothing written when inventory refuses or cannot be reached, and
 * one order / one reservation for ten concurrent retries of the same key.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createOrdersBuilder } from '../../subgraphs/orders/src/server';
import { errorCodes, execute, startSubgraph, tokenFor, type RunningSubgraph } from '../support/testkit';
import {
  CENTRO,
  GDL,
  GUAYABERA,
  JARRO,
  MEZCAL,
  POLANCO,
  REBOZO_DISCONTINUED,
  WAREHOUSE,
  newKey,
  placeOrder,
  reservationOf,
  startOrdersTestEstate,
  stockAt,
  type OrdersTestEstate,
} from './ordersTestEstate';

let estate: OrdersTestEstate;
let inventory: RunningSubgraph;
let url: string;

beforeAll(async () => {
  estate = await startOrdersTestEstate('place');
  inventory = estate.inventory as RunningSubgraph;
  url = estate.orders.url;
});

afterAll(async () => {
  await estate?.stop();
});

const CART_FIELDS = `id customer { id } updatedVia total { amount }
  lines { product { sku } quantity unitPrice { amount } lineTotal { amount } updatedVia }
  changes { product { sku } action quantity channel }`;

interface CartView {
  id: string;
  updatedVia: string;
  total: { amount: string };
  lines: { product: { sku: string }; quantity: number; unitPrice: { amount: string }; lineTotal: { amount: string }; updatedVia: string }[];
  changes: { product: { sku: string }; action: string; quantity: number; channel: string }[];
}

const ADD_TO_CART = `mutation Add($customerId: ID!, $sku: ID!, $quantity: Int!, $channel: Channel!) {
  addToCart(customerId: $customerId, sku: $sku, quantity: $quantity, channel: $channel) { ${CART_FIELDS} } }`;
const UPDATE_CART_LINE = `mutation Update($customerId: ID!, $sku: ID!, $quantity: Int!, $channel: Channel!) {
  updateCartLine(customerId: $customerId, sku: $sku, quantity: $quantity, channel: $channel) { ${CART_FIELDS} } }`;
const CUSTOMER_CART = `query Cart($representations: [_Any!]!) { _entities(representations: $representations) { ... on Customer { cart { ${CART_FIELDS} } } } }`;

function ordersCount(filter: Record<string, unknown> = {}): Promise<number> {
  return estate.orders.store.collection('orders').countDocuments(filter);
}

describe('the cart', () => {
  const customerId = 'cus_cart_1';
  const customer = tokenFor('CUSTOMER', customerId);

  it('is one cart shared by every channel, priced from the catalogue, keeping the channel of each change', async () => {
    const web = await execute<{ addToCart: CartView }>(url, ADD_TO_CART, { customerId, sku: GUAYABERA, quantity: 2, channel: 'WEB' }, customer);
    expect(web.errors).toBeUndefined();
    expect(web.data?.addToCart).toMatchObject({ id: customerId, updatedVia: 'WEB', total: { amount: '1798.00' }, lines: [{ product: { sku: GUAYABERA }, quantity: 2, unitPrice: { amount: '899.00' }, updatedVia: 'WEB' }] });

    const app = await execute<{ addToCart: CartView }>(url, ADD_TO_CART, { customerId, sku: GUAYABERA, quantity: 1, channel: 'APP' }, customer);
    const store = await execute<{ addToCart: CartView }>(url, ADD_TO_CART, { customerId, sku: JARRO, quantity: 1, channel: 'STORE' }, tokenFor('ASSOCIATE', 'assoc-1', CENTRO));
    const callCentre = await execute<{ updateCartLine: CartView }>(url, UPDATE_CART_LINE, { customerId, sku: GUAYABERA, quantity: 1, channel: 'CALL_CENTER' }, tokenFor('AGENT'));
    expect(app.data?.addToCart.lines[0]?.quantity).toBe(3);
    expect(store.data?.addToCart.lines).toHaveLength(2);

    const read = await execute<{ _entities: { cart: CartView | null }[] }>(url, CUSTOMER_CART, { representations: [{ __typename: 'Customer', id: customerId }] }, customer);
    const cart = read.data?._entities[0]?.cart;
    expect(callCentre.data?.updateCartLine.updatedVia).toBe('CALL_CENTER');
    expect(cart).toMatchObject({
      updatedVia: 'CALL_CENTER',
      total: { amount: '1219.00' },
      lines: [
        { product: { sku: GUAYABERA }, quantity: 1, lineTotal: { amount: '899.00' }, updatedVia: 'CALL_CENTER' },
        { product: { sku: JARRO }, quantity: 1, lineTotal: { amount: '320.00' }, updatedVia: 'STORE' },
      ],
    });
    expect(cart?.changes.map((change) => [change.channel, change.action, change.quantity])).toEqual([
      ['WEB', 'ADD', 2],
      ['APP', 'ADD', 1],
      ['STORE', 'ADD', 1],
      ['CALL_CENTER', 'SET', 1],
    ]);
  });

  it('removes a line at quantity 0, and an empty cart reads as null', async () => {
    await execute(url, UPDATE_CART_LINE, { customerId, sku: GUAYABERA, quantity: 0, channel: 'APP' }, customer);
    const last = await execute<{ updateCartLine: CartView }>(url, UPDATE_CART_LINE, { customerId, sku: JARRO, quantity: 0, channel: 'APP' }, customer);
    expect(last.data?.updateCartLine.lines).toEqual([]);

    const read = await execute<{ _entities: { cart: CartView | null }[] }>(url, CUSTOMER_CART, { representations: [{ __typename: 'Customer', id: customerId }] }, customer);
    expect(read.data?._entities[0]?.cart).toBeNull();
  });

  it('refuses unknown and discontinued products and quantities over 999', async () => {
    const unknown = await execute(url, ADD_TO_CART, { customerId, sku: 'ZC-NOPE-0001', quantity: 1, channel: 'WEB' }, customer);
    const discontinued = await execute(url, ADD_TO_CART, { customerId, sku: REBOZO_DISCONTINUED, quantity: 1, channel: 'WEB' }, customer);
    await execute(url, ADD_TO_CART, { customerId, sku: MEZCAL, quantity: 990, channel: 'WEB' }, customer);
    const tooMany = await execute(url, ADD_TO_CART, { customerId, sku: MEZCAL, quantity: 10, channel: 'WEB' }, customer);

    expect(errorCodes(unknown)).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(discontinued)).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(tooMany)).toEqual(['BAD_USER_INPUT']);
    expect(tooMany.errors?.[0]?.extensions).toMatchObject({ field: 'quantity', sku: MEZCAL });
  });

  it('filled on the web and checked out at the till: the ordered lines leave the cart, the others stay', async () => {
    const shopper = 'cus_cart_checkout';
    const own = tokenFor('CUSTOMER', shopper);
    await execute(url, ADD_TO_CART, { customerId: shopper, sku: GUAYABERA, quantity: 1, channel: 'WEB' }, own);
    await execute(url, ADD_TO_CART, { customerId: shopper, sku: MEZCAL, quantity: 1, channel: 'WEB' }, own);

    const placed = await placeOrder(
      url,
      { customerId: shopper, channel: 'STORE', lines: [{ sku: GUAYABERA, quantity: 1 }], fulfillment: { method: 'IN_STORE_PURCHASE', locationId: CENTRO }, idempotencyKey: newKey('checkout') },
      tokenFor('ASSOCIATE', 'assoc-1', CENTRO),
    );
    expect(placed.data?.placeOrder.status).toBe('COMPLETED');

    const read = await execute<{ _entities: { cart: CartView | null }[] }>(url, CUSTOMER_CART, { representations: [{ __typename: 'Customer', id: shopper }] }, own);
    const cart = read.data?._entities[0]?.cart;
    expect(cart?.lines.map((line) => [line.product.sku, line.quantity])).toEqual([[MEZCAL, 1]]);
    expect(cart?.changes.at(-1)).toMatchObject({ product: { sku: GUAYABERA }, action: 'SET', quantity: 0, channel: 'STORE' });
  });
});

describe('placeOrder', () => {
  const customerId = 'cus_place_1';
  const customer = tokenFor('CUSTOMER', customerId);

  it('takes the next order number when the counter hands out one that is already taken', async () => {
    const first = await placeOrder(url, { customerId, channel: 'WEB', lines: [{ sku: MEZCAL, quantity: 1 }], fulfillment: { method: 'SHIP_TO_HOME' }, idempotencyKey: newKey('number-a') }, customer);
    const taken = first.data?.placeOrder.number as string;
    // Wind the counter back so its next number is the one just used (as a race in the counter would).
    await estate.orders.store.collection<{ _id: string; value: number }>('counters').updateOne({ _id: 'orderNumber' }, { $set: { value: Number(taken.slice(3)) - 1 } });

    const second = await placeOrder(url, { customerId, channel: 'WEB', lines: [{ sku: MEZCAL, quantity: 1 }], fulfillment: { method: 'SHIP_TO_HOME' }, idempotencyKey: newKey('number-b') }, customer);
    expect(second.errors).toBeUndefined();
    expect(second.data?.placeOrder.number).not.toBe(taken);
    expect(await ordersCount({ number: second.data?.placeOrder.number })).toBe(1);
  });

  it('prices lines from the catalogue, reserves the stock at the store and publishes OrderPlaced in the same document', async () => {
    const before = await stockAt(inventory, GUAYABERA, CENTRO);
    const response = await placeOrder(
      url,
      {
        customerId,
        channel: 'STORE',
        // Repeated skus are merged: 2 + 1 guayaberas.
        lines: [{ sku: GUAYABERA, quantity: 2 }, { sku: JARRO, quantity: 1 }, { sku: GUAYABERA, quantity: 1 }],
        fulfillment: { method: 'PICKUP_IN_STORE', locationId: CENTRO },
        idempotencyKey: newKey('happy'),
      },
      customer,
    );

    expect(response.errors).toBeUndefined();
    const order = response.data?.placeOrder;
    expect(order).toMatchObject({
      channel: 'STORE',
      status: 'PLACED',
      customer: { id: customerId },
      total: { amount: '3017.00', currency: 'MXN' },
      fulfillment: { method: 'PICKUP_IN_STORE', location: { id: CENTRO } },
      lines: [
        { product: { sku: GUAYABERA }, productName: 'Guayabera de lino blanca', quantity: 3, unitPrice: { amount: '899.00' }, lineTotal: { amount: '2697.00' }, returnedQuantity: 0 },
        { product: { sku: JARRO }, productName: 'Jarro de barro negro', quantity: 1, unitPrice: { amount: '320.00' }, lineTotal: { amount: '320.00' } },
      ],
    });
    expect(order?.number).toMatch(/^ZC-\d{6}$/);

    // Inventory's own database: 3 more guayaberas reserved at the store, the reservation HELD there.
    expect(await stockAt(inventory, GUAYABERA, CENTRO)).toEqual({ onHand: before.onHand, reserved: before.reserved + 3 });
    expect(await reservationOf(inventory, order?.id as string)).toMatchObject({ status: 'HELD', locationId: CENTRO });

    const stored = await estate.orders.store.collection('orders').findOne({ _id: order?.id as never });
    expect(stored?.pendingEvents).toHaveLength(1);
    expect(stored?.pendingEvents[0]).toMatchObject({
      type: 'OrderPlaced',
      source: 'orders',
      subject: order?.id,
      payload: { orderId: order?.id, number: order?.number, customerId, channel: 'STORE', totalCents: 301_700, fulfillment: { method: 'PICKUP_IN_STORE', locationId: CENTRO } },
    });
  });

  it('OUT_OF_STOCK names the line and writes nothing, here or at inventory', async () => {
    const key = newKey('oos');
    const ordersBefore = await ordersCount();
    const jarros = await stockAt(inventory, JARRO, CENTRO);
    const guayaberas = await stockAt(inventory, GUAYABERA, CENTRO);

    const response = await placeOrder(
      url,
      { customerId, channel: 'WEB', lines: [{ sku: GUAYABERA, quantity: 1 }, { sku: JARRO, quantity: 50 }], fulfillment: { method: 'PICKUP_IN_STORE', locationId: CENTRO }, idempotencyKey: key },
      customer,
    );

    expect(errorCodes(response)).toEqual(['OUT_OF_STOCK']);
    expect(response.errors?.[0]?.extensions).toMatchObject({ sku: JARRO, requested: 50, available: jarros.onHand - jarros.reserved, line: 1, field: 'input.lines[1].quantity' });
    expect(await ordersCount()).toBe(ordersBefore);
    expect(await estate.orders.store.collection('orderKeys').countDocuments({ _id: `${customerId}:${key}` as never })).toBe(0);
    expect(await stockAt(inventory, GUAYABERA, CENTRO)).toEqual(guayaberas);
    expect(await stockAt(inventory, JARRO, CENTRO)).toEqual(jarros);

    // The released key may be used again, e.g. for what is in stock.
    const retry = await placeOrder(
      url,
      { customerId, channel: 'WEB', lines: [{ sku: GUAYABERA, quantity: 1 }], fulfillment: { method: 'PICKUP_IN_STORE', locationId: CENTRO }, idempotencyKey: key },
      customer,
    );
    expect(retry.data?.placeOrder.status).toBe('PLACED');
  });

  it('10 concurrent calls with the same key make one order and one reservation, and all return it', async () => {
    const key = newKey('concurrent');
    const before = await stockAt(inventory, MEZCAL, WAREHOUSE);
    const input = { customerId, channel: 'APP', lines: [{ sku: MEZCAL, quantity: 2 }], fulfillment: { method: 'SHIP_TO_HOME', locationId: WAREHOUSE }, idempotencyKey: key };

    const responses = await Promise.all(Array.from({ length: 10 }, () => placeOrder(url, input, customer)));

    expect(responses.flatMap((response) => response.errors ?? [])).toEqual([]);
    const ids = new Set(responses.map((response) => response.data?.placeOrder.id));
    expect(ids.size).toBe(1);
    const [orderId] = [...ids] as string[];
    expect(await ordersCount({ idempotencyKey: `${customerId}:${key}` })).toBe(1);
    expect(await inventory.store.collection('reservations').countDocuments({ _id: orderId as never })).toBe(1);
    expect(await stockAt(inventory, MEZCAL, WAREHOUSE)).toEqual({ onHand: before.onHand, reserved: before.reserved + 2 });
  });

  it('the same key for a different order is a CONFLICT', async () => {
    const key = newKey('reuse');
    const first = await placeOrder(url, { customerId, channel: 'WEB', lines: [{ sku: MEZCAL, quantity: 1 }], fulfillment: { method: 'SHIP_TO_HOME' }, idempotencyKey: key }, customer);
    const again = await placeOrder(url, { customerId, channel: 'WEB', lines: [{ sku: MEZCAL, quantity: 1 }], fulfillment: { method: 'SHIP_TO_HOME' }, idempotencyKey: key }, customer);
    const other = await placeOrder(url, { customerId, channel: 'WEB', lines: [{ sku: MEZCAL, quantity: 5 }], fulfillment: { method: 'SHIP_TO_HOME' }, idempotencyKey: key }, customer);

    // SHIP_TO_HOME without a location reserves at the default warehouse.
    expect(first.data?.placeOrder.fulfillment.location.id).toBe(WAREHOUSE);
    expect(again.data?.placeOrder.id).toBe(first.data?.placeOrder.id);
    expect(errorCodes(other)).toEqual(['CONFLICT']);
    expect(other.errors?.[0]?.extensions?.field).toBe('input.idempotencyKey');
  });

  it('a till purchase is COMPLETED at once and its stock leaves the store', async () => {
    const before = await stockAt(inventory, GUAYABERA, POLANCO);
    const response = await placeOrder(
      url,
      { customerId, channel: 'STORE', lines: [{ sku: GUAYABERA, quantity: 2 }], fulfillment: { method: 'IN_STORE_PURCHASE', locationId: POLANCO }, idempotencyKey: newKey('till') },
      tokenFor('ASSOCIATE', 'assoc-polanco', POLANCO),
    );

    expect(response.data?.placeOrder.status).toBe('COMPLETED');
    expect(await stockAt(inventory, GUAYABERA, POLANCO)).toEqual({ onHand: before.onHand - 2, reserved: before.reserved });
    expect(await reservationOf(inventory, response.data?.placeOrder.id as string)).toMatchObject({ status: 'COMMITTED' });
  });

  it('numbers orders ZC- and six digits, all different', async () => {
    const numbers = await estate.orders.store.collection<{ number: string }>('orders').find({}, { projection: { number: 1 } }).toArray();
    expect(numbers.length).toBeGreaterThanOrEqual(4);
    expect(new Set(numbers.map((order) => order.number)).size).toBe(numbers.length);
    for (const { number } of numbers) expect(number).toMatch(/^ZC-\d{6}$/);
  });

  it('refuses bad input with BAD_USER_INPUT naming the field, before touching anything', async () => {
    const base = { customerId, channel: 'WEB', lines: [{ sku: GUAYABERA, quantity: 1 }], fulfillment: { method: 'PICKUP_IN_STORE', locationId: CENTRO }, idempotencyKey: newKey('bad') };
    const cases: [Record<string, unknown>, string][] = [
      [{ lines: [] }, 'input.lines'],
      [{ lines: Array.from({ length: 51 }, (_, index) => ({ sku: `ZC-X-${index}`, quantity: 1 })) }, 'input.lines'],
      [{ lines: [{ sku: GUAYABERA, quantity: 0 }] }, 'input.lines[0].quantity'],
      [{ lines: [{ sku: GUAYABERA, quantity: 1000 }] }, 'input.lines[0].quantity'],
      [{ lines: [{ sku: 'ZC.$where', quantity: 1 }] }, 'input.lines[0].sku'],
      [{ idempotencyKey: 'short' }, 'input.idempotencyKey'],
      [{ idempotencyKey: 'x'.repeat(101) }, 'input.idempotencyKey'],
      [{ fulfillment: { method: 'PICKUP_IN_STORE' } }, 'input.fulfillment.locationId'],
      [{ fulfillment: { method: 'IN_STORE_PURCHASE', locationId: CENTRO } }, 'input.channel'],
      [{ fulfillment: { method: 'PICKUP_IN_STORE', locationId: WAREHOUSE } }, 'input.fulfillment.locationId'],
      [{ fulfillment: { method: 'SHIP_FROM_STORE', locationId: POLANCO } }, 'input.fulfillment.locationId'],
      [{ fulfillment: { method: 'PICKUP_IN_STORE', locationId: 'MX-NOWHERE' } }, 'input.fulfillment.locationId'],
      [{ lines: [{ sku: 'ZC-NOPE-0001', quantity: 1 }] }, 'input.lines[0].sku'],
      [{ lines: [{ sku: GUAYABERA, quantity: 1 }, { sku: REBOZO_DISCONTINUED, quantity: 1 }] }, 'input.lines[1].sku'],
    ];
    const ordersBefore = await ordersCount();

    for (const [change, field] of cases) {
      const response = await placeOrder(url, { ...base, ...change, idempotencyKey: (change.idempotencyKey as string | undefined) ?? newKey('bad') } as never, customer);
      expect([field, errorCodes(response)]).toEqual([field, ['BAD_USER_INPUT']]);
      expect(response.errors?.[0]?.extensions?.field).toBe(field);
    }
    expect(await ordersCount()).toBe(ordersBefore);
  });

  it('an unreachable inventory is SUBGRAPH_UNAVAILABLE and writes nothing', async () => {
    // A second orders server on the same database, pointed at a port where nothing listens.
    const cutOff = await startSubgraph('orders', createOrdersBuilder({ inventoryUrl: 'http://127.0.0.1:9/graphql', inventoryTimeoutMs: 500 }), estate.database, {
      databaseName: 'orders_place_orders',
    });
    try {
      const key = newKey('down');
      const ordersBefore = await ordersCount();
      const response = await placeOrder(cutOff.url, { customerId, channel: 'WEB', lines: [{ sku: GUAYABERA, quantity: 1 }], fulfillment: { method: 'SHIP_TO_HOME', locationId: GDL }, idempotencyKey: key }, customer);

      expect(errorCodes(response)).toEqual(['SUBGRAPH_UNAVAILABLE']);
      expect(response.status).toBe(200);
      expect(await ordersCount()).toBe(ordersBefore);
      expect(await cutOff.store.collection('orderKeys').countDocuments({ _id: `${customerId}:${key}` as never })).toBe(0);
    } finally {
      await cutOff.stop();
    }
  });
});
