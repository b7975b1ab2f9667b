/**
 * The order lifecycle and returns against the real inventory subgraph: pickup and shipping commit the
 * stock, cancelling releases it, illegal transitions are CONFLICT with the current status, and a return
 * in another store and channel puts the units back there with the refund of the stored prices.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger } from '../../subgraphs/kit/src';
import { InventoryClient } from '../../subgraphs/orders/src/inventoryClient';
import { OrderRepository, type OrderDocument } from '../../subgraphs/orders/src/repositories/orderRepository';
import { OwedReleaseRepository } from '../../subgraphs/orders/src/repositories/owedReleaseRepository';
import { createReservationSettler } from '../../subgraphs/orders/src/reservationSettler';
import { createOrdersBuilder } from '../../subgraphs/orders/src/server';
import { errorCodes, execute, startSubgraph, testAuth, tokenFor, type GraphQLResponse, type RunningSubgraph } from '../support/testkit';
import {
  CENTRO,
  GDL,
  GUAYABERA,
  JARRO,
  MEZCAL,
  OAXACA,
  ORDER_FIELDS,
  WAREHOUSE,
  newKey,
  placeOrder,
  reservationOf,
  startOrdersTestEstate,
  stockAt,
  transition,
  type OrderView,
  type OrdersTestEstate,
  type PlaceOrderVariables,
} from './ordersTestEstate';

let estate: OrdersTestEstate;
let inventory: RunningSubgraph;
let url: string;

const customerId = 'cus_life_1';
const customer = tokenFor('CUSTOMER', customerId);
const associate = tokenFor('ASSOCIATE', 'assoc-centro', CENTRO);
const agent = tokenFor('AGENT');

beforeAll(async () => {
  estate = await startOrdersTestEstate('life');
  inventory = estate.inventory as RunningSubgraph;
  url = estate.orders.url;
});

afterAll(async () => {
  await estate?.stop();
});

async function place(lines: PlaceOrderVariables['lines'], method: string, locationId: string): Promise<OrderView> {
  const response = await placeOrder(url, { customerId, channel: 'WEB', lines, fulfillment: { method, locationId }, idempotencyKey: newKey('life') }, customer);
  expect(response.errors).toBeUndefined();
  return response.data?.placeOrder as OrderView;
}

async function eventsOf(orderId: string): Promise<{ type: string; payload: Record<string, unknown> }[]> {
  const stored = await estate.orders.store.collection('orders').findOne({ _id: orderId as never });
  return stored?.pendingEvents ?? [];
}

function statusOf(response: GraphQLResponse<Record<string, OrderView>>, mutation: string): string | undefined {
  return response.data?.[mutation]?.status;
}

describe('order lifecycle', () => {
  it('pickup: PLACED → READY_FOR_PICKUP → COMPLETED commits the stock and publishes each step', async () => {
    const before = await stockAt(inventory, GUAYABERA, CENTRO);
    const order = await place([{ sku: GUAYABERA, quantity: 2 }], 'PICKUP_IN_STORE', CENTRO);
    expect(await stockAt(inventory, GUAYABERA, CENTRO)).toEqual({ onHand: before.onHand, reserved: before.reserved + 2 });

    expect(statusOf(await transition(url, 'markReadyForPickup', order.id, associate), 'markReadyForPickup')).toBe('READY_FOR_PICKUP');
    expect(statusOf(await transition(url, 'completePickup', order.id, associate), 'completePickup')).toBe('COMPLETED');

    expect(await stockAt(inventory, GUAYABERA, CENTRO)).toEqual({ onHand: before.onHand - 2, reserved: before.reserved });
    expect(await reservationOf(inventory, order.id)).toMatchObject({ status: 'COMMITTED' });
    const events = await eventsOf(order.id);
    expect(events.map((event) => event.type)).toEqual(['OrderPlaced', 'OrderReadyForPickup', 'PickupCompleted']);
    expect(events[2]?.payload).toEqual({ orderId: order.id, number: order.number, customerId, locationId: CENTRO });
  });

  it('shipping: PLACED → SHIPPED commits the stock → COMPLETED on delivery', async () => {
    const before = await stockAt(inventory, MEZCAL, WAREHOUSE);
    const order = await place([{ sku: MEZCAL, quantity: 3 }], 'SHIP_TO_HOME', WAREHOUSE);

    expect(statusOf(await transition(url, 'markShipped', order.id, agent), 'markShipped')).toBe('SHIPPED');
    expect(await stockAt(inventory, MEZCAL, WAREHOUSE)).toEqual({ onHand: before.onHand - 3, reserved: before.reserved });
    expect(statusOf(await transition(url, 'markDelivered', order.id, agent), 'markDelivered')).toBe('COMPLETED');
  });

  it('an illegal transition is a CONFLICT naming the current status, and changes nothing', async () => {
    const pickup = await place([{ sku: MEZCAL, quantity: 1 }], 'PICKUP_IN_STORE', CENTRO);
    const shipped = await place([{ sku: MEZCAL, quantity: 1 }], 'SHIP_TO_HOME', WAREHOUSE);
    await transition(url, 'markShipped', shipped.id, agent);

    const completeTooEarly = await transition(url, 'completePickup', pickup.id, associate);
    const shipAPickup = await transition(url, 'markShipped', pickup.id, agent);
    const cancelShipped = await transition(url, 'cancelOrder', shipped.id, agent);
    const readyShipped = await transition(url, 'markReadyForPickup', shipped.id, associate);

    expect(errorCodes(completeTooEarly)).toEqual(['CONFLICT']);
    expect(completeTooEarly.errors?.[0]?.extensions).toMatchObject({ status: 'PLACED' });
    expect(completeTooEarly.errors?.[0]?.message).toContain('PLACED');
    expect(errorCodes(shipAPickup)).toEqual(['CONFLICT']);
    expect(shipAPickup.errors?.[0]?.extensions).toMatchObject({ status: 'PLACED', method: 'PICKUP_IN_STORE' });
    expect(errorCodes(cancelShipped)).toEqual(['CONFLICT']);
    expect(cancelShipped.errors?.[0]?.extensions).toMatchObject({ status: 'SHIPPED' });
    expect(errorCodes(readyShipped)).toEqual(['CONFLICT']);
    expect(await reservationOf(inventory, pickup.id)).toMatchObject({ status: 'HELD' });
    expect(await eventsOf(pickup.id)).toHaveLength(1);
  });

  it('cancelling releases the stock and publishes OrderCancelled; the customer may cancel only while PLACED', async () => {
    const before = await stockAt(inventory, JARRO, GDL);
    const mine = await place([{ sku: JARRO, quantity: 2 }], 'PICKUP_IN_STORE', GDL);
    const ready = await place([{ sku: JARRO, quantity: 1 }], 'PICKUP_IN_STORE', GDL);
    await transition(url, 'markReadyForPickup', ready.id, associate);
    expect(await stockAt(inventory, JARRO, GDL)).toEqual({ onHand: before.onHand, reserved: before.reserved + 3 });

    const cancelled = await transition(url, 'cancelOrder', mine.id, customer);
    const notOnceReady = await transition(url, 'cancelOrder', ready.id, customer);
    const byStaff = await transition(url, 'cancelOrder', ready.id, agent);
    const twice = await transition(url, 'cancelOrder', mine.id, customer);

    expect(statusOf(cancelled, 'cancelOrder')).toBe('CANCELLED');
    expect(errorCodes(notOnceReady)).toEqual(['FORBIDDEN']);
    expect(statusOf(byStaff, 'cancelOrder')).toBe('CANCELLED');
    expect(errorCodes(twice)).toEqual(['CONFLICT']);
    expect(twice.errors?.[0]?.extensions).toMatchObject({ status: 'CANCELLED' });
    expect(await stockAt(inventory, JARRO, GDL)).toEqual(before);
    expect(await reservationOf(inventory, mine.id)).toMatchObject({ status: 'RELEASED' });
    expect((await eventsOf(mine.id)).map((event) => event.type)).toEqual(['OrderPlaced', 'OrderCancelled']);
  });

  it('a cancel racing a pickup: inventory lets exactly one of them happen', async () => {
    const order = await place([{ sku: GUAYABERA, quantity: 1 }], 'PICKUP_IN_STORE', CENTRO);
    await transition(url, 'markReadyForPickup', order.id, associate);

    const [pickup, cancel] = await Promise.all([transition(url, 'completePickup', order.id, associate), transition(url, 'cancelOrder', order.id, agent)]);

    const succeeded = [pickup, cancel].filter((response) => !response.errors);
    expect(succeeded).toHaveLength(1);
    expect(errorCodes(pickup.errors ? pickup : cancel)).toEqual(['CONFLICT']);
    const stored = await estate.orders.store.collection('orders').findOne({ _id: order.id as never });
    const reservation = await reservationOf(inventory, order.id);
    expect([stored?.status, reservation?.status]).toEqual(pickup.errors ? ['CANCELLED', 'RELEASED'] : ['COMPLETED', 'COMMITTED']);
  });
});

describe('returns', () => {
  const RETURN = `mutation Return($input: ReturnInput!) { requestReturn(input: $input) {
    id channel status location { id } refund { amount } createdAt
    lines { product { sku } quantity refund { amount } }
    order { ${ORDER_FIELDS} } } }`;

  interface ReturnView {
    id: string;
    channel: string;
    status: string;
    location: { id: string };
    refund: { amount: string };
    lines: { product: { sku: string }; quantity: number; refund: { amount: string } }[];
    order: OrderView;
  }

  async function completedOrder(): Promise<OrderView> {
    const order = await place([{ sku: GUAYABERA, quantity: 3 }, { sku: JARRO, quantity: 1 }], 'PICKUP_IN_STORE', CENTRO);
    await transition(url, 'markReadyForPickup', order.id, associate);
    await transition(url, 'completePickup', order.id, associate);
    return order;
  }

  it('one line returned in another store through the call centre: stock back there, refund from the stored prices', async () => {
    const order = await completedOrder();
    const atGdl = await stockAt(inventory, GUAYABERA, GDL);
    const atCentro = await stockAt(inventory, GUAYABERA, CENTRO);

    const response = await execute<{ requestReturn: ReturnView }>(url, RETURN, { input: { orderId: order.id, channel: 'CALL_CENTER', locationId: GDL, lines: [{ sku: GUAYABERA, quantity: 2 }] } }, agent);

    expect(response.errors).toBeUndefined();
    const returned = response.data?.requestReturn;
    expect(returned).toMatchObject({
      channel: 'CALL_CENTER',
      status: 'RECEIVED',
      location: { id: GDL },
      refund: { amount: '1798.00' },
      lines: [{ product: { sku: GUAYABERA }, quantity: 2, refund: { amount: '1798.00' } }],
      order: { id: order.id, status: 'PARTIALLY_RETURNED', refunded: { amount: '1798.00' } },
    });
    expect(returned?.order.lines[0]).toMatchObject({ product: { sku: GUAYABERA }, quantity: 3, returnedQuantity: 2 });
    expect(returned?.order.returns.map((entry) => entry.id)).toEqual([returned?.id]);
    expect(await stockAt(inventory, GUAYABERA, GDL)).toEqual({ onHand: atGdl.onHand + 2, reserved: atGdl.reserved });
    expect(await stockAt(inventory, GUAYABERA, CENTRO)).toEqual(atCentro);

    const event = (await eventsOf(order.id)).find((entry) => entry.type === 'OrderReturned');
    expect(event?.payload).toEqual({
      orderId: order.id,
      number: order.number,
      customerId,
      returnId: returned?.id,
      channel: 'CALL_CENTER',
      locationId: GDL,
      lines: [{ sku: GUAYABERA, quantity: 2, unitPriceCents: 89_900 }],
      refundCents: 179_800,
      orderTotalCents: 301_700,
    });

    // The rest comes back through the customer's own app at Oaxaca (which never carried guayaberas): RETURNED.
    const rest = await execute<{ requestReturn: ReturnView }>(
      url,
      RETURN,
      { input: { orderId: order.id, channel: 'APP', locationId: OAXACA, lines: [{ sku: GUAYABERA, quantity: 1 }, { sku: JARRO, quantity: 1 }] } },
      customer,
    );
    expect(rest.data?.requestReturn).toMatchObject({ refund: { amount: '1219.00' }, order: { status: 'RETURNED', refunded: { amount: '3017.00' } } });
    expect(rest.data?.requestReturn.order.returns).toHaveLength(2);
    expect(await stockAt(inventory, GUAYABERA, OAXACA)).toMatchObject({ onHand: 1 });
  });

  it('refuses more units than are left, lines not in the order, and orders not completed', async () => {
    const order = await completedOrder();
    const open = await place([{ sku: MEZCAL, quantity: 1 }], 'SHIP_TO_HOME', WAREHOUSE);
    const input = (lines: { sku: string; quantity: number }[], orderId = order.id) => ({ input: { orderId, channel: 'STORE', locationId: CENTRO, lines } });

    const tooMany = await execute(url, RETURN, input([{ sku: GUAYABERA, quantity: 4 }]), associate);
    const notInOrder = await execute(url, RETURN, input([{ sku: MEZCAL, quantity: 1 }]), associate);
    const notCompleted = await execute(url, RETURN, input([{ sku: MEZCAL, quantity: 1 }], open.id), associate);

    expect(errorCodes(tooMany)).toEqual(['BAD_USER_INPUT']);
    expect(tooMany.errors?.[0]?.extensions).toMatchObject({ field: 'input.lines[0].quantity', returnable: 3 });
    expect(errorCodes(notInOrder)).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(notCompleted)).toEqual(['CONFLICT']);
    expect(notCompleted.errors?.[0]?.extensions).toMatchObject({ status: 'PLACED' });
  });

  it('concurrent returns never return a unit twice', async () => {
    const order = await completedOrder();
    const before = await stockAt(inventory, GUAYABERA, CENTRO);

    const responses = await Promise.all(
      Array.from({ length: 6 }, () => execute(url, RETURN, { input: { orderId: order.id, channel: 'STORE', locationId: CENTRO, lines: [{ sku: GUAYABERA, quantity: 1 }] } }, associate)),
    );

    expect(responses.filter((response) => !response.errors)).toHaveLength(3);
    expect(await stockAt(inventory, GUAYABERA, CENTRO)).toEqual({ onHand: before.onHand + 3, reserved: before.reserved });
    const stored = await estate.orders.store.collection('orders').findOne({ _id: order.id as never });
    expect(stored?.lines[0]).toMatchObject({ quantity: 3, returnedQuantity: 3 });
    expect(stored?.returns).toHaveLength(3);
    expect(stored?.status).toBe('PARTIALLY_RETURNED');
    expect(stored?.refundedCents).toBe(3 * 89_900);
  });
});

describe('when inventory cannot be reached or answer', () => {
  it('a transition or a return is SUBGRAPH_UNAVAILABLE and changes nothing', async () => {
    const placed = await place([{ sku: MEZCAL, quantity: 1 }], 'PICKUP_IN_STORE', CENTRO);
    const completed = await place([{ sku: MEZCAL, quantity: 2 }], 'SHIP_TO_HOME', WAREHOUSE);
    await transition(url, 'markShipped', completed.id, agent);
    await transition(url, 'markDelivered', completed.id, agent);
    const cutOff = await startSubgraph('orders', createOrdersBuilder({ inventoryUrl: 'http://127.0.0.1:9/graphql', inventoryTimeoutMs: 500 }), estate.database, {
      databaseName: 'orders_life_orders',
    });
    try {
      const cancel = await transition(cutOff.url, 'cancelOrder', placed.id, agent);
      const returned = await execute(
        cutOff.url,
        `mutation { requestReturn(input: { orderId: "${completed.id}", channel: STORE, locationId: "${CENTRO}", lines: [{ sku: "${MEZCAL}", quantity: 1 }] }) { id } }`,
        {},
        agent,
      );

      expect(errorCodes(cancel)).toEqual(['SUBGRAPH_UNAVAILABLE']);
      expect(errorCodes(returned)).toEqual(['SUBGRAPH_UNAVAILABLE']);
      const orders = estate.orders.store.collection<OrderDocument>('orders');
      expect(await orders.findOne({ _id: placed.id })).toMatchObject({ status: 'PLACED', reservation: 'HELD' });
      expect(await orders.findOne({ _id: completed.id })).toMatchObject({ status: 'COMPLETED', returnedUnits: 0, refundedCents: 0, returns: [], lines: [{ returnedQuantity: 0 }] });
      expect(await reservationOf(inventory, placed.id)).toMatchObject({ status: 'HELD' });
    } finally {
      await cutOff.stop();
    }
  });

  it('a till purchase whose commit did not reach inventory is committed by the reservation settler', async () => {
    // What placeOrder leaves when inventory fails between the order write and the commit.
    const client = new InventoryClient({ url: inventory.url, auth: testAuth });
    const orderId = `ord_settle_${Date.now()}`;
    const before = await stockAt(inventory, MEZCAL, CENTRO);
    await client.reserveStock(orderId, CENTRO, [{ sku: MEZCAL, quantity: 2 }]);
    const repository = new OrderRepository(estate.orders.store);
    const now = new Date();
    await repository.insert({
      _id: orderId,
      number: 'ZC-999001',
      customerId,
      channel: 'STORE',
      status: 'COMPLETED',
      lines: [{ sku: MEZCAL, productName: 'Mezcal espadín', quantity: 2, unitPriceCents: 69_000, returnedQuantity: 0 }],
      totalCents: 138_000,
      soldUnits: 2,
      returnedUnits: 0,
      refundedCents: 0,
      fulfillment: { method: 'IN_STORE_PURCHASE', locationId: CENTRO },
      reservation: 'HELD',
      returns: [],
      placedAt: now,
      updatedAt: now,
      pendingEvents: [],
    });

    const counts = await createReservationSettler({ orders: repository, owedReleases: new OwedReleaseRepository(estate.orders.store), inventory: client, logger: createLogger('orders', 'silent') }, 0).runOnce();

    expect(counts).toMatchObject({ committed: 1, failed: 0 });
    expect(await reservationOf(inventory, orderId)).toMatchObject({ status: 'COMMITTED' });
    expect(await stockAt(inventory, MEZCAL, CENTRO)).toEqual({ onHand: before.onHand - 2, reserved: before.reserved });
    expect(await repository.collection.findOne({ _id: orderId })).toMatchObject({ reservation: 'COMMITTED' });
  });
});
