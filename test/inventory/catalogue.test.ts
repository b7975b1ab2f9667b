/**
 * The public catalogue and locations against the running inventory subgraph, seeded from a small
 * deterministic demo dataset through the real seed: anonymous access, cursor pagination in sku order,
 * filters and accent-insensitive search, `_entities`, the seeded reservations of open orders, and the
 * query budget (a page of 100 products with availability costs what a page of 10 costs).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generateDemoDataset, type DemoDataset } from '../../scripts/seed/demoDataset';
import { DEFAULT_INVENTORY_CONFIG } from '../../subgraphs/inventory/src/inventoryConfig';
import { errorCodes, execute, tokenFor } from '../support/testkit';
import { CENTRO, startInventory, type InventoryUnderTest } from './inventoryTestkit';

let inventory: InventoryUnderTest;
let dataset: DemoDataset;

interface ProductNode {
  sku: string;
  name: string;
  category: string;
  active: boolean;
  price: { amount: string; currency: string };
}
interface ProductPage {
  products: { nodes: ProductNode[]; pageInfo: { hasNextPage: boolean; endCursor: string | null }; totalCount: number };
}

const PAGE = `query ($filter: ProductFilter, $first: Int, $after: String) {
  products(filter: $filter, first: $first, after: $after) {
    nodes { sku name category active price { amount currency } }
    pageInfo { hasNextPage endCursor }
    totalCount
  }
}`;

beforeAll(async () => {
  dataset = generateDemoDataset({ customers: 40, orders: 400, products: 120 });
  // The default settings (sweep every 60 s) — the catalogue file also checks the sweeper starts and stops cleanly.
  inventory = await startInventory('inventory_catalogue_test', dataset, DEFAULT_INVENTORY_CONFIG);
});

afterAll(async () => {
  await inventory?.stop();
});

const activeSkus = () => dataset.products.filter((product) => product.active).map((product) => product.sku).sort();

describe('products (anonymous)', () => {
  it('needs no token and answers one price in MXN', async () => {
    const response = await execute<ProductPage>(inventory.url, PAGE, { first: 3 });

    expect(response.errors).toBeUndefined();
    const [first] = response.data?.products.nodes ?? [];
    const seeded = dataset.products.find((product) => product.sku === first?.sku);
    expect(response.data?.products.nodes.map((node) => node.sku)).toEqual(activeSkus().slice(0, 3));
    expect(first?.price).toEqual({ amount: ((seeded?.priceCents ?? 0) / 100).toFixed(2), currency: 'MXN' });
    expect(response.data?.products.totalCount).toBe(activeSkus().length);
  });

  it('pages through the whole catalogue in sku order with opaque cursors, no repeats, no gaps', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const response: Awaited<ReturnType<typeof execute<ProductPage>>> = await execute<ProductPage>(inventory.url, PAGE, { first: 50, after });
      const page = response.data?.products;
      if (!page) throw new Error(JSON.stringify(response.errors));
      seen.push(...page.nodes.map((node) => node.sku));
      pages += 1;
      if (!page.pageInfo.hasNextPage) break;
      expect(page.pageInfo.endCursor).not.toContain('ZC-');
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(activeSkus());
    expect(pages).toBe(Math.ceil(activeSkus().length / 50));
  });

  it('defaults to 20, hides discontinued products unless asked', async () => {
    const page = await execute<ProductPage>(inventory.url, PAGE, {});
    const all = await execute<ProductPage>(inventory.url, PAGE, { filter: { includeInactive: true }, first: 100, after: null });

    expect(page.data?.products.nodes).toHaveLength(20);
    expect(all.data?.products.totalCount).toBe(dataset.products.length);
    expect(all.data?.products.nodes.some((node) => !node.active)).toBe(true);
  });

  it('filters by category and finds "Café" when searching "cafe" (case- and accent-insensitive)', async () => {
    const shoes = await execute<ProductPage>(inventory.url, PAGE, { filter: { category: 'calzado' }, first: 100 });
    const coffee = await execute<ProductPage>(inventory.url, PAGE, { filter: { search: 'cafe' }, first: 100 });
    const both = await execute<ProductPage>(inventory.url, PAGE, { filter: { search: '  CAFÉ   Molido ', category: 'despensa' }, first: 100 });
    const none = await execute<ProductPage>(inventory.url, PAGE, { filter: { search: 'café (.*' } });

    const expectedShoes = dataset.products.filter((product) => product.active && product.category === 'calzado').length;
    expect(shoes.data?.products.totalCount).toBe(expectedShoes);
    expect(shoes.data?.products.nodes.every((node) => node.category === 'calzado')).toBe(true);
    const coffeeNames = coffee.data?.products.nodes.map((node) => node.name) ?? [];
    expect(coffeeNames.length).toBeGreaterThan(0);
    // "Café de altura molido …" and "Huarache de piel café": the accent is in the data, not the query.
    expect(coffeeNames.every((name) => /café/i.test(name))).toBe(true);
    expect(coffee.data?.products.totalCount).toBe(dataset.products.filter((product) => product.active && /café/i.test(product.name)).length);
    expect(both.data?.products.nodes.map((node) => node.name)).toEqual(coffeeNames.filter((name) => name.includes('molido')));
    expect(none.data?.products).toEqual({ nodes: [], pageInfo: { hasNextPage: false, endCursor: null }, totalCount: 0 });
  });

  it('inStockOnly: at a location, or online (warehouses and ship-from-store stores)', async () => {
    const atCentro = await execute<{ products: { nodes: { sku: string; availability: { available: number }[] }[]; totalCount: number } }>(
      inventory.url,
      `query { products(filter: { inStockOnly: true, locationId: "${CENTRO}" }, first: 100) { totalCount nodes { sku availability(locationId: "${CENTRO}") { available } } } }`,
    );
    const expected = new Set(
      dataset.stock.filter((level) => level.locationId === CENTRO && level.onHand > level.reserved).map((level) => level.sku),
    );
    const activeExpected = dataset.products.filter((product) => product.active && expected.has(product.sku)).length;

    expect(atCentro.data?.products.totalCount).toBe(activeExpected);
    expect(atCentro.data?.products.nodes.every((node) => (node.availability[0]?.available ?? 0) > 0)).toBe(true);
    const online = await execute<{ products: { nodes: { availableQuantity: number }[] } }>(inventory.url, '{ products(filter: { inStockOnly: true }, first: 100) { nodes { availableQuantity } } }');
    expect(online.data?.products.nodes.every((node) => node.availableQuantity > 0)).toBe(true);
  });

  it('rejects bad paging and filter input with BAD_USER_INPUT naming the field', async () => {
    const tooMany = await execute(inventory.url, PAGE, { first: 101 });
    const badCursor = await execute(inventory.url, PAGE, { after: 'not-a-cursor' });
    const longSearch = await execute(inventory.url, PAGE, { filter: { search: 'x'.repeat(101) } });
    const badCategory = await execute(inventory.url, PAGE, { filter: { category: '{"$ne":1}' } });

    for (const response of [tooMany, badCursor, longSearch, badCategory]) expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(tooMany.errors?.[0]?.extensions?.field).toBe('first');
    expect(badCursor.errors?.[0]?.extensions?.field).toBe('after');
  });
});

describe('product, stock and locations', () => {
  it('product(sku) shows stock per location and what can be sold online', async () => {
    const sku = dataset.products[0]?.sku as string;
    const response = await execute<{ product: { sku: string; availableQuantity: number; availability: { location: { id: string }; onHand: number; reserved: number; available: number }[] } }>(
      inventory.url,
      `query { product(sku: "${sku}") { sku availableQuantity availability { location { id } onHand reserved available } } }`,
    );

    const levels = dataset.stock.filter((level) => level.sku === sku);
    const online = new Set(dataset.locations.filter((location) => location.kind === 'WAREHOUSE' || location.shipFromStoreEnabled).map((location) => location.id));
    const expectedOnline = levels.filter((level) => online.has(level.locationId)).reduce((sum, level) => sum + level.onHand - level.reserved, 0);
    expect(response.data?.product.availableQuantity).toBe(expectedOnline);
    expect(response.data?.product.availability.map((level) => level.location.id)).toEqual(levels.map((level) => level.locationId).sort());
    for (const level of response.data?.product.availability ?? []) expect(level.available).toBe(level.onHand - level.reserved);
    expect((await execute(inventory.url, '{ product(sku: "ZC-NOPE-9999") { sku } }')).data).toEqual({ product: null });
  });

  it('locations are public, ordered by name, filterable by kind', async () => {
    const all = await execute<{ locations: { id: string; name: string; kind: string }[] }>(inventory.url, '{ locations { id name kind } }');
    const warehouses = await execute<{ locations: { id: string }[] }>(inventory.url, '{ locations(kind: WAREHOUSE) { id } }');
    const one = await execute<{ location: Record<string, unknown> }>(
      inventory.url,
      `{ location(id: "${CENTRO}") { name address { city postalCode } coordinates { latitude } openingHours { dayOfWeek opens closes } pickupEnabled shipFromStoreEnabled } }`,
    );

    const names = all.data?.locations.map((location) => location.name) ?? [];
    expect(names).toHaveLength(dataset.locations.length);
    expect(names).toEqual([...names].sort());
    expect(warehouses.data?.locations.map((location) => location.id).sort()).toEqual(['MX-WH-GDL', 'MX-WH-TEPOTZOTLAN']);
    expect(one.data?.location).toMatchObject({ name: 'Zócalo Centro Histórico', address: { city: 'Ciudad de México', postalCode: '06000' }, pickupEnabled: true, shipFromStoreEnabled: true });
    expect((one.data?.location.openingHours as unknown[]).length).toBe(7);
  });

  it('_entities resolves Product and Location references, null for unknown ones', async () => {
    const sku = dataset.products[1]?.sku as string;
    const response = await execute<{ _entities: (Record<string, unknown> | null)[] }>(
      inventory.url,
      `query ($representations: [_Any!]!) { _entities(representations: $representations) {
        ... on Product { sku name active price { amount } }
        ... on Location { id name }
      } }`,
      { representations: [{ __typename: 'Product', sku }, { __typename: 'Product', sku: 'ZC-NOPE-0000' }, { __typename: 'Location', id: CENTRO }, { __typename: 'Product', sku: 'a.b$c' }] },
    );

    expect(response.errors).toBeUndefined();
    expect(response.data?._entities).toEqual([
      expect.objectContaining({ sku, name: dataset.products[1]?.name, active: true }),
      null,
      { id: CENTRO, name: 'Zócalo Centro Histórico' },
      null,
    ]);
  });
});

describe('seeded reservations', () => {
  it('every open order of the dataset holds a reservation that a cancellation releases exactly', async () => {
    const open = dataset.orders.filter((order) => order.status === 'PLACED' || order.status === 'READY_FOR_PICKUP');
    expect(open.length).toBeGreaterThan(0);
    expect(await inventory.subgraph.store.collection('reservations').countDocuments({ status: 'HELD' })).toBe(open.length);

    const order = open[0] as (typeof open)[number];
    const line = order.lines[0] as (typeof order.lines)[number];
    const before = await inventory.stockDocument(line.sku, order.fulfillment.locationId);
    const released = await execute(inventory.url, 'mutation ($id: ID!) { releaseReservation(orderId: $id) { status } }', { id: order.id }, tokenFor('SERVICE', 'orders'));
    const after = await inventory.stockDocument(line.sku, order.fulfillment.locationId);

    expect(released.data).toEqual({ releaseReservation: { status: 'RELEASED' } });
    expect(after?.reserved).toBe((before?.reserved ?? 0) - line.quantity);
    expect(after?.onHand).toBe(before?.onHand);
  });
});

describe('query budget', () => {
  const LIST = `query ($first: Int) { products(first: $first) { nodes { sku name availableQuantity availability { location { name } onHand available } } } }`;
  const ENTITIES = `query ($representations: [_Any!]!) { _entities(representations: $representations) {
    ... on Product { sku name availableQuantity availability { location { name kind } available } }
  } }`;

  async function roundTrips(query: string, variables: Record<string, unknown>): Promise<number> {
    const before = inventory.subgraph.store.commandCount;
    const response = await execute(inventory.url, query, variables);
    expect(response.errors).toBeUndefined();
    return inventory.subgraph.store.commandCount - before;
  }

  it('100 products with availability cost the same database round trips as 10', async () => {
    const ten = await roundTrips(LIST, { first: 10 });
    const hundred = await roundTrips(LIST, { first: 100 });

    expect(hundred).toBe(ten);
    // products + count + stock + all locations + locations by id, at most.
    expect(ten).toBeLessThanOrEqual(5);
  });

  it('_entities for 50 products with availability cost the same as for 5', async () => {
    const refs = (n: number) => dataset.products.slice(0, n).map((product) => ({ __typename: 'Product', sku: product.sku }));

    const five = await roundTrips(ENTITIES, { representations: refs(5) });
    const fifty = await roundTrips(ENTITIES, { representations: refs(50) });

    expect(fifty).toBe(five);
    expect(five).toBeLessThanOrEqual(4);
  });
});
