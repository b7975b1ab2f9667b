/**
 * Issue 10: supergraph hot reload. The gateway starts on a supergraph without `Product.brand`; while
 * queries stream through it, the file is replaced by one with the field. No request fails, and the
 * new field answers without a restart. Then an invalid file (garbage, a truncated supergraph) is
 * refused: the gateway logs why, counts it, and keeps serving the supergraph it has. Last, a gateway
 * that polls its supergraph from a URL (SUPERGRAPH_URL) picks up a change the same way.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'graphql';
import { DEFAULT_PORTS, SUBGRAPH_NAMES, schemaPath } from '../../subgraphs/kit/src';
import { startEstate, type RunningEstate } from '../support/estate';
import { execute, tokenFor, type GraphQLResponse } from '../support/testkit';

/** Composes the estate's SDLs, after `edit` changes the inventory SDL. */
function compose(edit: (inventorySdl: string) => string = (sdl) => sdl): string {
  const result = composeServices(
    SUBGRAPH_NAMES.map((name) => {
      const sdl = readFileSync(schemaPath(`${name}.graphql`), 'utf8');
      return { name, url: `http://localhost:${DEFAULT_PORTS[name]}/graphql`, typeDefs: parse(name === 'inventory' ? edit(sdl) : sdl) };
    }),
  );
  if (result.errors) throw new Error(result.errors.map((error) => error.message).join('\n'));
  return result.supergraphSdl;
}

/** The inventory SDL before `Product.brand` (and its description) existed. */
const withoutBrand = (sdl: string) => sdl.replace(/^([ \t]*"[^\n]*"[ \t]*\n)?[ \t]*brand: String\b[^\n]*\n/m, '');

const WITH_BRAND = '{ products(first: 2) { nodes { sku name brand } } }';
const WITHOUT_BRAND = '{ products(first: 2) { nodes { sku name } } }';

describe('supergraph hot reload', () => {
  let estate: RunningEstate;
  let folder: string;
  let file: string;
  let withBrand: string;
  const metrics = async () => (await fetch(estate.url.replace(/\/graphql$/, '/metrics'))).text();
  /** Replaces the file as a deploy does: written aside, renamed into place. */
  const deploy = (sdl: string) => {
    writeFileSync(`${file}.next`, sdl);
    renameSync(`${file}.next`, file);
  };
  /** Waits (bounded) until `done` holds. */
  const until = async (done: () => Promise<boolean>) => {
    for (let attempt = 0; attempt < 150; attempt += 1) {
      if (await done()) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('condition not reached');
  };
  const rejections = async () => Number(/zocalo_gateway_supergraph_reloads_total\{result="rejected"\} (\d+)/.exec(await metrics())?.[1] ?? 0);

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'zocalo-supergraph-'));
    file = join(folder, 'supergraph.graphql');
    withBrand = compose();
    // The starting supergraph: the same estate before inventory added `Product.brand`.
    writeFileSync(file, compose(withoutBrand));
    expect(readFileSync(file, 'utf8')).not.toMatch(/\bbrand: String/);
    estate = await startEstate({ databasePrefix: 'resilience_reload', seed: { customers: 5, orders: 10, products: 10 }, gatewayEnv: { SUPERGRAPH_PATH: file } });
  }, 120_000);

  afterAll(async () => {
    await estate?.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('swaps to a new supergraph under load without failing a request; the new field answers', async () => {
    const before = await execute(estate.url, WITH_BRAND);
    expect(before.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');

    // Load: four clients asking the catalogue and a customer search until the new field answers.
    const token = tokenFor('AGENT', 'agent-reload');
    const responses: GraphQLResponse[] = [];
    let loading = true;
    const client = async () => {
      while (loading) {
        responses.push(await execute(estate.url, WITHOUT_BRAND));
        responses.push(await execute(estate.url, '{ searchCustomers(query: "a", first: 2) { totalCount } }', {}, token));
      }
    };
    const clients = [client(), client(), client(), client()];

    let swappedAt = 0;
    try {
      await until(async () => responses.length >= 8);
      deploy(withBrand);
      await until(async () => !(await execute(estate.url, WITH_BRAND)).errors);
      // Keep the load on the new supergraph for a while too.
      swappedAt = responses.length;
      await until(async () => responses.length >= swappedAt + 8);
    } finally {
      loading = false;
      await Promise.all(clients);
    }

    const after = await execute<{ products: { nodes: { sku: string; brand: string | null }[] } }>(estate.url, WITH_BRAND);
    expect(after.errors).toBeUndefined();
    expect(after.data?.products.nodes).toHaveLength(2);
    expect(after.data?.products.nodes[0]).toHaveProperty('brand');
    expect(swappedAt).toBeGreaterThanOrEqual(8);
    for (const response of responses) {
      expect(response.status).toBe(200);
      expect(response.errors).toBeUndefined();
    }
    expect(await metrics()).toMatch(/zocalo_gateway_supergraph_reloads_total\{result="applied"\} [2-9]/);
  });

  it('refuses an invalid supergraph and keeps serving the one it has', async () => {
    const refused = await rejections();
    deploy('this is not a supergraph');
    await until(async () => (await rejections()) === refused + 1);

    // Truncated: still names its subgraphs, but Apollo Gateway cannot build it.
    deploy(withBrand.slice(0, Math.floor(withBrand.length / 2)));
    await until(async () => (await rejections()) === refused + 2);

    const still = await execute(estate.url, WITH_BRAND);
    expect(still.errors).toBeUndefined();
    const health = (await (await fetch(estate.url.replace(/\/graphql$/, '/health'))).json()) as { supergraph: string };
    expect(health.supergraph).toBe('loaded');

    // And a good file after the bad ones is taken again.
    deploy(compose(withoutBrand));
    await until(async () => (await execute(estate.url, WITH_BRAND)).errors?.[0]?.extensions?.code === 'GRAPHQL_VALIDATION_FAILED');
    expect((await execute(estate.url, WITHOUT_BRAND)).errors).toBeUndefined();
  });

  it('polls SUPERGRAPH_URL and swaps when the served supergraph changes', async () => {
    let served = compose(withoutBrand);
    const registry = createServer((_request, response) => response.writeHead(200, { 'content-type': 'text/plain' }).end(served));
    await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve));
    const polling = estate.buildGateway({ SUPERGRAPH_URL: `http://127.0.0.1:${(registry.address() as AddressInfo).port}/supergraph.graphql`, SUPERGRAPH_POLL_MS: '100' });
    try {
      const url = await polling.start();
      expect((await execute(url, WITH_BRAND)).errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect((await execute(url, WITHOUT_BRAND)).errors).toBeUndefined();
      served = withBrand;
      await until(async () => !(await execute(url, WITH_BRAND)).errors);
    } finally {
      await polling.stop();
      await new Promise((resolve) => registry.close(resolve));
    }
  });
});
