/**
 * `MongoStore.close()` is bounded: a subgraph shutting down must not spend its whole grace (20 s) on a
 * database that is gone. Against the real test database (mongo-java-server through the kit's helper),
 * stopped two ways: killed (its port refuses connections) and frozen with SIGSTOP (its port accepts
 * connections but nothing answers — a host gone without a reset, where the driver's own close waits
 * 30 s for a handshake). Each time a command is in flight, as the relay's or a request's would be.
 * With MONGODB_URI set the database is not ours to stop, and the test is skipped.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { MongoStore, STORE_CLOSE_WITHIN_MS } from '../../subgraphs/kit/src';
import type { LocalDatabase } from '../../subgraphs/kit/src';
import { createCapturingLogger } from '../events/capturingLogger';
import { startTestDatabase } from '../support/testkit';

const DATABASE_NAME = 'store_close_test';
/** Well under the old wait (the 20 s shutdown grace, or the driver's 30 s connect timeout). */
const BOUND_MS = 5_000;

const describeWhenOwned = process.env.MONGODB_URI ? describe.skip : describe;

describeWhenOwned('closing the store', () => {
  let database: LocalDatabase;
  const stores: MongoStore[] = [];

  const openStore = async () => {
    const store = await MongoStore.connect({ uri: database.uri, databaseName: DATABASE_NAME });
    stores.push(store);
    await store.collection<{ _id: string }>('things').updateOne({ _id: 'one' }, { $set: { at: new Date() } }, { upsert: true });
    return store;
  };

  /** A read the database will not answer in time, as a relay pass would have in flight; settles with its error. */
  const commandInFlight = (store: MongoStore) => store.collection<{ _id: string }>('things').findOne({ _id: 'one' }).then(() => null, (error: unknown) => error);

  /**
   * Against a frozen server the driver's own close usually hangs — it sends `endSessions`, which needs a
   * connection the server never answers — and the store gives up at its bound with a warning. Now and
   * then (about one full test run in five here) the driver finishes on its own at once instead, e.g.
   * when it has no pooled session left to end; then there is nothing to bound and nothing to warn about.
   * Either way the store returns within the bound and warns exactly when it gave up.
   */
  const expectBoundedClose = (ms: number, withinMs: number, lines: readonly { level: string; message: string }[]) => {
    expect(ms).toBeLessThan(withinMs + 1_000);
    if (ms >= withinMs - 50) {
      expect(lines).toEqual([expect.objectContaining({ level: 'warn', message: expect.stringMatching(new RegExp(`did not close within ${withinMs} ms`)), fields: { database: DATABASE_NAME } })]);
    } else {
      expect(lines).toEqual([]);
    }
  };

  const timed = async (work: () => Promise<void>) => {
    const started = Date.now();
    await work();
    return { ms: Date.now() - started };
  };

  beforeAll(async () => {
    database = await startTestDatabase();
  }, 120_000);

  afterEach(async () => {
    // Whatever a test did to the server, the next one starts with it running.
    await database.thaw?.();
    await database.bringUp?.();
    for (const store of stores.splice(0)) await store.close();
  });

  afterAll(async () => {
    await database?.stop();
  });

  it('closes cleanly, and at once, while the database is up', async () => {
    const store = await openStore();
    let topologyClosed = false;
    store.client.on('topologyClosed', () => {
      topologyClosed = true;
    });
    const logger = createCapturingLogger();

    const { ms } = await timed(() => store.close({ logger }));

    expect(topologyClosed).toBe(true);
    expect(ms).toBeLessThan(1_000);
    expect(logger.lines).toEqual([]);
    // Closed means closed: the store does not quietly reconnect.
    await expect(store.collection('things').findOne({})).rejects.toThrow(/closed|connected/i);
    // A second close waits for the same one.
    await expect(store.close({ logger })).resolves.toBeUndefined();
    expect(logger.lines).toEqual([]);
  });

  it('resolves quickly when the database server process was stopped', async () => {
    const store = await openStore();
    await database.takeDown?.();
    const failed = commandInFlight(store);
    const logger = createCapturingLogger();

    const { ms } = await timed(() => store.close({ logger }));

    expect(ms).toBeLessThan(BOUND_MS);
    expect(logger.lines).toEqual([]);
    expect(await failed).toBeInstanceOf(Error);
  });

  it('returns within its bound when the database server is frozen, with a warning when it gives up', async () => {
    expect(database.freeze).toBeDefined();
    const store = await openStore();
    await database.freeze?.();
    const failed = commandInFlight(store);
    // The command is on the wire, waiting for an answer that does not come.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const logger = createCapturingLogger();

    const { ms } = await timed(() => store.close({ logger }));

    expect(ms).toBeLessThan(BOUND_MS);
    expectBoundedClose(ms, STORE_CLOSE_WITHIN_MS, logger.lines);
    // The command it interrupted failed rather than waiting on.
    expect(await failed).toBeInstanceOf(Error);
  });

  it('takes a shorter bound when asked', async () => {
    const store = await openStore();
    await database.freeze?.();
    void commandInFlight(store);
    await new Promise((resolve) => setTimeout(resolve, 300));

    const logger = createCapturingLogger();

    const { ms } = await timed(() => store.close({ withinMs: 500, logger }));

    expectBoundedClose(ms, 500, logger.lines);
  });
});
