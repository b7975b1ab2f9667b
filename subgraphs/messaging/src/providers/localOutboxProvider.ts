/**
 * The provider for development and tests: instead of delivering, it records each outgoing message in
 * the `outgoingMessages` collection (what a real provider would have been asked to send), and lets an
 * operator or a test report delivery status changes as a provider's webhook would. It resolves no
 * address: the recipient is the customer id (see `messageProvider.ts`).
 */
import type { Channel, MongoStore } from '../../../kit/src';
import type { ProviderStatus } from '../domain/deliveryStatus';
import { predecessorsOf } from '../domain/deliveryStatus';
import { isDuplicateKeyError } from '../repositories/duplicateKey';
import type { DeliveryStatusListener, ForgetRequest, MessageProvider, OutgoingMessage, ProviderReceipt } from './messageProvider';

/** A message recorded by the local outbox. `_id` is the provider message id. */
export interface OutgoingMessageDocument {
  _id: string;
  messageId: string;
  channel: Channel;
  /** The recipient; `address` stays null here (a real provider would resolve it) and is erased with the body. */
  recipient: { customerId: string; address: string | null };
  /** Null after erasure. */
  body: string | null;
  status: ProviderStatus;
  statusHistory: { status: ProviderStatus; at: Date }[];
  createdAt: Date;
  erasedAt?: Date;
}

/** The local provider (see module comment). */
export class LocalOutboxProvider implements MessageProvider {
  readonly name = 'local-outbox';
  readonly collection;
  private readonly listeners = new Set<DeliveryStatusListener>();

  constructor(store: MongoStore) {
    this.collection = store.collection<OutgoingMessageDocument>('outgoingMessages');
  }

  /** Records the message; the same `messageId` twice records once and returns the same receipt. */
  async send(message: OutgoingMessage): Promise<ProviderReceipt> {
    const providerMessageId = `out_${message.messageId}`;
    const at = new Date();
    try {
      await this.collection.insertOne({
        _id: providerMessageId,
        messageId: message.messageId,
        channel: message.channel,
        recipient: { customerId: message.customerId, address: null },
        body: message.body,
        status: 'SENT',
        statusHistory: [{ status: 'SENT', at }],
        createdAt: at,
      });
      return { providerMessageId, status: 'SENT' };
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      const existing = await this.collection.findOne({ _id: providerMessageId });
      return { providerMessageId, status: existing?.status ?? 'SENT' };
    }
  }

  onDeliveryStatus(listener: DeliveryStatusListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * What a real provider's webhook does: records a status change (forward only) and tells the
   * listeners. Returns false when the message is unknown or already past that status.
   */
  async reportStatus(providerMessageId: string, status: ProviderStatus, at = new Date()): Promise<boolean> {
    const updated = await this.collection.updateOne(
      { _id: providerMessageId, status: { $in: predecessorsOf(status) } },
      { $set: { status }, $push: { statusHistory: { status, at } } },
    );
    if (updated.modifiedCount === 0) return false;
    for (const listener of this.listeners) await listener({ providerMessageId, status, at });
    return true;
  }

  async forget({ customerId, providerMessageIds }: ForgetRequest): Promise<void> {
    await this.collection.updateMany(
      { $or: [{ 'recipient.customerId': customerId }, { _id: { $in: [...providerMessageIds] } }] },
      { $set: { body: null, 'recipient.address': null, erasedAt: new Date() } },
    );
  }
}
