/**
 * Who may do what with orders (DESIGN.md "Who may do what"), at the root fields AND through
 * `_entities`, since a subgraph is never trusted to be called only by the gateway: a customer sees and
 * acts on their own orders only, staff on any, analysts see KPIs and nothing personal, and a request
 * without a token that needs one is UNAUTHENTICATED.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { errorCodes, execute, tokenFor } from '../support/testkit';
import { CENTRO, GUAYABERA, demoOrder, newKey, placeOrder, startOrdersTestEstate, transition, type OrdersTestEstate } from './ordersTestEstate';

let estate: OrdersTestEstate;
let url: string;

const ANA = 'cus_auth_ana';
const BETO = 'cus_auth_beto';
const ana = tokenFor('CUSTOMER', ANA);
const beto = tokenFor('CUSTOMER', BETO);

beforeAll(async () => {
  // No inventory: every refusal here happens before orders would call it.
  estate = await startOrdersTestEstate('auth', {
    inventory: false,
    orders: [
      demoOrder({ id: 'ord_auth_ana_1', number: 'ZC-200001', customerId: ANA, placedAt: '2026-10-01T10:00:00Z', status: 'PLACED', method: 'PICKUP_IN_STORE', locationId: CENTRO }),
      demoOrder({ id: 'ord_auth_ana_2', number: 'ZC-200002', customerId: ANA, placedAt: '2026-10-02T10:00:00Z' }),
      demoOrder({ id: 'ord_auth_beto_1', number: 'ZC-200003', customerId: BETO, placedAt: '2026-10-03T10:00:00Z' }),
    ],
  });
  url = estate.orders.url;
});

afterAll(async () => {
  await estate?.stop();
});

const ORDER = `query Order($id: ID!) { order(id: $id) { id number customer { id } } }`;
const BY_NUMBER = `query ByNumber($number: String!) { orderByNumber(number: $number) { id } }`;
const CUSTOMER_FIELDS = `query Customer($id: ID!) { _entities(representations: [{ __typename: "Customer", id: $id }]) {
  ... on Customer { orders(first: 5) { totalCount nodes { id } } purchaseSummary { orderCount } } } }`;
const ORDER_REFERENCE = `query OrderReference($id: ID!) { _entities(representations: [{ __typename: "Order", id: $id }]) { ... on Order { id status } } }`;
const KPIS = `{ salesKpis(from: "2026-01-01T00:00:00Z", to: "2027-01-01T00:00:00Z") { byChannel { channel orders } crossChannelCustomerShare } }`;
const ADD_TO_CART = `mutation { addToCart(customerId: "${BETO}", sku: "${GUAYABERA}", quantity: 1, channel: WEB) { id } }`;
const RETURN = `mutation { requestReturn(input: { orderId: "ord_auth_beto_1", channel: WEB, locationId: "${CENTRO}", lines: [{ sku: "${GUAYABERA}", quantity: 1 }] }) { id } }`;

describe('without a token', () => {
  it('orders, customers’ order lists, carts and KPIs are UNAUTHENTICATED', async () => {
    const responses = await Promise.all([
      execute(url, ORDER, { id: 'ord_auth_ana_1' }),
      execute(url, CUSTOMER_FIELDS, { id: ANA }),
      execute(url, ORDER_REFERENCE, { id: 'ord_auth_ana_1' }),
      execute(url, KPIS),
      execute(url, ADD_TO_CART),
      placeOrder(url, { customerId: ANA, channel: 'WEB', lines: [{ sku: GUAYABERA, quantity: 1 }], fulfillment: { method: 'SHIP_TO_HOME' }, idempotencyKey: newKey('anon') }, ''),
    ]);
    for (const response of responses) expect(errorCodes(response)).toContain('UNAUTHENTICATED');
  });
});

describe('a customer', () => {
  it('reads their own orders, by id, by number and through _entities', async () => {
    const byId = await execute<{ order: { id: string; customer: { id: string } } }>(url, ORDER, { id: 'ord_auth_ana_1' }, ana);
    const byNumber = await execute<{ orderByNumber: { id: string } }>(url, BY_NUMBER, { number: 'zc-200002' }, ana);
    const list = await execute<{ _entities: { orders: { totalCount: number; nodes: { id: string }[] }; purchaseSummary: { orderCount: number } }[] }>(url, CUSTOMER_FIELDS, { id: ANA }, ana);

    expect(byId.data?.order).toEqual({ id: 'ord_auth_ana_1', number: 'ZC-200001', customer: { id: ANA } });
    expect(byNumber.data?.orderByNumber).toEqual({ id: 'ord_auth_ana_2' });
    expect(list.data?._entities[0]?.orders.nodes.map((order) => order.id)).toEqual(['ord_auth_ana_2', 'ord_auth_ana_1']);
    expect(list.data?._entities[0]?.purchaseSummary.orderCount).toBe(2);
  });

  it('is FORBIDDEN everything of another customer, including through _entities', async () => {
    const responses = await Promise.all([
      execute(url, ORDER, { id: 'ord_auth_beto_1' }, ana),
      execute(url, ORDER, { id: 'ord_auth_ana_1' }, beto),
      execute(url, BY_NUMBER, { number: 'ZC-200003' }, ana),
      execute(url, CUSTOMER_FIELDS, { id: BETO }, ana),
      execute(url, ORDER_REFERENCE, { id: 'ord_auth_beto_1' }, ana),
      execute(url, ADD_TO_CART, {}, ana),
      execute(url, RETURN, {}, ana),
      transition(url, 'cancelOrder', 'ord_auth_beto_1', ana),
      placeOrder(url, { customerId: BETO, channel: 'WEB', lines: [{ sku: GUAYABERA, quantity: 1 }], fulfillment: { method: 'SHIP_TO_HOME' }, idempotencyKey: newKey('other') }, ana),
    ]);
    for (const response of responses) expect(errorCodes(response)).toContain('FORBIDDEN');
    expect(await estate.orders.store.collection('orders').countDocuments({ customerId: BETO })).toBe(1);
  });

  it('may not run fulfilment steps on their own order, nor read KPIs', async () => {
    const ready = await transition(url, 'markReadyForPickup', 'ord_auth_ana_1', ana);
    const kpis = await execute(url, KPIS, {}, ana);
    expect(errorCodes(ready)).toEqual(['FORBIDDEN']);
    expect(errorCodes(kpis)).toEqual(['FORBIDDEN']);
  });
});

describe('staff and analysts', () => {
  it('associates and agents read any customer’s orders', async () => {
    const agent = await execute<{ order: { id: string } }>(url, ORDER, { id: 'ord_auth_beto_1' }, tokenFor('AGENT'));
    const associate = await execute<{ _entities: { orders: { totalCount: number } }[] }>(url, CUSTOMER_FIELDS, { id: BETO }, tokenFor('ASSOCIATE', 'assoc-1', CENTRO));
    expect(agent.data?.order.id).toBe('ord_auth_beto_1');
    expect(associate.data?._entities[0]?.orders.totalCount).toBe(1);
  });

  it('an analyst gets KPIs and no personal data; other staff get no KPIs', async () => {
    const analyst = tokenFor('ANALYST');
    const kpis = await execute<{ salesKpis: { byChannel: { channel: string; orders: number }[] } }>(url, KPIS, {}, analyst);
    const order = await execute(url, ORDER, { id: 'ord_auth_ana_1' }, analyst);
    const list = await execute(url, CUSTOMER_FIELDS, { id: ANA }, analyst);
    const agentKpis = await execute(url, KPIS, {}, tokenFor('AGENT'));
    const adminKpis = await execute(url, KPIS, {}, tokenFor('ADMIN'));

    expect(kpis.errors).toBeUndefined();
    expect(kpis.data?.salesKpis.byChannel).toEqual([{ channel: 'WEB', orders: 3 }]);
    expect(errorCodes(order)).toEqual(['FORBIDDEN']);
    expect(errorCodes(list)).toContain('FORBIDDEN');
    expect(errorCodes(agentKpis)).toEqual(['FORBIDDEN']);
    expect(adminKpis.errors).toBeUndefined();
  });

  it('ids and cursors from clients are validated, never used as filters as they are', async () => {
    const badId = await execute(url, ORDER, { id: '{"$ne":null}' }, tokenFor('AGENT'));
    const badCursor = await execute(url, `{ _entities(representations: [{ __typename: "Customer", id: "${ANA}" }]) { ... on Customer { orders(after: "bm90LWEtY3Vyc29y") { totalCount } } } }`, {}, ana);
    const tooMany = await execute(url, `{ _entities(representations: [{ __typename: "Customer", id: "${ANA}" }]) { ... on Customer { orders(first: 101) { totalCount } } } }`, {}, ana);
    const objectId = await execute<{ _entities: unknown[] }>(
      url,
      `query Injection($representations: [_Any!]!) { _entities(representations: $representations) { ... on Customer { orders { totalCount } } } }`,
      { representations: [{ __typename: 'Customer', id: { $ne: null } }] },
      tokenFor('AGENT'),
    );
    expect(objectId.data?._entities).toEqual([null]);
    expect(errorCodes(badId)).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(badCursor)).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(tooMany)).toEqual(['BAD_USER_INPUT']);
  });
});
