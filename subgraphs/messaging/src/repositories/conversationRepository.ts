/**
 * The `conversations` collection. A conversation holds the `activeKey` slot while it is the one that
 * new interactions continue: `<customerId>:order:<orderId>` for a conversation about an order,
 * `<customerId>:general` for one without. A unique sparse index on `activeKey` makes "continue the open
 * conversation, else start one" safe under concurrency (two channels writing at once end up in the same
 * conversation) without a read-then-write race; closing releases the slot.
 */
import type { Channel, MongoStore } from '../../../kit/src';
import { isDuplicateKeyError } from './duplicateKey';

/** Whether a conversation is open. */
export type ConversationStatus = 'OPEN' | 'CLOSED';

/** Why a conversation was closed: by someone, or because a general conversation went idle. */
export type ClosedReason = 'CLOSED' | 'IDLE';

/** A stored conversation. */
export interface ConversationDocument {
  _id: string;
  customerId: string;
  orderId: string | null;
  status: ConversationStatus;
  /** Every channel the conversation crossed, in order of first use (`$addToSet` appends). */
  channels: Channel[];
  subject: string | null;
  startedAt: Date;
  lastMessageAt: Date;
  /** Messages appended so far: the connection's totalCount without a count query. */
  messageCount: number;
  /** Present only while new interactions continue this conversation (see module comment). */
  activeKey?: string;
  closedAt: Date | null;
  closedReason: ClosedReason | null;
  /** Customer ids merged into this conversation's customer. */
  mergedFrom?: string[];
}

/** The slot of the conversation that new interactions of `customerId` about `orderId` (or none) continue. */
export function activeKeyOf(customerId: string, orderId: string | null): string {
  return orderId ? `${customerId}:order:${orderId}` : `${customerId}:general`;
}

/** Data access for conversations. */
export class ConversationRepository {
  readonly collection;

  constructor(store: MongoStore) {
    this.collection = store.collection<ConversationDocument>('conversations');
  }

  findById(id: string): Promise<ConversationDocument | null> {
    return this.collection.findOne({ _id: id });
  }

  findByIds(ids: readonly string[]): Promise<ConversationDocument[]> {
    return this.collection.find({ _id: { $in: [...ids] } }).toArray();
  }

  /** The conversation holding the slot `activeKey`, if any. */
  findActive(activeKey: string): Promise<ConversationDocument | null> {
    return this.collection.findOne({ activeKey });
  }

  /** Conversations of these customers, newest first (callers cut each customer's list). */
  findForCustomers(customerIds: readonly string[], status: ConversationStatus | null): Promise<ConversationDocument[]> {
    return this.collection
      .find({ customerId: { $in: [...customerIds] }, ...(status ? { status } : {}) })
      .sort({ lastMessageAt: -1, _id: -1 })
      .toArray();
  }

  /** Inserts a new conversation; false when its `activeKey` slot was taken meanwhile. */
  async insertActive(conversation: ConversationDocument): Promise<boolean> {
    try {
      await this.collection.insertOne(conversation);
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  /** Notes a new message: channel appended if new, `lastMessageAt` moved forward, count incremented. */
  async recordMessage(id: string, channel: Channel, at: Date): Promise<void> {
    await this.collection.updateOne({ _id: id }, { $addToSet: { channels: channel }, $max: { lastMessageAt: at }, $inc: { messageCount: 1 } });
  }

  /** Closes a general conversation that went idle, releasing its slot (a no-op if someone did already). */
  async retireIdle(id: string, activeKey: string, at: Date): Promise<void> {
    await this.collection.updateOne(
      { _id: id, activeKey },
      { $set: { status: 'CLOSED', closedAt: at, closedReason: 'IDLE' }, $unset: { activeKey: '' } },
    );
  }

  /** Closes (idempotent) and returns the conversation, or null when it does not exist. */
  async close(id: string, at: Date): Promise<ConversationDocument | null> {
    const closed = await this.collection.findOneAndUpdate(
      { _id: id, status: 'OPEN' },
      { $set: { status: 'CLOSED', closedAt: at, closedReason: 'CLOSED' }, $unset: { activeKey: '' } },
      { returnDocument: 'after' },
    );
    return closed ?? this.findById(id);
  }

  /**
   * Reopens (idempotent) and returns the conversation. It takes back its slot when the slot is free;
   * when another conversation on the same subject was started meanwhile, it reopens without the slot
   * (it is continued by id, the newer one by subject).
   */
  async reopen(id: string, activeKey: string): Promise<ConversationDocument | null> {
    const reopen = { status: 'OPEN' as const, closedAt: null, closedReason: null };
    try {
      const reopened = await this.collection.findOneAndUpdate({ _id: id, status: 'CLOSED' }, { $set: { ...reopen, activeKey } }, { returnDocument: 'after' });
      if (reopened) return reopened;
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      const reopened = await this.collection.findOneAndUpdate({ _id: id, status: 'CLOSED' }, { $set: reopen }, { returnDocument: 'after' });
      if (reopened) return reopened;
    }
    return this.findById(id);
  }

  /** Conversations of a customer (merge and erasure; a customer has a handful). */
  findAllOfCustomer(customerId: string): Promise<ConversationDocument[]> {
    return this.collection.find({ customerId }).toArray();
  }

  /**
   * Moves one conversation to `survivorId`, moving its slot too when it holds one; when the survivor
   * already holds that slot, the moved conversation stays open but is continued by id only.
   */
  async repoint(conversation: ConversationDocument, survivorId: string, duplicateId: string): Promise<void> {
    const move = { $set: { customerId: survivorId }, $addToSet: { mergedFrom: duplicateId } };
    if (conversation.activeKey === undefined) {
      await this.collection.updateOne({ _id: conversation._id, customerId: duplicateId }, move);
      return;
    }
    try {
      await this.collection.updateOne(
        { _id: conversation._id, customerId: duplicateId },
        { ...move, $set: { customerId: survivorId, activeKey: activeKeyOf(survivorId, conversation.orderId) } },
      );
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      await this.collection.updateOne({ _id: conversation._id, customerId: duplicateId }, { ...move, $unset: { activeKey: '' } });
    }
  }

  /** Subjects of general conversations quote the customer's first message: erased with it. */
  async eraseSubjects(customerId: string): Promise<void> {
    await this.collection.updateMany({ customerId, orderId: null }, { $set: { subject: null } });
  }
}
