/**
 * placeOrder when something breaks half-way, against the REAL inventory subgraph behind a real HTTP
 * proxy (inventoryProxy.ts) that withholds or refuses chosen answers:
 *  - inventory reserves but answers too late → SUBGRAPH_UNAVAILABLE, no order, and the reservation
 *    inventory made anyway is released; the same key then places the order once;
 *  - inventory cannot take that release either → the debt is recorded and the settler pays it;
 *  - the order write fails after reserving (orders' database connection goes away) → the reservation
 *    is released.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger } from '../../subgraphs/kit/src';
import { InventoryClient } from '../../subgraphs/orders/src/inventoryClient';
import { OrderRepository } from '../../subgraphs/orders/src/repositories/orderRepository';
import { OwedReleaseRepository } from '../../subgraphs/orders/src/repositories/owedReleaseRepository';
import { createReservationSettler } from '../../subgraphs/orders/src/reservationSettler';
import { createOrdersBuilder } from '../../subgraphs/orders/src/server';
import { errorCodes, startSubgraph, testAuth, tokenFor, type RunningSubgraph } from '../support/testkit';
import { startInventoryProxy, type InventoryProxy } from './inventoryProxy';
import { CENTRO, GDL, GUAYABERA, JARRO, MEZCAL, newKey, placeOrder, startOrdersTestEstate, stockAt, type OrdersTestEstate } from './ordersTestEstate';

const ORDERS_DATABASE = 'orders_fail_orders';
const TIMEOUT_MS = 1_500;
const HELD_BACK_MS = 4_000;
const customerId = 'cus_fail_1';
const customer = tokenFor('CUSTOMER', customerId);

let estate: OrdersTestEstate;
let inventory: RunningSubgraph;
let proxy: InventoryProxy;
/**
 * A second orders server on the same database, reaching inventory through the proxy. Its timeout is short
 * against the answers the proxy holds back, yet long enough for a loaded machine's ordinary answers.
 */
let viaProxy: RunningSubgraph;

beforeAll(async () => {
  estate = await startOrdersTestEstate('fail');
  inventory = estate.inventory as RunningSubgraph;
  proxy = await startInventoryProxy(inventory.url);
  viaProxy = await startSubgraph('orders', createOrdersBuilder({ inventoryUrl: proxy.url, inventoryTimeoutMs: TIMEOUT_MS, reservationSettleIntervalSeconds: 0 }), estate.database, {
    databaseName: ORDERS_DATABASE,
  });
});

afterAll(async () => {
  await viaProxy?.stop();
  await proxy?.stop();
  await estate?.stop();
});

interface StoredReservation {
  _id: string;
  status: string;
  locationId: string;
}

/** Inventory's reservations of `sku` at `locationId`, as inventory stores them. */
function reservationsOf(sku: string, locationId: string): Promise<StoredReservation[]> {
  return inventory.store.collection<StoredReservation>('reservations').find({ locationId, 'lines.sku': sku }).toArray();
}

function ordersCount(): Promise<number> {
  return estate.orders.store.collection('orders').countDocuments({});
}

function settler(inventoryUrl: string) {
  const store = estate.orders.store;
  return createReservationSettler(
    { orders: new OrderRepository(store), owedReleases: new OwedReleaseRepository(store), inventory: new InventoryClient({ url: inventoryUrl, auth: testAuth }), logger: createLogger('orders', 'silent') },
    0,
  );
}

