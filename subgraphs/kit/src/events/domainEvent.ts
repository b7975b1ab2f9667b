/**
 * The domain events that carry side effects across subgraphs (DESIGN.md "Domain events").
 *
 * Publishing, in one sentence: the publishing subgraph puts the event into the `pendingEvents` array of
 * the very document whose state changes, in the same single-document write (`$push` in the update, or
 * the field of the inserted document). MongoDB makes that write atomic, so an event exists if and only
 * if its state change does — no multi-document transaction needed. The relay then moves pending events
 * to the subgraph's `outbox` collection and delivers them at least once; consumers dedupe by event id.
 */
import { randomUUID } from 'node:crypto';
import type { Channel } from '../channel';
import type { SubgraphName } from '../estate';

/** Event names. */
export const DOMAIN_EVENT_TYPES = [
  'OrderPlaced',
  'OrderCancelled',
  'OrderReadyForPickup',
  'PickupCompleted',
  'OrderReturned',
  'CustomerMerged',
  'CustomerErased',
] as const;

/** One of {@link DOMAIN_EVENT_TYPES}. */
export type DomainEventType = (typeof DOMAIN_EVENT_TYPES)[number];

/** A line of an order as events carry it. */
export interface EventOrderLine {
  sku: string;
  quantity: number;
  unitPriceCents: number;
}

/** Payload of each event type. */
export interface DomainEventPayloads {
  OrderPlaced: {
    orderId: string;
    number: string;
    customerId: string;
    channel: Channel;
    totalCents: number;
    lines: EventOrderLine[];
    fulfillment: { method: string; locationId: string };
    placedAt: string;
  };
  OrderCancelled: { orderId: string; number: string; customerId: string; channel: Channel };
  OrderReadyForPickup: { orderId: string; number: string; customerId: string; locationId: string };
  PickupCompleted: { orderId: string; number: string; customerId: string; locationId: string };
  OrderReturned: {
    orderId: string;
    number: string;
    customerId: string;
    returnId: string;
    channel: Channel;
    locationId: string;
    lines: EventOrderLine[];
    refundCents: number;
    orderTotalCents: number;
  };
  CustomerMerged: { survivorId: string; duplicateId: string };
  CustomerErased: { customerId: string };
}

/** A domain event. */
export interface DomainEvent<T extends DomainEventType = DomainEventType> {
  /** Unique; consumers record it to ignore redeliveries. */
  id: string;
  type: T;
  /** Payload schema version. */
  version: number;
  /** ISO-8601 UTC. */
  occurredAt: string;
  source: SubgraphName;
  /** The aggregate the event is about (order id, customer id): delivery is ordered per subject. */
  subject: string;
  payload: DomainEventPayloads[T];
}

/** Creates an event, ready to be `$push`ed into `pendingEvents` of the changing document. */
export function createDomainEvent<T extends DomainEventType>(type: T, source: SubgraphName, subject: string, payload: DomainEventPayloads[T]): DomainEvent<T> {
  return { id: `evt_${randomUUID()}`, type, version: 1, occurredAt: new Date().toISOString(), source, subject, payload };
}

/** A consumer's reaction to one event type; must be safe to run twice for the same event. */
export type DomainEventHandler<T extends DomainEventType = DomainEventType> = (event: DomainEvent<T>) => Promise<void>;

/** What a subscribing subgraph handles. */
export type DomainEventHandlers = { [T in DomainEventType]?: DomainEventHandler<T> };
