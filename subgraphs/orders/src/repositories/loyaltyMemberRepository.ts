/**
 * `loyaltyMembers`: orders' own projection of who is a loyalty member, `{ _id: customerId, enrolledAt }`,
 * used only to split the sales KPIs into members and non-members. Orders never reads loyalty's database
 * (DESIGN.md "Shape"): the seed fills this from the demo dataset, and a handler of a loyalty-enrolment
 * event will keep it current once loyalty publishes one (there is no such event type in the kit yet).
 */
import type { Collection } from 'mongodb';
import type { MongoStore } from '../../../kit/src';

/** A member as orders knows it. */
export interface LoyaltyMemberDocument {
  /** The customer id. */
  _id: string;
  enrolledAt: Date;
}

/** Data access for the members projection (see module comment). */
export class LoyaltyMemberRepository {
  readonly collection: Collection<LoyaltyMemberDocument>;

  constructor(store: MongoStore) {
    this.collection = store.collection<LoyaltyMemberDocument>('loyaltyMembers');
  }

  /** Records an enrolment; idempotent (a redelivered event changes nothing, the earliest date wins). */
  async record(customerId: string, enrolledAt: Date): Promise<void> {
    await this.collection.updateOne({ _id: customerId }, { $min: { enrolledAt } }, { upsert: true });
  }
}
