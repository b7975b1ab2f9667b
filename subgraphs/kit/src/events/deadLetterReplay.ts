/**
 * Replaying dead letters once their cause is fixed — what `npm run events:replay`
 * (scripts/events/replayDeadLetters.ts) does for the operator:
 *
 * - **Outbox** (a publisher gave up delivering an event to a subscriber): the delivery goes back into
 *   the relay's work list as a new delivery stands there — the subscriber out of `deadFor` and into
 *   `pendingFor`, its delivery PENDING, no attempts, due now — and the publisher's running relay
 *   delivers it on its next pass, with its usual retries (and, after `maxAttempts`, a new dead letter).
 *   One conditional update, so two operators replaying the same letter requeue it once.
 * - **Inbox** (a subscriber gave up handling an event from JetStream): the stored event is POSTed to
 *   the subscriber's own `/internal/events` with a SERVICE token — the dedupe by event id and the
 *   handlers of every delivery, so an event that was processed meanwhile is not processed again — and
 *   the dead letter is removed only after the subscriber answered that it processed the event (now or
 *   before).
 *
 * Consumers are idempotent by event id, so a replay never has a second effect; a replayed event may
 * reach its subscriber after later events of the same subject (a dead letter releases its chain).
 */
import type { Collection, Document, Filter, UpdateFilter } from 'mongodb';
import { signToken, type AuthConfig } from '../auth/tokens';
import type { SubgraphName } from '../estate';
import type { MongoStore } from '../mongo';
import { domainEventProblem } from './domainEvent';
import { INBOX_DEAD_LETTERS_COLLECTION, type ConsumeOutcome, type InboxDeadLetterDocument } from './eventConsumer';
import { EVENTS_ENDPOINT_PATH, fetchFailureReason, postEvent } from './httpTransport';
import { OUTBOX_COLLECTION, type OutboxEntry } from './outboxEntry';
import { inboxDeadLetterOf, outboxDeadLettersOf, type DeadLetter } from './outboxStats';

/** Which dead letters {@link findDeadLetters} returns. */
export interface DeadLetterFilter {
  /** Only these events. @default every event */
  eventIds?: readonly string[];
  /**
   * Only letters for this subscriber: outbox letters it did not get, and the inbox letters of the
   * subgraph itself when it is that subscriber. @default every subscriber
   */
  subscriber?: SubgraphName;
}

/** The `sub` of the SERVICE token an inbox replay is sent with (the subscriber logs it as `from`). */
export const REPLAY_TOKEN_SUBJECT = 'events-replay';

/** Time allowed for the subscriber to handle one replayed event. */
const REPLAY_TIMEOUT_MS = 30_000;

/** Ids are strings throughout the estate; the driver's update typings reject dotted paths into `deliveries`. */
interface KeyedDocument extends Document {
  _id: string;
}

/**
 * Every dead letter in the database of `subgraph` that matches `filter`: outbox letters in the order
 * the relay recorded their events (`seq`), then inbox letters in the order they died — the order a
 * replay of all of them should take.
 */
export async function findDeadLetters(store: MongoStore, subgraph: SubgraphName, filter: DeadLetterFilter = {}): Promise<DeadLetter[]> {
  const ids = filter.eventIds ? { _id: { $in: [...filter.eventIds] } } : {};
  const outboxFilter: Filter<OutboxEntry> = filter.subscriber ? { ...ids, deadFor: filter.subscriber } : { ...ids, 'deadFor.0': { $exists: true } };
  const entries = await store.collection<OutboxEntry>(OUTBOX_COLLECTION).find(outboxFilter).sort({ seq: 1 }).toArray();
  const letters = entries.flatMap(outboxDeadLettersOf).filter((letter) => !filter.subscriber || letter.subscriber === filter.subscriber);
  if (!filter.subscriber || filter.subscriber === subgraph) {
    const inbox = await store.collection<InboxDeadLetterDocument>(INBOX_DEAD_LETTERS_COLLECTION).find(ids).sort({ deadAt: 1 }).toArray();
    letters.push(...inbox.map(inboxDeadLetterOf));
  }
  return letters;
}

/**
 * Puts the dead delivery of event `eventId` to `subscriber` back into the relay's work list (see the
 * module comment). Resolves false when that delivery is not dead (any more): unknown, or requeued by
 * someone else first.
 */
