/**
 * W3 — web checkout, as the customer (`CUSTOMER` token): `AddToCart`, then `Checkout` (placeOrder,
 * home delivery from the Tepotzotlán warehouse) with a fresh idempotency key each time, so every cycle
 * places a real order: reservation in inventory, order and outbox event in orders, then the
 * `OrderPlaced` deliveries (points, confirmation) in the background. Each customer always buys the same
 * active product, so carts stay under their line limit. The harness tops the warehouse stock up first
 * (`benchEstate.ts`), so OUT_OF_STOCK would be a real error.
 */
import { signToken } from '../../subgraphs/kit/src';
import { loadBenchOperation } from './benchOperation';
import { pathOf, roundRobin, type WorkloadFactory } from './workload';

/** The warehouse W3 ships from. */
export const CHECKOUT_WAREHOUSE_ID = 'MX-WH-TEPOTZOTLAN';

/** Builds W3. */
export const checkoutWorkload: WorkloadFactory = ({ dataset, auth, runId }) => {
  const active = dataset.products.filter((product) => product.active);
  const buyers = dataset.customers.map((customer, index) => ({ id: customer.id, sku: (active[index % active.length] as { sku: string }).sku }));
  const nextBuyer = roundRobin(buyers);
  const tokens = new Map<string, string>();
  const tokenOf = (customerId: string) => {
    let token = tokens.get(customerId);
    if (!token) {
      token = signToken({ sub: customerId, role: 'CUSTOMER' }, auth);
      tokens.set(customerId, token);
    }
    return token;
  };
  let sequence = 0;

  return {
    id: 'W3',
    title: 'checkout: addToCart, then placeOrder',
    steps: [
      {
        operation: loadBenchOperation('web', 'AddToCart'),
        prepare(state) {
          const buyer = nextBuyer();
          state.buyer = buyer;
          return { variables: { customerId: buyer.id, sku: buyer.sku, quantity: 1 }, token: tokenOf(buyer.id) };
        },
        check(data, state) {
          const { sku } = state.buyer as { sku: string };
          const lines = pathOf(data, 'addToCart.lines');
          if (!Array.isArray(lines) || !lines.some((line: { product?: { sku?: string } }) => line.product?.sku === sku)) return `the cart lacks ${sku}`;
          if (typeof pathOf(data, 'addToCart.total.amount') !== 'string') return 'the cart has no total';
          return undefined;
        },
      },
      {
        operation: loadBenchOperation('web', 'Checkout'),
        prepare(state) {
          const buyer = (state.buyer as { id: string; sku: string } | undefined) ?? nextBuyer();
          state.buyer = buyer;
          sequence += 1;
          return {
            variables: {
              input: {
                customerId: buyer.id,
                channel: 'WEB',
                lines: [{ sku: buyer.sku, quantity: 1 }],
                fulfillment: { method: 'SHIP_TO_HOME', locationId: CHECKOUT_WAREHOUSE_ID },
                idempotencyKey: `bench-${runId}-${sequence}`,
              },
            },
            token: tokenOf(buyer.id),
          };
        },
        check(data) {
          const order = pathOf(data, 'placeOrder') as { id?: unknown; status?: unknown; lines?: { quantity?: unknown }[] } | null | undefined;
          if (!order || typeof order.id !== 'string') return 'placeOrder gave no order';
          if (order.status !== 'PLACED') return `the order is ${String(order.status)}`;
          if (order.lines?.[0]?.quantity !== 1) return 'the order line is wrong';
          return undefined;
        },
      },
    ],
  };
};
