/**
 * `adjustStock` against the running inventory subgraph: who may adjust where (an associate only at
 * their own store, an admin anywhere), the atomic refusal to take on-hand below reserved, upserts, the
 * audit trail, and idempotency keys.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { errorCodes, execute, tokenFor } from '../support/testkit';
import { CENTRO, GUADALAJARA, POLANCO, startInventory, testDataset, testProduct, type InventoryUnderTest } from './inventoryTestkit';

const ADJUST = `mutation ($locationId: ID!, $sku: ID!, $delta: Int!, $reason: String!, $channel: Channel, $idempotencyKey: String) {
  adjustStock(locationId: $locationId, sku: $sku, delta: $delta, reason: $reason, channel: $channel, idempotencyKey: $idempotencyKey) {
    sku location { id } onHand reserved available updatedAt
  }
}`;
const TRAIL = `query ($locationId: ID!, $sku: ID) {
  stockAdjustments(locationId: $locationId, sku: $sku) { sku location { id } delta reason channel by role status resultingOnHand at }
}`;

const centroAssociate = tokenFor('ASSOCIATE', 'lupita', CENTRO);
const admin = tokenFor('ADMIN', 'admin-1');

let inventory: InventoryUnderTest;

beforeAll(async () => {
  inventory = await startInventory('inventory_adjust_test', testDataset(
    [testProduct('S-HUIPIL', 'Huipil bordado'), testProduct('S-JARRO', 'Jarro de barro'), testProduct('S-RACE', 'Vaso soplado')],
    [
      { sku: 'S-HUIPIL', locationId: CENTRO, onHand: 10, reserved: 0 },
      { sku: 'S-HUIPIL', locationId: POLANCO, onHand: 4, reserved: 0 },
      { sku: 'S-JARRO', locationId: CENTRO, onHand: 5, reserved: 0 },
      { sku: 'S-RACE', locationId: CENTRO, onHand: 5, reserved: 0 },
    ],
  ));
});

afterAll(async () => {
  await inventory?.stop();
});

const adjust = (variables: Record<string, unknown>, token?: string) => execute<{ adjustStock: Record<string, unknown> }>(inventory.url, ADJUST, { reason: 'conteo físico', ...variables }, token);
const onHand = async (sku: string, locationId: string) => (await inventory.stockDocument(sku, locationId))?.onHand;

describe('who may adjust where', () => {
  it('an associate of store A adjusting at store B gets FORBIDDEN and the stock is unchanged', async () => {
    const response = await adjust({ locationId: POLANCO, sku: 'S-HUIPIL', delta: -2 }, centroAssociate);

    expect(errorCodes(response)).toEqual(['FORBIDDEN']);
    expect(await onHand('S-HUIPIL', POLANCO)).toBe(4);
    expect(await inventory.subgraph.store.collection('stockAdjustments').countDocuments({ locationId: POLANCO })).toBe(0);
  });

  it('customers, agents, analysts and associates without a store claim are FORBIDDEN; no token is UNAUTHENTICATED', async () => {
    for (const token of [tokenFor('CUSTOMER', 'cus_000001'), tokenFor('AGENT'), tokenFor('ANALYST'), tokenFor('ASSOCIATE', 'no-store')]) {
      expect(errorCodes(await adjust({ locationId: CENTRO, sku: 'S-HUIPIL', delta: 1 }, token))).toEqual(['FORBIDDEN']);
    }
    expect(errorCodes(await adjust({ locationId: CENTRO, sku: 'S-HUIPIL', delta: 1 }))).toEqual(['UNAUTHENTICATED']);
    expect(await onHand('S-HUIPIL', CENTRO)).toBe(10);
  });

  it('an associate adjusts at their own store; an admin anywhere', async () => {
    const own = await adjust({ locationId: CENTRO, sku: 'S-HUIPIL', delta: 3 }, centroAssociate);
    const anywhere = await adjust({ locationId: POLANCO, sku: 'S-HUIPIL', delta: -1, reason: 'pieza dañada' }, admin);

    expect(own.data?.adjustStock).toMatchObject({ sku: 'S-HUIPIL', location: { id: CENTRO }, onHand: 13, reserved: 0, available: 13 });
    expect(typeof own.data?.adjustStock.updatedAt).toBe('string');
    expect(anywhere.data?.adjustStock).toMatchObject({ location: { id: POLANCO }, onHand: 3 });
  });
});

describe('the stock invariant', () => {
  it('refuses with CONFLICT to take onHand below reserved, and allows exactly down to it', async () => {
    const reserved = await execute(
      inventory.url,
      `mutation { reserveStock(orderId: "ord_adj_1", locationId: "${CENTRO}", lines: [{ sku: "S-JARRO", quantity: 3 }]) { status } }`,
      {},
      tokenFor('SERVICE', 'orders'),
    );
    expect(reserved.data).toEqual({ reserveStock: { status: 'HELD' } });

    const tooMuch = await adjust({ locationId: CENTRO, sku: 'S-JARRO', delta: -3 }, centroAssociate);
    const exactly = await adjust({ locationId: CENTRO, sku: 'S-JARRO', delta: -2 }, centroAssociate);

    expect(errorCodes(tooMuch)).toEqual(['CONFLICT']);
    expect(tooMuch.errors?.[0]?.extensions).toMatchObject({ onHand: 5, reserved: 3 });
    expect(exactly.data?.adjustStock).toMatchObject({ onHand: 3, reserved: 3, available: 0 });
  });

  it('10 concurrent −1 adjustments on 5 units: exactly 5 apply, the rest CONFLICT, never below zero', async () => {
    const responses = await Promise.all(Array.from({ length: 10 }, () => adjust({ locationId: CENTRO, sku: 'S-RACE', delta: -1 }, admin)));

    expect(responses.filter((response) => response.data?.adjustStock)).toHaveLength(5);
    expect(responses.filter((response) => errorCodes(response)[0] === 'CONFLICT')).toHaveLength(5);
    expect(await onHand('S-RACE', CENTRO)).toBe(0);
  });

  it('creates the stock record when the location never carried the sku (increase only)', async () => {
    const decrease = await adjust({ locationId: GUADALAJARA, sku: 'S-JARRO', delta: -1 }, admin);
    const increase = await adjust({ locationId: GUADALAJARA, sku: 'S-JARRO', delta: 6, reason: 'traspaso recibido' }, tokenFor('ASSOCIATE', 'gdl-1', GUADALAJARA));

    expect(errorCodes(decrease)).toEqual(['CONFLICT']);
    expect(increase.data?.adjustStock).toMatchObject({ location: { id: GUADALAJARA }, onHand: 6, reserved: 0, available: 6 });
  });

  it('rejects bad input and unknown things', async () => {
    expect(errorCodes(await adjust({ locationId: CENTRO, sku: 'S-HUIPIL', delta: 0 }, admin))).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await adjust({ locationId: CENTRO, sku: 'S-HUIPIL', delta: 1, reason: ' ' }, admin))).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await adjust({ locationId: CENTRO, sku: 'S-NOPE', delta: 1 }, admin))).toEqual(['NOT_FOUND']);
    expect(errorCodes(await adjust({ locationId: 'MX-NOWHERE', sku: 'S-HUIPIL', delta: 1 }, admin))).toEqual(['NOT_FOUND']);
    expect(errorCodes(await adjust({ locationId: CENTRO, sku: 'S-HUIPIL@X', delta: 1 }, admin))).toEqual(['BAD_USER_INPUT']);
  });
});

describe('audit trail and idempotency', () => {
  it('records who, with which role, when, through which channel, why, and the result — refusals too', async () => {
    const trail = await execute<{ stockAdjustments: Record<string, unknown>[] }>(inventory.url, TRAIL, { locationId: CENTRO, sku: 'S-JARRO' }, admin);

    expect(trail.data?.stockAdjustments.map(({ at: _at, ...entry }) => entry)).toEqual([
      { sku: 'S-JARRO', location: { id: CENTRO }, delta: -2, reason: 'conteo físico', channel: 'STORE', by: 'lupita', role: 'ASSOCIATE', status: 'APPLIED', resultingOnHand: 3 },
      { sku: 'S-JARRO', location: { id: CENTRO }, delta: -3, reason: 'conteo físico', channel: 'STORE', by: 'lupita', role: 'ASSOCIATE', status: 'REFUSED', resultingOnHand: null },
    ]);
    expect(errorCodes(await execute(inventory.url, TRAIL, { locationId: CENTRO }, tokenFor('ASSOCIATE', 'polanco-1', POLANCO)))).toEqual(['FORBIDDEN']);
    expect((await execute<{ stockAdjustments: unknown[] }>(inventory.url, TRAIL, { locationId: CENTRO }, centroAssociate)).data?.stockAdjustments.length).toBeGreaterThan(2);
  });

  it('a retried adjustment with the same idempotency key applies once', async () => {
    const variables = { locationId: CENTRO, sku: 'S-HUIPIL', delta: 2, channel: 'APP', idempotencyKey: 'count-2026-11-23-01' };
    const before = await onHand('S-HUIPIL', CENTRO);

    const first = await adjust(variables, centroAssociate);
    const retry = await adjust(variables, centroAssociate);
    const misuse = await adjust({ ...variables, delta: 5 }, centroAssociate);

    expect(first.data?.adjustStock.onHand).toBe((before ?? 0) + 2);
    expect(retry.data?.adjustStock.onHand).toBe((before ?? 0) + 2);
    expect(errorCodes(misuse)).toEqual(['CONFLICT']);
    expect(await onHand('S-HUIPIL', CENTRO)).toBe((before ?? 0) + 2);
    const trail = await execute<{ stockAdjustments: { channel: string; delta: number }[] }>(inventory.url, TRAIL, { locationId: CENTRO, sku: 'S-HUIPIL' }, admin);
    expect(trail.data?.stockAdjustments.filter((entry) => entry.channel === 'APP')).toHaveLength(1);
  });
});
