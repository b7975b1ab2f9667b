/**
 * An idle outbox relay backs off (`EVENT_RELAY_IDLE_INTERVAL_MS`): while nothing is pending it reads the
 * database a few times a second instead of every `EVENT_RELAY_INTERVAL_MS` — and still delivers what a
 * local write announces at once (kick), what another process wrote without telling it (within the idle
 * interval), and a failed delivery's retries at the base pace.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MongoStore, createDomainEvent, type LocalDatabase } from '../../subgraphs/kit/src';
import { startTestDatabase } from '../support/testkit';
import { startEventEstate, waitFor, type EventEstate } from './eventEstate';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const INTERVAL_MS = 50;
const IDLE_INTERVAL_MS = 400;

describe('an idle outbox relay', () => {
  let database: LocalDatabase;
  let estate: EventEstate;
  /** Reads of the publishing collection: one per relay pass (the move step finds nothing). */
  let passes = 0;

  beforeAll(async () => {
    database = await startTestDatabase();
    estate = await startEventEstate({ database, databasePrefix: 'relayidle', events: { relayIntervalMs: INTERVAL_MS, relayIdleIntervalMs: IDLE_INTERVAL_MS } });
    estate.publisher.store.client.on('commandStarted', (event) => {
      if (event.commandName === 'find' && event.command.find === 'orders' && event.databaseName === estate.publisher.store.db.databaseName) passes += 1;
    });
  }, 60_000);

  afterAll(async () => {
    await estate?.stop();
    await database?.stop();
  });

  it('polls at most every idle interval once nothing is pending', async () => {
    await sleep(1_500); // past the ramp 50 → 100 → 200 → 400 ms
    const before = passes;
    await sleep(2_000);
    const idlePasses = passes - before;
    // Every 400 ms: ~5 passes in 2 s (every 50 ms it would be ~40).
    expect(idlePasses).toBeGreaterThanOrEqual(3);
    expect(idlePasses).toBeLessThanOrEqual(7);
  });

  it('delivers a locally written event at once, without waiting out the idle interval', async () => {
    await sleep(1_000);
    const before = passes;
    const event = await estate.placeOrder('ord_idle_local', 'cus_idle', 12_300);
    await waitFor(async () => (await estate.effects('loyalty')).some((effect) => effect.eventId === event.id), 5_000);
    // The kick ran a pass for it: delivered after the first one or two passes, not after a backed-off wait.
    expect(passes - before).toBeLessThanOrEqual(3);
  });

  it('picks up an event another process wrote (no kick) within the idle interval', async () => {
    await sleep(1_000);
    const other = await MongoStore.connect({ uri: database.uri, databaseName: estate.publisher.store.db.databaseName });
    try {
      const event = createDomainEvent('OrderPlaced', 'orders', 'ord_idle_other', { orderId: 'ord_idle_other', number: 'ord_idle_other', customerId: 'cus_idle', channel: 'WEB', totalCents: 100, lines: [], fulfillment: { method: 'SHIP', locationId: 'loc_1' }, placedAt: new Date().toISOString(), n: 0 } as never);
      await other.collection<{ _id: string }>('orders').insertOne({ _id: 'ord_idle_other', customerId: 'cus_idle', status: 'PLACED', pendingEvents: [event] } as never);
      const before = passes;
      await waitFor(async () => (await estate.effects('loyalty')).some((effect) => effect.eventId === event.id), 5_000);
      // Found by the next backed-off pass (or the one after, if it began just before the write).
      expect(passes - before).toBeLessThanOrEqual(3);
    } finally {
      await other.close();
    }
  });

  it('keeps the base pace while a delivery waits to be retried, and delivers once the subscriber is back', async () => {
    await sleep(1_000);
    await estate.stopConsumer('loyalty');
    let restarted = false;
    try {
      const event = await estate.placeOrder('ord_idle_retry', 'cus_idle', 500);
      const before = passes;
      await sleep(1_000);
      // Pending for loyalty the whole second: passes every 50 ms (~20), not every 400 ms (~2).
      expect(passes - before).toBeGreaterThanOrEqual(8);
      await estate.startConsumer('loyalty');
      restarted = true;
      await waitFor(async () => (await estate.effects('loyalty')).some((effect) => effect.eventId === event.id), 10_000);
    } finally {
      if (!restarted) await estate.startConsumer('loyalty');
    }
  });
});
