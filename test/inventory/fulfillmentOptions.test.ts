/**
 * `fulfillmentOptions` against the running inventory subgraph: everything in one store, lines split
 * across stores (pickup offered only where everything is), out of stock everywhere, reserved units
 * not counted, input validation; plus the ready-by and delivery-days rules on their own.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEMO_LOCATIONS } from '../../scripts/seed/demoDataset';
import { estimateDeliveryDays } from '../../subgraphs/inventory/src/fulfillment/deliveryEstimate';
import { pickupReadyBy } from '../../subgraphs/inventory/src/fulfillment/pickupReadyBy';
import { errorCodes, execute, tokenFor } from '../support/testkit';
import { CENTRO, EL_SALTO, GUADALAJARA, OAXACA, POLANCO, TEPOTZOTLAN, startInventory, testDataset, testProduct, type InventoryUnderTest } from './inventoryTestkit';

interface Option {
  method: string;
  location: { id: string };
  readyBy: string | null;
  estimatedDeliveryDays: number | null;
}

const OPTIONS = `query ($lines: [LineInput!]!, $postalCode: String) {
  fulfillmentOptions(lines: $lines, postalCode: $postalCode) { method location { id } readyBy estimatedDeliveryDays }
}`;

let inventory: InventoryUnderTest;

beforeAll(async () => {
  inventory = await startInventory('inventory_fulfillment_test', testDataset(
    ['F-A', 'F-B', 'F-C', 'F-D', 'F-E'].map((sku) => testProduct(sku, `Producto ${sku}`)).concat(testProduct('F-OLD', 'Descontinuado', { active: false })),
    [
      { sku: 'F-A', locationId: CENTRO, onHand: 5, reserved: 0 },
      { sku: 'F-B', locationId: CENTRO, onHand: 5, reserved: 0 },
      { sku: 'F-A', locationId: POLANCO, onHand: 5, reserved: 0 },
      { sku: 'F-B', locationId: GUADALAJARA, onHand: 5, reserved: 0 },
      { sku: 'F-A', locationId: OAXACA, onHand: 1, reserved: 0 },
      { sku: 'F-A', locationId: TEPOTZOTLAN, onHand: 10, reserved: 0 },
      { sku: 'F-B', locationId: TEPOTZOTLAN, onHand: 10, reserved: 0 },
      { sku: 'F-A', locationId: EL_SALTO, onHand: 10, reserved: 0 },
      { sku: 'F-B', locationId: EL_SALTO, onHand: 10, reserved: 0 },
      { sku: 'F-C', locationId: CENTRO, onHand: 0, reserved: 0 },
      { sku: 'F-D', locationId: POLANCO, onHand: 3, reserved: 0 },
      { sku: 'F-E', locationId: GUADALAJARA, onHand: 3, reserved: 0 },
      { sku: 'F-OLD', locationId: CENTRO, onHand: 3, reserved: 0 },
    ],
  ));
});

afterAll(async () => {
  await inventory?.stop();
});

async function options(lines: { sku: string; quantity: number }[], postalCode?: string): Promise<Option[]> {
  const response = await execute<{ fulfillmentOptions: Option[] }>(inventory.url, OPTIONS, { lines, postalCode });
  if (!response.data) throw new Error(JSON.stringify(response.errors));
  return response.data.fulfillmentOptions;
}
const summary = (list: Option[]) => list.map((option) => `${option.method}@${option.location.id}`);

describe('fulfillmentOptions', () => {
  it('all lines in one store: pickup and ship-from-store there, ship-to-home from the nearest warehouse', async () => {
    const cdmx = await options([{ sku: 'F-A', quantity: 2 }, { sku: 'F-B', quantity: 2 }], '06700');
    const gdl = await options([{ sku: 'F-A', quantity: 2 }, { sku: 'F-B', quantity: 2 }], '44600');

    expect(summary(cdmx)).toEqual([`PICKUP_IN_STORE@${CENTRO}`, `SHIP_FROM_STORE@${CENTRO}`, `SHIP_TO_HOME@${TEPOTZOTLAN}`]);
    const pickup = cdmx[0] as Option;
    const readyIn = new Date(pickup.readyBy as string).getTime() - Date.now();
    expect(readyIn).toBeGreaterThan(2 * 3_600_000 - 60_000);
    expect(readyIn).toBeLessThan(4 * 86_400_000);
    expect(cdmx[1]?.estimatedDeliveryDays).toBe(2);
    expect(cdmx[2]?.estimatedDeliveryDays).toBe(2);
    expect(summary(gdl).at(-1)).toBe(`SHIP_TO_HOME@${EL_SALTO}`);
    expect(gdl.at(-1)?.estimatedDeliveryDays).toBe(2);
  });

  it('lines split across stores: pickup only where everything is', async () => {
    // F-A is at Centro, Polanco, Oaxaca; F-B at Centro and Guadalajara: only Centro has both.
    const both = await options([{ sku: 'F-A', quantity: 1 }, { sku: 'F-B', quantity: 1 }]);
    // F-D only at Polanco, F-E only at Guadalajara: no store has both, and no warehouse either.
    const nowhereTogether = await options([{ sku: 'F-D', quantity: 1 }, { sku: 'F-E', quantity: 1 }]);
    const onlyA = await options([{ sku: 'F-A', quantity: 1 }]);

    expect(summary(both).filter((option) => option.startsWith('PICKUP'))).toEqual([`PICKUP_IN_STORE@${CENTRO}`]);
    expect(nowhereTogether).toEqual([]);
    expect(summary(onlyA).filter((option) => option.startsWith('PICKUP')).sort()).toEqual([CENTRO, OAXACA, POLANCO].map((id) => `PICKUP_IN_STORE@${id}`).sort());
    // Polanco does not ship from store; without a postal code the promise is the conservative 5 days.
    expect(summary(onlyA).filter((option) => option.startsWith('SHIP_FROM_STORE'))).toEqual([`SHIP_FROM_STORE@${CENTRO}`]);
    expect(onlyA.find((option) => option.method === 'SHIP_TO_HOME')?.estimatedDeliveryDays).toBe(5);
  });

  it('out of stock everywhere (or more than any location has, or discontinued): no options', async () => {
    expect(await options([{ sku: 'F-C', quantity: 1 }])).toEqual([]);
    expect(await options([{ sku: 'F-A', quantity: 11 }])).toEqual([]);
    expect(await options([{ sku: 'F-OLD', quantity: 1 }])).toEqual([]);
  });

  it('reserved units are not offered', async () => {
    const reserved = await execute(
      inventory.url,
      'mutation { reserveStock(orderId: "ord_oax", locationId: "MX-OAX-CENTRO", lines: [{ sku: "F-A", quantity: 1 }]) { status } }',
      {},
      tokenFor('SERVICE', 'orders'),
    );

    expect(reserved.data).toEqual({ reserveStock: { status: 'HELD' } });
    expect(summary(await options([{ sku: 'F-A', quantity: 1 }]))).not.toContain(`PICKUP_IN_STORE@${OAXACA}`);
  });

  it('validates lines and postal code', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ lines: [] }, 'BAD_USER_INPUT'],
      [{ lines: [{ sku: 'F-A', quantity: 0 }] }, 'BAD_USER_INPUT'],
      [{ lines: [{ sku: 'F-A', quantity: 1000 }] }, 'BAD_USER_INPUT'],
      [{ lines: Array.from({ length: 51 }, (_, i) => ({ sku: `F-${i}`, quantity: 1 })) }, 'BAD_USER_INPUT'],
      [{ lines: [{ sku: 'F-A', quantity: 1 }], postalCode: 'CDMX' }, 'BAD_USER_INPUT'],
      [{ lines: [{ sku: 'F-NOPE', quantity: 1 }] }, 'NOT_FOUND'],
    ];
    for (const [variables, code] of cases) expect(errorCodes(await execute(inventory.url, OPTIONS, variables))).toEqual([code]);
  });
});

describe('ready-by and delivery estimates', () => {
  const centro = DEMO_LOCATIONS.find((location) => location.id === CENTRO)?.openingHours ?? [];
  // Centro: Monday–Saturday 10:00–20:00, Sunday 11:00–19:00, local time (UTC−6 all year since 2022).

  it('two hours of store time: during hours, after closing, before opening, on Sunday', () => {
    // Tuesday 2026-11-24 11:00 local → 13:00.
    expect(pickupReadyBy(centro, new Date('2026-11-24T17:00:00Z'))?.toISOString()).toBe('2026-11-24T19:00:00.000Z');
    // Tuesday 19:00 local → Wednesday 10:00 + 2 h.
    expect(pickupReadyBy(centro, new Date('2026-11-25T01:00:00Z'))?.toISOString()).toBe('2026-11-25T18:00:00.000Z');
    // Wednesday 03:00 local → 12:00.
    expect(pickupReadyBy(centro, new Date('2026-11-25T09:00:00Z'))?.toISOString()).toBe('2026-11-25T18:00:00.000Z');
    // Saturday 19:30 local → Sunday 11:00 + 2 h.
    expect(pickupReadyBy(centro, new Date('2026-11-29T01:30:00Z'))?.toISOString()).toBe('2026-11-29T19:00:00.000Z');
    expect(pickupReadyBy([], new Date())).toBeNull();
  });

  it('2 days within the Valle de México, more the farther the parcel goes', () => {
    expect(estimateDeliveryDays('54600', '06700')).toBe(2); // Tepotzotlán → Roma Norte
    expect(estimateDeliveryDays('54600', '72000')).toBe(3); // → Puebla
    expect(estimateDeliveryDays('54600', '44600')).toBe(4); // → Guadalajara
    expect(estimateDeliveryDays('54600', '97000')).toBe(5); // → Mérida
    expect(estimateDeliveryDays('45680', '44600')).toBe(2); // El Salto → Guadalajara
    expect(estimateDeliveryDays('54600', undefined)).toBe(5);
  });
});
