/**
 * A subgraph process stops promptly on SIGTERM, also when its database is gone: `runSubgraph` cuts a
 * drain that waits on a database that no longer answers short, and closes the store within a bound,
 * instead of spending its whole grace (`SHUTDOWN_TIMEOUT_MS`, 20 s). The real process (`tsx
 * subgraphs/orders/src/index.ts`) against the real test database, frozen with SIGSTOP while a request
 * and the relay wait on it. With MONGODB_URI set the database is not ours to freeze: skipped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { freePort, type LocalDatabase } from '../../subgraphs/kit/src';
import { startTestDatabase, tokenFor } from '../support/testkit';

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
/** The default grace is 20 s; a prompt stop is well under half of it. */
const PROMPT_MS = 10_000;

interface SubgraphProcess {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<{ code: number | null; ms: number }>;
  stop(): Promise<{ code: number | null; ms: number }>;
}

const describeWhenOwned = process.env.MONGODB_URI ? describe.skip : describe;

describeWhenOwned('a subgraph process on SIGTERM', () => {
  let database: LocalDatabase;
  const running: SubgraphProcess[] = [];

  const startOrders = async (): Promise<SubgraphProcess> => {
    const port = await freePort();
    const child = spawn(TSX, ['subgraphs/orders/src/index.ts'], {
      cwd: ROOT,
      env: { ...process.env, MONGODB_URI: database.uri, MONGODB_DB: `shutdown_test_${port}`, PORT: String(port), LOG_LEVEL: 'info', SHUTDOWN_TIMEOUT_MS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    let signalledAt = 0;
    const exited = new Promise<{ code: number | null; ms: number }>((resolve) => child.once('exit', (code) => resolve({ code, ms: Date.now() - signalledAt })));
    const started = Date.now();
    while (!text.includes('subgraph ready at') && child.exitCode === null && Date.now() - started < 60_000) await new Promise((resolve) => setTimeout(resolve, 100));
    if (!text.includes('subgraph ready at')) throw new Error(`orders did not start:\n${text}`);
    const subgraph: SubgraphProcess = {
      child,
      url: `http://127.0.0.1:${port}/graphql`,
      output: () => text,
      exited,
      stop: () => {
        signalledAt = Date.now();
        child.kill('SIGTERM');
        return exited;
      },
    };
    running.push(subgraph);
    return subgraph;
  };

  beforeAll(async () => {
    database = await startTestDatabase();
  }, 120_000);

  afterEach(async () => {
    await database.thaw?.();
    for (const subgraph of running.splice(0)) {
      if (subgraph.child.exitCode === null && subgraph.child.signalCode === null) {
        subgraph.child.kill('SIGKILL');
        await subgraph.exited;
      }
    }
  });

  afterAll(async () => {
    await database?.stop();
  });

  it('stops at once while the database is up', async () => {
    const orders = await startOrders();

    const { code, ms } = await orders.stop();

    expect(code).toBe(0);
    expect(ms).toBeLessThan(PROMPT_MS);
    expect(orders.output()).toContain('"msg":"stopped"');
    expect(orders.output()).not.toContain('does not answer');
  }, 90_000);

  it('stops within a few seconds when the database is frozen under a request and the relay', async () => {
    expect(database.freeze).toBeDefined();
    const orders = await startOrders();
    await database.freeze?.();
    // A request that reads the database, and so waits for it; the relay polls it every 200 ms.
    const request = fetch(orders.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokenFor('AGENT')}` },
      body: JSON.stringify({ query: '{ order(id: "ord_shutdown") { id } }' }),
    }).then((response) => response.json() as Promise<{ errors?: { extensions?: { code?: string } }[] }>);
    await new Promise((resolve) => setTimeout(resolve, 500));

    const { code, ms } = await orders.stop();

    expect(ms).toBeLessThan(PROMPT_MS);
    expect(code).toBe(0);
    expect(orders.output()).toContain('the database does not answer; closing it so the drain stops waiting for it');
    expect(orders.output()).toContain('"msg":"stopped"');
    expect(orders.output()).not.toContain('shutdown took longer than');
    // The request was not left hanging: it was answered, with the code that tells the caller to retry.
    expect((await request).errors?.map((error) => error.extensions?.code)).toEqual(['DATABASE_UNAVAILABLE']);
  }, 90_000);
});
