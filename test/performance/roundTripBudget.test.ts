/**
 * The query budget of the benchmark's read workloads, with the very documents the clients register
 * (`operations/`): W1 (POS: `FindCustomerByPhone` then `Customer360`) and W4 (call centre:
 * `CustomerTimeline`) cost the same number of database round trips, summed over the five subgraphs,
 * for a customer with 2 orders as for one with 200 — so the latency the benchmark reports at 1,000
 * orders or at a million does not grow with a customer's history. Both customers are shaped alike
 * otherwise (a loyalty member, one conversation, the same wishlist), so only the order count differs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DemoCustomer, DemoDataset } from '../../scripts/seed/demoDataset';
import { repositoryRoot } from '../../subgraphs/kit/src';
import { startEstate, type RunningEstate } from '../support/estate';
import { execute, tokenFor } from '../support/testkit';

const MANY = 200;
const FEW = 2;

/** A registered client operation, byte for byte. */
function operation(client: string, name: string): string {
  return readFileSync(join(repositoryRoot(), 'operations', client, `${name}.graphql`), 'utf8');
}

/** Gives the first customer exactly {@link MANY} orders and the second {@link FEW}; otherwise alike. */
function shapeDataset(dataset: DemoDataset): void {
  const [many, few, ...others] = dataset.customers;
  if (!many || !few || others.length === 0 || dataset.orders.length < MANY + FEW + 50) throw new Error('dataset too small');
  const shaped = new Set([many.id, few.id]);
  dataset.orders.forEach((order, index) => {
    if (index < MANY) order.customerId = many.id;
    else if (index < MANY + FEW) order.customerId = few.id;
    else if (shaped.has(order.customerId)) order.customerId = (others[index % others.length] as DemoCustomer).id;
  });
  const enrolledAt = new Date('2020-01-01T00:00:00Z');
  dataset.loyaltyMembers = [
    ...dataset.loyaltyMembers.filter((member) => !shaped.has(member.customerId)),
    { customerId: many.id, enrolledAt, enrolledVia: 'STORE' },
    { customerId: few.id, enrolledAt, enrolledVia: 'STORE' },
  ];
  const template = dataset.conversations[0];
  if (!template) throw new Error('dataset has no conversation');
  dataset.conversations = dataset.conversations.filter((conversation) => !shaped.has(conversation.customerId));
  for (const customer of [many, few]) {
    const { orderId: _orderId, ...general } = template;
    dataset.conversations.push({ ...general, id: `cnv_budget_${customer.id}`, customerId: customer.id, status: 'OPEN', messages: template.messages.map((m, i) => ({ ...m, id: `msg_budget_${customer.id}_${i}` })) });
  }
  const wishlist = [{ sku: (dataset.products[0] as { sku: string }).sku, addedAt: enrolledAt, addedVia: 'WEB' as const }];
  many.wishlist = wishlist;
  few.wishlist = wishlist.map((item) => ({ ...item }));
}

describe('database round trips per operation do not grow with the order count', () => {
  let estate: RunningEstate;
  let many: DemoCustomer;
  let few: DemoCustomer;

  beforeAll(async () => {
    let captured: DemoDataset | undefined;
    estate = await startEstate({
      databasePrefix: 'budget',
      // The event relays poll their outboxes on their own clock; the budget counts what the operations cost.
      events: false,
      seed: {
        customers: 40,
        orders: 600,
        products: 40,
        prepare: (dataset) => {
          shapeDataset(dataset);
          captured = dataset;
        },
      },
    });
    [many, few] = (captured?.customers ?? []) as [DemoCustomer, DemoCustomer];
  }, 120_000);

  afterAll(async () => {
    await estate?.stop();
  });

  /** Round trips of one operation, after a warm-up run (first-use costs do not count). */
  async function roundTrips(document: string, variables: Record<string, unknown>, token: string, check: (data: Record<string, unknown>) => void): Promise<number> {
    await execute(estate.url, document, variables, token);
    const before = estate.commandCount();
    const response = await execute(estate.url, document, variables, token);
    const trips = estate.commandCount() - before;
    expect(response.errors).toBeUndefined();
    check(response.data ?? {});
    return trips;
  }

  it(`W1 (FindCustomerByPhone + Customer360): ${FEW} orders cost what ${MANY} cost`, async () => {
    const associate = tokenFor('ASSOCIATE', 'associate-budget', 'MX-CDMX-CENTRO');
    const w1 = async (customer: DemoCustomer, orders: number) => {
      const find = await roundTrips(operation('pos', 'FindCustomerByPhone'), { phone: customer.phone }, associate, (data) => {
        expect((data.findCustomer as { id: string }).id).toBe(customer.id);
      });
      const view = await roundTrips(operation('pos', 'Customer360'), { customerId: customer.id }, associate, (data) => {
        const customer360 = data.customer as { orders: { totalCount: number; nodes: unknown[] }; purchaseSummary: { orderCount: number } };
        expect(customer360.orders.totalCount).toBe(orders);
        expect(customer360.orders.nodes).toHaveLength(Math.min(5, orders));
        expect(customer360.purchaseSummary.orderCount).toBe(orders);
      });
      return { find, view };
    };
    const withFew = await w1(few, FEW);
    const withMany = await w1(many, MANY);
    expect(withMany).toEqual(withFew);
    expect(withMany.find + withMany.view).toBeLessThanOrEqual(16);
  });

  it(`W4 (CustomerTimeline): ${FEW} orders cost what ${MANY} cost`, async () => {
    const agent = tokenFor('AGENT', 'agent-budget');
    const w4 = (customer: DemoCustomer, orders: number) =>
      roundTrips(operation('call-centre', 'CustomerTimeline'), { customerId: customer.id }, agent, (data) => {
        expect((data.customer as { orders: { nodes: unknown[] } }).orders.nodes).toHaveLength(Math.min(10, orders));
      });
    const withFew = await w4(few, FEW);
    const withMany = await w4(many, MANY);
    expect(withMany).toBe(withFew);
    expect(withMany).toBeLessThanOrEqual(10);
  });
});
