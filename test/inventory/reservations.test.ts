/**
 * Reservations against the running inventory subgraph and a real database: no oversell under
 * concurrency, all-or-nothing across lines, idempotency by order id (also under concurrent
 * duplicates), release, commit, restock, SERVICE-only access, the expiry sweep and the event handlers.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger } from '../../subgraphs/kit/src';
import { createDomainEvent } from '../../subgraphs/kit/src/events/domainEvent';
import { createInventoryEventHandlers } from '../../subgraphs/inventory/src/events/handlers';
import type { ReservationDocument } from '../../subgraphs/inventory/src/repositories/reservationRepository';
import { errorCodes, execute, tokenFor, type GraphQLResponse } from '../support/testkit';
import { CENTRO, GUADALAJARA, POLANCO, startInventory, testDataset, testProduct, type InventoryUnderTest } from './inventoryTestkit';

const RESERVE = `mutation ($orderId: ID!, $locationId: ID!, $lines: [LineInput!]!) {
  reserveStock(orderId: $orderId, locationId: $locationId, lines: $lines) { orderId locationId status }
}`;
const RELEASE = `mutation ($orderId: ID!) { releaseReservation(orderId: $orderId) { orderId status } }`;
const COMMIT = `mutation ($orderId: ID!) { commitReservation(orderId: $orderId) { orderId status } }`;
const RESTOCK = `mutation ($returnId: ID!, $locationId: ID!, $lines: [LineInput!]!) { restock(returnId: $returnId, locationId: $locationId, lines: $lines) }`;

const CHANNELS = ['WEB', 'APP', 'STORE', 'CALL_CENTER', 'WHATSAPP', 'MARKETPLACE'];
/** The orders subgraph's token (one per channel-facing caller, to mimic several doors at once). */
const service = (channel = 'WEB') => tokenFor('SERVICE', `orders-${channel.toLowerCase()}`);

let inventory: InventoryUnderTest;

beforeAll(async () => {
  inventory = await startInventory('inventory_reservations_test', testDataset(
    [
      testProduct('T-LAST', 'Rebozo de la última pieza'),
      testProduct('T-MULTI-A', 'Jarro de barro'),
      testProduct('T-MULTI-B', 'Molcajete'),
      testProduct('T-PLENTY', 'Jabón de miel'),
      testProduct('T-SCARCE', 'Mezcal reserva'),
      testProduct('T-OLD', 'Vaso descontinuado', { active: false }),
    ],
    [
      { sku: 'T-LAST', locationId: CENTRO, onHand: 3, reserved: 0 },
      { sku: 'T-MULTI-A', locationId: CENTRO, onHand: 5, reserved: 0 },
      { sku: 'T-MULTI-B', locationId: CENTRO, onHand: 3, reserved: 0 },
      { sku: 'T-PLENTY', locationId: CENTRO, onHand: 500, reserved: 0 },
      { sku: 'T-PLENTY', locationId: POLANCO, onHand: 10, reserved: 0 },
      { sku: 'T-SCARCE', locationId: CENTRO, onHand: 1, reserved: 0 },
      { sku: 'T-OLD', locationId: CENTRO, onHand: 9, reserved: 0 },
    ],
  ));
});

afterAll(async () => {
  await inventory?.stop();
});

type ReserveData = { reserveStock: { orderId: string; locationId: string; status: string } | null };

function reserve(orderId: string, lines: { sku: string; quantity: number }[], locationId = CENTRO, token = service()): Promise<GraphQLResponse<ReserveData>> {
  return execute<ReserveData>(inventory.url, RESERVE, { orderId, locationId, lines }, token);
}

async function level(sku: string, locationId = CENTRO) {
  const document = await inventory.stockDocument(sku, locationId);
  return { onHand: document?.onHand, reserved: document?.reserved, holds: Object.keys(document?.holds ?? {}).sort() };
}

function reservationsCollection() {
  return inventory.subgraph.store.collection<ReservationDocument>('reservations');
}

