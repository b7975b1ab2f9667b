/**
 * The documents of a publishing subgraph's `outbox` collection: one per event, `_id` = event id, with
 * the delivery state of each subscriber. Written only by the relay (see `outboxRelay.ts`).
 */
import type { SubgraphName } from '../estate';
import type { IndexDeclaration } from '../mongo';
import type { DomainEvent } from './domainEvent';

/** The relay's copy of each event and its delivery state. */
export const OUTBOX_COLLECTION = 'outbox';
/** The relay's counters: `{_id: "sequence", value}` (ordering keys) and `{_id: "delivered", <subscriber>: n}`. */
export const OUTBOX_STATE_COLLECTION = 'outboxState';

/** Where a delivery to one subscriber stands. */
export const DELIVERY_STATUSES = ['PENDING', 'DELIVERED', 'DEAD'] as const;

/** One of {@link DELIVERY_STATUSES}. */
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** Delivery of one event to one subscriber. */
export interface SubscriberDelivery {
  status: DeliveryStatus;
  /** Deliveries tried so far. */
  attempts: number;
  /** Not before this time is the next attempt made (backoff). */
  nextAttemptAt: Date;
  lastError: string | null;
  deliveredAt?: Date;
  /** When an operator last put this delivery back after it was DEAD (`npm run events:replay`). */
  replayedAt?: Date;
}

/** An outbox document. */
export interface OutboxEntry {
  /** The event id: recording an event twice is an upsert of the same document. */
  _id: string;
  /** Ordering key: for two events of one subject, the earlier commit has the smaller `seq`. */
  seq: number;
  event: DomainEvent;
  type: string;
  subject: string;
  /** The collection the event was taken from. */
  collection: string;
  /** When the relay recorded it. */
  recordedAt: Date;
  subscribers: SubgraphName[];
  /** Subscribers still PENDING (the relay's work list; multikey index). */
  pendingFor: SubgraphName[];
  deliveredTo: SubgraphName[];
  /** Subscribers for which the event is a dead letter. */
  deadFor: SubgraphName[];
  deliveries: Partial<Record<SubgraphName, SubscriberDelivery>>;
}

/** The relay's counters document. */
export interface OutboxStateDocument {
  _id: string;
  [field: string]: unknown;
}

/**
 * Indexes of the outbox (real MongoDB uses them; mongo-java-server scans, which is why delivered
 * entries are pruned), and on each publishing collection a sparse index that finds the few documents
 * with pending events without scanning the collection.
 */
export function outboxIndexes(publishingCollections: readonly string[]): IndexDeclaration[] {
  return [
    { collection: OUTBOX_COLLECTION, keys: { pendingFor: 1, seq: 1 } },
    { collection: OUTBOX_COLLECTION, keys: { deadFor: 1 } },
    { collection: OUTBOX_COLLECTION, keys: { recordedAt: 1 } },
    ...publishingCollections.map((collection) => ({ collection, keys: { 'pendingEvents.id': 1 }, options: { sparse: true, name: 'pendingEvents_relay' } })),
  ];
}
