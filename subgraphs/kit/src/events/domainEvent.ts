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
import { isSubgraphName, type SubgraphName } from '../estate';
import { parseTraceparent } from '../telemetry/traceparent';

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

/**
 * Where an event came from: the request id and trace of the request that published it. The relay
 * sends them on with each delivery (`x-request-id`, `traceparent`), so the subscriber's handling of the
 * event is found under the same request id in the logs and in the same trace as the request.
 */
export interface EventCorrelation {
  /** The publishing request's `x-request-id` (the gateway's, end to end). */
  requestId?: string;
  /** The W3C `traceparent` of the publishing request's span. */
  traceparent?: string;
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
  /** The publishing request, when the event was published by one (absent in events of older versions). */
  correlation?: EventCorrelation;
}

/**
 * Creates an event, ready to be `$push`ed into `pendingEvents` of the changing document. Pass the
 * request context's `correlation` so the event's handling is traced back to the request.
 */
export function createDomainEvent<T extends DomainEventType>(type: T, source: SubgraphName, subject: string, payload: DomainEventPayloads[T], correlation?: EventCorrelation): DomainEvent<T> {
  const event: DomainEvent<T> = { id: `evt_${randomUUID()}`, type, version: 1, occurredAt: new Date().toISOString(), source, subject, payload };
  if (correlation && (correlation.requestId || correlation.traceparent)) event.correlation = correlation;
  return event;
}

/** A consumer's reaction to one event type; must be safe to run twice for the same event. */
export type DomainEventHandler<T extends DomainEventType = DomainEventType> = (event: DomainEvent<T>) => Promise<void>;

/** What a subscribing subgraph handles. */
export type DomainEventHandlers = { [T in DomainEventType]?: DomainEventHandler<T> };

/** Longest accepted event id and subject (ids are `evt_<uuid>`, subjects entity ids). */
const MAX_ID_LENGTH = 128;
const ID_PATTERN = /^[A-Za-z0-9_.:-]+$/;
/** What the HTTP front accepts as `x-request-id`. */
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Checks the envelope of an event that arrives from another process (HTTP body, NATS message) or is
 * read back from a document: the problem as a sentence, or null when it is well-formed. Payloads are
 * not checked field by field: only our own publishers, holding SERVICE credentials, can send events.
 */
export function domainEventProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'the event must be a JSON object';
  const event = value as Record<string, unknown>;
  if (typeof event.id !== 'string' || event.id.length > MAX_ID_LENGTH || !ID_PATTERN.test(event.id)) return 'id must be an id string of at most 128 characters';
  if (typeof event.type !== 'string' || !(DOMAIN_EVENT_TYPES as readonly string[]).includes(event.type)) return `type must be one of ${DOMAIN_EVENT_TYPES.join(', ')}`;
  if (!Number.isInteger(event.version) || (event.version as number) < 1) return 'version must be a positive integer';
  if (typeof event.occurredAt !== 'string' || Number.isNaN(Date.parse(event.occurredAt))) return 'occurredAt must be an ISO-8601 date-time';
  if (!isSubgraphName(event.source)) return 'source must be a subgraph name';
  if (typeof event.subject !== 'string' || event.subject === '' || event.subject.length > MAX_ID_LENGTH) return 'subject must be a non-empty string of at most 128 characters';
  if (typeof event.payload !== 'object' || event.payload === null || Array.isArray(event.payload)) return 'payload must be a JSON object';
  if (event.correlation !== undefined) return correlationProblem(event.correlation);
  return null;
}

// Private: the correlation travels on as HTTP headers, so it must be what those headers accept.
function correlationProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'correlation must be a JSON object';
  const { requestId, traceparent } = value as Record<string, unknown>;
  if (requestId !== undefined && (typeof requestId !== 'string' || !REQUEST_ID_PATTERN.test(requestId))) return 'correlation.requestId must be a request id of at most 128 characters';
  if (traceparent !== undefined && (typeof traceparent !== 'string' || parseTraceparent(traceparent) === null)) return 'correlation.traceparent must be a W3C traceparent';
  return null;
}

/** Type guard over {@link domainEventProblem}. */
export function isDomainEvent(value: unknown): value is DomainEvent {
  return domainEventProblem(value) === null;
}
