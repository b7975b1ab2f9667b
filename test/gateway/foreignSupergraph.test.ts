/**
 * The gateway is a federation gateway, not only Zócalo's: pointed at any valid supergraph
 * (`SUPERGRAPH_PATH`), it plans and executes across that supergraph's subgraphs with its own
 * features on (limits, error masking, resilience) — which is how outside federation audits
 * (e.g. graphql-hive/federation-gateway-audit) run a gateway. Two small subgraphs that are not ours:
 * `products` owns Product by key, `reviews` extends it with a field that @requires a products field,
 * plus an interface and a subgraph error, over real HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { composeServices } from '@apollo/composition';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { startSupergraphGateway, type SupergraphGateway } from '../support/supergraphGateway';
import { execute } from '../support/testkit';

const PRODUCTS = [
  { upc: '1', name: 'Molcajete', price: 540, weight: 3 },
  { upc: '2', name: 'Rebozo', price: 780, weight: 1 },
];

const productsTypeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable"])
  interface Item { upc: String! name: String! }
  type Product implements Item @key(fields: "upc") { upc: String! name: String! price: Int! weight: Int! }
  type Query { topProducts(first: Int = 5): [Product!]! item(upc: String!): Item broken: String }
`);

const reviewsTypeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@external", "@requires"])
  type Product @key(fields: "upc") {
    upc: String!
    weight: Int! @external
    shippingEstimate: Int! @requires(fields: "weight")
    reviews: [Review!]!
  }
  type Review { body: String! stars: Int! }
`);

const productsResolvers = {
  Query: {
    topProducts: (_: unknown, { first }: { first: number }) => PRODUCTS.slice(0, first),
    item: (_: unknown, { upc }: { upc: string }) => PRODUCTS.find((product) => product.upc === upc) ?? null,
    broken: () => {
      throw new Error('products failed on purpose');
    },
  },
  Item: { __resolveType: () => 'Product' },
  Product: { __resolveReference: (reference: { upc: string }) => PRODUCTS.find((product) => product.upc === reference.upc) },
};

const reviewsResolvers = {
  Product: {
    __resolveReference: (reference: { upc: string; weight?: number }) => reference,
    shippingEstimate: (product: { weight: number }) => product.weight * 10,
    reviews: (product: { upc: string }) => [{ body: `Muy bueno (${product.upc})`, stars: 5 }],
  },
};

async function startForeignSubgraph(typeDefs: ReturnType<typeof parse>, resolvers: object): Promise<{ server: ApolloServer; url: string }> {
  const server = new ApolloServer({ schema: buildSubgraphSchema({ typeDefs, resolvers: resolvers as never }), plugins: [ApolloServerPluginInlineTraceDisabled()] });
  const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
  return { server, url };
}

describe('the gateway serving a supergraph that is not Zócalo\'s', () => {
  const subgraphs: ApolloServer[] = [];
  let gateway: SupergraphGateway;
  let url: string;

  beforeAll(async () => {
    const products = await startForeignSubgraph(productsTypeDefs, productsResolvers);
    const reviews = await startForeignSubgraph(reviewsTypeDefs, reviewsResolvers);
    subgraphs.push(products.server, reviews.server);
    const composed = composeServices([
      { name: 'products', url: products.url, typeDefs: productsTypeDefs },
      { name: 'reviews', url: reviews.url, typeDefs: reviewsTypeDefs },
    ]);
    if (composed.errors) throw new Error(composed.errors.map((error) => error.message).join('\n'));
    gateway = await startSupergraphGateway(composed.supergraphSdl);
    url = gateway.url;
  }, 60_000);

  afterAll(async () => {
    await gateway?.stop();
    await Promise.all(subgraphs.map((server) => server.stop()));
  });

  it('joins entities across the subgraphs, with @requires, for an anonymous caller', async () => {
    const response = await execute(url, '{ topProducts(first: 2) { upc name shippingEstimate reviews { body stars } } }');
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({
      topProducts: [
        { upc: '1', name: 'Molcajete', shippingEstimate: 30, reviews: [{ body: 'Muy bueno (1)', stars: 5 }] },
        { upc: '2', name: 'Rebozo', shippingEstimate: 10, reviews: [{ body: 'Muy bueno (2)', stars: 5 }] },
      ],
    });
  });

  it('resolves interfaces, fragments, variables, aliases and @include/@skip', async () => {
    const response = await execute(
      url,
      'query($upc: String!, $withReviews: Boolean!) { one: item(upc: $upc) { __typename name ... on Product { price reviews @include(if: $withReviews) { stars } weight @skip(if: true) } } }',
      { upc: '2', withReviews: true },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ one: { __typename: 'Product', name: 'Rebozo', price: 780, reviews: [{ stars: 5 }] } });
  });

  it('reports its subgraphs up on /health although they are not served at /graphql (probed with { __typename })', async () => {
    const response = await fetch(url.replace(/\/graphql$/, '/health'));
    const health = (await response.json()) as { status: string; subgraphs: { name: string; status: string }[] };
    expect(response.status).toBe(200);
    expect(health.subgraphs.map(({ name, status }) => ({ name, status }))).toEqual([
      { name: 'products', status: 'up' },
      { name: 'reviews', status: 'up' },
    ]);
    expect(health.status).toBe('ok');
  });

  it('passes a subgraph error on with a path, keeping the rest of the data', async () => {
    const response = await execute(url, '{ broken topProducts(first: 1) { name } }');
    expect(response.data).toEqual({ broken: null, topProducts: [{ name: 'Molcajete' }] });
    expect(response.errors?.[0]?.path).toEqual(['broken']);
  });
});