describe('no oversell under concurrency', () => {
  it('30 concurrent reservations of 1 on 3 available: exactly 3 succeed, the rest OUT_OF_STOCK, never negative', async () => {
    // Watch the stock document while the storm runs: reserved may never exceed onHand.
    let storming = true;
    const observed: { onHand: number; reserved: number }[] = [];
    const watcher = (async () => {
      while (storming) {
        const document = await inventory.stockDocument('T-LAST', CENTRO);
        if (document) observed.push({ onHand: document.onHand, reserved: document.reserved });
      }
    })();

    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, i) => reserve(`ord_storm_${i}`, [{ sku: 'T-LAST', quantity: 1 }], CENTRO, service(CHANNELS[i % CHANNELS.length]))),
    );
    storming = false;
    await watcher;

    const held = responses.filter((response) => response.data?.reserveStock?.status === 'HELD');
    const refused = responses.filter((response) => errorCodes(response)[0] === 'OUT_OF_STOCK');
    expect(held).toHaveLength(3);
    expect(refused).toHaveLength(27);
    for (const response of refused) expect(response.errors?.[0]?.extensions).toMatchObject({ sku: 'T-LAST', requested: 1, available: 0, locationId: CENTRO });
    expect(observed.length).toBeGreaterThan(0);
    expect(observed.every((sample) => sample.reserved <= sample.onHand && sample.reserved >= 0)).toBe(true);

    const after = await execute<{ product: { availability: { onHand: number; reserved: number; available: number }[] } }>(
      inventory.url,
      `query { product(sku: "T-LAST") { availability(locationId: "${CENTRO}") { onHand reserved available } } }`,
    );
    expect(after.data?.product.availability).toEqual([{ onHand: 3, reserved: 3, available: 0 }]);
    expect((await level('T-LAST')).holds).toHaveLength(3);
    // Failed attempts leave no claim behind, so a later retry of those orders may reserve again.
    expect(await reservationsCollection().countDocuments({ _id: { $regex: '^ord_storm_' } })).toBe(3);
  });

  it('multi-line reservations under concurrency are all-or-nothing: no partial reservation remains', async () => {
    // A has 5, B has 3: at most 3 orders of (A×1, B×1) fit. Half list the lines in the other order, so
    // failures happen both on the first line and after the first line was already held.
    const orderIds = Array.from({ length: 12 }, (_, i) => `ord_multi_${i}`);
    const responses = await Promise.all(
      orderIds.map((orderId, i) =>
        reserve(orderId, i % 2 === 0 ? [{ sku: 'T-MULTI-A', quantity: 1 }, { sku: 'T-MULTI-B', quantity: 1 }] : [{ sku: 'T-MULTI-B', quantity: 1 }, { sku: 'T-MULTI-A', quantity: 1 }]),
      ),
    );

    // Concurrent all-or-nothing may under-sell for a moment (a line held by an order that then fails
    // can turn another order away), never over-sell, and never leave a partial reservation.
    const succeeded = orderIds.filter((_, i) => responses[i]?.data?.reserveStock?.status === 'HELD').sort();
    expect(succeeded.length).toBeGreaterThanOrEqual(1);
    expect(succeeded.length).toBeLessThanOrEqual(3);
    expect(responses.filter((response) => errorCodes(response)[0] === 'OUT_OF_STOCK')).toHaveLength(12 - succeeded.length);
    expect(await level('T-MULTI-A')).toEqual({ onHand: 5, reserved: succeeded.length, holds: succeeded });
    expect(await level('T-MULTI-B')).toEqual({ onHand: 3, reserved: succeeded.length, holds: succeeded });

    // Nothing leaked: what is left of B can still be sold, and then no more.
    const lines = [{ sku: 'T-MULTI-A', quantity: 1 }, { sku: 'T-MULTI-B', quantity: 1 }];
    for (let i = succeeded.length; i < 3; i += 1) expect((await reserve(`ord_multi_late_${i}`, lines)).data?.reserveStock?.status).toBe('HELD');
    expect(errorCodes(await reserve('ord_multi_too_many', lines))).toEqual(['OUT_OF_STOCK']);
    expect(await level('T-MULTI-A')).toMatchObject({ onHand: 5, reserved: 3 });
    expect(await level('T-MULTI-B')).toMatchObject({ onHand: 3, reserved: 3 });
  });

  it('a failing line names the sku and what is available, and undoes the lines before it', async () => {
    const before = await level('T-PLENTY');

    const response = await reserve('ord_partial', [{ sku: 'T-PLENTY', quantity: 2 }, { sku: 'T-SCARCE', quantity: 4 }]);

    expect(errorCodes(response)).toEqual(['OUT_OF_STOCK']);
    expect(response.errors?.[0]?.extensions).toMatchObject({ sku: 'T-SCARCE', requested: 4, available: 1 });
    expect(response.errors?.[0]?.message).toContain('T-SCARCE');
    expect(await level('T-PLENTY')).toEqual(before);
    expect(await reservationsCollection().findOne({ _id: 'ord_partial' })).toBeNull();
  });

  it('unknown location or sku is NOT_FOUND, a discontinued product BAD_USER_INPUT, bad quantities BAD_USER_INPUT', async () => {
    expect(errorCodes(await reserve('ord_bad_1', [{ sku: 'T-PLENTY', quantity: 1 }], 'MX-NOWHERE'))).toEqual(['NOT_FOUND']);
    expect(errorCodes(await reserve('ord_bad_2', [{ sku: 'T-NOPE', quantity: 1 }]))).toEqual(['NOT_FOUND']);
    expect(errorCodes(await reserve('ord_bad_3', [{ sku: 'T-OLD', quantity: 1 }]))).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await reserve('ord_bad_4', [{ sku: 'T-PLENTY', quantity: 0 }]))).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await reserve('ord_bad_5', [{ sku: 'T-PLENTY', quantity: 1000 }]))).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await reserve('ord_bad_6', Array.from({ length: 51 }, (_, i) => ({ sku: `T-X${i}`, quantity: 1 }))))).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await reserve('ord.bad.7', [{ sku: 'T-PLENTY', quantity: 1 }]))).toEqual(['BAD_USER_INPUT']);
    expect(await reservationsCollection().countDocuments({ _id: { $regex: '^ord_bad' } })).toBe(0);
    expect((await level('T-OLD')).reserved).toBe(0);
  });
});

