/**
 * The four subgraphs of the public federation gateway benchmark's shape (graphql-hive's
 * graphql-gateways-benchmark: accounts, inventory, products, reviews, and the nested `TestQuery`
 * below), written here from that public schema with our own small in-memory data. They exist to
 * measure the gateways and nothing else: no database, no auth, static answers — whatever a gateway
 * costs per request is the difference between the rows of `npm run bench:federation`.
 */
import { createServer, type Server } from 'node:http';
import { composeServices } from '@apollo/composition';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { execute, parse, validate, type DocumentNode, type GraphQLError, type GraphQLSchema } from 'graphql';

/** The subgraphs, in composition order. */
export const FEDERATION_SUBGRAPHS = ['accounts', 'inventory', 'products', 'reviews'] as const;

/** One of {@link FEDERATION_SUBGRAPHS}. */
export type FederationSubgraphName = (typeof FEDERATION_SUBGRAPHS)[number];

/** The benchmark's query, as the public benchmark sends it (~10 KB answer with the data below). */
export const FEDERATION_TEST_QUERY = `fragment User on User { id username name }
fragment Review on Review { id body }
fragment Product on Product { inStock name price shippingEstimate upc weight }
query TestQuery {
  users {
    ...User
    reviews {
      ...Review
      product {
        ...Product
        reviews { ...Review author { ...User reviews { ...Review product { ...Product } } } }
      }
    }
  }
  topProducts {
    ...Product
    reviews { ...Review author { ...User reviews { ...Review product { ...Product } } } }
  }
}
`;

interface User {
  id: string;
  name: string;
  username: string;
  birthday: number;
}
interface Product {
  upc: string;
  name: string;
  price: number;
  weight: number;
}
interface Review {
  id: string;
  body: string;
  authorId: string;
  upc: string;
}

const NAMES = ['Sor Juana Inés', 'Frida Kahlo', 'Octavio Paz', 'Rosario Castellanos', 'Diego Rivera', 'Elena Poniatowska'];
const USERS: User[] = NAMES.map((name, i) => ({ id: String(i + 1), name, username: `@${name.split(' ')[0]?.toLowerCase() ?? 'user'}${i + 1}`, birthday: 1_000_000_000 + i * 86_400 }));
const PRODUCT_NAMES = ['Molcajete', 'Rebozo', 'Comal', 'Jarro de barro', 'Huipil', 'Sarape', 'Alebrije', 'Petate', 'Canasta'];
const PRODUCTS: Product[] = PRODUCT_NAMES.map((name, i) => ({ upc: String(i + 1), name, price: 300 + 150 * i, weight: 100 + 40 * i }));
/** `topProducts`' default `first`. */
const TOP_PRODUCTS_DEFAULT = 5;
const IN_STOCK = new Set(['1', '5', '6', '7', '9']);
const REVIEWS: Review[] = Array.from({ length: 12 }, (_, i) => ({
  id: String(i + 1),
  body: `Reseña ${i + 1}: llegó a tiempo y como se describe.`,
  authorId: String((i % USERS.length) + 1),
  upc: String(((i * 5) % PRODUCTS.length) + 1),
}));

/** The data behind the answers (tests derive the expected answer from it). */
export const FEDERATION_DATA = { users: USERS, products: PRODUCTS, reviews: REVIEWS, inStock: IN_STOCK, topProductsDefault: TOP_PRODUCTS_DEFAULT } as const;

const byId = <T, K extends keyof T>(items: T[], key: K) => new Map(items.map((item) => [item[key], item]));
const usersById = byId(USERS, 'id');
const productsByUpc = byId(PRODUCTS, 'upc');

const SDL: Record<FederationSubgraphName, string> = {
  accounts: `
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable"])
    type Query { me: User users: [User] user(id: ID!): User }
    type User @key(fields: "id") { id: ID! name: String username: String birthday: Int }
  `,
  inventory: `
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@external", "@requires"])
    type Product @key(fields: "upc") {
      upc: String!
      weight: Int @external
      price: Int @external
      inStock: Boolean
      shippingEstimate: Int @requires(fields: "price weight")
    }
  `,
  products: `
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
    type Query { topProducts(first: Int = ${TOP_PRODUCTS_DEFAULT}): [Product] }
    type Product @key(fields: "upc") { upc: String! name: String price: Int weight: Int }
  `,
  reviews: `
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
    type Review @key(fields: "id") { id: ID! body: String author: User product: Product }
    type User @key(fields: "id") { id: ID! reviews: [Review] }
    type Product @key(fields: "upc") { upc: String! reviews: [Review] }
  `,
};