export async function requeueOutboxDelivery(store: MongoStore, eventId: string, subscriber: SubgraphName, now = new Date()): Promise<boolean> {
  const outbox: Collection<KeyedDocument> = store.collection<KeyedDocument>(OUTBOX_COLLECTION);
  const delivery = `deliveries.${subscriber}`;
  // The fields OutboxRelay reads: `pendingFor` (its work list), and `nextAttemptAt` (isDue) and
  // `attempts` (the count towards maxAttempts) of the delivery. `lastError` stays until the next try.
  const update: Document = {
    $pull: { deadFor: subscriber },
    $addToSet: { pendingFor: subscriber },
    $set: { [`${delivery}.status`]: 'PENDING', [`${delivery}.attempts`]: 0, [`${delivery}.nextAttemptAt`]: now, [`${delivery}.replayedAt`]: now },
  };
  const result = await outbox.updateOne({ _id: eventId, deadFor: subscriber }, update as UpdateFilter<KeyedDocument>);
  return result.modifiedCount === 1;
}

/** Where a requeued outbox delivery stands (see {@link outboxDeliveryStatus}). */
export type RequeuedDeliveryStatus = 'PENDING' | 'DELIVERED' | 'DEAD' | 'GONE';

/** The status of the delivery of `eventId` to `subscriber`; `GONE` when the entry was pruned (delivered long ago). */
export async function outboxDeliveryStatus(store: MongoStore, eventId: string, subscriber: SubgraphName): Promise<{ status: RequeuedDeliveryStatus; lastError: string | null }> {
  const entry = await store.collection<OutboxEntry>(OUTBOX_COLLECTION).findOne({ _id: eventId }, { projection: { deliveries: 1 } });
  const delivery = entry?.deliveries?.[subscriber];
  if (!delivery) return { status: 'GONE', lastError: null };
  return { status: delivery.status, lastError: delivery.lastError ?? null };
}

/** Options of {@link replayInboxDeadLetter} and {@link verifySubscriberAt}. */
export interface InboxReplayOptions {
  /** The subscriber: the subgraph whose database holds the inbox dead letter. */
  subscriber: SubgraphName;
  /** Its base URL (without `/graphql`), e.g. `http://127.0.0.1:4004`. */
  baseUrl: string;
  /** Signs the SERVICE token; the subscriber must accept it (same `JWT_SIGNING_KEY`). */
  auth: AuthConfig;
}

/**
 * Checks that the process at `baseUrl` is `subscriber` (its `/ready` names its service): a replay sent
 * to another subgraph would run that subgraph's handlers and dedupe against its database.
 * @throws Error saying what answered there instead.
 */
export async function verifySubscriberAt(options: Pick<InboxReplayOptions, 'subscriber' | 'baseUrl'>): Promise<void> {
  let service: unknown;
  try {
    const response = await fetch(`${options.baseUrl}/ready`, { signal: AbortSignal.timeout(5_000) });
    service = ((await response.json()) as { service?: unknown }).service;
  } catch (error) {
    throw new Error(`${options.subscriber} does not answer at ${options.baseUrl}: ${fetchFailureReason(error)}`, { cause: error });
  }
  if (service !== options.subscriber) throw new Error(`The subgraph at ${options.baseUrl} is ${JSON.stringify(service)}, not ${options.subscriber}`);
}

/**
 * Hands the event of inbox dead letter `eventId` to the subscriber's consumer endpoint and, once it
 * answered `processed` or `duplicate`, removes the dead letter.
 * @throws Error (the dead letter kept) when there is no such letter, its event is malformed, or the
 * subscriber refuses or fails it.
 */
export async function replayInboxDeadLetter(store: MongoStore, eventId: string, options: InboxReplayOptions): Promise<Exclude<ConsumeOutcome, 'ignored'>> {
  const letters = store.collection<InboxDeadLetterDocument>(INBOX_DEAD_LETTERS_COLLECTION);
  const letter = await letters.findOne({ _id: eventId });
  if (!letter) throw new Error(`No inbox dead letter ${eventId} in ${options.subscriber}`);
  const problem = domainEventProblem(letter.event);
  if (problem) throw new Error(`Inbox dead letter ${eventId} does not hold a domain event (${problem}); replaying it cannot help`);

  const url = `${options.baseUrl}${EVENTS_ENDPOINT_PATH}`;
  const token = signToken({ sub: REPLAY_TOKEN_SUBJECT, role: 'SERVICE' }, options.auth);
  const { text } = await postEvent(url, letter.event, { token, timeoutMs: REPLAY_TIMEOUT_MS });
  const status = (JSON.parse(text || '{}') as { status?: unknown }).status;
  if (status !== 'processed' && status !== 'duplicate') {
    throw new Error(`${options.subscriber} at ${options.baseUrl} answered ${JSON.stringify(status)} for ${eventId}: it has no handler for that event type`);
  }
  await letters.deleteOne({ _id: eventId });
  return status;
}
