/**
 * The foundation's promise, end to end: the whole estate (database, five subgraphs, gateway, real
 * HTTP) answers the customer-360 query a POS sends, enforces who may see it, serves the catalogue
 * anonymously, and costs the same number of database round trips whether the customer has 5 or 50
 * orders.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DemoDataset } from '../../scripts/seed/demoDataset';
import { startEstate, type RunningEstate } from '../support/estate';
import { errorCodes, execute, tokenFor } from '../support/testkit';

const CUSTOMER_360 = /* GraphQL */ `
  query Customer360($phone: String!, $orders: Int!) {
    findCustomer(identity: { kind: PHONE, value: $phone }) {
      id
      displayName
      identities { kind value }
      orders(first: $orders) {
        totalCount
        nodes {
          number
          channel
          total { amount currency }
          lines { quantity product { name availability { location { name } available } } }
        }
      }
      loyalty { tier points }
      conversations(first: 3) { channels lastMessageAt }
    }
  }
`;

interface Customer360 {
  findCustomer: {
    id: string;
    displayName: string;
    identities: { kind: string; value: string }[];
    orders: { totalCount: number; nodes: { number: string; channel: string; total: { amount: string; currency: string }; lines: { quantity: number; product: { name: string; availability: { location: { name: string }; available: number }[] } }[] }[] };
    loyalty: { tier: string; points: number } | null;
    conversations: { channels: string[]; lastMessageAt: string }[];
  } | null;
}

/** Gives the first customer exactly 50 orders and the second exactly 5; both loyalty members with a conversation. */
function shapeDataset(dataset: DemoDataset): void {
  const [many, few, ...others] = dataset.customers;
  if (!many || !few || others.length === 0) throw new Error('dataset too small');
  dataset.orders.forEach((order, index) => {
    if (index < 50) order.customerId = many.id;
    else if (index < 55) order.customerId = few.id;
    else if (order.customerId === many.id || order.customerId === few.id) order.customerId = (others[index % others.length] as { id: string }).id;
  });
  dataset.loyaltyMembers = [
    ...dataset.loyaltyMembers.filter((m) => m.customerId !== many.id && m.customerId !== few.id),
    { customerId: many.id, enrolledAt: new Date('2020-01-01T00:00:00Z'), enrolledVia: 'STORE' },
    { customerId: few.id, enrolledAt: new Date('2020-01-01T00:00:00Z'), enrolledVia: 'APP' },
  ];
  const template = dataset.conversations[0];
  if (!template) throw new Error('dataset has no conversation');
  for (const customer of [many, few]) {
    dataset.conversations.push({
      ...template,
      id: `cnv_e2e_${customer.id}`,
      customerId: customer.id,
      status: 'OPEN',
      messages: template.messages.map((m, i) => ({ ...m, id: `msg_e2e_${customer.id}_${i}` })),
    });
    delete dataset.conversations[dataset.conversations.length - 1]?.orderId;
  }
}

