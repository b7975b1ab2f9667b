/**
 * Points from orders: EARN when an order is placed, REVERSE when it is cancelled or returned, and the
 * late credit of a non-member's orders when they enrol. Every effect is posted through
 * `PointsLedger` with its dedupe key, so a redelivered event, a retry or two racing paths (an
 * enrolment crediting an order while its cancellation arrives) have one effect.
 *
 * The race between a late credit and a cancellation/return is closed by ordering, not locking: the
 * event path first records the cancellation/return on the pending order and THEN looks for the EARN;
 * the credit path first posts the EARN and THEN re-reads the pending order. Whichever comes second
 * sees the other's write, so at least one of them posts the REVERSE, and its dedupe key makes it one.
 * The same ordering closes the race between an order of a non-member and their enrolment.
 */
import type { Channel, DomainEventPayloads } from '../../../kit/src';
import { orderEarnsForMember, earliestEarningPlacedAt, pointsForOrder, pointsToReverseForRefund, tierAt } from '../earningRule';
import type { PointsLedger } from '../ledger/pointsLedger';
import type { AccountView } from '../repositories/accountRepository';
import { DedupeKey, transactionIdOf, type LedgerEntry, type LedgerRepository, type OrderPointsEntry } from '../repositories/ledgerRepository';
import type { PendingEarningDocument, PendingEarningRepository } from '../repositories/pendingEarningRepository';

/** The order facts earning needs (from `OrderPlaced`, or from a remembered pending order). */
export interface PlacedOrder {
  orderId: string;
  customerId: string;
  channel: Channel;
  totalCents: number;
  placedAt: Date;
}

/** How many merge hops to follow when finding the account of an order's customer. */
const MAX_MERGE_HOPS = 5;

/** Earning and reversal of order points (see module comment). */
export class OrderPoints {
  constructor(
    private readonly pointsLedger: PointsLedger,
    private readonly ledger: LedgerRepository,
    private readonly pending: PendingEarningRepository,
  ) {}

  /** `OrderPlaced`: EARN once for a member; remember the order for a non-member. */
  async orderPlaced(payload: DomainEventPayloads['OrderPlaced']): Promise<void> {
    const order: PlacedOrder = {
      orderId: payload.orderId,
      customerId: payload.customerId,
      channel: payload.channel,
      totalCents: payload.totalCents,
      placedAt: new Date(payload.placedAt),
    };
    // Two independent reads at once: is the EARN already there, and is the customer a member?
    const [earned, account] = await Promise.all([this.ledger.findById(transactionIdOf(DedupeKey.earn(order.orderId))), this.activeAccountOf(order.customerId)]);
    if (earned || account === 'ERASED') return;
    if (account) {
      await this.earn(order, account, { ledgerChecked: true });
      return;
    }
    await this.pending.record({ _id: order.orderId, customerId: order.customerId, channel: order.channel, totalCents: order.totalCents, placedAt: order.placedAt, returns: [], recordedAt: new Date() });
    // The customer may have enrolled between our look and our record: then the enrolment did not see
    // this order, so credit it now (the dedupe key makes a double credit impossible).
    const enrolled = await this.activeAccountOf(order.customerId);
    if (enrolled && enrolled !== 'ERASED') await this.creditPending(enrolled);
  }

  /** `OrderCancelled`: REVERSE what the order still holds, once. */
  async orderCancelled(payload: DomainEventPayloads['OrderCancelled']): Promise<void> {
    await this.pending.markCancelled(payload.orderId, payload.channel);
    const entries = await this.ledger.findOrderEntries([payload.orderId]);
    await this.reverseCancelled(entries, payload.channel);
  }

  /** `OrderReturned`: REVERSE `floor(earned × refund / total)`, once per return. */
  async orderReturned(payload: DomainEventPayloads['OrderReturned']): Promise<void> {
    await this.pending.addReturn(payload.orderId, { returnId: payload.returnId, refundCents: payload.refundCents, channel: payload.channel });
    const entries = await this.ledger.findOrderEntries([payload.orderId]);
    await this.reverseReturned(entries, payload.returnId, payload.refundCents, payload.orderTotalCents, payload.channel);
  }

  /**
   * Credits a member's remembered orders placed within the enrolment window (see `earningRule.ts`),
   * net of cancellations and returns recorded meanwhile. Idempotent; returns how many were credited.
   */
  async creditPending(account: AccountView): Promise<number> {
    const creditable = await this.pending.findCreditable(account._id, earliestEarningPlacedAt(account.enrolledAt));
    if (creditable.length === 0) return 0;
    for (const pending of creditable) {
      if (pending.cancelledVia) continue;
      await this.earn({ orderId: pending._id, customerId: pending.customerId, channel: pending.channel, totalCents: pending.totalCents, placedAt: pending.placedAt }, account);
    }
    // Re-read: a cancellation or return recorded while we were earning must still be reversed.
    const fresh = await this.pending.findByIds(creditable.map((pending) => pending._id));
    for (const pending of fresh) await this.reversePending(pending);
    await this.pending.markCredited(creditable.map((pending) => pending._id), new Date());
    return creditable.length;
  }