describe('idempotency by order id', () => {
  it('reserving twice with the same order id reserves once', async () => {
    const before = await level('T-PLENTY');

    const first = await reserve('ord_twice', [{ sku: 'T-PLENTY', quantity: 4 }]);
    const second = await reserve('ord_twice', [{ sku: 'T-PLENTY', quantity: 4 }]);

    expect(first.data?.reserveStock).toEqual({ orderId: 'ord_twice', locationId: CENTRO, status: 'HELD' });
    expect(second.data?.reserveStock).toEqual(first.data?.reserveStock);
    expect((await level('T-PLENTY')).reserved).toBe((before.reserved ?? 0) + 4);
  });

  it('10 concurrent duplicates of one order reserve once, and all answer HELD', async () => {
    const before = await level('T-PLENTY');

    const responses = await Promise.all(Array.from({ length: 10 }, (_, i) => reserve('ord_dupes', [{ sku: 'T-PLENTY', quantity: 7 }], CENTRO, service(CHANNELS[i % CHANNELS.length]))));

    expect(responses.map((response) => response.data?.reserveStock?.status)).toEqual(Array(10).fill('HELD'));
    const after = await level('T-PLENTY');
    expect(after.reserved).toBe((before.reserved ?? 0) + 7);
    expect(after.holds.filter((orderId) => orderId === 'ord_dupes')).toHaveLength(1);
  });

  it('the same order id with other lines is a CONFLICT and changes nothing', async () => {
    const before = await level('T-PLENTY');

    const response = await reserve('ord_twice', [{ sku: 'T-PLENTY', quantity: 5 }]);

    expect(errorCodes(response)).toEqual(['CONFLICT']);
    expect(await level('T-PLENTY')).toEqual(before);
  });
});

