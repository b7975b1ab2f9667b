/**
 * `npm run events:replay` (scripts/events/replayDeadLetters.ts), run through npm as an operator runs it,
 * against the probe estate (eventEstate.ts: real subgraph servers, real HTTP, the real test database):
 *
 * - outbox: the relay dead-letters an event for a subscriber whose port refuses (EVENT_MAX_ATTEMPTS 3);
 *   the command lists it, refuses unknown ids and bad arguments without touching anything, and once
 *   the subscriber is back replays it — the running relay delivers it exactly once and the list empties;
 * - inbox: a dead letter recorded by the kit's consumer code (`recordInboxDeadLetter`, what the
 *   JetStream consumer calls when it gives up) is handed to the subscriber's `/internal/events`, handled
 *   once, and removed; a replay of an event handled meanwhile has no second effect; a malformed letter
 *   and a URL that points at another subgraph leave the letter where it is.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  INBOX_DEAD_LETTERS_COLLECTION,
  OUTBOX_COLLECTION,
  PROCESSED_EVENTS_COLLECTION,
  createDomainEvent,
  outboxStats,
  recordInboxDeadLetter,
  type DomainEventPayloads,
  type LocalDatabase,
  type OutboxEntry,
} from '../../subgraphs/kit/src';
import { startTestDatabase } from '../support/testkit';
import { createCapturingLogger } from './capturingLogger';
import { startEventEstate, waitFor, type ConsumerName, type EventEstate } from './eventEstate';

const ROOT = path.resolve(__dirname, '../..');
const RUN_ID = `${process.pid}_${Date.now().toString(36)}`;
const PREFIX = `replay_${RUN_ID}`;

interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

let database: LocalDatabase;
let estate: EventEstate;

/** Runs `npm run -s events:replay -- <args>` against the estate's databases; `env` adds to the environment. */
function replay(args: string[], env: Record<string, string> = {}): Promise<CommandResult> {
  const base = { ...process.env };
  // The probe servers sign and verify with the dev key (testAuth); so must the command.
  for (const variable of ['JWT_SIGNING_KEY', 'JWT_ISSUER', 'JWT_AUDIENCE', 'JWT_JWKS_URL', 'NODE_ENV', 'MONGODB_DB']) delete base[variable];
  return new Promise((resolve) => {
    execFile('npm', ['run', '-s', 'events:replay', '--', ...args], { cwd: ROOT, env: { ...base, MONGODB_URI: database.uri, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: unknown }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const ordersDb = { MONGODB_DB: `${PREFIX}_orders` };
const loyaltyDb = () => ({ MONGODB_DB: `${PREFIX}_loyalty`, LOYALTY_URL: estate.consumers.loyalty.baseUrl });

/** How many times `consumer`'s handler had an effect for `eventId`. */
async function effectsOf(consumer: ConsumerName, eventId: string): Promise<number> {
  return (await estate.effects(consumer)).filter((effect) => effect.eventId === eventId).length;
}

function outboxEntry(eventId: string) {
  return estate.publisher.store.collection<OutboxEntry>(OUTBOX_COLLECTION).findOne({ _id: eventId });
}

beforeAll(async () => {
  database = await startTestDatabase();
  estate = await startEventEstate({ database, databasePrefix: PREFIX, events: { maxAttempts: 3, backoffBaseMs: 10, backoffMaxMs: 40 } });
}, 120_000);

afterAll(async () => {
  await estate?.stop();
  await database?.stop();
});

describe('outbox dead letters', () => {
  it('are listed, replayed once the subscriber is back, delivered exactly once, and the list empties', async () => {
    // loyalty's port refuses: the relay tries 3 times, then dead-letters the event for loyalty only.
    await estate.stopConsumer('loyalty');
    const event = await estate.placeOrder('ord_replay_1', 'cus_replay_1', 12_300);
    await waitFor(async () => (await outboxStats(estate.publisher.store)).loyalty?.dead === 1, 15_000, async () => JSON.stringify(await outboxEntry(event.id)));
    expect(await effectsOf('messaging', event.id)).toBe(1);

    const listed = await replay(['--subgraph', 'orders'], ordersDb);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(`1 dead letter in orders (database ${PREFIX}_orders)`);
    expect(listed.stdout).toMatch(new RegExp(`outbox +${event.id} +OrderPlaced of ord_replay_1, not delivered to loyalty after 3 attempts`));
    expect(listed.stdout).toContain(`last error: POST ${estate.consumers.loyalty.baseUrl}/internal/events failed`);

    // Unknown ids and bad arguments: a clear message, a non-zero status, and nothing replayed.
    const unknown = await replay(['--subgraph', 'orders', '--event', event.id, '--event', 'evt_unknown'], ordersDb);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No dead letter evt_unknown in orders');
    expect(unknown.stderr).toContain('Nothing was replayed');
    const wrongSubscriber = await replay(['--subgraph', 'orders', '--event', event.id, '--subscriber', 'messaging'], ordersDb);
    expect(wrongSubscriber.code).toBe(1);
    expect(wrongSubscriber.stderr).toContain(`No dead letter ${event.id} in orders for messaging`);
    for (const bad of [['--subgraph', 'warehouse'], ['--subgraph', 'orders', '--all', '--event', event.id], ['--subgraph', 'orders', '--list', '--all'], ['--subgraph', 'orders', '--subscriber', 'nobody'], ['--event', event.id], ['--subgraph', 'orders', '--all', '--wait', 'soon']]) {
      const result = await replay(bad, ordersDb);
      expect([bad, result.code]).toEqual([bad, 2]);
      expect(result.stderr).toContain('Usage: npm run events:replay -- --subgraph');
    }
    expect((await outboxEntry(event.id))?.deadFor).toEqual(['loyalty']);

    await estate.startConsumer('loyalty');
    const replayed = await replay(['--subgraph', 'orders', '--event', event.id, '--subscriber', 'loyalty', '--wait', '20'], ordersDb);
    expect(replayed.stderr).toBe('');
    expect(replayed.code).toBe(0);
    expect(replayed.stdout).toContain(`requeued ${event.id} (OrderPlaced) for loyalty: orders's relay delivers it on its next pass`);
    expect(replayed.stdout).toContain('replayed 1 of 1 dead letter in orders for loyalty');
    expect(replayed.stdout).toContain(`delivered ${event.id} to loyalty`);

    // Exactly once, also after a few more relay passes; messaging did not get it a second time.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await effectsOf('loyalty', event.id)).toBe(1);
    expect(await effectsOf('messaging', event.id)).toBe(1);
    expect(await estate.consumers.loyalty.store.collection<{ _id: string; points: number }>('accounts').findOne({ _id: 'cus_replay_1' })).toEqual({ _id: 'cus_replay_1', points: 123 });
    const entry = await outboxEntry(event.id);
    expect(entry).toMatchObject({ pendingFor: [], deadFor: [], deliveredTo: expect.arrayContaining(['loyalty', 'messaging']) });
    expect(entry?.deliveries.loyalty).toMatchObject({ status: 'DELIVERED', attempts: 1, lastError: null, replayedAt: expect.any(Date) });
    expect(await outboxStats(estate.publisher.store)).toMatchObject({ loyalty: { dead: 0, pending: 0 } });

    const after = await replay(['--subgraph', 'orders'], ordersDb);
    expect(after.code).toBe(0);
    expect(after.stdout).toContain('0 dead letters in orders');
    expect(after.stdout).not.toContain(event.id);
    // Replaying it again is an unknown id now, and changes nothing.
    const again = await replay(['--subgraph', 'orders', '--event', event.id], ordersDb);
    expect(again.code).toBe(1);
    expect(await effectsOf('loyalty', event.id)).toBe(1);
  }, 120_000);

  it('--all requeues every dead letter, and the running relay delivers each once without being waited for', async () => {
    await estate.stopConsumer('loyalty');
    const first = await estate.placeOrder('ord_replay_2', 'cus_replay_2', 1_000);
    const second = await estate.placeOrder('ord_replay_3', 'cus_replay_3', 2_000);
    await waitFor(async () => (await outboxStats(estate.publisher.store)).loyalty?.dead === 2, 15_000, () => 'two dead letters');
    await estate.startConsumer('loyalty');

    const replayed = await replay(['--subgraph', 'orders', '--all'], ordersDb);
    expect(replayed.code).toBe(0);
    expect(replayed.stdout).toContain('replayed 2 of 2 dead letters in orders');
    expect(replayed.stdout).toContain('The list empties as the relay delivers: npm run events:replay -- --subgraph orders');

    await waitFor(async () => (await effectsOf('loyalty', first.id)) === 1 && (await effectsOf('loyalty', second.id)) === 1, 15_000, () => 'replayed deliveries');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect([await effectsOf('loyalty', first.id), await effectsOf('loyalty', second.id)]).toEqual([1, 1]);
    expect((await replay(['--subgraph', 'orders', '--all'], ordersDb)).stdout).toContain('No dead letters in orders: nothing to replay');
  }, 120_000);
});

describe('inbox dead letters', () => {
  const logger = createCapturingLogger();
  const orderPlaced = (orderId: string, customerId: string, totalCents: number) =>
    createDomainEvent('OrderPlaced', 'orders', orderId, { orderId, number: orderId, customerId, channel: 'WEB', totalCents, lines: [], fulfillment: { method: 'SHIP_TO_HOME', locationId: 'loc_1' }, placedAt: new Date().toISOString(), n: 0 } as unknown as DomainEventPayloads['OrderPlaced']);
  const inboxLetter = (eventId: string) => estate.consumers.loyalty.store.collection(INBOX_DEAD_LETTERS_COLLECTION).findOne({ _id: eventId } as never);

  it('are handed to the subscriber’s own endpoint, handled once, and removed', async () => {
    const event = orderPlaced('ord_inbox_1', 'cus_inbox_1', 4_500);
    await recordInboxDeadLetter(estate.consumers.loyalty.store, logger, event, event.id, 3, 'handler failed: injected');

    const listed = await replay(['--subgraph', 'loyalty'], loyaltyDb());
    expect(listed.stdout).toMatch(new RegExp(`inbox +${event.id} +OrderPlaced of ord_inbox_1, not handled by loyalty after 3 attempts`));

    // Pointed at another subgraph, the command refuses: its handlers and dedupe are not loyalty's.
    const misdirected = await replay(['--subgraph', 'loyalty', '--event', event.id], { ...loyaltyDb(), LOYALTY_URL: estate.consumers.messaging.baseUrl });
    expect(misdirected.code).toBe(1);
    expect(misdirected.stdout).toContain(`is "messaging", not loyalty`);
    expect(await inboxLetter(event.id)).not.toBeNull();
    expect(await effectsOf('messaging', event.id)).toBe(0);

    const replayed = await replay(['--subgraph', 'loyalty', '--event', event.id], loyaltyDb());
    expect(replayed.code).toBe(0);
    expect(replayed.stdout).toContain(`replayed ${event.id} (OrderPlaced) to loyalty at ${estate.consumers.loyalty.baseUrl}: handled; dead letter removed`);
    expect(await effectsOf('loyalty', event.id)).toBe(1);
    expect(await inboxLetter(event.id)).toBeNull();
    expect(await estate.consumers.loyalty.store.collection(PROCESSED_EVENTS_COLLECTION).findOne({ _id: event.id } as never)).toMatchObject({ type: 'OrderPlaced' });

    // A letter for an event that was handled meanwhile: removed, with no second effect.
    await recordInboxDeadLetter(estate.consumers.loyalty.store, logger, event, event.id, 3, 'a late copy');
    const duplicate = await replay(['--subgraph', 'loyalty', '--all'], loyaltyDb());
    expect(duplicate.code).toBe(0);
    expect(duplicate.stdout).toContain('it had handled it already; dead letter removed');
    expect(await effectsOf('loyalty', event.id)).toBe(1);
    expect((await replay(['--subgraph', 'loyalty'], loyaltyDb())).stdout).toContain('0 dead letters in loyalty');
  }, 120_000);

  it('keeps a letter that does not hold an event, and says why', async () => {
    await recordInboxDeadLetter(estate.consumers.loyalty.store, logger, '{not json', 'nats-seq-7', 1, 'malformed event: the event must be a JSON object');

    const result = await replay(['--subgraph', 'loyalty', '--event', 'nats-seq-7'], loyaltyDb());

    expect(result.code).toBe(1);
    expect(result.stdout).toContain('FAILED nats-seq-7: Inbox dead letter nats-seq-7 does not hold a domain event');
    expect(result.stdout).toContain('(dead letter kept)');
    expect(await inboxLetter('nats-seq-7')).not.toBeNull();
  }, 60_000);
});
