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

  it('gives up within its bound, with a warning, when the database server is frozen', async () => {
    expect(database.freeze).toBeDefined();
    const store = await openStore();
    await database.freeze?.();
    const failed = commandInFlight(store);
    // The command is on the wire, waiting for an answer that does not come.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const logger = createCapturingLogger();

    const { ms } = await timed(() => store.close({ logger }));

    expect(ms).toBeLessThan(BOUND_MS);
    expect(ms).toBeGreaterThanOrEqual(STORE_CLOSE_WITHIN_MS - 50);
    expect(logger.lines).toEqual([expect.objectContaining({ level: 'warn', message: expect.stringMatching(/did not close within 3000 ms/), fields: { database: DATABASE_NAME } })]);
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

    expect(ms).toBeLessThan(1_500);
    expect(logger.lines.map((line) => line.message)).toEqual([expect.stringMatching(/did not close within 500 ms/)]);
  });
});
