/**
 * The gateway in production mode (`NODE_ENV=production`, every feature as `GATEWAY_FEATURES` builds
 * it from the environment), in front of the deliberately leaky stand-in inventory:
 * - trusted documents are enforced by default: an unregistered operation is refused before parsing,
 *   a registered one runs, by id or as its exact text, for the client it is registered for;
 * - introspection and the playground are off;
 * - an unexpected subgraph error reaches the client masked, with a request id and the subgraph's name,
 *   and validation errors do not spell out the schema.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GATEWAY_FEATURES } from '../../gateway/src/features';
import { documentHash } from '../../gateway/src/security/trustedDocumentManifest';
import { repositoryRoot } from '../../subgraphs/kit/src';
import { errorCodes, execute } from '../support/testkit';
import { startLeakyInventory, startSecurityGateway, type RunningGateway, type RunningServer, LEAKY_MESSAGE } from './securityGateway';

const CATALOGUE = readFileSync(join(repositoryRoot(), 'operations/web/Catalogue.graphql'), 'utf8');
const LEAK = /stacktrace|"stack"|MongoServerError|E11000|\/work\/|node_modules|\.ts:\d+/;

/** Runs `body` with `variables` set in process.env (features read it when the gateway is built). */
async function withEnv<T>(variables: Record<string, string>, body: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(variables).map((name) => [name, process.env[name]]));
  Object.assign(process.env, variables);
  try {
    return await body();
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

describe('the gateway in production', () => {
  let inventory: RunningServer;
  let enforcing: RunningGateway;
  let open: RunningGateway;

  beforeAll(async () => {
    inventory = await startLeakyInventory();
    const production = { NODE_ENV: 'production' };
    // Built as `npm start` builds it in production: every feature, configured from the environment.
    enforcing = await withEnv(production, () => startSecurityGateway({ inventoryUrl: inventory.url, features: GATEWAY_FEATURES, env: production }));
    // The same, with trusted documents off, to reach introspection and error masking with free-form operations.
    open = await withEnv({ ...production, TRUSTED_DOCUMENTS: 'off' }, () => startSecurityGateway({ inventoryUrl: inventory.url, features: GATEWAY_FEATURES, env: production }));
  });

  afterAll(async () => {
    await enforcing?.stop();
    await open?.stop();
    await inventory?.stop();
  });

  describe('trusted documents (enforced by default)', () => {
    it('refuses an operation that is not registered, with or without a client name', async () => {
      const named = await execute(enforcing.url, '{ products(first: 1) { nodes { sku } } }', {}, undefined, { 'apollographql-client-name': 'web' });
      const anonymous = await execute(enforcing.url, '{ products(first: 1) { nodes { sku } } }');
      for (const response of [named, anonymous]) {
        expect(response.status).toBe(400);
        expect(errorCodes(response)).toEqual(['TRUSTED_DOCUMENT_REQUIRED']);
        expect(response.data).toBeUndefined();
      }
    });

    it("refuses a registered document sent by another client, and one changed by a single character", async () => {
      const otherClient = await execute(enforcing.url, CATALOGUE, { first: 2 }, undefined, { 'apollographql-client-name': 'analyst' });
      const edited = await execute(enforcing.url, `${CATALOGUE} `, { first: 2 }, undefined, { 'apollographql-client-name': 'web' });
      expect(errorCodes(otherClient)).toEqual(['TRUSTED_DOCUMENT_REQUIRED']);
      expect(errorCodes(edited)).toEqual(['TRUSTED_DOCUMENT_REQUIRED']);
    });

    it('runs a registered document by id and as its exact text', async () => {
      const byText = await execute<{ products: { nodes: { sku: string }[] } }>(enforcing.url, CATALOGUE, { first: 2 }, undefined, { 'apollographql-client-name': 'web' });
      expect(byText.errors).toBeUndefined();
      expect(byText.data?.products.nodes).toHaveLength(2);
      const response = await fetch(enforcing.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'apollographql-client-name': 'web' },
        body: JSON.stringify({ documentId: `sha256:${documentHash(CATALOGUE)}`, variables: { first: 3 } }),
      });
      const byId = (await response.json()) as { data?: { products: { nodes: unknown[] } }; errors?: unknown };
      expect(byId.errors).toBeUndefined();
      expect(byId.data?.products.nodes).toHaveLength(3);
    });
  });

  describe('introspection and the playground', () => {
    it('refuses introspection', async () => {
      for (const query of ['{ __schema { types { name } } }', '{ __type(name: "Customer") { fields { name } } }']) {
        const response = await execute(open.url, query);
        expect(response.status).toBe(400);
        expect(errorCodes(response)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
        expect(JSON.stringify(response)).not.toContain('"fields"');
      }
    });

    it('does not serve the playground to a browser', async () => {
      const response = await fetch(open.url, { headers: { accept: 'text/html' } });
      const text = await response.text();
      expect(text).not.toMatch(/graphiql|<html/i);
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
    });

    it('does not list the authorization rules either', async () => {
      expect((await fetch(open.url.replace(/\/graphql$/, '/authorization'))).status).toBe(404);
    });

    it('does not spell out the schema in validation errors', async () => {
      const response = await execute(open.url, '{ produc(sku: "ZC-1") { sku } }');
      expect(errorCodes(response)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
      expect(JSON.stringify(response)).not.toMatch(/Did you mean/);
    });
  });

  describe('error masking', () => {
    it('masks an unexpected subgraph error as INTERNAL_SERVER_ERROR with the request id and the subgraph name', async () => {
      const response = await execute(open.url, '{ product(sku: "boom") { sku name } }', {}, undefined, { 'x-request-id': 'req-production-1' });
      expect(response.status).toBe(200);
      expect(response.data).toEqual({ product: null });
      expect(response.errors).toEqual([
        { message: 'Internal server error', path: ['product'], extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'req-production-1', serviceName: 'inventory' } },
      ]);
      expect(JSON.stringify(response)).not.toContain(LEAKY_MESSAGE.slice(0, 20));
      expect(JSON.stringify(response)).not.toMatch(LEAK);
    });

    it('keeps the code of an expected subgraph error and adds the subgraph name', async () => {
      const response = await execute(open.url, '{ product(sku: "missing") { sku } }');
      expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND' });
      expect(JSON.stringify(response)).not.toMatch(LEAK);
    });

    it('answers a subgraph that is down with SUBGRAPH_UNAVAILABLE naming it, never a 500', async () => {
      const response = await execute(open.url, '{ salesKpis(from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z") { crossChannelCustomerShare } }');
      expect(response.status).toBeLessThan(500);
      expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'orders' });
      expect(JSON.stringify(response)).not.toMatch(LEAK);
    });
  });
});
