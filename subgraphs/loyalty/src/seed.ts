/**
 * Writes loyalty's part of the demo dataset into an EMPTY database: an account for every
 * `dataset.loyaltyMembers` entry and the ledger that explains it —
 * - EARN for each of the member's orders placed on or after enrolment (not CANCELLED), by the rule of
 *   `earningRule.ts` with the tier the member held at the time (so early orders earn ×1.00 and later
 *   ones may earn ×1.25 or ×1.50);
 * - REVERSE for returned lines, `floor(earned × refund / total)` (the dataset has no return documents,
 *   so the return is keyed `seed`);
 * - for about a quarter of members with 200 points or more, one REDEEM of half the balance (rounded
 *   down to 50) after their last order, in the store or the app — never more than the balance.
 * Balances and lifetime points are the ledger's sums and tiers are computed from it, so
 * `verifyLedger` passes on a fresh seed. Deterministic: the same dataset gives the same documents.
 */
import type { Channel, MongoStore } from '../../kit/src';
import type { DemoDataset, DemoOrder } from '../../../scripts/seed/demoDataset';
import { SILENT_PROGRESS, type SeedProgress } from '../../../scripts/seed/seedProgress';
import { monthKeyOf, pointsForOrder, pointsToReverseForRefund, tierAt } from './earningRule';
import type { AccountDocument } from './repositories/accountRepository';
import { DedupeKey, transactionIdOf, type LedgerEntry } from './repositories/ledgerRepository';

/** Documents per insertMany. */
const CHUNK_SIZE = 1000;

/** A stable small number from a string (FNV-1a), for deterministic choices. */
function stableHash(value: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < value.length; i += 1) {
    hash ^= value.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

async function insertInChunks<T extends { _id: string }>(store: MongoStore, collection: string, documents: readonly T[], progress: SeedProgress): Promise<void> {
  progress.begin(collection, documents.length);
  for (let start = 0; start < documents.length; start += CHUNK_SIZE) {
    const chunk = documents.slice(start, start + CHUNK_SIZE);
    await store.collection<T>(collection).insertMany(chunk as never[], { ordered: false });
    progress.advance(chunk.length);
  }
}

/** Seeds accounts and ledger (see module comment). */
export async function seedLoyalty(store: MongoStore, dataset: DemoDataset, progress: SeedProgress = SILENT_PROGRESS): Promise<void> {
  const ordersByCustomer = new Map<string, DemoOrder[]>();
  let asOf = new Date(0);
  for (const order of dataset.orders) {
    const list = ordersByCustomer.get(order.customerId);
    if (list) list.push(order);
    else ordersByCustomer.set(order.customerId, [order]);
    if (order.updatedAt > asOf) asOf = order.updatedAt;
  }

  const accounts: AccountDocument[] = [];
  const entries: LedgerEntry[] = [];
  for (const member of dataset.loyaltyMembers) {
    const customerId = member.customerId;
    const earnedByMonth: Record<string, number> = {};
    let points = 0;
    let lifetimePoints = 0;
    let lastAt = member.enrolledAt;
    const own: LedgerEntry[] = [];
    const orders = [...(ordersByCustomer.get(customerId) ?? [])].sort((a, b) => a.placedAt.getTime() - b.placedAt.getTime());

    for (const order of orders) {
      if (order.placedAt < member.enrolledAt || order.status === 'CANCELLED') continue;
      const tier = tierAt(earnedByMonth, order.placedAt);
      const earned = pointsForOrder(order.totalCents, tier);
      if (earned <= 0) continue;
      const month = monthKeyOf(order.placedAt);
      const earnKey = DedupeKey.earn(order.id);
      own.push({
        _id: transactionIdOf(earnKey),
        dedupeKey: earnKey,
        customerId,
        kind: 'EARN',
        points: earned,
        channel: order.channel,
        orderId: order.id,
        orderPlacedAt: order.placedAt,
        orderTotalCents: order.totalCents,
        tierAtOrder: tier,
        at: order.placedAt,
      });
      earnedByMonth[month] = (earnedByMonth[month] ?? 0) + earned;
      points += earned;
      lifetimePoints += earned;
      if (order.placedAt > lastAt) lastAt = order.placedAt;

      const refundCents = order.lines.reduce((sum, line) => sum + line.returnedQuantity * line.unitPriceCents, 0);
      const reversed = pointsToReverseForRefund(earned, refundCents, order.totalCents, earned);
      if (reversed > 0) {
        const reverseKey = DedupeKey.orderReturn(order.id, 'seed');
        own.push({
          _id: transactionIdOf(reverseKey),
          dedupeKey: reverseKey,
          customerId,
          kind: 'REVERSE',
          points: -reversed,
          channel: order.channel,
          orderId: order.id,
          orderPlacedAt: order.placedAt,
          at: order.updatedAt,
        });
        earnedByMonth[month] = (earnedByMonth[month] ?? 0) - reversed;
        points -= reversed;
        lifetimePoints -= reversed;
        if (order.updatedAt > lastAt) lastAt = order.updatedAt;
      }
    }

    const hash = stableHash(customerId);
    if (points >= 200 && hash % 4 === 0) {
      const redeemed = Math.floor(points / 2 / 50) * 50;
      const idempotencyKey = `seed-${customerId}`;
      const redeemKey = DedupeKey.redeem(customerId, idempotencyKey);
      const channel: Channel = hash % 8 === 0 ? 'STORE' : 'APP';
      own.push({
        _id: transactionIdOf(redeemKey),
        dedupeKey: redeemKey,
        customerId,
        kind: 'REDEEM',
        points: -redeemed,
        channel,
        idempotencyKey,
        actor: { role: 'CUSTOMER', sub: customerId },
        at: new Date(Math.min(lastAt.getTime() + 86_400_000, Math.max(asOf.getTime(), lastAt.getTime()))),
      });
      points -= redeemed;
    }

    entries.push(...own);
    accounts.push({
      _id: customerId,
      status: 'ACTIVE',
      points,
      lifetimePoints,
      earnedByMonth,
      tier: tierAt(earnedByMonth, asOf),
      enrolledAt: member.enrolledAt,
      enrolledVia: member.enrolledVia,
      version: own.length,
      appliedTxIds: [],
      unsettled: [],
      mergedFrom: [],
      updatedAt: lastAt,
    });
  }

  await insertInChunks(store, 'accounts', accounts, progress);
  await insertInChunks(store, 'ledger', entries, progress);
}
