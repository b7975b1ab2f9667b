/**
 * `npm run bench:federation`'s ground: the four subgraphs of the public federation benchmark's shape
 * (bench/federation/federationSubgraphs.ts) compose, and Zócalo's gateway answers the benchmark's
 * nested `TestQuery` over real HTTP with what the data says — entities joined across all four
 * subgraphs, `shippingEstimate` through `@requires` — and, under concurrency, identical subgraph fetches
 * are sent once (the fetch sharing the benchmark's figures rest on) without changing any answer.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  composeFederationBenchmark,
  createFederationSubgraphServer,
  FEDERATION_DATA,
  FEDERATION_SUBGRAPHS,
  FEDERATION_TEST_QUERY,
  type FederationSubgraphName,
} from '../../bench/federation/federationSubgraphs';
import { startSupergraphGateway, type SupergraphGateway } from '../support/supergraphGateway';
import { execute } from '../support/testkit';

interface User {
  id: string;
  username: string;
  name: string;
  reviews: Review[];
}
interface Review {
  id: string;
  body: string;
  product?: Product;
  author?: User;
}
interface Product {
  upc: string;
  name: string;
  price: number;
  weight: number;
  inStock: boolean;
  shippingEstimate: number;
  reviews?: Review[];
}

const { users, products, reviews, inStock } = FEDERATION_DATA;

/** What the data says product `upc` is, with the fields of the query's `Product` fragment. */
function productOf(upc: string): Omit<Product, 'reviews'> {
  const product = products.find((p) => p.upc === upc);
  if (!product) throw new Error(`no product ${upc}`);
  return { inStock: inStock.has(upc), name: product.name, price: product.price, shippingEstimate: product.price > 1000 ? 0 : Math.round(product.weight / 2), upc, weight: product.weight };
}

describe('the federation benchmark through Zócalo\'s gateway', () => {
  const servers: Server[] = [];
  const counters: (() => number)[] = [];
  let gateway: SupergraphGateway;
  let url: string;

  beforeAll(async () => {
    const urls = {} as Record<FederationSubgraphName, string>;
    for (const name of FEDERATION_SUBGRAPHS) {
      const { server, requests } = createFederationSubgraphServer(name);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      servers.push(server);
      counters.push(requests);
      urls[name] = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
    }
    gateway = await startSupergraphGateway(composeFederationBenchmark(urls));
    url = gateway.url;
  }, 60_000);

  afterAll(async () => {
    await gateway?.stop();
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  });

  it('answers TestQuery with every entity joined across the four subgraphs', async () => {
    const response = await execute(url, FEDERATION_TEST_QUERY);
    expect(response.errors).toBeUndefined();
    const data = response.data as { users: User[]; topProducts: Product[] };
    expect(data.users.map((user) => user.id)).toEqual(users.map((user) => user.id));
    for (const user of data.users) {
      const source = users.find((u) => u.id === user.id);
      expect(user.name).toBe(source?.name);
      expect(user.username).toBe(source?.username);
      expect(user.reviews.map((review) => review.id)).toEqual(reviews.filter((review) => review.authorId === user.id).map((review) => review.id));
      for (const review of user.reviews) {
        const source = reviews.find((r) => r.id === review.id);
        expect(review.body).toBe(source?.body);
        const { reviews: productReviews, ...product } = review.product as Product;
        expect(product).toEqual(productOf(source?.upc as string));
        // Two levels further down: each product's reviews' authors' reviews' products.
        for (const nested of productReviews ?? []) {
          const author = nested.author as User;
          expect(author.id).toBe(reviews.find((r) => r.id === nested.id)?.authorId);
          for (const authored of author.reviews) expect(authored.product).toEqual(productOf(reviews.find((r) => r.id === authored.id)?.upc as string));
        }
      }
    }
    expect(data.topProducts.map((product) => product.upc)).toEqual(products.slice(0, FEDERATION_DATA.topProductsDefault).map((product) => product.upc));
    for (const { reviews: productReviews, ...product } of data.topProducts) {
      expect(product).toEqual(productOf(product.upc));
      expect(productReviews?.map((review) => review.id)).toEqual(reviews.filter((review) => review.upc === product.upc).map((review) => review.id));
    }
  });

  it('sends identical concurrent subgraph fetches once, and every caller gets the same answer', async () => {
    const sent = () => counters.reduce((sum, count) => sum + count(), 0);
    const before = sent();
    await execute(url, FEDERATION_TEST_QUERY);
    const fetchesPerQuery = sent() - before;
    expect(fetchesPerQuery).toBeGreaterThanOrEqual(4);

    const concurrent = 20;
    const start = sent();
    const answers = await Promise.all(Array.from({ length: concurrent }, () => execute(url, FEDERATION_TEST_QUERY)));
    const fetched = sent() - start;
    for (const answer of answers) {
      expect(answer.errors).toBeUndefined();
      expect(answer.data).toEqual(answers[0]?.data);
    }
    // Without sharing, 20 × fetchesPerQuery; the queries overlap, so far fewer go out.
    expect(fetched).toBeLessThan(concurrent * fetchesPerQuery);
  });
});
