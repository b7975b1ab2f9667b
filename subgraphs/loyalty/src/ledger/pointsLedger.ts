/**
 * Posting a points transaction: the balance changes exactly once and always equals the sum of the
 * ledger — without multi-document transactions.
 *
 * Design (the account is the unit of atomicity, like the kit's outbox of domain events):
 *
 * 1. Every effect has a deterministic transaction id (`transactionIdOf(dedupeKey)`: EARN per order,
 *    REVERSE per order+cancel or order+return, REDEEM per customer+idempotency key, …).
 * 2. Pre-check: if the ledger already holds that id, the effect happened; stop.
 * 3. Apply: ONE conditional `findOneAndUpdate` on the account
 *      filter  { _id, status: ACTIVE, appliedTxIds ≠ id, unsettled._id ≠ id, [points ≥ n] }
 *      update  $inc points (and lifetime points, the month's earned points, version),
 *              $push appliedTxIds (last {@link APPLIED_WINDOW} ids), $push unsettled: <the entry>
 *    The balance change and the entry that explains it land in the same document in the same atomic
 *    write, so at every instant `points = Σ ledger + Σ unsettled entries not yet in the ledger`. The
 *    balance condition of a redemption is part of the same filter: atomic, never read-then-write.
 * 4. Settle: insert the `unsettled` entries into the ledger (duplicates ignored — the `_id` and the
 *    unique `dedupeKey` make a second copy impossible), then `$pull` them from the account.
 *
 * Why it is exactly-once: two concurrent copies of an effect race on step 3; the document-level
 * atomicity of the account admits only the first, because the second sees the id in `appliedTxIds`
 * or `unsettled`. A copy that comes later finds the entry in the ledger in step 2 (an entry leaves
 * `unsettled` only after it is in the ledger). The only gap would be a copy that passes step 2 just
 * before the first copy settles and then waits while more than {@link APPLIED_WINDOW} other
 * transactions hit the same account before its own step 3 — milliseconds against hundreds of writes
 * to one customer's account; `verifyLedger` would report it.
 *
 * Why nothing is lost: a crash between 3 and 4 leaves the entry in `unsettled`; the balance is still
 * explained, and `ledgerRepair` (at start, and `npm run loyalty:verify -- --repair`), any later copy of
 * the same effect and any later transaction on the account settle it. Settling is idempotent and safe
 * to run beside live traffic, so the repair needs no timing assumptions.
 *
 * Accounts that are MERGED forward postings to their survivor when the caller asks (domain events
 * about the duplicate that were still in flight); ERASED ones take nothing.
 */
import type { AccountDocument, AccountRepository, AccountView } from '../repositories/accountRepository';
import { EARNING_KINDS, type LedgerEntry, type LedgerRepository } from '../repositories/ledgerRepository';
import { monthKeyOf, tierAt } from '../earningRule';

/** How many recent transaction ids an account remembers (the concurrent-duplicate guard). */
export const APPLIED_WINDOW = 100;

/** How many merge hops a posting follows before giving up (a chain of merges is short). */
const MAX_MERGE_HOPS = 5;

/** Options of {@link PointsLedger.post}. */
export interface PostOptions {
  /** Apply only if the balance is at least this (redemptions, negative adjustments). */
  minimumBalance?: number;
  /** Forward to the survivor when the account was merged (domain events). @default false */
  followMerges?: boolean;
  /** The caller has just looked for the entry in the ledger (step 2) and not found it. @default false */
  ledgerChecked?: boolean;
}

/** What became of a posting. */
export type PostResult =
  /** Applied now; the account after the change. */
  | { outcome: 'APPLIED'; account: AccountView; entry: LedgerEntry }
  /** The same effect had already been applied; the account as it is, and the entry when it is in the ledger. */
  | { outcome: 'DUPLICATE'; account: AccountView | null; entry?: LedgerEntry }
  /** The balance condition failed; the account as it is. */
  | { outcome: 'REFUSED'; account: AccountView }
  /** No account (not enrolled). */
  | { outcome: 'NO_ACCOUNT' }
  /** The account is MERGED (not followed) or ERASED. */
  | { outcome: 'CLOSED'; account: AccountView };

