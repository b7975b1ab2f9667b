/**
 * The operator's view of event delivery: per subscriber, how many events are pending, delivered and
 * dead, and how old the oldest pending one is (publishing side); how many events this subgraph processed
 * and gave up on (consuming side). Shown in `/health`, as Prometheus text at `/metrics`, and dead
 * letters one by one at `/internal/dead-letters`.
 */
import type { SubgraphName } from '../estate';
import type { MongoStore } from '../mongo';
import { INBOX_DEAD_LETTERS_COLLECTION, PROCESSED_EVENTS_COLLECTION, type InboxDeadLetterDocument, type ProcessedEventDocument } from './eventConsumer';
import { OUTBOX_COLLECTION, OUTBOX_STATE_COLLECTION, type OutboxEntry, type OutboxStateDocument } from './outboxEntry';

/** Delivery figures of one subscriber. */
export interface SubscriberOutboxStats {
  pending: number;
  /** Since the outbox began (a counter; delivered entries themselves are pruned). */
  delivered: number;
  dead: number;
  /** Seconds since the oldest pending event occurred; 0 when nothing is pending. */
  oldestPendingAgeSeconds: number;
}

/** The consuming side's figures. */
export interface InboxStats {
  processed: number;
  dead: number;
}

/** Per subscriber delivery figures of a publishing subgraph's outbox. */
export async function outboxStats(store: MongoStore, subscribers?: readonly SubgraphName[]): Promise<Partial<Record<SubgraphName, SubscriberOutboxStats>>> {
  const outbox = store.collection<OutboxEntry>(OUTBOX_COLLECTION);
  const counters = await store.collection<OutboxStateDocument>(OUTBOX_STATE_COLLECTION).findOne({ _id: 'delivered' });
  const names = new Set<SubgraphName>(subscribers ?? []);
  if (!subscribers) {
    for (const key of Object.keys(counters ?? {})) if (key !== '_id') names.add(key as SubgraphName);
    for (const name of (await outbox.distinct('subscribers')) as SubgraphName[]) names.add(name);
  }
  const stats: Partial<Record<SubgraphName, SubscriberOutboxStats>> = {};
  const now = Date.now();
  for (const subscriber of [...names].sort()) {
    const [pending, dead, oldest] = await Promise.all([
      outbox.countDocuments({ pendingFor: subscriber }),
      outbox.countDocuments({ deadFor: subscriber }),
      outbox.find({ pendingFor: subscriber }, { projection: { 'event.occurredAt': 1, recordedAt: 1 } }).sort({ seq: 1 }).limit(1).next(),
    ]);
    const delivered = counters?.[subscriber];
    const occurredAt = oldest ? Date.parse(oldest.event?.occurredAt ?? '') || new Date(oldest.recordedAt).getTime() : now;
    stats[subscriber] = {
      pending,
      delivered: typeof delivered === 'number' ? delivered : 0,
      dead,
      oldestPendingAgeSeconds: Math.max(0, Math.round((now - occurredAt) / 100) / 10),
    };
  }
  return stats;
}

/** The consuming side's figures. */
export async function inboxStats(store: MongoStore): Promise<InboxStats> {
  const [processed, dead] = await Promise.all([
    store.collection<ProcessedEventDocument>(PROCESSED_EVENTS_COLLECTION).estimatedDocumentCount(),
    store.collection<InboxDeadLetterDocument>(INBOX_DEAD_LETTERS_COLLECTION).estimatedDocumentCount(),
  ]);
  return { processed, dead };
}

/** One dead letter, as `/internal/dead-letters` lists it. */
export interface DeadLetter {
  /** `outbox`: this subgraph gave up delivering it; `inbox`: this subgraph gave up handling it. */
  side: 'outbox' | 'inbox';
  eventId: string;
  type: string | null;
  subject: string | null;
  /** For `outbox`: who did not get it. */
  subscriber: SubgraphName | null;
  attempts: number;
  lastError: string | null;
  occurredAt: string | null;
}

