/**
 * The `identities` collection: the hot path of `findCustomer` and the uniqueness guarantee of
 * identities. `_id` is `"<KIND>:<normalised value>"` (e.g. `PHONE:+525512345678`), so finding a
 * customer is one `_id` lookup and two customers can never hold the same identity: the second insert
 * fails with E11000 on the `_id` index every MongoDB-wire server has.
 */
import { MongoServerError, type Collection } from 'mongodb';
import type { MongoStore } from '../../../kit/src';
import type { IdentityKind } from '../domain/identityNormalisation';

/** Name of the collection. */
export const IDENTITIES_COLLECTION = 'identities';

/** Who holds an identity. */
export interface IdentityDocument {
  /** `<KIND>:<normalised value>`. */
  _id: string;
  kind: IdentityKind;
  customerId: string;
  /** When it was claimed: an old claim whose customer never got written is an orphan and may be reclaimed. */
  claimedAt: Date;
}

/** Data access for `identities`. */
export class IdentityRepository {
  private readonly collection: Collection<IdentityDocument>;

  constructor(store: MongoStore) {
    this.collection = store.collection<IdentityDocument>(IDENTITIES_COLLECTION);
  }

  /** The holder of one identity, or null. */
  findByKey(key: string): Promise<IdentityDocument | null> {
    return this.collection.findOne({ _id: key });
  }

  /** Inserts a claim; `'duplicate'` when the identity is already held (E11000), by anyone. */
  async tryInsert(identity: IdentityDocument): Promise<'inserted' | 'duplicate'> {
    try {
      await this.collection.insertOne(identity);
      return 'inserted';
    } catch (error) {
      if (error instanceof MongoServerError && error.code === 11000) return 'duplicate';
      throw error;
    }
  }

  /** Inserts many (seed). */
  async insertMany(identities: IdentityDocument[]): Promise<void> {
    if (identities.length > 0) await this.collection.insertMany(identities);
  }

  /** Deletes these claims, but only while `customerId` still holds them (never someone else's). */
  async deleteHeldBy(keys: readonly string[], customerId: string): Promise<void> {
    if (keys.length > 0) await this.collection.deleteMany({ _id: { $in: [...keys] }, customerId });
  }

  /** Every identity of `customerId` now belongs to `survivorId` (merge). */
  async reassign(customerId: string, survivorId: string): Promise<void> {
    await this.collection.updateMany({ customerId }, { $set: { customerId: survivorId } });
  }

  /** Deletes every identity of `customerId` (erasure). */
  async deleteAllOf(customerId: string): Promise<void> {
    await this.collection.deleteMany({ customerId });
  }
}