describe('customer 360 through the gateway', () => {
  let estate: RunningEstate;
  let many: { id: string; phone: string };
  let few: { id: string; phone: string };

  beforeAll(async () => {
    let captured: DemoDataset | undefined;
    estate = await startEstate({
      databasePrefix: 'e2e360',
      // The event relays poll their outboxes on their own clock; the budget counts what the query costs.
      events: false,
      seed: {
        customers: 60,
        orders: 400,
        products: 40,
        prepare: (dataset) => {
          shapeDataset(dataset);
          captured = dataset;
        },
      },
    });
    const [a, b] = captured?.customers ?? [];
    many = { id: a?.id ?? '', phone: a?.phone ?? '' };
    few = { id: b?.id ?? '', phone: b?.phone ?? '' };
  }, 120_000);

  afterAll(async () => {
    await estate?.stop();
  });

  it('answers the POS 360 query for an AGENT in one response', async () => {
    const response = await execute<Customer360>(estate.url, CUSTOMER_360, { phone: many.phone, orders: 5 }, tokenFor('AGENT', 'agent-1'));
    expect(response.errors).toBeUndefined();
    const customer = response.data?.findCustomer;
    expect(customer?.id).toBe(many.id);
    expect(customer?.identities).toEqual(expect.arrayContaining([{ kind: 'PHONE', value: many.phone }]));
    expect(customer?.orders.totalCount).toBe(50);
    expect(customer?.orders.nodes).toHaveLength(5);
    const line = customer?.orders.nodes[0]?.lines[0];
    expect(line?.product.name).toEqual(expect.any(String));
    expect(line?.product.availability.length).toBeGreaterThan(0);
    expect(line?.product.availability[0]?.location.name).toEqual(expect.any(String));
    expect(customer?.orders.nodes[0]?.total.currency).toBe('MXN');
    expect(customer?.loyalty?.points).toEqual(expect.any(Number));
    expect(customer?.conversations.length).toBeGreaterThan(0);
  });

  it('finds the customer from any common way of typing the phone', async () => {
    const local = many.phone.replace(/^\+52/, '');
    const typed = `(${local.slice(0, 2)}) ${local.slice(2, 6)}-${local.slice(6)}`;
    const response = await execute<Customer360>(estate.url, CUSTOMER_360, { phone: typed, orders: 1 }, tokenFor('ASSOCIATE', 'associate-1', 'MX-CDMX-CENTRO'));
    expect(response.errors).toBeUndefined();
    expect(response.data?.findCustomer?.id).toBe(many.id);
  });

  it('lets a customer see themself', async () => {
    const response = await execute<Customer360>(estate.url, CUSTOMER_360, { phone: few.phone, orders: 5 }, tokenFor('CUSTOMER', few.id));
    expect(response.errors).toBeUndefined();
    expect(response.data?.findCustomer?.orders.totalCount).toBe(5);
  });

  it("refuses another customer's token with FORBIDDEN", async () => {
    const response = await execute<Customer360>(estate.url, CUSTOMER_360, { phone: many.phone, orders: 5 }, tokenFor('CUSTOMER', few.id));
    expect(errorCodes(response)).toContain('FORBIDDEN');
    expect(JSON.stringify(response.data ?? {})).not.toContain(many.phone);
  });

  it('refuses a request without a token with UNAUTHENTICATED', async () => {
    const response = await execute<Customer360>(estate.url, CUSTOMER_360, { phone: many.phone, orders: 5 });
    expect(errorCodes(response)).toContain('UNAUTHENTICATED');
    expect(response.data?.findCustomer ?? null).toBeNull();
  });

  it('refuses a forged token with 401 UNAUTHENTICATED', async () => {
    const forged = `${tokenFor('ADMIN').slice(0, -4)}abcd`;
    const response = await execute(estate.url, '{ products(first: 1) { totalCount } }', {}, forged);
    expect(response.status).toBe(401);
    expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
  });

  it('serves the catalogue without a token', async () => {
    const response = await execute<{ products: { nodes: { sku: string; name: string; price: { amount: string } }[] } }>(
      estate.url,
      '{ products(first: 3) { nodes { sku name price { amount } } } }',
    );
    expect(response.errors).toBeUndefined();
    expect(response.data?.products.nodes).toHaveLength(3);
    expect(response.data?.products.nodes[0]?.price.amount).toMatch(/^\d+\.\d{2}$/);
  });

  it('costs the same database round trips for 5 orders as for 50', async () => {
    const token = tokenFor('AGENT', 'agent-1');
    const measure = async (phone: string) => {
      const before = estate.commandCount();
      const response = await execute<Customer360>(estate.url, CUSTOMER_360, { phone, orders: 50 }, token);
      expect(response.errors).toBeUndefined();
      return { trips: estate.commandCount() - before, orders: response.data?.findCustomer?.orders.nodes.length };
    };
    await measure(few.phone); // warm-up: first-use costs (e.g. index checks) do not count
    const withFew = await measure(few.phone);
    const withMany = await measure(many.phone);
    expect(withFew.orders).toBe(5);
    expect(withMany.orders).toBe(50);
    expect(withMany.trips).toBe(withFew.trips);
    expect(withMany.trips).toBeLessThanOrEqual(15);
  });
});
