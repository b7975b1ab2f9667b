/**
 * The `preferenceHistory` collection: every consent change (who, when, through which channel, from
 * what to what), kept as evidence of what the customer agreed to. Entries have `_id`
 * `<customerId>:<channel>:<version>`, so writing the entry of a change twice (a retried request) keeps one.
 */
import type { Channel, MongoStore, Role } from '../../../kit/src';
import { isDuplicateKeyError } from './duplicateKey';

/** A stored consent change. */
export interface PreferenceChangeDocument {
  _id: string;
  customerId: string;
  channel: Channel;
  previousOptedIn: boolean | null;
  optedIn: boolean;
  via: Channel;
  changedBy: string;
  changedByRole: Role | 'SEED';
  changedAt: Date;
  /** The customer id this change was recorded under, when it came from a merged duplicate. */
  mergedFrom?: string;
}

/** Data access for the consent history. */
export class PreferenceHistoryRepository {
  readonly collection;

  constructor(store: MongoStore) {
    this.collection = store.collection<PreferenceChangeDocument>('preferenceHistory');
  }

  /** Records a change (idempotent by `_id`). */
  async record(change: PreferenceChangeDocument): Promise<void> {
    try {
      await this.collection.insertOne(change);
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
  }

  /** Changes of these customers, newest first, optionally of one channel. */
  findForCustomers(customerIds: readonly string[], channel: Channel | null): Promise<PreferenceChangeDocument[]> {
    return this.collection
      .find({ customerId: { $in: [...customerIds] }, ...(channel ? { channel } : {}) })
      .sort({ changedAt: -1, _id: -1 })
      .toArray();
  }

  /** Customer merge: the duplicate's history becomes part of the survivor's. */
  async repoint(duplicateId: string, survivorId: string): Promise<void> {
    await this.collection.updateMany({ customerId: duplicateId }, { $set: { customerId: survivorId, mergedFrom: duplicateId } });
  }
}
