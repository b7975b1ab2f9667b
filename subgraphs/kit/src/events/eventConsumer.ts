/**
 * The receiving side, shared by both transports: run the subgraph's handler for an event at most once
 * in effect. Delivery is at least once, so the same event may arrive again (relay retry after a lost
 * answer, JetStream redelivery, an operator's replay); the consumer records each processed event id in
 * `processedEvents` (`_id` = event id, unique) AFTER its handler succeeded, and skips ids it finds
 * there. A crash between the handler and the record means one more run of the handler on redelivery —
 * which is why handlers must also be idempotent on their own (unique keys, conditional updates); the
 * record makes redeliveries cheap and protects handlers whose idempotence has a gap.
 */
import type { SubgraphName } from '../estate';
import type { Logger } from '../logger';
import type { MongoStore } from '../mongo';
import type { DomainEvent, DomainEventHandler, DomainEventHandlers } from './domainEvent';

/** Ids of events this subgraph has processed. */
export const PROCESSED_EVENTS_COLLECTION = 'processedEvents';
/** Events this subgraph gave up on (JetStream transport; with HTTP push the publisher's outbox keeps them). */
export const INBOX_DEAD_LETTERS_COLLECTION = 'inboxDeadLetters';

/** A `processedEvents` document. */
export interface ProcessedEventDocument {
  _id: string;
  type: string;
  source: SubgraphName;
  subject: string;
  processedAt: Date;
}

/** An `inboxDeadLetters` document. */
export interface InboxDeadLetterDocument {
  /** The event id. */
  _id: string;
  event: unknown;
  attempts: number;
  lastError: string;
  deadAt: Date;
}

/** What {@link consumeEvent} did. */
export type ConsumeOutcome = 'processed' | 'duplicate' | 'ignored';

/** Runs the handler of `event` unless its id was processed before; throws what the handler throws. */
export async function consumeEvent(store: MongoStore, handlers: DomainEventHandlers, event: DomainEvent): Promise<ConsumeOutcome> {
  const handler = handlers[event.type] as DomainEventHandler | undefined;
  if (!handler) return 'ignored';
  const processed = store.collection<ProcessedEventDocument>(PROCESSED_EVENTS_COLLECTION);
  if (await processed.findOne({ _id: event.id }, { projection: { _id: 1 } })) return 'duplicate';
  await handler(event);
  try {
    await processed.insertOne({ _id: event.id, type: event.type, source: event.source, subject: event.subject, processedAt: new Date() });
  } catch (error) {
    // A concurrent delivery of the same event recorded it first: both runs were the handler's own
    // idempotence to absorb, and the event is processed either way.
    if ((error as { code?: unknown }).code !== 11000) throw error;
  }
  return 'processed';
}

/** Records an event this subgraph gives up on, and logs it at error level for the operator. */
export async function recordInboxDeadLetter(store: MongoStore, logger: Logger, event: unknown, eventId: string, attempts: number, lastError: string): Promise<void> {
  logger.error('domain event dead-lettered by its consumer', { eventId, attempts, lastError });
  await store
    .collection<InboxDeadLetterDocument>(INBOX_DEAD_LETTERS_COLLECTION)
    .updateOne({ _id: eventId }, { $set: { event, attempts, lastError, deadAt: new Date() } }, { upsert: true });
}

/** A short, single-line description of an error for `lastError`. */
export function errorSummary(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s+/g, ' ').slice(0, 500);
}