  /** Posts the EARN of an order for `account` (window and tier rules of `earningRule.ts`). */
  private async earn(order: PlacedOrder, account: AccountView, options: { ledgerChecked?: boolean } = {}): Promise<void> {
    if (!orderEarnsForMember(order.placedAt, account.enrolledAt)) return;
    const tier = tierAt(account.earnedByMonth, order.placedAt);
    const points = pointsForOrder(order.totalCents, tier);
    if (points <= 0) return;
    const dedupeKey = DedupeKey.earn(order.orderId);
    await this.pointsLedger.post(
      {
        _id: transactionIdOf(dedupeKey),
        dedupeKey,
        customerId: account._id,
        kind: 'EARN',
        points,
        channel: order.channel,
        orderId: order.orderId,
        orderPlacedAt: order.placedAt,
        orderTotalCents: order.totalCents,
        tierAtOrder: tier,
        at: new Date(),
      },
      { followMerges: true, ...options },
    );
  }

  /** Reverses a pending order's recorded cancellation and returns, if it was credited. */
  private async reversePending(pending: PendingEarningDocument): Promise<void> {
    if (!pending.cancelledVia && pending.returns.length === 0) return;
    for (const orderReturn of pending.returns) {
      await this.reverseReturned(await this.ledger.findOrderEntries([pending._id]), orderReturn.returnId, orderReturn.refundCents, pending.totalCents, orderReturn.channel);
    }
    if (pending.cancelledVia) await this.reverseCancelled(await this.ledger.findOrderEntries([pending._id]), pending.cancelledVia);
  }

  /**
   * From an order's EARN/REVERSE entries (one query gives the EARN, the reversals so far, and whether
   * this reversal is already among them): the EARN, the points the order still holds, and whether
   * the reversal `id` is posted.
   */
  private standingOf(entries: readonly OrderPointsEntry[], id: string): { earn: OrderPointsEntry; remaining: number; posted: boolean } | null {
    const earn = entries.find((entry) => entry.kind === 'EARN');
    if (!earn) return null;
    return { earn, remaining: entries.reduce((sum, entry) => sum + entry.points, 0), posted: entries.some((entry) => entry._id === id) };
  }

  private async reverseCancelled(entries: readonly OrderPointsEntry[], channel: Channel): Promise<void> {
    const earn = entries.find((entry) => entry.kind === 'EARN');
    if (!earn) return;
    const dedupeKey = DedupeKey.cancel(earn.orderId as string);
    const id = transactionIdOf(dedupeKey);
    const standing = this.standingOf(entries, id);
    if (!standing || standing.posted || standing.remaining <= 0) return;
    await this.postReversal(standing.earn, { _id: id, dedupeKey, points: -standing.remaining, channel });
  }

  private async reverseReturned(entries: readonly OrderPointsEntry[], returnId: string, refundCents: number, orderTotalCents: number, channel: Channel): Promise<void> {
    const earn = entries.find((entry) => entry.kind === 'EARN');
    if (!earn) return;
    const dedupeKey = DedupeKey.orderReturn(earn.orderId as string, returnId);
    const id = transactionIdOf(dedupeKey);
    const standing = this.standingOf(entries, id);
    if (!standing || standing.posted) return;
    const points = pointsToReverseForRefund(standing.earn.points, refundCents, orderTotalCents, standing.remaining);
    if (points <= 0) return;
    await this.postReversal(standing.earn, { _id: id, dedupeKey, points: -points, channel, returnId });
  }

  /** A REVERSE goes to whoever holds the EARN now (after a merge, the survivor); none after erasure. */
  private async postReversal(earn: OrderPointsEntry, reversal: Pick<LedgerEntry, '_id' | 'dedupeKey' | 'points' | 'channel' | 'returnId'>): Promise<void> {
    if (!earn.customerId) return;
    await this.pointsLedger.post(
      {
        ...reversal,
        customerId: earn.customerId,
        kind: 'REVERSE',
        orderId: earn.orderId as string,
        // Counted in the month of the order, so it nets out the EARN in the tier window.
        orderPlacedAt: earn.orderPlacedAt ?? earn.at,
        at: new Date(),
      },
      // The entries just read are the ledger check.
      { followMerges: true, ledgerChecked: true },
    );
  }

  /** The ACTIVE account of a customer, following merges; 'ERASED' for an erased customer; null if none. */
  private async activeAccountOf(customerId: string): Promise<AccountView | 'ERASED' | null> {
    let id = customerId;
    for (let hop = 0; hop <= MAX_MERGE_HOPS; hop += 1) {
      const account = await this.pointsLedger.accountView(id);
      if (!account) return null;
      if (account.status === 'ERASED') return 'ERASED';
      if (account.status === 'ACTIVE') return account;
      if (!account.mergedInto) return null;
      id = account.mergedInto;
    }
    return null;
  }
}
