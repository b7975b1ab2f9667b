/**
 * The delivery guarantees, written once and run by `httpDelivery.test.ts` and `natsDelivery.test.ts`
 * against running probe subgraphs (eventEstate.ts), a real database and, for NATS, a real
 * `nats-server -js` started here.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect, type NatsConnection } from 'nats';
import {
  INBOX_DEAD_LETTERS_COLLECTION,
  OUTBOX_COLLECTION,
  PROCESSED_EVENTS_COLLECTION,
  durableNameOf,
  inboxStats,
  natsSubjectOf,
  outboxStats,
  type DomainEvent,
  type LocalDatabase,
  type OutboxEntry,
} from '../../subgraphs/kit/src';
import { startTestDatabase, tokenFor } from '../support/testkit';
import { createCapturingLogger } from './capturingLogger';
import { startEventEstate, waitFor, type ConsumerName, type EventEstate } from './eventEstate';
import { NATS_SERVER_MISSING, findNatsServer, startNatsServer, type RunningNatsServer } from './natsServer';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How often each event id appears among `effects`, for those whose subject starts with `prefix`. */
async function effectCounts(estate: EventEstate, consumer: ConsumerName, prefix: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const effect of await estate.effects(consumer)) {
    if (effect.subject.startsWith(prefix)) counts.set(effect.eventId, (counts.get(effect.eventId) ?? 0) + 1);
  }
  return counts;
}

/** Effects in `consumer` whose subject starts with `prefix` (counted by the database: polled often). */
function effectTotal(estate: EventEstate, consumer: ConsumerName, prefix: string): Promise<number> {
  return estate.consumers[consumer].store.collection('effects').countDocuments({ subject: { $regex: `^${prefix}` } });
}

function outbox(estate: EventEstate) {
  return estate.publisher.store.collection<OutboxEntry>(OUTBOX_COLLECTION);
}

/** Nothing left for the relay under `prefix`: no pending events in documents, nothing pending in the outbox. */
async function relaySettled(estate: EventEstate, prefix: string): Promise<boolean> {
  const subject = { $regex: `^${prefix}` };
  const inDocuments = await estate.publisher.store.collection('orders').countDocuments({ _id: subject, 'pendingEvents.0': { $exists: true } } as never);
  const inOutbox = await outbox(estate).countDocuments({ subject, 'pendingFor.0': { $exists: true } });
  return inDocuments === 0 && inOutbox === 0;
}

/** Every event's effect happened exactly once in `consumer`. */
function expectExactlyOnce(counts: Map<string, number>, events: readonly DomainEvent[]): void {
  for (const event of events) expect([event.id, counts.get(event.id)]).toEqual([event.id, 1]);
  expect(counts.size).toBe(events.length);
}

