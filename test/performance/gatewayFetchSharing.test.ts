/**
 * Fetch sharing in the gateway itself, end to end: the real gateway in front of the real inventory
 * subgraph, with an HTTP relay in between that records every fetch reaching the subgraph and holds it
 * for a moment (so concurrent requests overlap as they do under load). Identical concurrent queries
 * with one token make one subgraph fetch; different tokens, anonymous callers and mutations are never
 * shared. With the public answer cache on: anonymous answers are reused, a stock change through the
 * gateway is visible at once (invalidation), one made behind its back once the TTL has passed, and
 * authenticated reads never come from the cache.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readGatewayConfig } from '../../gateway/src/config';
import { buildGateway, type GatewayServer } from '../../gateway/src/server';
import { createLogger } from '../../subgraphs/kit/src';
import { CENTRO, POLANCO, startInventory, testDataset, testProduct, type InventoryUnderTest } from '../inventory/inventoryTestkit';
import { execute, testAuth, tokenFor } from '../support/testkit';

/** What reached the subgraph. */
interface RelayedFetch {
  authorization: string | null;
  body: string;
}

/** An HTTP relay to the subgraph that records each fetch and holds it `holdMs` first. */
interface Relay {
  url: string;
  fetches: RelayedFetch[];
  close(): Promise<void>;
}

