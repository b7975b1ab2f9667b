/**
 * The `customers` collection: one document per customer, `_id` the customer id (`cus_…`). Thin on
 * purpose: every method is one database round trip through the kit's MongoStore; the rules (who may,
 * what changes, in which order) live in `commands/`.
 *
 * Every write increments `version`, so a command that read a document can make its write conditional
 * on nothing having changed since (optimistic concurrency; MongoDB has no multi-document transaction
 * here, and single-document conditional writes are atomic).
 */
import type { Collection, Filter, UpdateFilter } from 'mongodb';
import type { Channel, DomainEvent, MongoStore } from '../../../kit/src';
import type { IdentityKind } from '../domain/identityNormalisation';

/** Name of the collection. */
export const CUSTOMERS_COLLECTION = 'customers';

/** An identity as the customer document keeps it (the lookup document lives in `identities`). */
export interface IdentityRecord {
  kind: IdentityKind;
  /** Normalised (E.164 phone, lower-case e-mail). */
  value: string;
  linkedVia: Channel | null;
  linkedAt: Date;
}

/** A Mexican address. */
export interface AddressRecord {
  id: string;
  label: string | null;
  street: string;
  number: string;
  interior: string | null;
  neighborhood: string;
  municipality: string;
  state: string;
  postalCode: string;
  country: 'MX';
  isDefault: boolean;
}

/** A saved product. */
export interface WishlistRecord {
  sku: string;
  addedAt: Date;
  addedVia: Channel;
}

/**
 * A customer document. The personal fields are optional because two kinds of tombstone keep the `_id`
 * without them: a merged duplicate (`mergedInto`) and an erased customer (`erasedAt`).
 */
export interface CustomerDocument {
  _id: string;
  displayName?: string;
  email?: string | null;
  phone?: string | null;
  identities?: IdentityRecord[];
  addresses?: AddressRecord[];
  wishlist?: WishlistRecord[];
  /** Accent- and case-folded name words, e-mails and national phone digits, for prefix search. */
  searchTerms?: string[];
  /** Ids merged into this customer: their old CUSTOMER tokens still reach this record. */
  mergedFrom?: string[];
  createdVia: Channel;
  createdAt: Date;
  updatedAt: Date;
  /** Incremented by every write (optimistic concurrency). */
  version: number;
  /** Set on a merged duplicate: the survivor this id now resolves to. */
  mergedInto?: string;
  mergedAt?: Date;
  /** Set when the personal data was erased. */
  erasedAt?: Date;
  /** Domain events published with the write that caused them (kit `events/domainEvent.ts`). */
  pendingEvents?: DomainEvent[];
}

/** The personal fields a tombstone (merged or erased) no longer has. */
export const PERSONAL_FIELDS = ['displayName', 'email', 'phone', 'identities', 'addresses', 'wishlist', 'searchTerms'] as const;

/** Matches a customer that is neither merged away nor erased: only those may change. */
const LIVE: Filter<CustomerDocument> = { mergedInto: { $exists: false }, erasedAt: { $exists: false } };

/** Data access for `customers`. */
export class CustomerRepository {
  private readonly collection: Collection<CustomerDocument>;

  constructor(store: MongoStore) {
    this.collection = store.collection<CustomerDocument>(CUSTOMERS_COLLECTION);
  }

  /** Documents with these ids, tombstones included, in no particular order. */
  findByIds(ids: readonly string[]): Promise<CustomerDocument[]> {
    return this.collection.find({ _id: { $in: [...ids] } }).toArray();
  }

  /** Inserts a new customer; throws the driver's E11000 error if the id exists. */
  async insert(customer: CustomerDocument): Promise<void> {
    await this.collection.insertOne(customer);
  }

  /** Inserts many (seed). */
  async insertMany(customers: CustomerDocument[]): Promise<void> {
    if (customers.length > 0) await this.collection.insertMany(customers);
  }

  /**
   * Applies `update` to a live customer, optionally only if its `version` is still `expectedVersion`;
   * bumps the version. Returns the document after the update, or null when nothing matched (no such
   * live customer, or it changed since it was read).
   */
  updateLive(id: string, update: UpdateFilter<CustomerDocument>, expectedVersion?: number, extraFilter: Filter<CustomerDocument> = {}): Promise<CustomerDocument | null> {
    const filter: Filter<CustomerDocument> = { _id: id, ...LIVE, ...extraFilter, ...(expectedVersion === undefined ? {} : { version: expectedVersion }) };
    return this.collection.findOneAndUpdate(filter, { ...update, $inc: { version: 1 } }, { returnDocument: 'after' });
  }

  /** Points older merge tombstones that redirect to `from` at `to`, so redirects stay one hop. */
  async redirectTombstones(from: string, to: string): Promise<void> {
    await this.collection.updateMany({ mergedInto: from }, { $set: { mergedInto: to }, $inc: { version: 1 } });
  }

  /** One page of customers matching `filter`, in `_id` order after `afterId`. */
  findPage(filter: Filter<CustomerDocument>, afterId: string | null, limit: number): Promise<CustomerDocument[]> {
    const page: Filter<CustomerDocument> = afterId === null ? filter : { $and: [filter, { _id: { $gt: afterId } }] };
    return this.collection.find(page).sort({ _id: 1 }).limit(limit).toArray();
  }

  /** How many customers match `filter`. */
  count(filter: Filter<CustomerDocument>): Promise<number> {
    return this.collection.countDocuments(filter);
  }
}