const RESOLVERS: Record<FederationSubgraphName, GraphQLResolverMap<unknown>> = {
  accounts: {
    Query: { me: () => USERS[0], users: () => USERS, user: (_: unknown, { id }: { id: string }) => usersById.get(id) ?? null },
    User: { __resolveReference: (ref: { id: string }) => usersById.get(ref.id) ?? null },
  },
  inventory: {
    Product: {
      __resolveReference: (ref: { upc: string; price?: number; weight?: number }) => ({ ...ref, inStock: IN_STOCK.has(ref.upc) }),
      shippingEstimate: (product: { price?: number; weight?: number }) => {
        if (product.price === undefined || product.weight === undefined) return null;
        return product.price > 1000 ? 0 : Math.round(product.weight / 2);
      },
    },
  },
  products: {
    Query: { topProducts: (_: unknown, { first }: { first: number }) => PRODUCTS.slice(0, first) },
    Product: { __resolveReference: (ref: { upc: string }) => productsByUpc.get(ref.upc) ?? null },
  },
  reviews: {
    Review: {
      __resolveReference: (ref: { id: string }) => REVIEWS.find((review) => review.id === ref.id) ?? null,
      author: (review: Review) => ({ id: review.authorId }),
      product: (review: Review) => ({ upc: review.upc }),
    },
    User: { reviews: (user: { id: string }) => REVIEWS.filter((review) => review.authorId === user.id) },
    Product: { reviews: (product: { upc: string }) => REVIEWS.filter((review) => review.upc === product.upc) },
  },
};

/** The SDL of subgraph `name` (for composition). */
export function federationSubgraphSdl(name: FederationSubgraphName): DocumentNode {
  return parse(SDL[name]);
}

/** The executable schema of subgraph `name`. */
export function federationSubgraphSchema(name: FederationSubgraphName): GraphQLSchema {
  return buildSubgraphSchema({ typeDefs: federationSubgraphSdl(name), resolvers: RESOLVERS[name] });
}

/** The supergraph of the four subgraphs at `urls` (composition errors thrown). */
export function composeFederationBenchmark(urls: Record<FederationSubgraphName, string>): string {
  const composed = composeServices(FEDERATION_SUBGRAPHS.map((name) => ({ name, typeDefs: federationSubgraphSdl(name), url: urls[name] })));
  if (composed.errors || !composed.supergraphSdl) throw new Error(`composition failed: ${composed.errors?.map((e) => e.message).join('; ')}`);
  return composed.supergraphSdl;
}

/**
 * Subgraph `name` as an HTTP server (not yet listening): as cheap as a Node subgraph gets — node:http,
 * graphql-js `execute`, each distinct query parsed and validated once — so the cores go to the gateways
 * being measured. `GET /health` answers 200 (Zócalo's gateway probes it), `GET /requests` the GraphQL
 * requests served so far.
 */
export function createFederationSubgraphServer(name: FederationSubgraphName): { server: Server; requests(): number } {
  const schema = federationSubgraphSchema(name);
  const documents = new Map<string, DocumentNode | readonly GraphQLError[]>();
  let requests = 0;
  const documentOf = (query: string): DocumentNode | readonly GraphQLError[] => {
    let document = documents.get(query);
    if (!document) {
      try {
        const parsed = parse(query);
        const errors = validate(schema, parsed);
        document = errors.length ? errors : parsed;
      } catch (error) {
        document = [error as GraphQLError];
      }
      if (documents.size < 1000) documents.set(query, document);
    }
    return document;
  };
  const server = createServer((request, response) => {
    const send = (status: number, body: unknown) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (request.method !== 'POST') {
      if (request.url === '/requests') send(200, { requests });
      else send(request.url?.startsWith('/health') ? 200 : 405, { status: 'ok' });
      return;
    }
    requests += 1;
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      let body: { query?: string; variables?: Record<string, unknown>; operationName?: string };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
      } catch {
        send(400, { errors: [{ message: 'body is not JSON' }] });
        return;
      }
      const document = typeof body.query === 'string' ? documentOf(body.query) : [{ message: 'no query' } as GraphQLError];
      if (Array.isArray(document)) {
        send(400, { errors: document.map((error: GraphQLError) => ({ message: error.message })) });
        return;
      }
      Promise.resolve(execute({ schema, document: document as DocumentNode, variableValues: body.variables ?? null, operationName: body.operationName ?? null }))
        .then((result) => send(200, result))
        .catch((error: unknown) => send(500, { errors: [{ message: String(error) }] }));
    });
  });
  server.keepAliveTimeout = 60_000;
  return { server, requests: () => requests };
}
