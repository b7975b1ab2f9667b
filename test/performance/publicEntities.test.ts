/**
 * Public fetches of authenticated callers (gateway/src/performance/publicFetches.ts), end to end on
 * the whole estate: the POS customer 360 asks inventory for the products of a customer's orders and
 * wishlist with their stock in the store — `@public` fields only — so the gateway sends those
 * `_entities` fetches without the associate's token and keeps each product's answer in the public
 * answer cache, entity by entity. Checked against a reference gateway with all sharing off on the same
 * subgraphs: the same answers, byte for byte; products asked again come from the cache; the
 * customer's own data is never shared (another customer is still refused); a stock change through the
 * gateway is visible at once although the TTL is a minute.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PublicFetchClassifier } from '../../gateway/src/performance/publicFetches';
import type { GatewayServer } from '../../gateway/src/server';
import type { DemoDataset } from '../../scripts/seed/demoDataset';
import { repositoryRoot } from '../../subgraphs/kit/src';
import { startEstate, type RunningEstate } from '../support/estate';
import { errorCodes, execute, tokenFor } from '../support/testkit';

const root = repositoryRoot();
const CUSTOMER_360 = readFileSync(join(root, 'operations', 'pos', 'Customer360.graphql'), 'utf8');
const STORE = 'MX-CDMX-CENTRO';

interface Customer360Answer {
  customer: { id: string; orders: { nodes: { lines: { product: { sku: string; availability: { available: number }[] } | null }[] }[] } } | null;
}

const entityCounter = (metrics: string, result: 'cached' | 'sent') => Number(new RegExp(`zocalo_gateway_public_entities_total\\{result="${result}"\\} (\\d+)`).exec(metrics)?.[1] ?? 'NaN');

describe('the classifier, on the real supergraph', () => {
  const classifier = PublicFetchClassifier.fromSupergraph(readFileSync(join(root, 'schema', 'supergraph.graphql'), 'utf8'));

  it('calls public an _entities fetch of products with their stock and locations, and a catalogue query', () => {
    expect(classifier.isPublic('query($representations:[_Any!]!){_entities(representations:$representations){...on Product{__typename sku name price{amount currency} availability(locationId:"MX-CDMX-CENTRO"){location{name} available}}}}')).toBe(true);
    expect(classifier.isPublic('query { products(first: 5) { nodes { sku name } totalCount pageInfo { hasNextPage } } }')).toBe(true);
  });

  it('calls private anything that reaches a customer, a staff-only field, a mutation or an unknown field', () => {
    expect(classifier.isPublic('query($representations:[_Any!]!){_entities(representations:$representations){...on Customer{loyalty{points}}}}')).toBe(false);
    expect(classifier.isPublic('query($representations:[_Any!]!){_entities(representations:$representations){...on Product{sku} ...on Customer{id}}}')).toBe(false);
    expect(classifier.isPublic('query { stockAdjustments(locationId: "MX-CDMX-CENTRO") { __typename } }')).toBe(false);
    expect(classifier.isPublic('query { customer(id: "cus_000001") { id } }')).toBe(false);
    expect(classifier.isPublic('mutation { adjustStock(locationId: "x", sku: "y", delta: 1, reason: "z") { onHand } }')).toBe(false);
    expect(classifier.isPublic('query { product(sku: "x") { sku secretField } }')).toBe(false);
    expect(classifier.isPublic('query { product(sku: "x") { ...Missing } }')).toBe(false);
    expect(classifier.isPublic('not graphql')).toBe(false);
  });

  it('calls nothing public in a supergraph that does not link Zócalo\'s authorization spec', () => {
    const foreign = PublicFetchClassifier.fromSupergraph('directive @public on OBJECT\ntype Query { a: Int }');
    expect(foreign.isPublic('query { a }')).toBe(false);
  });
});

describe('public fetches through the gateway (PUBLIC_FETCH_SHARING, on by default)', () => {
  let estate: RunningEstate;
  let reference: GatewayServer;
  let referenceUrl: string;
  let customers: string[] = [];
  const associate = tokenFor('ASSOCIATE', 'associate-public-fetches', STORE);

  beforeAll(async () => {
    let captured: DemoDataset | undefined;
    estate = await startEstate({
      databasePrefix: 'publicentities',
      events: false,
      // A TTL far longer than the test: only the invalidation can make a stock change visible.
      gatewayEnv: { PUBLIC_FETCH_CACHE_TTL_MS: '60000' },
      seed: {
        customers: 12,
        orders: 120,
        products: 15,
        prepare: (dataset) => {
          captured = dataset;
        },
      },
    });
    customers = (captured?.customers ?? []).slice(0, 8).map((customer) => customer.id);
    reference = estate.buildGateway({ FETCH_DEDUPLICATION: 'false', PUBLIC_FETCH_SHARING: 'false', PUBLIC_FETCH_CACHE_TTL_MS: '0' });
    referenceUrl = await reference.start();
  }, 120_000);

  afterAll(async () => {
    await reference?.stop();
    await estate?.stop();
  });

  const metrics = async () => (await fetch(estate.url.replace(/\/graphql$/, '/metrics'))).text();

  it('answers the customer 360 exactly as a gateway without any sharing, and serves repeated products from the cache', async () => {
    const before = await metrics();
    for (const customerId of customers) {
      const shared = await execute<Customer360Answer>(estate.url, CUSTOMER_360, { customerId }, associate);
      const plain = await execute<Customer360Answer>(referenceUrl, CUSTOMER_360, { customerId }, associate);
      expect(shared.errors).toBeUndefined();
      expect(shared.data?.customer?.id).toBe(customerId);
      expect(JSON.stringify(shared)).toBe(JSON.stringify(plain));
    }
    // Asked again: every product is known now.
    const again = await execute<Customer360Answer>(estate.url, CUSTOMER_360, { customerId: customers[0] }, associate);
    expect(JSON.stringify(again)).toBe(JSON.stringify(await execute(referenceUrl, CUSTOMER_360, { customerId: customers[0] }, associate)));
    const after = await metrics();
    // 15 products over 8 customers' orders and wishlists: most are asked more than once.
    expect(entityCounter(after, 'cached') - entityCounter(before, 'cached')).toBeGreaterThan(0);
    expect(entityCounter(after, 'sent') - entityCounter(before, 'sent')).toBeGreaterThan(0);
    expect(entityCounter(after, 'sent') - entityCounter(before, 'sent')).toBeLessThanOrEqual(2 * 15);
  });

  it('answers a signed-in shopper\'s catalogue page from the same cache as an anonymous shopper\'s', async () => {
    const page = 'query Page($first: Int!) { products(first: $first) { nodes { sku name price { amount } availability(locationId: "MX-CDMX-CENTRO") { available } } } }';
    const cachedCount = async () => Number(/zocalo_gateway_subgraph_fetch_sharing_total\{result="cached"\} (\d+)/.exec(await metrics())?.[1]);
    const anonymous = await execute(estate.url, page, { first: 7 });
    const before = await cachedCount();
    const signedIn = await execute(estate.url, page, { first: 7 }, tokenFor('CUSTOMER', customers[1]));
    const staff = await execute(estate.url, page, { first: 7 }, associate);
    expect(anonymous.errors).toBeUndefined();
    expect(signedIn).toEqual(anonymous);
    expect(staff).toEqual(anonymous);
    expect((await cachedCount()) - before).toBe(2);
  });

  it('never shares what is personal: another customer is still refused, the owner still served', async () => {
    const [owner, other] = customers;
    const mine = await execute<Customer360Answer>(estate.url, CUSTOMER_360, { customerId: owner }, tokenFor('CUSTOMER', owner));
    expect(mine.errors).toBeUndefined();
    expect(mine.data?.customer?.id).toBe(owner);
    const refused = await execute<Customer360Answer>(estate.url, CUSTOMER_360, { customerId: owner }, tokenFor('CUSTOMER', other));
    expect(errorCodes(refused)).toContain('FORBIDDEN');
    expect(refused.data?.customer ?? null).toBeNull();
  });

  it('shows a stock change made through the gateway at once, although the TTL is a minute', async () => {
    const customerId = customers.find(() => true) as string;
    const first = await execute<Customer360Answer>(estate.url, CUSTOMER_360, { customerId }, associate);
    const line = first.data?.customer?.orders.nodes.flatMap((order) => order.lines).find((candidate) => (candidate.product?.availability.length ?? 0) > 0);
    const sku = line?.product?.sku as string;
    const available = line?.product?.availability[0]?.available as number;
    expect(sku).toBeDefined();
    const adjusted = await execute(estate.url, 'mutation($sku: ID!) { adjustStock(locationId: "MX-CDMX-CENTRO", sku: $sku, delta: 7, reason: "Conteo físico") { available } }', { sku }, tokenFor('ADMIN', 'admin-public-fetches'));
    expect(adjusted.errors).toBeUndefined();
    const second = await execute<Customer360Answer>(estate.url, CUSTOMER_360, { customerId }, associate);
    const after = second.data?.customer?.orders.nodes.flatMap((order) => order.lines).find((candidate) => candidate.product?.sku === sku);
    expect(after?.product?.availability[0]?.available).toBe(available + 7);
  });
});