describe('release, commit and restock', () => {
  it('release gives the units back, is idempotent, and a released reservation cannot be committed', async () => {
    await reserve('ord_cancel', [{ sku: 'T-PLENTY', quantity: 3 }], POLANCO);
    expect(await level('T-PLENTY', POLANCO)).toEqual({ onHand: 10, reserved: 3, holds: ['ord_cancel'] });

    const released = await execute(inventory.url, RELEASE, { orderId: 'ord_cancel' }, service());
    const again = await execute(inventory.url, RELEASE, { orderId: 'ord_cancel' }, service());
    const commit = await execute(inventory.url, COMMIT, { orderId: 'ord_cancel' }, service());

    expect(released.data).toEqual({ releaseReservation: { orderId: 'ord_cancel', status: 'RELEASED' } });
    expect(again.data).toEqual(released.data);
    expect(errorCodes(commit)).toEqual(['CONFLICT']);
    expect(await level('T-PLENTY', POLANCO)).toEqual({ onHand: 10, reserved: 0, holds: [] });
  });

  it('commit takes the units off hand and out of reserved, once; a committed reservation cannot be released', async () => {
    await reserve('ord_pickup', [{ sku: 'T-PLENTY', quantity: 2 }], POLANCO);

    const committed = await Promise.all([1, 2, 3].map(() => execute(inventory.url, COMMIT, { orderId: 'ord_pickup' }, service())));
    const release = await execute(inventory.url, RELEASE, { orderId: 'ord_pickup' }, service());

    for (const response of committed) expect(response.data).toEqual({ commitReservation: { orderId: 'ord_pickup', status: 'COMMITTED' } });
    expect(errorCodes(release)).toEqual(['CONFLICT']);
    expect(await level('T-PLENTY', POLANCO)).toEqual({ onHand: 8, reserved: 0, holds: [] });
  });

  it('release and commit of an order without a reservation answer null', async () => {
    expect((await execute(inventory.url, RELEASE, { orderId: 'ord_never' }, service())).data).toEqual({ releaseReservation: null });
    expect((await execute(inventory.url, COMMIT, { orderId: 'ord_never' }, service())).data).toEqual({ commitReservation: null });
  });

  it('restock puts returned units on hand at the return location once per return id, even concurrently', async () => {
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => execute(inventory.url, RESTOCK, { returnId: 'ret_1', locationId: POLANCO, lines: [{ sku: 'T-PLENTY', quantity: 2 }] }, service())),
    );
    const later = await execute(inventory.url, RESTOCK, { returnId: 'ret_1', locationId: POLANCO, lines: [{ sku: 'T-PLENTY', quantity: 2 }] }, service());
    // Returned in Guadalajara, where the sku was never stocked: the stock record is created.
    const elsewhere = await execute(inventory.url, RESTOCK, { returnId: 'ret_2', locationId: GUADALAJARA, lines: [{ sku: 'T-SCARCE', quantity: 1 }] }, service());

    for (const response of [...responses, later, elsewhere]) expect(response.data).toEqual({ restock: true });
    expect((await level('T-PLENTY', POLANCO)).onHand).toBe(10);
    expect(await level('T-SCARCE', GUADALAJARA)).toEqual({ onHand: 1, reserved: 0, holds: [] });
    const conflicting = await execute(inventory.url, RESTOCK, { returnId: 'ret_1', locationId: POLANCO, lines: [{ sku: 'T-PLENTY', quantity: 3 }] }, service());
    expect(errorCodes(conflicting)).toEqual(['CONFLICT']);
    expect(errorCodes(await execute(inventory.url, RESTOCK, { returnId: 'ret_3', locationId: POLANCO, lines: [{ sku: 'T-NOPE', quantity: 1 }] }, service()))).toEqual(['NOT_FOUND']);
  });
});

describe('only the orders subgraph (SERVICE) may reserve, release, commit or restock', () => {
  it('refuses CUSTOMER and AGENT with FORBIDDEN and anonymous callers with UNAUTHENTICATED, changing nothing', async () => {
    const before = await level('T-PLENTY');
    await reserve('ord_service_only', [{ sku: 'T-PLENTY', quantity: 1 }]);
    const afterReserve = await level('T-PLENTY');

    for (const token of [tokenFor('CUSTOMER', 'cus_000001'), tokenFor('AGENT'), tokenFor('ASSOCIATE', 'assoc-1', CENTRO)]) {
      expect(errorCodes(await reserve('ord_intruder', [{ sku: 'T-PLENTY', quantity: 1 }], CENTRO, token))).toEqual(['FORBIDDEN']);
      expect(errorCodes(await execute(inventory.url, RELEASE, { orderId: 'ord_service_only' }, token))).toEqual(['FORBIDDEN']);
      expect(errorCodes(await execute(inventory.url, COMMIT, { orderId: 'ord_service_only' }, token))).toEqual(['FORBIDDEN']);
      expect(errorCodes(await execute(inventory.url, RESTOCK, { returnId: 'ret_x', locationId: CENTRO, lines: [{ sku: 'T-PLENTY', quantity: 1 }] }, token))).toEqual(['FORBIDDEN']);
    }
    expect(errorCodes(await execute(inventory.url, RESERVE, { orderId: 'ord_anon', locationId: CENTRO, lines: [{ sku: 'T-PLENTY', quantity: 1 }] }))).toEqual(['UNAUTHENTICATED']);

    expect(afterReserve.reserved).toBe((before.reserved ?? 0) + 1);
    expect(await level('T-PLENTY')).toEqual(afterReserve);
    expect(await reservationsCollection().findOne({ _id: 'ord_service_only' })).toMatchObject({ status: 'HELD' });
  });
});