/** Registers the suite for one transport. */
export function describeDeliverySuite(transport: 'http' | 'nats'): void {
  const label = transport === 'http' ? 'HTTP push' : 'NATS JetStream';
  if (transport === 'nats' && !findNatsServer()) {
    // A failure, not a skip: a CI machine without nats-server would otherwise pass without ever testing
    // the JetStream transport.
    describe(`${label} transport`, () => {
      it('needs nats-server on PATH', () => {
        throw new Error(NATS_SERVER_MISSING);
      });
    });
    return;
  }

  let database: LocalDatabase;
  const natsServers: RunningNatsServer[] = [];
  const natsConnections: NatsConnection[] = [];
  const runId = `${process.pid}_${Date.now().toString(36)}`;

  beforeAll(async () => {
    database = await startTestDatabase();
  });
  afterAll(async () => {
    for (const connection of natsConnections) await connection.close();
    for (const server of natsServers) await server.stop();
    await database?.stop();
  });

  /** A fresh nats-server per estate: durable consumer names are per subgraph, so estates must not share one. */
  const natsUrl = async (): Promise<string | undefined> => {
    if (transport !== 'nats') return undefined;
    const server = await startNatsServer();
    natsServers.push(server);
    return server.url;
  };

  /** True when the consumer's durable has nothing pending or unacknowledged. */
  const natsIdle = async (url: string, consumer: ConsumerName): Promise<boolean> => {
    const connection = await connect({ servers: url });
    natsConnections.push(connection);
    const info = await (await connection.jetstreamManager()).consumers.info('ZOCALO_EVENTS', durableNameOf(consumer));
    return info.num_pending === 0 && info.num_ack_pending === 0;
  };

  describe(`${label}: delivery`, () => {
    let estate: EventEstate;
    let url: string | undefined;

    beforeAll(async () => {
      url = await natsUrl();
      estate = await startEventEstate({ database, databasePrefix: `ev_${transport}_d_${runId}`, ...(url ? { natsUrl: url } : {}) });
    });
    afterAll(async () => {
      await estate?.stop();
    });

    it('delivers every event to every subscriber with exactly one effect each', async () => {
      const placed = await Promise.all(Array.from({ length: 20 }, (_, i) => estate.placeOrder(`ord_t1_${i}`, `cus_t1_${i % 5}`, 1_000 + i * 100)));
      const cancelled: DomainEvent[] = [];
      for (let i = 0; i < 10; i += 1) cancelled.push(await estate.pushEvent(`ord_t1_${i}`, 'OrderCancelled', 1));

      await waitFor(async () => (await effectTotal(estate, 'loyalty', 'ord_t1_')) >= 30 && (await effectTotal(estate, 'messaging', 'ord_t1_')) >= 20, 15_000, async () => `loyalty ${await effectTotal(estate, 'loyalty', 'ord_t1_')}/30, messaging ${await effectTotal(estate, 'messaging', 'ord_t1_')}/20`);
      await waitFor(() => relaySettled(estate, 'ord_t1_'), 5_000, () => 'relay not settled');
      await sleep(200); // a late duplicate would show now

      expectExactlyOnce(await effectCounts(estate, 'loyalty', 'ord_t1_'), [...placed, ...cancelled]);
      expectExactlyOnce(await effectCounts(estate, 'messaging', 'ord_t1_'), placed);
      // Each event is one outbox entry, recorded for exactly the subscribers of its type.
      const entries = await outbox(estate).find({ subject: { $regex: '^ord_t1_' } }).toArray();
      expect(entries).toHaveLength(30);
      for (const entry of entries) expect(entry.subscribers).toEqual(entry.type === 'OrderPlaced' ? ['loyalty', 'messaging'] : ['loyalty']);
      expect(entries.every((entry) => entry.deliveries.loyalty?.status === 'DELIVERED')).toBe(true);
      const processed = await estate.consumers.loyalty.store.collection(PROCESSED_EVENTS_COLLECTION).countDocuments({ subject: { $regex: '^ord_t1_' } });
      expect(processed).toBe(30);
      const stats = await outboxStats(estate.publisher.store);
      expect(stats.loyalty).toMatchObject({ pending: 0, dead: 0, oldestPendingAgeSeconds: 0 });
      expect(stats.loyalty?.delivered).toBeGreaterThanOrEqual(30);
    });

    it('a consumer stopped while 50 orders are placed catches up when it returns: every order earns points once', async () => {
      await estate.stopConsumer('loyalty');
      const totals = Array.from({ length: 50 }, (_, i) => 1_000 + ((i * 7919) % 90) * 100);
      const placed = await Promise.all(totals.map((total, i) => estate.placeOrder(`ord_t2_${i}`, `cus_t2_${i % 7}`, total)));

      // The other subscriber is not held up by the stopped one.
      await waitFor(async () => (await effectTotal(estate, 'messaging', 'ord_t2_')) === 50, 10_000, () => 'messaging did not get the 50 orders');
      if (transport === 'http') {
        await waitFor(async () => (await outbox(estate).countDocuments({ subject: { $regex: '^ord_t2_' }, 'deliveries.loyalty.attempts': { $gte: 1 } })) > 0, 5_000, () => 'no failed attempt recorded');
        const health = (await (await fetch(`${estate.publisher.baseUrl}/health`)).json()) as { events: { outbox: Record<string, { pending: number }> } };
        expect(health.events.outbox.loyalty?.pending).toBe(50);
      }
      expect(await effectTotal(estate, 'loyalty', 'ord_t2_')).toBe(0);

      const restartedAt = Date.now();
      await estate.startConsumer('loyalty');
      await waitFor(async () => (await effectTotal(estate, 'loyalty', 'ord_t2_')) >= 50, 10_000, async () => `loyalty ${await effectTotal(estate, 'loyalty', 'ord_t2_')}/50`);
      const catchUpMs = Date.now() - restartedAt;
      await waitFor(() => relaySettled(estate, 'ord_t2_'), 5_000, () => 'relay not settled');
      await sleep(200);

      expect(catchUpMs).toBeLessThan(5_000);
      expectExactlyOnce(await effectCounts(estate, 'loyalty', 'ord_t2_'), placed);
      const accounts = await estate.consumers.loyalty.store.collection<{ _id: string; points: number }>('accounts').find({ _id: { $regex: '^cus_t2_' } }).toArray();
      const expected = new Map<string, number>();
      totals.forEach((total, i) => expected.set(`cus_t2_${i % 7}`, (expected.get(`cus_t2_${i % 7}`) ?? 0) + Math.floor(total / 100)));
      expect(new Map(accounts.map((account) => [account._id, account.points]))).toEqual(expected);
    });

    it('the same event delivered three more times has one effect', async () => {
      const event = await estate.placeOrder('ord_t3_0', 'cus_t3_0', 5_000);
      await waitFor(async () => (await effectTotal(estate, 'loyalty', 'ord_t3_')) === 1 && (await relaySettled(estate, 'ord_t3_')), 10_000, () => 'first delivery');

      // Through the relay: an operator (or a lost acknowledgement) puts the delivery back to PENDING.
      for (let time = 1; time <= 3; time += 1) {
        await outbox(estate).updateOne(
          { _id: event.id },
          { $set: { 'deliveries.loyalty.status': 'PENDING', 'deliveries.loyalty.nextAttemptAt': new Date(0) }, $addToSet: { pendingFor: 'loyalty' }, $pull: { deliveredTo: 'loyalty' } },
        );
        estate.publisher.server.events?.kick();
        await waitFor(async () => (await outbox(estate).findOne({ _id: event.id }))?.deliveries.loyalty?.status === 'DELIVERED', 5_000, () => `redelivery ${time}`);
      }
      expect((await outbox(estate).findOne({ _id: event.id }))?.deliveries.loyalty?.attempts).toBe(4);

      // Around the relay, straight at the consumer.
      if (transport === 'http') {
        for (let time = 1; time <= 3; time += 1) {
          const response = await fetch(`${estate.consumers.loyalty.baseUrl}/internal/events`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${tokenFor('SERVICE', 'orders')}` },
            body: JSON.stringify(event),
          });
          expect([response.status, await response.json()]).toEqual([200, { status: 'duplicate', eventId: event.id }]);
        }
      } else {
        const connection = await connect({ servers: url });
        natsConnections.push(connection);
        const jetstream = connection.jetstream();
        // Distinct message ids get past the stream's de-duplication, so the consumer sees three copies.
        for (let time = 1; time <= 3; time += 1) {
          const ack = await jetstream.publish(natsSubjectOf(event.type), JSON.stringify(event), { msgID: `${event.id}:again:${time}` });
          expect(ack.duplicate).toBe(false);
        }
        await waitFor(() => natsIdle(url ?? '', 'loyalty'), 5_000, () => 'loyalty consumer not idle');
      }

      await sleep(100);
      expect(await effectTotal(estate, 'loyalty', 'ord_t3_')).toBe(1);
      expect((await estate.consumers.loyalty.store.collection<{ _id: string; points: number }>('accounts').findOne({ _id: 'cus_t3_0' }))?.points).toBe(50);
      expect(await estate.consumers.loyalty.store.collection(PROCESSED_EVENTS_COLLECTION).countDocuments({ _id: event.id } as never)).toBe(1);
    });

    it('a relay stopped mid-batch, with a crash in each step simulated, is replaced by a new one: every event delivered, none twice in effect', async () => {
      estate.consumers.loyalty.control.delayMs = 5;
      try {
        const placed = await Promise.all(Array.from({ length: 40 }, (_, i) => estate.placeOrder(`ord_t4_${i}`, `cus_t4_${i % 3}`, 2_000)));
        await waitFor(async () => (await effectTotal(estate, 'loyalty', 'ord_t4_')) >= 10, 10_000, () => 'no deliveries started');
        const oldRelay = estate.publisher.server.events?.relay;
        await estate.publisher.server.events?.stop();
        expect(oldRelay?.isRunning).toBe(false);
        const deliveredAtStop = await effectTotal(estate, 'loyalty', 'ord_t4_');
        if (transport === 'http') expect(deliveredAtStop).toBeLessThan(40);

        // Crash after delivering, before recording it: five delivered entries look undelivered.
        const delivered = await outbox(estate).find({ subject: { $regex: '^ord_t4_' }, deliveredTo: 'loyalty' }).limit(5).toArray();
        expect(delivered.length).toBe(5);
        await outbox(estate).updateMany(
          { _id: { $in: delivered.map((entry) => entry._id) } },
          { $set: { 'deliveries.loyalty.status': 'PENDING' }, $addToSet: { pendingFor: 'loyalty' }, $pull: { deliveredTo: 'loyalty' } },
        );
        // Crash after recording in the outbox, before the $pull: three events are back in their documents.
        const orders = estate.publisher.store.collection<{ _id: string; pendingEvents: DomainEvent[] }>('orders');
        for (const entry of delivered.slice(0, 3)) await orders.updateOne({ _id: entry.subject }, { $push: { pendingEvents: entry.event } });
        // And the orders go on changing while no relay runs.
        const cancelled: DomainEvent[] = [];
        for (let i = 0; i < 10; i += 1) cancelled.push(await estate.pushEvent(`ord_t4_${i}`, 'OrderCancelled', 1));
        await sleep(150);
        expect(await orders.countDocuments({ _id: { $regex: '^ord_t4_' }, 'pendingEvents.0': { $exists: true } } as never)).toBeGreaterThanOrEqual(10);

        await estate.publisher.server.events?.start();
        const newRelay = estate.publisher.server.events?.relay;
        expect(newRelay).not.toBe(oldRelay);
        expect(newRelay?.isRunning).toBe(true);
        await waitFor(async () => (await effectTotal(estate, 'loyalty', 'ord_t4_')) >= 50 && (await effectTotal(estate, 'messaging', 'ord_t4_')) >= 40, 15_000, async () => `loyalty ${await effectTotal(estate, 'loyalty', 'ord_t4_')}/50`);
        await waitFor(() => relaySettled(estate, 'ord_t4_'), 5_000, () => 'relay not settled');
        await sleep(200);

        expectExactlyOnce(await effectCounts(estate, 'loyalty', 'ord_t4_'), [...placed, ...cancelled]);
        expectExactlyOnce(await effectCounts(estate, 'messaging', 'ord_t4_'), placed);
        expect(await outbox(estate).countDocuments({ subject: { $regex: '^ord_t4_' } })).toBe(50);
      } finally {
        estate.consumers.loyalty.control.delayMs = 0;
      }
    });

    it('delivers the events of each subject in the order they were committed, through failures and retries', async () => {
      const subjects = Array.from({ length: 5 }, (_, i) => `ord_t5_${i}`);
      const perSubject = 12;
      await Promise.all(
        subjects.map(async (subject, s) => {
          const first = await estate.placeOrder(subject, `cus_t5_${s}`, 1_000);
          estate.consumers.loyalty.control.failures.set(first.id, 1);
          for (let n = 1; n < perSubject; n += 1) {
            const event = await estate.pushEvent(subject, 'OrderReturned', n);
            // Every few events fail once or twice before they succeed.
            if (n % 4 === 2) estate.consumers.loyalty.control.failures.set(event.id, 1);
            if (n % 5 === 3) estate.consumers.messaging.control.failures.set(event.id, 2);
          }
        }),
      );
      const total = subjects.length * perSubject;
      await waitFor(async () => (await effectTotal(estate, 'loyalty', 'ord_t5_')) >= total && (await effectTotal(estate, 'messaging', 'ord_t5_')) >= total, 20_000, async () => `loyalty ${await effectTotal(estate, 'loyalty', 'ord_t5_')}, messaging ${await effectTotal(estate, 'messaging', 'ord_t5_')} of ${total}`);

      for (const consumer of ['loyalty', 'messaging'] as const) {
        const effects = (await estate.effects(consumer)).filter((effect) => effect.subject.startsWith('ord_t5_'));
        for (const subject of subjects) {
          expect([consumer, subject, effects.filter((effect) => effect.subject === subject).map((effect) => effect.n)]).toEqual([consumer, subject, Array.from({ length: perSubject }, (_, n) => n)]);
        }
      }
      // The injected failures did happen (so the order survived retries, not a failure-free run).
      expect([...estate.consumers.loyalty.control.failures.values()].every((left) => left === 0)).toBe(true);
      expect([...estate.consumers.messaging.control.failures.values()].every((left) => left === 0)).toBe(true);
    });
  });

  describe(`${label}: dead letters`, () => {
    let estate: EventEstate;
    const logger = createCapturingLogger();

    beforeAll(async () => {
      const url = await natsUrl();
      estate = await startEventEstate({ database, databasePrefix: `ev_${transport}_x_${runId}`, logger, events: { maxAttempts: 3, backoffBaseMs: 10, backoffMaxMs: 40 }, ...(url ? { natsUrl: url } : {}) });
    });
    afterAll(async () => {
      await estate?.stop();
    });

    it('an event that keeps failing is dead-lettered after the maximum attempts, visibly, and its subject goes on', async () => {
      const poison = await estate.placeOrder('ord_t6_0', 'cus_t6_0', 3_000, { poison: 'loyalty' });
      const next = await estate.pushEvent('ord_t6_0', 'OrderReturned', 1);

      // The later event of the same subject is handled once the poison one is given up.
      await waitFor(async () => (await effectCounts(estate, 'loyalty', 'ord_t6_')).get(next.id) === 1, 10_000, () => 'the next event was not delivered' + JSON.stringify(logger.lines.slice(-15)));
      expect((await effectCounts(estate, 'loyalty', 'ord_t6_')).has(poison.id)).toBe(false);
      await waitFor(async () => (await effectTotal(estate, 'messaging', 'ord_t6_')) === 2, 5_000, () => 'messaging');

      const admin = { authorization: `Bearer ${tokenFor('ADMIN')}` };
      // Where the dead letter lives: the publisher's outbox (HTTP), the consumer's inbox (JetStream).
      const owner = transport === 'http' ? estate.publisher : estate.consumers.loyalty;
      if (transport === 'http') {
        await waitFor(async () => (await outboxStats(estate.publisher.store)).loyalty?.dead === 1, 5_000, () => 'stats');
        const stats = await outboxStats(estate.publisher.store);
        expect(stats.loyalty).toMatchObject({ dead: 1, pending: 0 });
        expect(stats.messaging).toMatchObject({ dead: 0, pending: 0, delivered: 2 });
        const entry = await outbox(estate).findOne({ _id: poison.id });
        expect(entry?.deliveries.loyalty).toMatchObject({ status: 'DEAD', attempts: 3, lastError: expect.stringContaining('500') });
        const metrics = await (await fetch(`${owner.baseUrl}/metrics`)).text();
        expect(metrics).toContain('zocalo_events_dead{service="orders",subscriber="loyalty"} 1');
        expect(metrics).toContain('zocalo_events_pending{service="orders",subscriber="loyalty"} 0');
      } else {
        expect(await inboxStats(estate.consumers.loyalty.store)).toMatchObject({ dead: 1 });
        expect(await estate.consumers.loyalty.store.collection(INBOX_DEAD_LETTERS_COLLECTION).findOne({ _id: poison.id } as never)).toMatchObject({ attempts: 3 });
        const metrics = await (await fetch(`${owner.baseUrl}/metrics`)).text();
        expect(metrics).toContain('zocalo_events_consumer_dead{service="loyalty"} 1');
      }
      const health = (await (await fetch(`${owner.baseUrl}/health`)).json()) as { events: Record<string, unknown> };
      expect(health.events).toMatchObject(transport === 'http' ? { outbox: { loyalty: { dead: 1 } } } : { inbox: { dead: 1 } });

      const list = await fetch(`${owner.baseUrl}/internal/dead-letters`, { headers: admin });
      expect(list.status).toBe(200);
      const { deadLetters } = (await list.json()) as { deadLetters: { eventId: string; attempts: number; side: string }[] };
      expect(deadLetters).toEqual([expect.objectContaining({ eventId: poison.id, attempts: 3, side: transport === 'http' ? 'outbox' : 'inbox' })]);
      expect(logger.lines.some((line) => line.level === 'error' && /dead-lettered/.test(line.message) && line.fields.eventId === poison.id)).toBe(true);
    });
  });
}
