/**
 * The `messages` collection: every message of every conversation, inbound or outbound, logged or sent.
 * A message with an idempotency key has an id derived from (customer, key) (see `identifiers.ts`), so
 * inserting it is the idempotency claim.
 */
import type { Channel, MongoStore } from '../../../kit/src';
import type { DeliveryStatus, ProviderStatus } from '../domain/deliveryStatus';
import { predecessorsOf } from '../domain/deliveryStatus';
import type { MessageCursor } from '../messageCursor';
import { isDuplicateKeyError } from './duplicateKey';

/** From or to the customer. */
export type MessageDirection = 'INBOUND' | 'OUTBOUND';

/** SERVICE or MARKETING (decides the consent a sent message needs). */
export type MessageKind = 'SERVICE' | 'MARKETING';

/** A stored message. */
export interface MessageDocument {
  _id: string;
  conversationId: string;
  customerId: string;
  /** The order the conversation is about (denormalised: consent for service messages looks it up). */
  orderId: string | null;
  channel: Channel;
  direction: MessageDirection;
  /** Null after the customer's data was erased. */
  body: string | null;
  sentAt: Date;
  author: string;
  deliveryStatus: DeliveryStatus;
  deliveryStatusAt: Date;
  kind: MessageKind;
  idempotencyKey: string | null;
  /** The provider's id once handed over; delivery status updates find the message by it. */
  providerMessageId: string | null;
  /** The order notification this message carries, if any. */
  notificationId: string | null;
  erasedAt?: Date;
}

/** Messages of one conversation for one page: up to `limit + 1`, so the caller knows whether more follow. */
export type MessagePageRows = Map<string, MessageDocument[]>;

/** Data access for messages. */
export class MessageRepository {
  readonly collection;

  constructor(store: MongoStore) {
    this.collection = store.collection<MessageDocument>('messages');
  }

  findById(id: string): Promise<MessageDocument | null> {
    return this.collection.findOne({ _id: id });
  }

  /** Inserts; false when a message with this id exists (the idempotency key was used already). */
  async insert(message: MessageDocument): Promise<boolean> {
    try {
      await this.collection.insertOne(message);
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  /**
   * Oldest-first pages of several conversations after `after`, at most `limit + 1` rows each. One
   * conversation (the usual case: a conversation screen) is a limited query; several (a customer's
   * conversations with their last messages) are one query over all of them, cut per conversation here —
   * conversations are short, and one round trip beats one per conversation.
   */
  async findPages(conversationIds: readonly string[], after: MessageCursor | null, limit: number): Promise<MessagePageRows> {
    const afterFilter = after ? { $or: [{ sentAt: { $gt: after.sentAt } }, { sentAt: after.sentAt, _id: { $gt: after.id } }] } : {};
    const rows = new Map<string, MessageDocument[]>(conversationIds.map((id) => [id, []]));
    if (conversationIds.length === 1) {
      const [only] = conversationIds as [string];
      rows.set(only, await this.collection.find({ conversationId: only, ...afterFilter }).sort({ sentAt: 1, _id: 1 }).limit(limit + 1).toArray());
      return rows;
    }
    const found = await this.collection.find({ conversationId: { $in: [...conversationIds] }, ...afterFilter }).sort({ conversationId: 1, sentAt: 1, _id: 1 }).toArray();
    for (const message of found) {
      const list = rows.get(message.conversationId);
      if (list && list.length <= limit) list.push(message);
    }
    return rows;
  }

  /** Records the provider's receipt: its id, and its status unless a later one already arrived. */
  async markDispatched(id: string, providerMessageId: string, status: ProviderStatus, at: Date): Promise<MessageDocument | null> {
    const moved = await this.collection.findOneAndUpdate(
      { _id: id, deliveryStatus: { $in: ['QUEUED', ...predecessorsOf(status)] } },
      { $set: { providerMessageId, ...(status === 'QUEUED' ? {} : { deliveryStatus: status, deliveryStatusAt: at }) } },
      { returnDocument: 'after' },
    );
    return moved ?? this.findById(id);
  }

  /** Moves a message forward to `status` (never backward); the message when it moved, else null. */
  advanceDeliveryStatus(filter: { _id: string } | { providerMessageId: string }, status: ProviderStatus, at: Date): Promise<MessageDocument | null> {
    return this.collection.findOneAndUpdate(
      { ...filter, deliveryStatus: { $in: predecessorsOf(status) } },
      { $set: { deliveryStatus: status, deliveryStatusAt: at } },
      { returnDocument: 'after' },
    );
  }

  /** True when the customer wrote to us on `channel` in a conversation about `orderId`. */
  async hasInboundAbout(customerId: string, orderId: string, channel: Channel): Promise<boolean> {
    return (await this.collection.findOne({ orderId, customerId, channel, direction: 'INBOUND' }, { projection: { _id: 1 } })) !== null;
  }

  /** Customer merge: the duplicate's messages become the survivor's. */
  async repoint(duplicateId: string, survivorId: string): Promise<void> {
    await this.collection.updateMany({ customerId: duplicateId }, { $set: { customerId: survivorId } });
  }

  /** Provider ids of the customer's sent messages (erasure asks the provider to forget them). */
  async providerMessageIdsOf(customerId: string): Promise<string[]> {
    const sent = await this.collection.find({ customerId, providerMessageId: { $ne: null } }, { projection: { providerMessageId: 1 } }).toArray();
    return sent.flatMap((message) => (message.providerMessageId ? [message.providerMessageId] : []));
  }

  /** Erasure: bodies removed, the facts (channel, time, direction, status) kept. */
  async eraseBodies(customerId: string, at: Date): Promise<void> {
    await this.collection.updateMany({ customerId, erasedAt: { $exists: false } }, { $set: { body: null, erasedAt: at } });
  }
}
