/**
 * Messaging's reactions to domain events. Each handler is idempotent on its own, so at-least-once
 * delivery (and concurrent redelivery) has one effect:
 *
 *  - OrderPlaced: the order projection is recorded once (`$setOnInsert`), then ORDER_CONFIRMATION goes
 *    out on the customer's preferred consented channel (`ConsentPolicy.notificationChannel`), at most
 *    once per order (`OrderNotifier`'s claim);
 *  - OrderReadyForPickup: READY_FOR_PICKUP, at most once per order;
 *  - OrderReturned: RETURN_RECEIVED, at most once per return;
 *  - CustomerMerged / CustomerErased: `CustomerRecords`, each a re-pointing or erasure filtered on the
 *    old state, so a repeat finds nothing left to do.
 *
 * Recipient addresses: messaging keeps none. No event carries one and messaging never reads the
 * customers database; a notice is addressed to the customer id and the provider resolves the address
 * (see `providers/messageProvider.ts`).
 */
import type { DomainEventHandlers, MongoStore } from '../../../kit/src';
import { createMessagingServices, type MessagingServices, type MessagingServicesOptions } from '../messagingServices';

/** Options for {@link createMessagingEventHandlers}: the store, or services already built over it. */
export type MessagingEventHandlersOptions = ({ store: MongoStore; services?: undefined } | { services: MessagingServices; store?: undefined }) & MessagingServicesOptions;

/** Builds the handlers (see module comment). */
export function createMessagingEventHandlers(options: MessagingEventHandlersOptions): DomainEventHandlers {
  const services = options.services ?? createMessagingServices(options.store as MongoStore, options);
  const { notifier, customerRecords, repositories } = services;

  return {
    async OrderPlaced(event) {
      const order = event.payload;
      await repositories.orderChannels.record({
        _id: order.orderId,
        customerId: order.customerId,
        channel: order.channel,
        number: order.number,
        locationId: order.fulfillment.locationId,
        fulfillmentMethod: order.fulfillment.method,
        placedAt: new Date(order.placedAt),
        recordedAt: new Date(),
      });
      const projected = await repositories.orderChannels.findById(order.orderId);
      await notifier.notify({
        template: 'ORDER_CONFIRMATION',
        orderId: order.orderId,
        // The projection's customer: the current one if a merge re-pointed it since the first delivery.
        customerId: projected?.customerId ?? order.customerId,
        orderNumber: order.number,
        locationId: order.fulfillment.locationId,
        orderChannel: order.channel,
        fulfillmentMethod: order.fulfillment.method,
        totalCents: order.totalCents,
        eventId: event.id,
      });
    },

    async OrderReadyForPickup(event) {
      const order = event.payload;
      const projected = await repositories.orderChannels.findById(order.orderId);
      await notifier.notify({
        template: 'READY_FOR_PICKUP',
        orderId: order.orderId,
        customerId: projected?.customerId ?? order.customerId,
        orderNumber: order.number,
        locationId: order.locationId,
        orderChannel: projected?.channel ?? null,
        fulfillmentMethod: 'PICKUP_IN_STORE',
        eventId: event.id,
      });
    },

    async OrderReturned(event) {
      const order = event.payload;
      const projected = await repositories.orderChannels.findById(order.orderId);
      await notifier.notify({
        template: 'RETURN_RECEIVED',
        orderId: order.orderId,
        customerId: projected?.customerId ?? order.customerId,
        orderNumber: order.number,
        locationId: order.locationId,
        orderChannel: projected?.channel ?? null,
        refundCents: order.refundCents,
        discriminator: order.returnId,
        eventId: event.id,
      });
    },

    async CustomerMerged(event) {
      await customerRecords.merge(event.payload.survivorId, event.payload.duplicateId);
    },

    async CustomerErased(event) {
      await customerRecords.erase(event.payload.customerId);
    },
  };
}
