/**
 * Who listens to which event: the one table of the estate. The relay records, for each event it takes
 * out of `pendingEvents`, the subscribers this table names for its type, and tracks delivery to each;
 * with NATS the same table decides each durable consumer's filter.
 */
import type { SubgraphName } from '../estate';
import type { DomainEventType } from './domainEvent';

/** Event types each subscribing subgraph handles. */
export type SubscriptionTable = Partial<Record<SubgraphName, readonly DomainEventType[]>>;

/** The estate's subscriptions (DESIGN.md "Domain events"). */
export const SUBSCRIPTIONS: SubscriptionTable = {
  loyalty: ['OrderPlaced', 'OrderCancelled', 'OrderReturned', 'CustomerMerged', 'CustomerErased'],
  messaging: ['OrderPlaced', 'OrderReadyForPickup', 'OrderReturned', 'CustomerMerged', 'CustomerErased'],
  orders: ['CustomerMerged', 'CustomerErased'],
  // Orders calls inventory directly at each step; these events are the durable second path (see
  // subgraphs/inventory/src/events/handlers.ts): OrderPlaced commits till purchases.
  inventory: ['OrderPlaced', 'OrderCancelled', 'PickupCompleted', 'OrderReturned'],
};

/** Subgraphs that must receive an event of `type`, in table order; never the publisher itself. */
export function subscribersOf(type: string, source: SubgraphName, table: SubscriptionTable = SUBSCRIPTIONS): SubgraphName[] {
  const subscribers: SubgraphName[] = [];
  for (const [subscriber, types] of Object.entries(table) as [SubgraphName, readonly string[]][]) {
    if (subscriber !== source && types.includes(type)) subscribers.push(subscriber);
  }
  return subscribers;
}

/** The event types `subscriber` handles (empty when it subscribes to nothing). */
export function typesSubscribedBy(subscriber: SubgraphName, table: SubscriptionTable = SUBSCRIPTIONS): readonly DomainEventType[] {
  return table[subscriber] ?? [];
}

/** Every subgraph that subscribes to something. */
export function subscribersIn(table: SubscriptionTable = SUBSCRIPTIONS): SubgraphName[] {
  return (Object.keys(table) as SubgraphName[]).filter((name) => (table[name]?.length ?? 0) > 0);
}
