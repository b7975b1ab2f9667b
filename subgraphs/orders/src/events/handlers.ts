/**
 * What orders does with the customers subgraph's events. Both handlers are idempotent on their own
 * (each step is a conditional update that a second run finds already done), so redelivery and
 * concurrent copies of one event have one effect; the kit's record of processed event ids is the
 * second line.
 *
 * - `CustomerMerged` → the duplicate's orders, cart and loyalty-member projection move to the
 *   survivor. The survivor's cart wins line by line; the duplicate's lines it lacks are added.
 * - `CustomerErased` → orders keep their accounting facts (lines, totals, channel, dates: the sales
 *   KPIs must not change when a customer is forgotten) under an anonymous customer id that cannot be
 *   traced back; a return the customer recorded themself names the anonymous id as its author; the
 *   member projection moves to the anonymous id too (the KPIs split members from non-members, and
 *   "an anonymous member bought this" is not personal data); the cart and the idempotency claims
 *   are deleted.
 */
import { createHash } from 'node:crypto';
import type { DomainEvent, DomainEventHandlers, Logger } from '../../../kit/src';
import { MAX_CART_LINES, type CartRepository } from '../repositories/cartRepository';
import type { LoyaltyMemberRepository } from '../repositories/loyaltyMemberRepository';
import type { OrderKeyRepository } from '../repositories/orderKeyRepository';
import type { OrderRepository } from '../repositories/orderRepository';

/** What the handlers write to. */
export interface OrdersEventServices {
  orders: OrderRepository;
  carts: CartRepository;
  orderKeys: OrderKeyRepository;
  loyaltyMembers: LoyaltyMemberRepository;
}

/** The anonymous id an erased customer's orders keep: stable (re-running changes nothing), not reversible in practice. */
export function anonymousCustomerId(customerId: string): string {
  return `anon_${createHash('sha256').update(`zocalo-erased:${customerId}`).digest('hex').slice(0, 24)}`;
}

function requireId(event: DomainEvent, field: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 128) throw new Error(`${event.type} ${event.id}: ${field} must be an id, got ${JSON.stringify(value)}`);
  return value;
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Moves the duplicate's cart to the survivor: the whole cart when the survivor has none, else the lines it lacks. */
async function mergeCarts(carts: CartRepository, survivorId: string, duplicateId: string): Promise<void> {
  const duplicate = await carts.collection.findOne({ _id: duplicateId });
  if (!duplicate) return;
  const survivor = await carts.collection.findOne({ _id: survivorId });
  if (!survivor) {
    try {
      await carts.collection.insertOne({ ...duplicate, _id: survivorId });
    } catch (error) {
      // The survivor's cart appeared meanwhile (a concurrent addToCart): fall through to a line merge.
      if ((error as { code?: number }).code !== 11000) throw error;
      await mergeCarts(carts, survivorId, duplicateId);
      return;
    }
  } else {
    let lineCount = survivor.lineCount;
    for (const [sku, line] of Object.entries(duplicate.lines)) {
      if (sku in survivor.lines || lineCount >= MAX_CART_LINES) continue;
      // Conditional on the line still being absent, so a concurrent change is never overwritten.
      const result = await carts.collection.updateOne(
        { _id: survivorId, [`lines.${sku}`]: { $exists: false } },
        { $set: { [`lines.${sku}`]: line, updatedAt: new Date() }, $inc: { lineCount: 1 } },
      );
      if (result.modifiedCount === 1) lineCount += 1;
    }
  }
  await carts.collection.deleteOne({ _id: duplicateId });
}

/** The orders subgraph's event handlers. */
export function createOrdersEventHandlers(services: OrdersEventServices, logger: Logger): DomainEventHandlers {
  return {
    async CustomerMerged(event) {
      const survivorId = requireId(event, 'survivorId', event.payload.survivorId);
      const duplicateId = requireId(event, 'duplicateId', event.payload.duplicateId);
      if (survivorId === duplicateId) throw new Error(`CustomerMerged ${event.id}: survivor and duplicate are the same customer`);
      const moved = await services.orders.collection.updateMany({ customerId: duplicateId }, { $set: { customerId: survivorId, updatedAt: new Date() } });
      await mergeCarts(services.carts, survivorId, duplicateId);
      const member = await services.loyaltyMembers.collection.findOne({ _id: duplicateId });
      if (member) {
        await services.loyaltyMembers.record(survivorId, member.enrolledAt);
        await services.loyaltyMembers.collection.deleteOne({ _id: duplicateId });
      }
      logger.info('customer merged into survivor', { event: event.id, survivorId, duplicateId, orders: moved.modifiedCount });
    },

    async CustomerErased(event) {
      const customerId = requireId(event, 'customerId', event.payload.customerId);
      const anonymousId = anonymousCustomerId(customerId);
      const anonymised = await services.orders.collection.updateMany(
        { customerId },
        { $set: { customerId: anonymousId, updatedAt: new Date() }, $unset: { idempotencyKey: '' } },
      );
      // Returns the customer recorded with their own token carry their id as author.
      for (const order of await services.orders.collection.find({ customerId: anonymousId, 'returns.createdBy': customerId }, { projection: { returns: 1 } }).toArray()) {
        const returns = order.returns.map((entry) => (entry.createdBy === customerId ? { ...entry, createdBy: anonymousId } : entry));
        await services.orders.collection.updateOne({ _id: order._id }, { $set: { returns } });
      }
      await services.carts.collection.deleteOne({ _id: customerId });
      await services.orderKeys.collection.deleteMany({ _id: { $regex: `^${escapeRegExp(customerId)}:` } });
      // Record under the anonymous id first, then delete: a crash in between leaves a redelivery to finish.
      const member = await services.loyaltyMembers.collection.findOne({ _id: customerId });
      if (member) await services.loyaltyMembers.record(anonymousId, member.enrolledAt);
      await services.loyaltyMembers.collection.deleteOne({ _id: customerId });
      logger.info('customer erased: orders anonymised', { event: event.id, orders: anonymised.modifiedCount });
    },
  };
}
