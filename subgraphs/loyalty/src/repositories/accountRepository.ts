/**
 * Loyalty accounts (`accounts` collection), `_id` = customer id: one per customer, so every channel
 * reads and spends the same balance. Besides the balance an account carries the bookkeeping that makes
 * a change exactly-once without multi-document transactions (`ledger/pointsLedger.ts`): the ids of the
 * last transactions applied (`appliedTxIds`, bounded) and the transactions applied but not yet copied
 * to the ledger (`unsettled`).
 */
import type { Collection } from 'mongodb';
import type { Channel, MongoStore } from '../../../kit/src';
import type { LoyaltyTier } from '../earningRule';
import type { LedgerEntry } from './ledgerRepository';

/** ACTIVE accounts earn and spend; MERGED ones were folded into `mergedInto`; ERASED ones are tombstones. */
export type AccountStatus = 'ACTIVE' | 'MERGED' | 'ERASED';

/** A document of the `accounts` collection. */
export interface AccountDocument {
  /** The customer id. */
  _id: string;
  status: AccountStatus;
  /** Balance available to redeem: always the sum of the account's ledger (plus `unsettled`). */
  points: number;
  /** Points ever earned: the sum of EARN and REVERSE entries. */
  lifetimePoints: number;
  /** Points earned (EARN + REVERSE) per month of the order, `YYYY-MM` → points: the rolling tier window. */
  earnedByMonth: Record<string, number>;
  /** Last tier computed from `earnedByMonth` (for segmenting); reads recompute it as of now. */
  tier: LoyaltyTier;
  enrolledAt: Date;
  enrolledVia: Channel;
  /** Incremented by every balance change; guards the tier write against a stale computation. */
  version: number;
  /** Ids of the last transactions applied (bounded): the exactly-once guard. */
  appliedTxIds: string[];
  /** Applied transactions not yet copied to the ledger. */
  unsettled: LedgerEntry[];
  /** Customers merged into this one (each applied once). */
  mergedFrom: string[];
  /** For MERGED: the survivor. */
  mergedInto?: string;
  /** For MERGED: the move of ledger and balance has finished. */
  mergeCompleted?: boolean;
  erasedAt?: Date;
  updatedAt: Date;
}

/** What reads need (no bookkeeping arrays). */
export type AccountView = Omit<AccountDocument, 'appliedTxIds' | 'unsettled'>;

/** Leaves the bookkeeping arrays on the server. */
export const ACCOUNT_VIEW_PROJECTION = { appliedTxIds: 0, unsettled: 0 } as const;

/** A new, empty, active account. */
export function newAccount(customerId: string, channel: Channel, at: Date): AccountDocument {
  return {
    _id: customerId,
    status: 'ACTIVE',
    points: 0,
    lifetimePoints: 0,
    earnedByMonth: {},
    tier: 'BRONCE',
    enrolledAt: at,
    enrolledVia: channel,
    version: 0,
    appliedTxIds: [],
    unsettled: [],
    mergedFrom: [],
    updatedAt: at,
  };
}

/** Data access to the `accounts` collection. */
export class AccountRepository {
  readonly collection: Collection<AccountDocument>;

  constructor(store: MongoStore) {
    this.collection = store.collection<AccountDocument>('accounts');
  }

  /** The whole document, bookkeeping included. */
  findById(customerId: string): Promise<AccountDocument | null> {
    return this.collection.findOne({ _id: customerId });
  }

  /** Views of several accounts in one round trip (the account loader). */
  findViews(customerIds: readonly string[]): Promise<AccountView[]> {
    return this.collection.find({ _id: { $in: [...customerIds] } }, { projection: ACCOUNT_VIEW_PROJECTION }).toArray() as Promise<AccountView[]>;
  }

  /** Creates the account unless it exists; true when this call created it. */
  async insertIfAbsent(account: AccountDocument): Promise<boolean> {
    const { _id, ...fields } = account;
    const result = await this.collection.updateOne({ _id }, { $setOnInsert: fields }, { upsert: true });
    return result.upsertedCount === 1;
  }

  /** Removes settled transactions from `unsettled`. */
  async pullUnsettled(customerId: string, transactionIds: readonly string[]): Promise<void> {
    if (transactionIds.length === 0) return;
    await this.collection.updateOne({ _id: customerId }, { $pull: { unsettled: { _id: { $in: [...transactionIds] } } } });
  }

  /** Stores a recomputed tier, unless the balance changed since it was computed (a later change recomputes). */
  async setTierIfUnchanged(customerId: string, version: number, tier: LoyaltyTier): Promise<void> {
    await this.collection.updateOne({ _id: customerId, version }, { $set: { tier } });
  }

  /** Accounts holding transactions not yet copied to the ledger (the repair). */
  findWithUnsettled(): Promise<AccountDocument[]> {
    return this.collection.find({ 'unsettled._id': { $exists: true } }).toArray();
  }

  /** MERGED accounts whose move has not finished (the repair). */
  findUnfinishedMerges(): Promise<AccountView[]> {
    return this.collection.find({ status: 'MERGED', mergeCompleted: { $ne: true } }, { projection: ACCOUNT_VIEW_PROJECTION }).toArray() as Promise<AccountView[]>;
  }

  /** ACTIVE accounts among these customers. */
  findActiveIds(customerIds: readonly string[]): Promise<string[]> {
    if (customerIds.length === 0) return Promise.resolve([]);
    return this.collection
      .find({ _id: { $in: [...customerIds] }, status: 'ACTIVE' }, { projection: { _id: 1 } })
      .map((account) => account._id)
      .toArray();
  }

  /** Every account's balance and unsettled transactions (the verification). */
  findBalances(): Promise<Pick<AccountDocument, '_id' | 'status' | 'points' | 'lifetimePoints' | 'unsettled'>[]> {
    return this.collection.find({}, { projection: { _id: 1, status: 1, points: 1, lifetimePoints: 1, unsettled: 1 } }).toArray();
  }
}
