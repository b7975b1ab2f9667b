/**
 * `CustomerMerged`: the duplicate's ledger and account move to the survivor and the balances add up,
 * exactly once however often the event is delivered.
 *
 * Steps, each idempotent, so a redelivery finishes an interrupted merge (and the repair finishes any
 * merge left unfinished):
 * 1. Freeze the duplicate: status MERGED, `mergedInto` = survivor. From then on no posting applies to
 *    it (postings about the duplicate that were in flight are forwarded to the survivor by
 *    `PointsLedger`), so its balance is fixed.
 * 2. Settle its unsettled entries into the ledger.
 * 3. Make sure the survivor has an account (created with the duplicate's enrolment if not).
 * 4. Add the duplicate's frozen totals (points, lifetime points, points per month) to the survivor in
 *    one conditional update guarded by `mergedFrom ≠ duplicate` — exactly once — and keep the earlier
 *    enrolment date.
 * 5. Re-point the duplicate's ledger entries and pending orders to the survivor.
 * 6. Zero the duplicate (`mergeCompleted`): it keeps only the forwarding pointer.
 * 7. Credit the survivor's pending orders (the duplicate's non-member orders now belong to a member).
 * Between 4 and 6 `verifyLedger` sees the balance moved before the entries; the merge is finished by
 * the next delivery or the repair.
 */
import { isDuplicateKeyError } from '../repositories/ledgerRepository';
import type { LedgerRepository } from '../repositories/ledgerRepository';
import type { PointsLedger } from '../ledger/pointsLedger';
import { newAccount, type AccountRepository, type AccountView } from '../repositories/accountRepository';
import type { PendingEarningRepository } from '../repositories/pendingEarningRepository';
import { tierAt } from '../earningRule';
import type { CustomerErasure } from './customerErasure';
import type { OrderPoints } from './orderPoints';

/** How many merge hops to follow to find where the survivor itself went. */
const MAX_MERGE_HOPS = 5;

/** Merges loyalty accounts (see module comment). */
export class CustomerMerge {
  constructor(
    private readonly accounts: AccountRepository,
    private readonly ledger: LedgerRepository,
    private readonly pending: PendingEarningRepository,
    private readonly pointsLedger: PointsLedger,
    private readonly orderPoints: OrderPoints,
    private readonly erasure: CustomerErasure,
  ) {}

  /** Merges `duplicateId` into `survivorId` (idempotent). */
  async merge(survivorId: string, duplicateId: string): Promise<void> {
    if (survivorId === duplicateId) return;
    const now = new Date();
    const frozen =
      (await this.accounts.collection.findOneAndUpdate(
        { _id: duplicateId, status: 'ACTIVE' },
        { $set: { status: 'MERGED', mergedInto: survivorId, updatedAt: now } },
        { returnDocument: 'after' },
      )) ?? (await this.accounts.findById(duplicateId));

    const target = await this.resolveSurvivor(survivorId, frozen);
    if (target === 'ERASED') {
      // The person behind the survivor asked to be forgotten: so are their duplicate's points.
      await this.erasure.erase(duplicateId);
      return;
    }
    if (!frozen) {
      // The duplicate was not a member: only their remembered orders move.
      await this.pending.moveToCustomer(duplicateId, target);
      await this.creditSurvivor(target);
      return;
    }
    if (frozen.status === 'ERASED') return;
    // A different, earlier merge of this duplicate wins; this event changes nothing.
    if (frozen.status === 'MERGED' && frozen.mergedInto !== survivorId) return;

    if (!frozen.mergeCompleted) {
      await this.pointsLedger.settle(frozen);
      const increments: Record<string, number> = { points: frozen.points, lifetimePoints: frozen.lifetimePoints, version: 1 };
      for (const [month, points] of Object.entries(frozen.earnedByMonth ?? {})) increments[`earnedByMonth.${month}`] = points;
      const survivor = await this.accounts.collection.findOneAndUpdate(
        { _id: target, status: 'ACTIVE', mergedFrom: { $ne: duplicateId } },
        { $inc: increments, $min: { enrolledAt: frozen.enrolledAt }, $push: { mergedFrom: duplicateId }, $set: { updatedAt: now } },
        { returnDocument: 'after' },
      );
      if (survivor) {
        const tier = tierAt(survivor.earnedByMonth, now);
        if (tier !== survivor.tier) await this.accounts.setTierIfUnchanged(target, survivor.version, tier);
      } else {
        const current = await this.accounts.findById(target);
        // Not applied and not applied before: the survivor changed state under us; let the event retry.
        if (!current?.mergedFrom?.includes(duplicateId)) throw new Error(`Cannot merge ${duplicateId} into ${target}: survivor is ${current?.status ?? 'missing'}`);
      }
      await this.ledger.moveToCustomer(duplicateId, target);
      await this.pending.moveToCustomer(duplicateId, target);
      await this.accounts.collection.updateOne(
        { _id: duplicateId },
        { $set: { points: 0, lifetimePoints: 0, earnedByMonth: {}, mergeCompleted: true, mergedInto: target, updatedAt: now } },
      );
    } else {
      // Finished before; entries that arrived late (forwarded postings) are already the survivor's.
      await this.ledger.moveToCustomer(duplicateId, target);
      await this.pending.moveToCustomer(duplicateId, target);
    }
    await this.creditSurvivor(target);
  }

  /**
   * The ACTIVE account the duplicate's points go to: the survivor's, created with the duplicate's
   * enrolment if the survivor was not a member (and the duplicate was), or where the survivor itself
   * was merged since. 'ERASED' when the survivor was erased.
   */
  private async resolveSurvivor(survivorId: string, duplicate: AccountView | null): Promise<string | 'ERASED'> {
    let id = survivorId;
    for (let hop = 0; hop <= MAX_MERGE_HOPS; hop += 1) {
      let account = await this.pointsLedger.accountView(id);
      if (!account && duplicate && duplicate.status !== 'ERASED') {
        try {
          await this.accounts.insertIfAbsent(newAccount(id, duplicate.enrolledVia, duplicate.enrolledAt));
        } catch (error) {
          if (!isDuplicateKeyError(error)) throw error;
        }
        account = await this.pointsLedger.accountView(id);
      }
      if (!account || account.status === 'ACTIVE') return id;
      if (account.status === 'ERASED') return 'ERASED';
      if (!account.mergedInto) return id;
      id = account.mergedInto;
    }
    throw new Error(`Merge chain longer than ${MAX_MERGE_HOPS} hops from ${survivorId}`);
  }

  private async creditSurvivor(survivorId: string): Promise<void> {
    const survivor = await this.pointsLedger.accountView(survivorId);
    if (survivor?.status === 'ACTIVE') await this.orderPoints.creditPending(survivor);
  }
}