describe('placeOrder when inventory answers too late', () => {
  it('is SUBGRAPH_UNAVAILABLE, writes no order, releases what inventory reserved anyway, and the same key then places once', async () => {
    proxy.setRules([{ operationName: 'OrdersReserveStock', holdAnswerMs: HELD_BACK_MS }]);
    const key = newKey('late');
    const input = { customerId, channel: 'WEB', lines: [{ sku: MEZCAL, quantity: 2 }], fulfillment: { method: 'PICKUP_IN_STORE', locationId: CENTRO }, idempotencyKey: key };
    const stockBefore = await stockAt(inventory, MEZCAL, CENTRO);
    const ordersBefore = await ordersCount();

    const response = await placeOrder(viaProxy.url, input, customer);

    expect(errorCodes(response)).toEqual(['SUBGRAPH_UNAVAILABLE']);
    expect(response.errors?.[0]?.extensions).toMatchObject({ serviceName: 'inventory' });
    expect(await ordersCount()).toBe(ordersBefore);
    expect(await estate.orders.store.collection('orderKeys').countDocuments({ _id: `${customerId}:${key}` as never })).toBe(0);
    // Inventory did reserve (the proxy forwarded the call at once), and orders released it.
    expect(proxy.forwarded).toEqual(['OrdersCatalogue', 'OrdersReserveStock', 'OrdersReleaseReservation']);
    const reservations = await reservationsOf(MEZCAL, CENTRO);
    expect(reservations.map((reservation) => reservation.status)).toEqual(['RELEASED']);
    expect(await stockAt(inventory, MEZCAL, CENTRO)).toEqual(stockBefore);

    // The client retries with the same key once inventory is well: one order, one held reservation.
    proxy.setRules([]);
    const retry = await placeOrder(viaProxy.url, input, customer);
    expect(retry.errors).toBeUndefined();
    expect(retry.data?.placeOrder.status).toBe('PLACED');
    expect(await ordersCount()).toBe(ordersBefore + 1);
    expect(await stockAt(inventory, MEZCAL, CENTRO)).toEqual({ onHand: stockBefore.onHand, reserved: stockBefore.reserved + 2 });
    expect((await reservationsOf(MEZCAL, CENTRO)).map((reservation) => reservation.status).sort()).toEqual(['HELD', 'RELEASED']);
  });

  it('when the release cannot reach inventory either, records the debt, and the settler pays it', async () => {
    proxy.setRules([
      { operationName: 'OrdersReserveStock', holdAnswerMs: HELD_BACK_MS },
      { operationName: 'OrdersReleaseReservation', refuse: true },
    ]);
    const stockBefore = await stockAt(inventory, JARRO, GDL);
    const ordersBefore = await ordersCount();

    const response = await placeOrder(
      viaProxy.url,
      { customerId, channel: 'APP', lines: [{ sku: JARRO, quantity: 3 }], fulfillment: { method: 'PICKUP_IN_STORE', locationId: GDL }, idempotencyKey: newKey('owed') },
      customer,
    );

    expect(errorCodes(response)).toEqual(['SUBGRAPH_UNAVAILABLE']);
    expect(await ordersCount()).toBe(ordersBefore);
    const [held] = await reservationsOf(JARRO, GDL);
    expect(held).toMatchObject({ status: 'HELD' });
    expect(await stockAt(inventory, JARRO, GDL)).toEqual({ onHand: stockBefore.onHand, reserved: stockBefore.reserved + 3 });
    const owed = estate.orders.store.collection<{ _id: string; attempts: number }>('owedReleases');
    expect(await owed.findOne({ _id: held?._id as string })).toMatchObject({ reason: 'no clear answer to the reservation', attempts: 0 });

    // A pass while inventory still refuses: the debt stays, one attempt counted.
    expect(await settler(proxy.url).runOnce()).toMatchObject({ owedReleased: 0 });
    expect(await owed.findOne({ _id: held?._id as string })).toMatchObject({ attempts: 1 });

    // Inventory is back: the next pass releases the units and clears every debt.
    proxy.setRules([]);
    expect(await settler(proxy.url).runOnce()).toMatchObject({ failed: 0 });
    expect(await owed.countDocuments({})).toBe(0);
    expect((await reservationsOf(JARRO, GDL)).map((reservation) => reservation.status)).toEqual(['RELEASED']);
    expect(await stockAt(inventory, JARRO, GDL)).toEqual(stockBefore);
  });
});

describe('placeOrder when the order write fails after reserving', () => {
  it('releases the reservation: the database connection of orders goes away between reserve and write', async () => {
    // Its own orders server (own connection pool) so closing the pool harms no other test.
    const fragile = await startSubgraph('orders', createOrdersBuilder({ inventoryUrl: proxy.url, reservationSettleIntervalSeconds: 0 }), estate.database, {
      databaseName: ORDERS_DATABASE,
    });
    proxy.setRules([{ operationName: 'OrdersReserveStock', afterAnswer: () => fragile.store.close() }]);
    const key = newKey('nowrite');
    const stockBefore = await stockAt(inventory, GUAYABERA, GDL);
    const ordersBefore = await ordersCount();
    try {
      const response = await placeOrder(
        fragile.url,
        { customerId, channel: 'STORE', lines: [{ sku: GUAYABERA, quantity: 4 }], fulfillment: { method: 'PICKUP_IN_STORE', locationId: GDL }, idempotencyKey: key },
        customer,
      );

      expect(errorCodes(response)).toEqual(['DATABASE_UNAVAILABLE']);
      expect(response.status).toBe(200);
      expect(await ordersCount()).toBe(ordersBefore);
      // The units reserved for the order that was never written are back (4 of the 4 GDL has).
      const reservations = await reservationsOf(GUAYABERA, GDL);
      expect(reservations.map((reservation) => reservation.status)).toEqual(['RELEASED']);
      expect(await stockAt(inventory, GUAYABERA, GDL)).toEqual(stockBefore);
      // The key's claim, written before the database went away, names that very reservation; a retry
      // after the stale age takes it over (placeOrder.ts).
      const claim = await estate.orders.store.collection<{ _id: string; orderId: string }>('orderKeys').findOne({ _id: `${customerId}:${key}` });
      expect(claim?.orderId).toBe(reservations[0]?._id);
    } finally {
      proxy.setRules([]);
      await fragile.server.stop();
    }
  });
});