async function startRelay(target: string, holdMs: number): Promise<Relay> {
  const fetches: RelayedFetch[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      const authorization = request.headers.authorization ?? null;
      if (request.method === 'POST') fetches.push({ authorization, body });
      setTimeout(() => {
        fetch(target, {
          method: request.method ?? 'POST',
          headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
          ...(request.method === 'POST' ? { body } : {}),
        })
          .then(async (answer) => {
            const text = await answer.text();
            response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
            response.end(text);
          })
          .catch(() => {
            response.writeHead(502);
            response.end();
          });
      }, request.method === 'POST' ? holdMs : 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    fetches,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const SKU = 'ZC-TEST-0001';
const STOCK = /* GraphQL */ `
  query Stock($sku: ID!, $locationId: ID!) {
    product(sku: $sku) { sku name availability(locationId: $locationId) { onHand available } }
  }
`;
const ADJUST = /* GraphQL */ `
  mutation Adjust($sku: ID!, $locationId: ID!, $delta: Int!) {
    adjustStock(locationId: $locationId, sku: $sku, delta: $delta, reason: "Conteo físico") { onHand available }
  }
`;

interface StockAnswer {
  product: { sku: string; name: string; availability: { onHand: number; available: number }[] } | null;
}

const onHandOf = (answer: { data?: StockAnswer | null }) => answer.data?.product?.availability[0]?.onHand;

let inventory: InventoryUnderTest;
let relay: Relay;
const gateways: GatewayServer[] = [];

async function startGateway(env: NodeJS.ProcessEnv = {}): Promise<string> {
  const config = { ...readGatewayConfig({ PORT: '0', INVENTORY_URL: relay.url, ...env }), auth: testAuth };
  const gateway = buildGateway({ config, logger: createLogger('gateway', 'silent') });
  gateways.push(gateway);
  return gateway.start();
}

beforeAll(async () => {
  inventory = await startInventory(
    'inventory_fetch_sharing_test',
    testDataset([testProduct(SKU, 'Café de altura de prueba')], [
      { sku: SKU, locationId: CENTRO, onHand: 10, reserved: 0 },
      { sku: SKU, locationId: POLANCO, onHand: 20, reserved: 0 },
    ]),
  );
  relay = await startRelay(inventory.url, 300);
}, 120_000);

afterAll(async () => {
  for (const gateway of gateways) await gateway.stop();
  await relay?.close();
  await inventory?.stop();
});

describe('in-flight de-duplication (on by default)', () => {
  let url: string;

  beforeAll(async () => {
    // STOCK reads only @public fields: with public fetch sharing (on by default) it would be sent
    // without any token — test/performance/publicEntities.test.ts covers that; here, the token-keyed sharing.
    url = await startGateway({ PUBLIC_FETCH_SHARING: 'false' });
    // Plans the query once, so the concurrent requests below reach their fetch within the relay's hold.
    await execute(url, STOCK, { sku: SKU, locationId: CENTRO });
  });

  it('sends identical concurrent queries with one token to the subgraph once, and answers each in full', async () => {
    const token = tokenFor('CUSTOMER', 'cus_sharing_1');
    relay.fetches.length = 0;
    const answers = await Promise.all(Array.from({ length: 8 }, () => execute<StockAnswer>(url, STOCK, { sku: SKU, locationId: CENTRO }, token)));
    for (const answer of answers) {
      expect(answer.errors).toBeUndefined();
      expect(answer.data?.product).toEqual({ sku: SKU, name: 'Café de altura de prueba', availability: [{ onHand: 10, available: 10 }] });
    }
    expect(relay.fetches).toHaveLength(1);
    expect(relay.fetches[0]?.authorization).toBe(`Bearer ${token}`);
    const metrics = await (await fetch(url.replace(/\/graphql$/, '/metrics'))).text();
    expect(Number(/zocalo_gateway_subgraph_fetch_sharing_total\{result="joined"\} (\d+)/.exec(metrics)?.[1])).toBeGreaterThanOrEqual(7);
  });

  it('never shares a fetch between different tokens or with an anonymous caller', async () => {
    const first = tokenFor('CUSTOMER', 'cus_sharing_1');
    const second = tokenFor('CUSTOMER', 'cus_sharing_2');
    relay.fetches.length = 0;
    const callers = [first, first, second, second, undefined, undefined];
    const answers = await Promise.all(callers.map((token) => execute<StockAnswer>(url, STOCK, { sku: SKU, locationId: CENTRO }, token)));
    for (const answer of answers) expect(onHandOf(answer)).toBe(10);
    expect(relay.fetches.map((f) => f.authorization).sort()).toEqual([`Bearer ${first}`, `Bearer ${second}`, null].sort());
  });

  it('sends every mutation, even two identical ones at once', async () => {
    const associate = tokenFor('ASSOCIATE', 'associate-sharing', CENTRO);
    relay.fetches.length = 0;
    const answers = await Promise.all([1, 2].map(() => execute(url, ADJUST, { sku: SKU, locationId: CENTRO, delta: 1 }, associate)));
    for (const answer of answers) expect(answer.errors).toBeUndefined();
    expect(relay.fetches).toHaveLength(2);
    expect(await inventory.stockDocument(SKU, CENTRO)).toMatchObject({ onHand: 12 });
  });
});

describe('public answer cache (PUBLIC_FETCH_CACHE_TTL_MS)', () => {
  const TTL_MS = 3000;
  let url: string;

  beforeAll(async () => {
    url = await startGateway({ PUBLIC_FETCH_CACHE_TTL_MS: String(TTL_MS), PUBLIC_FETCH_SHARING: 'false' });
  });

  const anonymousOnHand = async (locationId = POLANCO) => onHandOf(await execute<StockAnswer>(url, STOCK, { sku: SKU, locationId }));

  it('answers anonymous reads from the cache, authenticated ones never', async () => {
    const start = await anonymousOnHand();
    relay.fetches.length = 0;
    expect(await anonymousOnHand()).toBe(start);
    expect(relay.fetches).toHaveLength(0);
    const token = tokenFor('CUSTOMER', 'cus_sharing_1');
    await execute<StockAnswer>(url, STOCK, { sku: SKU, locationId: POLANCO }, token);
    await execute<StockAnswer>(url, STOCK, { sku: SKU, locationId: POLANCO }, token);
    expect(relay.fetches).toHaveLength(2);
  });

  it('shows a stock change made through the gateway at once', async () => {
    const before = (await anonymousOnHand()) ?? 0;
    const adjusted = await execute(url, ADJUST, { sku: SKU, locationId: POLANCO, delta: -3 }, tokenFor('ADMIN', 'admin-sharing'));
    expect(adjusted.errors).toBeUndefined();
    expect(await anonymousOnHand()).toBe(before - 3);
  });

  it('shows a stock change made behind its back once the TTL has passed', async () => {
    // A key nothing cached yet: the answer is stored between these two instants.
    const requestedAt = Date.now();
    const before = (await anonymousOnHand(CENTRO)) ?? 0;
    const answeredAt = Date.now();
    // Straight in the database: what another gateway replica, the reservation sweep or an event handler does.
    await inventory.subgraph.store.collection<{ _id: string; onHand: number }>('stock').updateOne({ _id: `${SKU}@${CENTRO}` }, { $inc: { onHand: 5 } });
    const stale = await anonymousOnHand(CENTRO);
    if (Date.now() - requestedAt < TTL_MS) expect(stale).toBe(before);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, answeredAt + TTL_MS + 100 - Date.now())));
    expect(await anonymousOnHand(CENTRO)).toBe(before + 5);
  });
});
