/**
 * The `contactPreferences` collection: the current consent of a customer for a channel, one document per
 * (customer, channel) with `_id` `<customerId>:<channel>` — the consent check is a read by `_id`.
 * `version` counts the changes; the history entry of change n has `_id` `<customerId>:<channel>:<n>`.
 */
import type { Channel, MongoStore, Role } from '../../../kit/src';
import { isDuplicateKeyError } from './duplicateKey';

/** A stored consent. */
export interface ContactPreferenceDocument {
  _id: string;
  customerId: string;
  channel: Channel;
  optedIn: boolean;
  updatedVia: Channel;
  updatedAt: Date;
  /** `principal.sub` of whoever changed it (for a customer, their own id). */
  updatedBy: string;
  updatedByRole: Role | 'SEED';
  version: number;
}

/** A change to apply. */
export interface ContactPreferenceChangeRequest {
  customerId: string;
  channel: Channel;
  optedIn: boolean;
  via: Channel;
  at: Date;
  by: string;
  byRole: Role | 'SEED';
}

/** `_id` of the preference of `customerId` for `channel`. */
export function contactPreferenceId(customerId: string, channel: Channel): string {
  return `${customerId}:${channel}`;
}

/** Data access for contact preferences. */
export class ContactPreferenceRepository {
  readonly collection;

  constructor(store: MongoStore) {
    this.collection = store.collection<ContactPreferenceDocument>('contactPreferences');
  }

  findOne(customerId: string, channel: Channel): Promise<ContactPreferenceDocument | null> {
    return this.collection.findOne({ _id: contactPreferenceId(customerId, channel) });
  }

  findForCustomers(customerIds: readonly string[]): Promise<ContactPreferenceDocument[]> {
    return this.collection.find({ customerId: { $in: [...customerIds] } }).toArray();
  }

  /**
   * Applies a change and returns the state before it (null when there was none) and after it. One
   * atomic write: concurrent changes are serialised by the database, each sees its true predecessor.
   */
  async apply(change: ContactPreferenceChangeRequest): Promise<{ before: ContactPreferenceDocument | null; after: ContactPreferenceDocument }> {
    const _id = contactPreferenceId(change.customerId, change.channel);
    const update = {
      $set: { optedIn: change.optedIn, updatedVia: change.via, updatedAt: change.at, updatedBy: change.by, updatedByRole: change.byRole },
      $setOnInsert: { customerId: change.customerId, channel: change.channel },
      $inc: { version: 1 },
    };
    let before: ContactPreferenceDocument | null;
    try {
      before = await this.collection.findOneAndUpdate({ _id }, update, { upsert: true, returnDocument: 'before' });
    } catch (error) {
      // Two first-ever changes racing on a real MongoDB: the loser's upsert hits the _id index; the
      // document exists now, so the retry is a plain update.
      if (!isDuplicateKeyError(error)) throw error;
      before = await this.collection.findOneAndUpdate({ _id }, update, { returnDocument: 'before' });
    }
    const after: ContactPreferenceDocument = {
      _id,
      customerId: change.customerId,
      channel: change.channel,
      optedIn: change.optedIn,
      updatedVia: change.via,
      updatedAt: change.at,
      updatedBy: change.by,
      updatedByRole: change.byRole,
      version: (before?.version ?? 0) + 1,
    };
    return { before, after };
  }

  /**
   * Customer merge: each of the duplicate's preferences becomes the survivor's unless the survivor has
   * one for that channel (the survivor's own statement wins), then the duplicate's is removed.
   */
  async moveToSurvivor(duplicateId: string, survivorId: string): Promise<void> {
    const duplicates = await this.collection.find({ customerId: duplicateId }).toArray();
    for (const preference of duplicates) {
      const { _id: _ignored, customerId: _customer, ...state } = preference;
      await this.collection.updateOne(
        { _id: contactPreferenceId(survivorId, preference.channel) },
        { $setOnInsert: { ...state, customerId: survivorId } },
        { upsert: true },
      ).catch((error: unknown) => {
        if (!isDuplicateKeyError(error)) throw error;
      });
      await this.collection.deleteOne({ _id: preference._id });
    }
  }

  /** Erasure: an erased customer is contacted on no channel. */
  async deleteForCustomer(customerId: string): Promise<void> {
    await this.collection.deleteMany({ customerId });
  }
}