/** Strips the bookkeeping arrays from an account. */
function viewOf(account: AccountDocument): AccountView {
  const { appliedTxIds: _applied, unsettled: _unsettled, ...view } = account;
  return view;
}

/** Posts transactions to accounts and the ledger (see module comment). */
export class PointsLedger {
  constructor(
    private readonly accounts: AccountRepository,
    private readonly ledger: LedgerRepository,
  ) {}

  /** Posts `entry` to the account `entry.customerId` (steps 2–4 of the module comment). */
  async post(entry: LedgerEntry, options: PostOptions = {}): Promise<PostResult> {
    const posted = options.ledgerChecked ? null : await this.ledger.findById(entry._id);
    if (posted) return { outcome: 'DUPLICATE', account: posted.customerId ? await this.accountView(posted.customerId) : null, entry: posted };
    let current = entry;
    for (let hop = 0; hop <= MAX_MERGE_HOPS; hop += 1) {
      const applied = await this.apply(current, options.minimumBalance);
      if (applied) {
        await this.settle(applied);
        return { outcome: 'APPLIED', account: await this.refreshTier(applied), entry: current };
      }
      const account = current.customerId ? await this.accounts.findById(current.customerId) : null;
      if (!account) return { outcome: 'NO_ACCOUNT' };
      if (account.appliedTxIds.includes(current._id) || account.unsettled.some((unsettled) => unsettled._id === current._id)) {
        await this.settle(account);
        return { outcome: 'DUPLICATE', account: viewOf(account) };
      }
      if (account.status === 'MERGED' && options.followMerges && account.mergedInto) {
        current = { ...current, customerId: account.mergedInto };
        continue;
      }
      if (account.status !== 'ACTIVE') return { outcome: 'CLOSED', account: viewOf(account) };
      return { outcome: 'REFUSED', account: viewOf(account) };
    }
    throw new Error(`Merge chain longer than ${MAX_MERGE_HOPS} hops from ${JSON.stringify(entry.customerId)}`);
  }

  /** Copies an account's unsettled entries to the ledger, then forgets them (step 4; idempotent). */
  async settle(account: Pick<AccountDocument, '_id' | 'unsettled'>): Promise<number> {
    const entries = account.unsettled ?? [];
    if (entries.length === 0) return 0;
    await this.ledger.insertIgnoringDuplicates(entries);
    await this.accounts.pullUnsettled(account._id, entries.map((unsettled) => unsettled._id));
    return entries.length;
  }

  /** A fresh view of one account. */
  async accountView(customerId: string): Promise<AccountView | null> {
    const account = await this.accounts.findById(customerId);
    return account ? viewOf(account) : null;
  }

  /** Step 3: the conditional update; the account after it, or null when the filter did not match. */
  private apply(entry: LedgerEntry, minimumBalance: number | undefined): Promise<AccountDocument | null> {
    if (!entry.customerId) return Promise.resolve(null);
    const increments: Record<string, number> = { points: entry.points, version: 1 };
    if (EARNING_KINDS.includes(entry.kind)) {
      increments.lifetimePoints = entry.points;
      increments[`earnedByMonth.${monthKeyOf(entry.orderPlacedAt ?? entry.at)}`] = entry.points;
    }
    return this.accounts.collection.findOneAndUpdate(
      {
        _id: entry.customerId,
        status: 'ACTIVE',
        appliedTxIds: { $ne: entry._id },
        'unsettled._id': { $ne: entry._id },
        ...(minimumBalance !== undefined ? { points: { $gte: minimumBalance } } : {}),
      },
      {
        $inc: increments,
        $set: { updatedAt: entry.at },
        $push: { appliedTxIds: { $each: [entry._id], $slice: -APPLIED_WINDOW }, unsettled: entry },
      },
      { returnDocument: 'after' },
    );
  }

  /**
   * Recomputes the tier after a change and stores it unless another change came in between (that one
   * recomputes from newer figures). The returned view carries the tier as of now either way.
   */
  private async refreshTier(account: AccountDocument): Promise<AccountView> {
    const tier = tierAt(account.earnedByMonth, new Date());
    if (tier !== account.tier) await this.accounts.setTierIfUnchanged(account._id, account.version, tier);
    return { ...viewOf(account), tier };
  }
}
