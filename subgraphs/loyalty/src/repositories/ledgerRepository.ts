/**
 * The points ledger: one document per change of a balance (`ledger` collection). Entries are written
 * once and never change, except that a merge re-points them to the survivor and an erasure removes
 * their personal link (see `operations/customerMerge.ts`, `operations/customerErasure.ts`).
 *
 * An entry's `_id` is derived from its `dedupeKey` (`transactionIdOf`), and `dedupeKey` carries a
 * unique index as well: EARN is unique per order, REVERSE per (order, cancel) and per (order, return),
 * REDEEM per (customer, idempotency key), ADJUST per (customer, key). A second copy of an effect
 * therefore has the same id as the first, which is what `ledger/pointsLedger.ts` relies on.
 */
import { createHash } from 'node:crypto';
import { MongoBulkWriteError, MongoServerError, type Collection } from 'mongodb';
import type { Channel, MongoStore, Role } from '../../../kit/src';

/** What a ledger entry did. */
export const POINTS_TRANSACTION_KINDS = ['EARN', 'REDEEM', 'REVERSE', 'ADJUST', 'EXPIRE'] as const;

/** One of {@link POINTS_TRANSACTION_KINDS}. */
export type PointsTransactionKind = (typeof POINTS_TRANSACTION_KINDS)[number];

/** Kinds that count as points earned (lifetime points and tiers). */
export const EARNING_KINDS: readonly PointsTransactionKind[] = ['EARN', 'REVERSE'];

/** A document of the `ledger` collection. */
export interface LedgerEntry {
  /** `ptx_` + hash of `dedupeKey`. */
  _id: string;
  /** What makes the effect unique (see module comment); removed from REDEEM/ADJUST entries on erasure. */
  dedupeKey?: string;
  /** The account it belongs to; null once the customer is erased (anonymous accounting fact). */
  customerId: string | null;
  kind: PointsTransactionKind;
  /** Signed: positive for EARN, negative for REDEEM and REVERSE. */
  points: number;
  channel: Channel;
  orderId?: string;
  returnId?: string;
  /** When the order was placed: EARN and REVERSE count towards the tier of that month. */
  orderPlacedAt?: Date;
  /** The order total the points were computed from (EARN). */
  orderTotalCents?: number;
  /** The tier whose multiplier applied (EARN). */
  tierAtOrder?: string;
  reason?: string;
  idempotencyKey?: string;
  /** Who asked for it (redemptions and adjustments): the customer themself or staff on their behalf. */
  actor?: { role: Role; sub: string };
  /** The customer the entry belonged to before a merge. */
  mergedFrom?: string;
  at: Date;
}

/** What an EARN/REVERSE entry contributes to `Order.pointsEarned` and to reversals. */
export type OrderPointsEntry = Pick<LedgerEntry, '_id' | 'orderId' | 'customerId' | 'kind' | 'points' | 'orderPlacedAt' | 'at'>;

/** A page request of one customer's ledger, newest first. */
export interface LedgerPageRequest {
  customerId: string;
  /** Page size; one more is fetched to know whether another page follows. */
  first: number;
  /** Continue after this entry (exclusive). */
  after?: { at: Date; id: string };
}

/** A page of one customer's ledger. */
export interface LedgerPage {
  entries: LedgerEntry[];
  hasNextPage: boolean;
  totalCount: number;
}

/** Sum of the ledger of one customer (or of anonymous entries, `customerId` null). */
export interface LedgerSum {
  customerId: string | null;
  points: number;
  earnedPoints: number;
  entries: number;
}

/** The entry id of an effect: deterministic, so every copy of one effect collides on `_id`. */
export function transactionIdOf(dedupeKey: string): string {
  return `ptx_${createHash('sha256').update(dedupeKey).digest('hex').slice(0, 32)}`;
}

/** The dedupe keys of the effects that must happen once (see module comment). */
export const DedupeKey = {
  earn: (orderId: string) => `EARN|${orderId}`,
  cancel: (orderId: string) => `REVERSE|${orderId}|cancel`,
  orderReturn: (orderId: string, returnId: string) => `REVERSE|${orderId}|return|${returnId}`,
  redeem: (customerId: string, idempotencyKey: string) => `REDEEM|${customerId}|${idempotencyKey}`,
  adjust: (customerId: string, idempotencyKey: string) => `ADJUST|${customerId}|${idempotencyKey}`,
} as const;

/** True for a duplicate-key error, the signal that an effect already exists. */
export function isDuplicateKeyError(error: unknown): boolean {
  if (error instanceof MongoBulkWriteError) {
    const writeErrors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
    return writeErrors.length > 0 && writeErrors.every((writeError) => writeError.code === 11000);
  }
  return error instanceof MongoServerError && error.code === 11000;
}

