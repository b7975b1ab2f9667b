/**
 * `Customer.orders`, `Customer.purchaseSummary` and Order references as other subgraphs and the gateway
 * reach them, through `_entities`: paging newest first with cursors, the channel filter, and the query
 * budget — database round trips do not grow with the number of orders nor of customers.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DemoOrder } from '../../scripts/seed/demoDataset';
import { execute, tokenFor } from '../support/testkit';
import { GUAYABERA, JARRO, demoOrder, startOrdersTestEstate, type OrdersTestEstate } from './ordersTestEstate';

let estate: OrdersTestEstate;

const FEW = 'cus_budget_few';
const MANY = 'cus_budget_many';
const GROUP = Array.from({ length: 10 }, (_, index) => `cus_budget_group_${index}`);
const CHANNELS = ['WEB', 'APP', 'STORE'] as const;

let sequence = 0;
function ordersOf(customerId: string, count: number): DemoOrder[] {
  return Array.from({ length: count }, (_, index) => {
    sequence += 1;
    return demoOrder({
      id: `ord_budget_${String(sequence).padStart(4, '0')}`,
      number: `ZC-${400_000 + sequence}`,
      customerId,
      channel: CHANNELS[index % 3],
      lines: [[GUAYABERA, 1, 89_900], [JARRO, 2, 32_000]],
      // Two orders per instant, so the cursor must break ties by id.
      placedAt: new Date(Date.UTC(2026, 9, 1) + Math.floor(index / 2) * 3_600_000).toISOString(),
    });
  });
}

beforeAll(async () => {
  estate = await startOrdersTestEstate('customer_orders', {
    inventory: false,
    orders: [...ordersOf(FEW, 5), ...ordersOf(MANY, 50), ...GROUP.flatMap((customerId) => ordersOf(customerId, 5))],
  });
});

afterAll(async () => {
  await estate?.stop();
});

const CUSTOMER_360 = `query Customers($representations: [_Any!]!) { _entities(representations: $representations) { ... on Customer {
  id
  orders(first: 50) { totalCount pageInfo { hasNextPage endCursor } nodes {
    id number status channel placedAt total { amount } refunded { amount } customer { id }
    fulfillment { method location { id } }
    lines { product { sku } productName quantity returnedQuantity unitPrice { amount } lineTotal { amount } }
    returns { id refund { amount } order { id } } } }
  purchaseSummary { orderCount lifetimeValue { amount } averageOrderValue { amount } channels lastOrderAt } } } }`;

const PAGE = `query Page($id: ID!, $first: Int, $after: String, $channel: Channel) { _entities(representations: [{ __typename: "Customer", id: $id }]) {
  ... on Customer { orders(first: $first, after: $after, channel: $channel) { totalCount pageInfo { hasNextPage endCursor } nodes { id channel placedAt } } } } }`;

interface Page {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: { id: string; channel: string; placedAt: string }[];
}

async function roundTrips(query: string, variables: Record<string, unknown>): Promise<{ trips: number; data: unknown }> {
  const store = estate.orders.store;
  const before = store.commandCount;
  const response = await execute(estate.orders.url, query, variables, tokenFor('AGENT'));
  expect(response.errors).toBeUndefined();
  return { trips: store.commandCount - before, data: response.data };
}

const customers = (...ids: string[]) => ({ representations: ids.map((id) => ({ __typename: 'Customer', id })) });

describe('query budget', () => {
  it('a customer with 50 orders costs the round trips of one with 5', async () => {
    const few = await roundTrips(CUSTOMER_360, customers(FEW));
    const many = await roundTrips(CUSTOMER_360, customers(MANY));

    expect((many.data as { _entities: { orders: Page }[] })._entities[0]?.orders.nodes).toHaveLength(50);
    expect(many.trips).toBe(few.trips);
    // One aggregation for the order pages, one for the summaries.
    expect(few.trips).toBeLessThanOrEqual(2);
  });

  it('ten customers cost the round trips of one', async () => {
    const one = await roundTrips(CUSTOMER_360, customers(GROUP[0] as string));
    const ten = await roundTrips(CUSTOMER_360, customers(...GROUP));

    expect((ten.data as { _entities: { orders: Page }[] })._entities.map((entity) => entity.orders.totalCount)).toEqual(GROUP.map(() => 5));
    expect(ten.trips).toBe(one.trips);
  });

  it('50 Order references cost the round trips of 5', async () => {
    const ids = Array.from({ length: 55 }, (_, index) => `ord_budget_${String(index + 1).padStart(4, '0')}`);
    const query = `query Orders($representations: [_Any!]!) { _entities(representations: $representations) { ... on Order { id number lines { product { sku } } } } }`;
    const orders = (list: string[]) => ({ representations: list.map((id) => ({ __typename: 'Order', id })) });

    const five = await roundTrips(query, orders(ids.slice(0, 5)));
    const fifty = await roundTrips(query, orders(ids.slice(5, 55)));

    expect((fifty.data as { _entities: { id: string }[] })._entities.map((order) => order.id)).toEqual(ids.slice(5, 55));
    expect(fifty.trips).toBe(five.trips);
  });
});

describe('Customer.orders', () => {
  it('pages newest first with cursors, every order exactly once, ties broken by id', async () => {
    const seen: Page['nodes'] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const response = await execute<{ _entities: { orders: Page }[] }>(estate.orders.url, PAGE, { id: MANY, first: 20, after }, tokenFor('CUSTOMER', MANY));
      const page = response.data?._entities[0]?.orders as Page;
      expect(page.totalCount).toBe(50);
      seen.push(...page.nodes);
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      pages += 1;
    } while (after);

    expect(pages).toBe(3);
    expect(new Set(seen.map((order) => order.id)).size).toBe(50);
    const keys = seen.map((order) => `${order.placedAt}|${order.id}`);
    expect(keys).toEqual([...keys].sort().reverse());
  });

  it('filters by channel, defaults to 10, and summarises purchases', async () => {
    const web = await execute<{ _entities: { orders: Page }[] }>(estate.orders.url, PAGE, { id: MANY, channel: 'WEB' }, tokenFor('AGENT'));
    const summary = await execute<{ _entities: { purchaseSummary: Record<string, unknown> }[] }>(
      estate.orders.url,
      `{ _entities(representations: [{ __typename: "Customer", id: "${FEW}" }]) { ... on Customer { purchaseSummary { orderCount lifetimeValue { amount } averageOrderValue { amount } channels lastOrderAt } } } }`,
      {},
      tokenFor('AGENT'),
    );
    const nobody = await execute<{ _entities: { orders: Page }[] }>(estate.orders.url, PAGE, { id: 'cus_nobody' }, tokenFor('AGENT'));

    const page = web.data?._entities[0]?.orders as Page;
    expect(page.totalCount).toBe(17);
    expect(page.nodes).toHaveLength(10);
    expect(page.nodes.every((order) => order.channel === 'WEB')).toBe(true);
    // 5 orders of 1539.00 (899.00 + 2 × 320.00).
    expect(summary.data?._entities[0]?.purchaseSummary).toEqual({
      orderCount: 5,
      lifetimeValue: { amount: '7695.00' },
      averageOrderValue: { amount: '1539.00' },
      channels: ['WEB', 'APP', 'STORE'],
      lastOrderAt: '2026-10-01T02:00:00.000Z',
    });
    expect(nobody.data?._entities[0]?.orders).toEqual({ totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, nodes: [] });
  });
});
