/**
 * What loyalty does with domain events. Each handler is idempotent on its own — every effect it
 * posts has a dedupe key (see `ledger/pointsLedger.ts`) — so at-least-once delivery, forced
 * redelivery and concurrent copies of one event have one effect; the transport's record of processed
 * event ids is a second line, not the first.
 *
 * - `OrderPlaced` → EARN once for a member; for a non-member the order is remembered and credited if
 *   they enrol within the window (`earningRule.ts`).
 * - `OrderCancelled` → REVERSE what the order still holds, once.
 * - `OrderReturned` → REVERSE `floor(earned × refund / total)`, once per return.
 * - `CustomerMerged` → the duplicate's ledger and account move to the survivor; balances add up, once.
 * - `CustomerErased` → account, pending orders and the ledger's personal link erased
 *   (`operations/customerErasure.ts` says what stays).
 * A malformed payload throws, so the transport retries and then dead-letters it where an operator sees it.
 */
import { isChannel, type DomainEvent, type DomainEventHandlers, type MongoStore } from '../../../kit/src';
import { createLoyaltyProgram, type LoyaltyProgram } from '../loyaltyProgram';

function requireId(event: DomainEvent, field: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 128) throw new Error(`${event.type} ${event.id}: ${field} must be an id, got ${JSON.stringify(value)}`);
  return value;
}

function requireCents(event: DomainEvent, field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new Error(`${event.type} ${event.id}: ${field} must be whole centavos ≥ 0, got ${JSON.stringify(value)}`);
  return value;
}

function requireChannel(event: DomainEvent, value: unknown) {
  if (!isChannel(value)) throw new Error(`${event.type} ${event.id}: channel must be a Channel, got ${JSON.stringify(value)}`);
  return value;
}

/** The loyalty subgraph's event handlers over `store` (or over an already built programme). */
export function createLoyaltyEventHandlers(store: MongoStore, program: LoyaltyProgram = createLoyaltyProgram(store)): DomainEventHandlers {
  return {
    async OrderPlaced(event) {
      const { payload } = event;
      const placedAt = new Date(payload.placedAt);
      if (Number.isNaN(placedAt.getTime())) throw new Error(`OrderPlaced ${event.id}: placedAt is not a date`);
      await program.orderPoints.orderPlaced({
        ...payload,
        orderId: requireId(event, 'orderId', payload.orderId),
        customerId: requireId(event, 'customerId', payload.customerId),
        channel: requireChannel(event, payload.channel),
        totalCents: requireCents(event, 'totalCents', payload.totalCents),
      });
    },

    async OrderCancelled(event) {
      const { payload } = event;
      await program.orderPoints.orderCancelled({ ...payload, orderId: requireId(event, 'orderId', payload.orderId), channel: requireChannel(event, payload.channel) });
    },

    async OrderReturned(event) {
      const { payload } = event;
      await program.orderPoints.orderReturned({
        ...payload,
        orderId: requireId(event, 'orderId', payload.orderId),
        returnId: requireId(event, 'returnId', payload.returnId),
        channel: requireChannel(event, payload.channel),
        refundCents: requireCents(event, 'refundCents', payload.refundCents),
        orderTotalCents: requireCents(event, 'orderTotalCents', payload.orderTotalCents),
      });
    },

    async CustomerMerged(event) {
      const { payload } = event;
      await program.merge.merge(requireId(event, 'survivorId', payload.survivorId), requireId(event, 'duplicateId', payload.duplicateId));
    },

    async CustomerErased(event) {
      await program.erasure.erase(requireId(event, 'customerId', event.payload.customerId));
    },
  };
}
