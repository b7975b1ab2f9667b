/**
 * W1 — the store till (POS): the associate types the customer's phone number (`FindCustomerByPhone`:
 * customers + loyalty), then opens the customer 360 (`Customer360`: profile, identities, wishlist with
 * product names and prices, the last five orders with products and stock in this store, purchase
 * summary, points, conversations — all five subgraphs). Customers are drawn round-robin from the seed.
 */
import { signToken } from '../../subgraphs/kit/src';
import { loadBenchOperation } from './benchOperation';
import { pathOf, roundRobin, type WorkloadFactory } from './workload';

const STORE_ID = 'MX-CDMX-CENTRO';

/** Builds W1. */
export const posWorkload: WorkloadFactory = ({ dataset, auth }) => {
  const token = signToken({ sub: 'bench-associate', role: 'ASSOCIATE', storeId: STORE_ID }, auth);
  const orderCount = new Map<string, number>();
  for (const order of dataset.orders) orderCount.set(order.customerId, (orderCount.get(order.customerId) ?? 0) + 1);
  const members = new Set(dataset.loyaltyMembers.map((member) => member.customerId));
  const nextCustomer = roundRobin(dataset.customers.filter((customer) => customer.phone));

  return {
    id: 'W1',
    title: 'POS: find by phone, then customer 360',
    steps: [
      {
        operation: loadBenchOperation('pos', 'FindCustomerByPhone'),
        prepare(state) {
          const customer = nextCustomer();
          state.customer = customer;
          return { variables: { phone: customer.phone }, token };
        },
        check(data, state) {
          const expected = state.customer as { id: string; displayName: string };
          const found = pathOf(data, 'findCustomer') as { id?: string; displayName?: string; loyalty?: unknown } | null | undefined;
          if (!found) return 'findCustomer is null';
          if (found.id !== expected.id || found.displayName !== expected.displayName) return `findCustomer gave ${found.id}, expected ${expected.id}`;
          if (members.has(expected.id) !== (found.loyalty !== null && found.loyalty !== undefined)) return `loyalty of ${expected.id} is wrong`;
          return undefined;
        },
      },
      {
        operation: loadBenchOperation('pos', 'Customer360'),
        prepare(state) {
          const customer = (state.customer as { id: string } | undefined) ?? nextCustomer();
          return { variables: { customerId: customer.id }, token };
        },
        check(data, state) {
          const expected = state.customer as { id: string; identities: unknown[] };
          const customer = pathOf(data, 'customer') as Record<string, unknown> | null | undefined;
          if (!customer || customer.id !== expected.id) return `customer ${expected.id} missing`;
          if (!Array.isArray(customer.identities) || customer.identities.length !== expected.identities.length) return 'identities are wrong';
          const seeded = orderCount.get(expected.id) ?? 0;
          const total = pathOf(customer, 'orders.totalCount');
          const nodes = pathOf(customer, 'orders.nodes');
          // W3 may have added orders since the seed, never removed any.
          if (typeof total !== 'number' || total < seeded) return `orders.totalCount ${String(total)} < ${seeded}`;
          if (!Array.isArray(nodes) || nodes.length !== Math.min(5, total)) return 'orders.nodes has the wrong length';
          for (const order of nodes as { lines?: { product?: { name?: unknown; availability?: unknown } }[] }[]) {
            for (const line of order.lines ?? []) {
              if (typeof line.product?.name !== 'string' || !Array.isArray(line.product.availability)) return 'an order line lacks its product or availability';
            }
          }
          if (typeof pathOf(customer, 'purchaseSummary.orderCount') !== 'number') return 'purchaseSummary missing';
          if (members.has(expected.id) !== (customer.loyalty !== null)) return 'loyalty is wrong';
          if (!Array.isArray(customer.conversations)) return 'conversations missing';
          return undefined;
        },
      },
    ],
  };
};
