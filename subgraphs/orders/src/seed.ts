/**
 * Writes the orders part of the demo dataset into an EMPTY orders database: the orders (lines with
 * returned quantities, status, fulfilment, counters), the `loyaltyMembers` projection, and the
 * order-number counter above the seeded numbers.
 *
 * Seeded orders carry NO pending events: their side effects (reserved stock of open orders, points,
 * conversations) are seeded directly by the other subgraphs from the same dataset, so publishing
 * them would apply them twice. Returns of seeded orders are history without return documents:
 * the returned quantities, status and refunds are on the orders.
 */
import type { DemoDataset, DemoOrder } from '../../../scripts/seed/demoDataset';
import { SILENT_PROGRESS, type SeedProgress } from '../../../scripts/seed/seedProgress';
import type { MongoStore } from '../../kit/src';
import { ordersIndexes } from './indexes';
import { LoyaltyMemberRepository, type LoyaltyMemberDocument } from './repositories/loyaltyMemberRepository';
import { OrderNumberRepository, parseOrderNumber } from './repositories/orderNumberRepository';
import { OrderRepository, type OrderDocument, type ReservationStatus } from './repositories/orderRepository';

const CHUNK = 1000;

/** Seeds the orders database from `dataset` (see module comment). */
export async function seedOrders(store: MongoStore, dataset: DemoDataset, progress: SeedProgress = SILENT_PROGRESS): Promise<void> {
  // First, so the unique order-number index checks the seeded data too.
  await store.ensureIndexes(ordersIndexes);
  const orders = new OrderRepository(store).collection;
  const members = new LoyaltyMemberRepository(store).collection;

  // Converted one chunk at a time: a million order documents never exist at once next to the dataset.
  progress.begin('orders', dataset.orders.length);
  for (let start = 0; start < dataset.orders.length; start += CHUNK) {
    const chunk = dataset.orders.slice(start, start + CHUNK).map(toOrderDocument);
    await orders.insertMany(chunk, { ordered: false });
    progress.advance(chunk.length);
  }

  const memberDocuments: LoyaltyMemberDocument[] = dataset.loyaltyMembers.map((member) => ({ _id: member.customerId, enrolledAt: member.enrolledAt }));
  progress.begin('loyaltyMembers', memberDocuments.length);
  for (let start = 0; start < memberDocuments.length; start += CHUNK) {
    const chunk = memberDocuments.slice(start, start + CHUNK);
    await members.insertMany(chunk, { ordered: false });
    progress.advance(chunk.length);
  }

  const highest = dataset.orders.reduce((max, order) => Math.max(max, parseOrderNumber(order.number) ?? 0), 0);
  await new OrderNumberRepository(store).raiseTo(highest);
}

function reservationOf(order: DemoOrder): ReservationStatus {
  if (order.status === 'PLACED' || order.status === 'READY_FOR_PICKUP') return 'HELD';
  return order.status === 'CANCELLED' ? 'RELEASED' : 'COMMITTED';
}

function toOrderDocument(order: DemoOrder): OrderDocument {
  const lines = order.lines.map((line) => ({ ...line }));
  return {
    _id: order.id,
    number: order.number,
    customerId: order.customerId,
    channel: order.channel,
    status: order.status,
    lines,
    totalCents: order.totalCents,
    soldUnits: lines.reduce((sum, line) => sum + line.quantity, 0),
    returnedUnits: lines.reduce((sum, line) => sum + line.returnedQuantity, 0),
    refundedCents: lines.reduce((sum, line) => sum + line.returnedQuantity * line.unitPriceCents, 0),
    fulfillment: { ...order.fulfillment },
    reservation: reservationOf(order),
    returns: [],
    placedAt: order.placedAt,
    updatedAt: order.updatedAt,
    pendingEvents: [],
  };
}
