/**
 * What inventory does with the domain events of the orders subgraph. Orders reserves stock
 * synchronously when an order is placed (the answer decides OUT_OF_STOCK) and also calls the commit,
 * release and restock SERVICE mutations directly at each transition, asking inventory before it writes;
 * these handlers are the durable second path: if that direct call was lost (inventory down right after
 * a till purchase, say), the event, delivered at least once, finishes the job. Both paths end in the
 * same idempotent operations (by order id, by return id), so receiving an event after the call — or
 * twice — changes nothing.
 *
 * When a reservation is committed (the units leave the location; issue 5 "committed when the order is
 * fulfilled or picked up"):
 *  - OrderPlaced with IN_STORE_PURCHASE → commit at once (the customer walked out with the goods; the
 *    order is COMPLETED when placed). Other methods are only reserved at placement;
 *  - PickupCompleted → commit (click and collect: the units left the store at pickup);
 *  - shipping (SHIP_TO_HOME, SHIP_FROM_STORE) commits when orders marks the order SHIPPED, by the direct
 *    call only: no event exists for shipping, and orders' reservation settler retries a commit it owes.
 * And:
 *  - OrderCancelled → release the order's reservation;
 *  - OrderReturned → put the returned units back on hand at the return location (idempotent by return id).
 *
 * A state the event can no longer change (a cancelled order whose reservation was already committed)
 * is logged and acknowledged, not retried forever.
 */
import { ConflictError, type DomainEventHandlers, type Logger } from '../../../kit/src';
import type { InventoryServices } from '../context';
import { normalizeLines } from '../input/lineInput';
import { restockReturn } from '../stock/restockReturn';

/** Builds inventory's event handlers over its services. */
export function createInventoryEventHandlers(services: InventoryServices, logger: Logger): DomainEventHandlers {
  const acknowledgeConflict = (eventId: string) => (error: unknown) => {
    if (!(error instanceof ConflictError)) throw error;
    logger.warn('event cannot apply to the current reservation state; acknowledged', { eventId, reason: error.message });
  };
  return {
    async OrderPlaced(event) {
      if (event.payload.fulfillment.method !== 'IN_STORE_PURCHASE') return;
      await services.reservations.commit(event.payload.orderId).catch(acknowledgeConflict(event.id));
    },
    async OrderCancelled(event) {
      await services.reservations.release(event.payload.orderId, 'CANCELLED').catch(acknowledgeConflict(event.id));
    },
    async PickupCompleted(event) {
      await services.reservations.commit(event.payload.orderId).catch(acknowledgeConflict(event.id));
    },
    async OrderReturned(event) {
      const lines = normalizeLines(event.payload.lines.map((line) => ({ sku: line.sku, quantity: line.quantity })));
      await restockReturn(services.repositories, event.payload.returnId, event.payload.locationId, lines).catch(acknowledgeConflict(event.id));
    },
  };
}