describe('domain events (for the relay)', () => {
  it('OrderCancelled releases, PickupCompleted commits, OrderReturned restocks, each idempotent', async () => {
    const handlers = createInventoryEventHandlers(inventory.services, createLogger('inventory-test', 'silent'));
    await reserve('ord_evt_cancel', [{ sku: 'T-PLENTY', quantity: 1 }], POLANCO);
    await reserve('ord_evt_pickup', [{ sku: 'T-PLENTY', quantity: 1 }], POLANCO);
    const before = await level('T-PLENTY', POLANCO);

    const cancelled = createDomainEvent('OrderCancelled', 'orders', 'ord_evt_cancel', { orderId: 'ord_evt_cancel', number: 'ZC-1', customerId: 'cus_1', channel: 'WEB' });
    const picked = createDomainEvent('PickupCompleted', 'orders', 'ord_evt_pickup', { orderId: 'ord_evt_pickup', number: 'ZC-2', customerId: 'cus_1', locationId: POLANCO });
    const returned = createDomainEvent('OrderReturned', 'orders', 'ord_evt_pickup', {
      orderId: 'ord_evt_pickup', number: 'ZC-2', customerId: 'cus_1', returnId: 'ret_evt', channel: 'STORE', locationId: POLANCO,
      lines: [{ sku: 'T-PLENTY', quantity: 1, unitPriceCents: 10_000 }], refundCents: 10_000, orderTotalCents: 10_000,
    });
    for (let delivery = 0; delivery < 2; delivery += 1) {
      await handlers.OrderCancelled?.(cancelled);
      await handlers.PickupCompleted?.(picked);
      await handlers.OrderReturned?.(returned);
    }
    // A late cancellation of a picked-up order is acknowledged, not retried forever.
    await expect(handlers.OrderCancelled?.({ ...cancelled, payload: { ...cancelled.payload, orderId: 'ord_evt_pickup' } })).resolves.toBeUndefined();

    // −1 reserved (cancel), −1 reserved −1 onHand (pickup), +1 onHand (return).
    expect(await level('T-PLENTY', POLANCO)).toEqual({ onHand: before.onHand, reserved: (before.reserved ?? 0) - 2, holds: [] });
  });
});

// Last: the sweep looks at the whole collection, with a `now` far in the future.
describe('the sweep', () => {
  it('releases HELD reservations past the TTL and undoes claims abandoned half-way', async () => {
    const store = inventory.subgraph.store;
    await reserve('ord_forgotten', [{ sku: 'T-PLENTY', quantity: 6 }], POLANCO);
    // A request that died after holding its first line: a PENDING claim and one hold, nothing else.
    const claimedAt = new Date(Date.now() - 10 * 60_000);
    await store.collection<ReservationDocument>('reservations').insertOne({
      _id: 'ord_crashed', locationId: POLANCO, lines: [{ sku: 'T-PLENTY', quantity: 2 }, { sku: 'T-MULTI-A', quantity: 1 }],
      status: 'PENDING', claimToken: 'dead', claimedAt, updatedAt: claimedAt,
    });
    await inventory.services.repositories.stock.hold('T-PLENTY', POLANCO, 'ord_crashed', 2, claimedAt);
    expect((await level('T-PLENTY', POLANCO)).holds).toEqual(['ord_crashed', 'ord_forgotten']);

    // Before the TTL: only the abandoned claim goes.
    const early = await inventory.services.reservations.sweep(new Date());
    expect(early).toMatchObject({ expired: 0, abandoned: 1 });
    expect(await level('T-PLENTY', POLANCO)).toMatchObject({ reserved: 6, holds: ['ord_forgotten'] });
    expect(await reservationsCollection().findOne({ _id: 'ord_crashed' })).toBeNull();

    // Fifteen days later (the default TTL is 14 days) every HELD reservation has expired.
    const late = await inventory.services.reservations.sweep(new Date(Date.now() + 15 * 86_400_000));
    expect(late.expired).toBeGreaterThanOrEqual(1);
    expect(await reservationsCollection().findOne({ _id: 'ord_forgotten' })).toMatchObject({ status: 'RELEASED', releaseReason: 'EXPIRED' });
    expect(await level('T-PLENTY', POLANCO)).toMatchObject({ reserved: 0, holds: [] });
    expect(await store.collection('reservations').countDocuments({ status: { $in: ['PENDING', 'HELD', 'RELEASING', 'COMMITTING'] } })).toBe(0);

    // The crashed order may now be reserved for real.
    expect((await reserve('ord_crashed', [{ sku: 'T-PLENTY', quantity: 2 }, { sku: 'T-MULTI-A', quantity: 1 }], POLANCO)).errors?.[0]?.extensions).toMatchObject({ code: 'OUT_OF_STOCK', sku: 'T-MULTI-A' });
    expect((await reserve('ord_crashed', [{ sku: 'T-PLENTY', quantity: 2 }], POLANCO)).data?.reserveStock?.status).toBe('HELD');
  });
});