/** Data access to the `ledger` collection. */
export class LedgerRepository {
  readonly collection: Collection<LedgerEntry>;

  constructor(store: MongoStore) {
    this.collection = store.collection<LedgerEntry>('ledger');
  }

  /** One entry by id. */
  findById(id: string): Promise<LedgerEntry | null> {
    return this.collection.findOne({ _id: id });
  }

  /** Entries by id (those that exist). */
  findByIds(ids: readonly string[]): Promise<LedgerEntry[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.collection.find({ _id: { $in: [...ids] } }).toArray();
  }

  /**
   * Inserts entries, treating "already there" as success: settling an entry twice (a retry, the
   * repair running beside a request) must be harmless.
   */
  async insertIgnoringDuplicates(entries: readonly LedgerEntry[]): Promise<void> {
    if (entries.length === 0) return;
    try {
      await this.collection.insertMany([...entries], { ordered: false });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw new Error('Cannot write ledger entries', { cause: error });
    }
  }

  /** EARN and REVERSE entries of these orders, for `Order.pointsEarned` (one round trip). */
  findOrderEntries(orderIds: readonly string[]): Promise<OrderPointsEntry[]> {
    return this.collection
      .find({ orderId: { $in: [...orderIds] }, kind: { $in: [...EARNING_KINDS] } }, { projection: { _id: 1, orderId: 1, customerId: 1, kind: 1, points: 1, orderPlacedAt: 1, at: 1 } })
      .toArray();
  }

  /**
   * Pages of several customers' ledgers in ONE round trip: a `$facet` with one page and one count per
   * request, so `transactions` under N accounts costs the same as under one.
   */
  async pages(requests: readonly LedgerPageRequest[]): Promise<LedgerPage[]> {
    if (requests.length === 0) return [];
    const facets: Record<string, object[]> = {};
    requests.forEach((request, index) => {
      const after = request.after
        ? { $or: [{ at: { $lt: request.after.at } }, { at: request.after.at, _id: { $lt: request.after.id } }] }
        : {};
      facets[`p${index}`] = [{ $match: { customerId: request.customerId, ...after } }, { $sort: { at: -1, _id: -1 } }, { $limit: request.first + 1 }];
      facets[`n${index}`] = [{ $match: { customerId: request.customerId } }, { $count: 'n' }];
    });
    const customerIds = [...new Set(requests.map((request) => request.customerId))];
    const [result] = await this.collection
      .aggregate<Record<string, unknown[]>>([{ $match: { customerId: { $in: customerIds } } }, { $facet: facets }])
      .toArray();
    return requests.map((request, index) => {
      const found = (result?.[`p${index}`] ?? []) as LedgerEntry[];
      const count = (result?.[`n${index}`] ?? []) as { n: number }[];
      return { entries: found.slice(0, request.first), hasNextPage: found.length > request.first, totalCount: count[0]?.n ?? 0 };
    });
  }

  /** Re-points every entry of `fromCustomerId` to `toCustomerId` (merge), remembering where it came from. */
  async moveToCustomer(fromCustomerId: string, toCustomerId: string): Promise<number> {
    const result = await this.collection.updateMany({ customerId: fromCustomerId }, { $set: { customerId: toCustomerId, mergedFrom: fromCustomerId } });
    return result.modifiedCount;
  }

  /**
   * Removes the personal link of a customer's entries (erasure): no customer id, no free text, no
   * actor, no idempotency key. Kind, points, channel, order and time stay as anonymous accounting facts.
   */
  async anonymiseCustomer(customerId: string): Promise<number> {
    const result = await this.collection.updateMany(
      { customerId },
      { $set: { customerId: null }, $unset: { reason: '', actor: '', idempotencyKey: '', mergedFrom: '' } },
    );
    // Their dedupe keys name the customer; EARN/REVERSE keys name only the order and stay.
    await this.collection.updateMany({ customerId: null, kind: { $in: ['REDEEM', 'ADJUST'] }, dedupeKey: { $exists: true } }, { $unset: { dedupeKey: '' } });
    return result.modifiedCount;
  }

  /** Per-customer sums of the whole ledger (the verification). */
  async sumsByCustomer(): Promise<LedgerSum[]> {
    const rows = await this.collection
      .aggregate<{ _id: string | null; points: number; earnedPoints: number; entries: number }>([
        {
          $group: {
            _id: '$customerId',
            points: { $sum: '$points' },
            earnedPoints: { $sum: { $cond: [{ $in: ['$kind', [...EARNING_KINDS]] }, '$points', 0] } },
            entries: { $sum: 1 },
          },
        },
      ])
      .toArray();
    return rows.map((row) => ({ customerId: row._id ?? null, points: row.points, earnedPoints: row.earnedPoints, entries: row.entries }));
  }
}
