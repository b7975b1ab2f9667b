/**
 * What the security tests run against: the real gateway over the checked-in supergraph, with the
 * features under test, in front of a stand-in inventory subgraph — built from `schema/inventory.graphql`
 * with a few in-memory resolvers, and deliberately leaky (stack traces on, no masking, a raw "driver"
 * error with a file path), so the tests prove the gateway itself keeps internals from clients. The other
 * subgraphs point at a closed port: what reaches them is answered `SUBGRAPH_UNAVAILABLE`.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import http, { type Server } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { GraphQLError } from 'graphql';
import { readGatewayConfig } from '../../gateway/src/config';
import type { GatewayFeatureFactory } from '../../gateway/src/feature';
import { buildGateway, type GatewayServer } from '../../gateway/src/server';
import { DateTimeScalar, createGraphQLHttpServer, createLogger, listen, loadSubgraphTypeDefs, type AuthConfig, type Logger } from '../../subgraphs/kit/src';
import { testAuth } from '../support/testkit';

/** A running HTTP server on a free port. */
export interface RunningServer {
  url: string;
  stop(): Promise<void>;
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** The error the stand-in subgraph throws for `product(sku: "boom")`: what a leaky driver error looks like. */
export const LEAKY_MESSAGE = 'MongoServerError: E11000 duplicate key error collection: zocalo_inventory.products at /work/main/subgraphs/inventory/src/repositories/productRepository.ts:42:7';

function productOf(index: number) {
  const sku = `ZC-TEST-${String(index).padStart(4, '0')}`;
  return { sku, name: `Producto ${index}`, description: 'Prueba', category: 'ropa', brand: null, price: { amount: '100.00', currency: 'MXN' }, active: true, availableQuantity: 3 };
}

const resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    product: (_: unknown, { sku }: { sku: string }) => {
      // As the real subgraph does: ids are validated before they get anywhere near a query.
      if (!/^[A-Za-z0-9-]{1,64}$/.test(sku)) throw new GraphQLError('sku must be 1–64 letters, digits or dashes', { extensions: { code: 'BAD_USER_INPUT', field: 'sku' } });
      if (sku === 'boom') throw new Error(LEAKY_MESSAGE);
      if (sku === 'missing') throw new GraphQLError(`Product "${sku}" was not found`, { extensions: { code: 'NOT_FOUND' } });
      return { ...productOf(1), sku };
    },
    products: (_: unknown, { first }: { first?: number | null }) => {
      const nodes = Array.from({ length: Math.min(first ?? 20, 100) }, (_unused, index) => productOf(index + 1));
      return { nodes, pageInfo: { hasNextPage: false, endCursor: null }, totalCount: nodes.length };
    },
    locations: () => [],
  },
  Product: {
    __resolveReference: (reference: { sku: string }) => ({ ...productOf(1), sku: reference.sku }),
    availability: () => [],
  },
};

/** Starts the stand-in inventory subgraph (see module comment). */
export async function startLeakyInventory(): Promise<RunningServer> {
  const schema = buildSubgraphSchema([{ typeDefs: loadSubgraphTypeDefs('inventory'), resolvers: resolvers as GraphQLResolverMap<unknown> }]);
  const apollo = new ApolloServer({ schema, includeStacktraceInErrorResponses: true, plugins: [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginInlineTraceDisabled()] });
  await apollo.start();
  const server = createGraphQLHttpServer({ apollo, logger: createLogger('leaky-inventory', 'silent'), context: async () => ({}) });
  const port = await listen(server, 0, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    async stop() {
      await apollo.stop();
      await close(server);
    },
  };
}

/** Options for {@link startSecurityGateway}. */
export interface SecurityGatewayOptions {
  inventoryUrl: string;
  features: GatewayFeatureFactory[];
  /** Extra gateway variables (e.g. `NODE_ENV`, `INTROSPECTION`). */
  env?: NodeJS.ProcessEnv;
  auth?: AuthConfig;
  logger?: Logger;
}

/** A running gateway under test. */
export interface RunningGateway extends RunningServer {
  gateway: GatewayServer;
}

/** Builds and starts the gateway with `features` in front of the stand-in inventory. */
export async function startSecurityGateway(options: SecurityGatewayOptions): Promise<RunningGateway> {
  const closed = 'http://127.0.0.1:9/graphql';
  const env: NodeJS.ProcessEnv = {
    PORT: '0',
    INVENTORY_URL: options.inventoryUrl,
    CUSTOMERS_URL: closed,
    ORDERS_URL: closed,
    LOYALTY_URL: closed,
    MESSAGING_URL: closed,
    SUBGRAPH_TIMEOUT_MS: '3000',
    // Production refuses the dev key at start; the tokens are then verified with `auth` anyway.
    ...(options.env?.NODE_ENV === 'production' ? { JWT_SIGNING_KEY: 'a-production-secret-for-tests-only' } : {}),
    ...options.env,
  };
  const config = { ...readGatewayConfig(env), auth: options.auth ?? testAuth };
  const gateway = buildGateway({ config, logger: options.logger ?? createLogger('gateway', 'silent'), features: options.features });
  const url = await gateway.start();
  return { url, gateway, stop: () => gateway.stop() };
}

/** An RSA and an EC key pair with their public JWKs, and a JWKS server that can rotate them. */
export interface TestIdentityProvider extends RunningServer {
  rsa: { kid: string; privateKey: KeyObject };
  ec: { kid: string; privateKey: KeyObject };
  /** Times the JWKS was fetched. */
  fetches(): number;
  /** Publishes a new RSA key (new kid) instead of the old one. */
  rotateRsa(): { kid: string; privateKey: KeyObject };
}

/** Starts a JWKS endpoint serving one RSA (RS256) and one EC P-256 (ES256) key. */
export async function startIdentityProvider(): Promise<TestIdentityProvider> {
  const keyPair = (type: 'rsa' | 'ec') =>
    type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  let rsa = { kid: 'rsa-1', ...keyPair('rsa') };
  const ec = { kid: 'ec-1', ...keyPair('ec') };
  let fetches = 0;
  let generation = 1;
  const server = http.createServer((_request, response) => {
    fetches += 1;
    const keys = [
      { ...rsa.publicKey.export({ format: 'jwk' }), kid: rsa.kid, use: 'sig', alg: 'RS256' },
      { ...ec.publicKey.export({ format: 'jwk' }), kid: ec.kid, use: 'sig', alg: 'ES256' },
    ];
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ keys }));
  });
  const port = await listen(server, 0, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    get rsa() {
      return { kid: rsa.kid, privateKey: rsa.privateKey };
    },
    get ec() {
      return { kid: ec.kid, privateKey: ec.privateKey };
    },
    fetches: () => fetches,
    rotateRsa() {
      generation += 1;
      rsa = { kid: `rsa-${generation}`, ...keyPair('rsa') };
      return { kid: rsa.kid, privateKey: rsa.privateKey };
    },
    stop: () => close(server),
  };
}
