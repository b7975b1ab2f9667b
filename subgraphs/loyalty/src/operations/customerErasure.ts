/**
 * `CustomerErased`: the right to be forgotten, for loyalty.
 *
 * What goes: the account's balance, tier, enrolment and history link; the customer's pending orders;
 * every personal field of their ledger entries (customer id, reasons, actor, idempotency key, and the
 * dedupe keys that contain the customer id). What stays: the ledger entries as anonymous accounting
 * facts (kind, points, channel, order id, time — the points liability the business must account for),
 * and a tombstone `{ _id: <customer id>, status: ERASED, erasedAt }` holding no personal data, so a late
 * or redelivered event about that customer cannot re-create an account or a pending order.
 *
 * Steps, each idempotent so a redelivery finishes an interrupted erasure: close the account (no posting
 * applies to a non-ACTIVE account), settle what it still held, anonymise the ledger, replace the
 * account with the tombstone, delete pending orders.
 */
import type { PointsLedger } from '../ledger/pointsLedger';
import type { AccountDocument, AccountRepository } from '../repositories/accountRepository';
import type { LedgerRepository } from '../repositories/ledgerRepository';
import type { PendingEarningRepository } from '../repositories/pendingEarningRepository';

/** Erases a customer's loyalty data (see module comment). */
export class CustomerErasure {
  constructor(
    private readonly accounts: AccountRepository,
    private readonly ledger: LedgerRepository,
    private readonly pending: PendingEarningRepository,
    private readonly pointsLedger: PointsLedger,
  ) {}

  /** Erases `customerId` (idempotent). */
  async erase(customerId: string): Promise<void> {
    const now = new Date();
    const closed = await this.accounts.collection.findOneAndUpdate({ _id: customerId }, { $set: { status: 'ERASED', erasedAt: now } }, { returnDocument: 'after' });
    if (closed) await this.pointsLedger.settle(closed);
    await this.ledger.anonymiseCustomer(customerId);
    // A tombstone carries no enrolment, tier or balance history: only what keeps late events out.
    const tombstone = { status: 'ERASED', points: 0, lifetimePoints: 0, earnedByMonth: {}, appliedTxIds: [], unsettled: [], mergedFrom: [], erasedAt: closed?.erasedAt ?? now, updatedAt: now };
    await this.accounts.collection.replaceOne({ _id: customerId }, tombstone as unknown as Omit<AccountDocument, '_id'>, { upsert: true });
    await this.pending.deleteForCustomer(customerId);
  }
}