/** Dead letters of both sides, newest events first within each side, at most `limit` per side. */
export async function listDeadLetters(store: MongoStore, limit: number): Promise<DeadLetter[]> {
  const entries = await store.collection<OutboxEntry>(OUTBOX_COLLECTION).find({ 'deadFor.0': { $exists: true } }).sort({ seq: -1 }).limit(limit).toArray();
  const inbox = await store.collection<InboxDeadLetterDocument>(INBOX_DEAD_LETTERS_COLLECTION).find({}).sort({ deadAt: -1 }).limit(limit).toArray();
  return [...entries.flatMap(outboxDeadLettersOf), ...inbox.map(inboxDeadLetterOf)];
}

/** The dead letters an outbox entry holds: one per subscriber it is dead for. */
export function outboxDeadLettersOf(entry: OutboxEntry): DeadLetter[] {
  return entry.deadFor.map((subscriber) => {
    const delivery = entry.deliveries[subscriber];
    return {
      side: 'outbox',
      eventId: entry._id,
      type: entry.type,
      subject: entry.subject,
      subscriber,
      attempts: delivery?.attempts ?? 0,
      lastError: delivery?.lastError ?? null,
      occurredAt: entry.event?.occurredAt ?? null,
    };
  });
}

/** An `inboxDeadLetters` document as a dead letter (its event may be malformed: a string, say). */
export function inboxDeadLetterOf(letter: InboxDeadLetterDocument): DeadLetter {
  const event = (typeof letter.event === 'object' && letter.event !== null ? letter.event : {}) as Record<string, unknown>;
  return {
    side: 'inbox',
    eventId: letter._id,
    type: typeof event.type === 'string' ? event.type : null,
    subject: typeof event.subject === 'string' ? event.subject : null,
    subscriber: null,
    attempts: letter.attempts,
    lastError: letter.lastError,
    occurredAt: typeof event.occurredAt === 'string' ? event.occurredAt : null,
  };
}

/** What `/health` shows under `events`. */
export interface EventHealth {
  transport: 'http' | 'nats';
  relay: 'running' | 'stopped' | 'none';
  consumer: 'running' | 'stopped' | 'none';
  /** Publishing subgraphs. */
  outbox?: Partial<Record<SubgraphName, SubscriberOutboxStats>>;
  /** Subscribing subgraphs. */
  inbox?: InboxStats;
}

/** Prometheus text exposition (format 0.0.4) of an {@link EventHealth}. */
export function eventMetricsText(service: SubgraphName, health: EventHealth): string {
  const lines: string[] = [];
  const gauge = (name: string, help: string, samples: [Record<string, string>, number][]) => {
    if (samples.length === 0) return;
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${name.endsWith('_total') ? 'counter' : 'gauge'}`);
    for (const [labels, value] of samples) {
      const text = Object.entries({ service, ...labels })
        .map(([key, label]) => `${key}="${label.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`)
        .join(',');
      lines.push(`${name}{${text}} ${value}`);
    }
  };
  const outbox = Object.entries(health.outbox ?? {}) as [SubgraphName, SubscriberOutboxStats][];
  gauge('zocalo_events_pending', 'Events waiting for delivery to the subscriber.', outbox.map(([subscriber, stats]) => [{ subscriber }, stats.pending]));
  gauge('zocalo_events_delivered_total', 'Events delivered to the subscriber.', outbox.map(([subscriber, stats]) => [{ subscriber }, stats.delivered]));
  gauge('zocalo_events_dead', 'Events dead-lettered for the subscriber.', outbox.map(([subscriber, stats]) => [{ subscriber }, stats.dead]));
  gauge('zocalo_events_oldest_pending_age_seconds', 'Age of the oldest event pending for the subscriber.', outbox.map(([subscriber, stats]) => [{ subscriber }, stats.oldestPendingAgeSeconds]));
  if (health.inbox) {
    gauge('zocalo_events_processed', 'Events this subgraph has processed (ids recorded).', [[{}, health.inbox.processed]]);
    gauge('zocalo_events_consumer_dead', 'Events this subgraph gave up handling.', [[{}, health.inbox.dead]]);
  }
  gauge('zocalo_events_relay_up', '1 while the outbox relay runs.', health.relay === 'none' ? [] : [[{ transport: health.transport }, health.relay === 'running' ? 1 : 0]]);
  return `${lines.join('\n')}\n`;
}
