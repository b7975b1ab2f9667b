/**
 * The `notifications` collection: one document per notice about an order, `_id`
 * `<orderId>:<template>` (`<orderId>:RETURN_RECEIVED:<returnId>` for returns, since an order may be
 * returned in parts). Inserting it is the claim that makes each notice go out at most once however often
 * its event is delivered; its `channel`, decided by the first claimant, is what every redelivery sends on.
 */
import type { MongoStore } from '../../../kit/src';
import type { DeliveryStatus, ProviderStatus } from '../domain/deliveryStatus';
import { predecessorsOf } from '../domain/deliveryStatus';
import type { DeliverableChannel } from '../messagingChannels';
import type { NotificationTemplate } from '../templates';
import { isDuplicateKeyError } from './duplicateKey';

/** Where a notice is: claimed, sent, or skipped for want of a consented channel. */
export type NotificationStatus = 'PENDING' | 'SENT' | 'SKIPPED';

/** A stored notice. */
export interface NotificationDocument {
  _id: string;
  orderId: string;
  customerId: string;
  template: NotificationTemplate;
  /** Null when no channel had consent (then status is SKIPPED). */
  channel: DeliverableChannel | null;
  status: NotificationStatus;
  skipReason: string | null;
  messageId: string | null;
  deliveryStatus: DeliveryStatus;
  /** The event that caused it. */
  eventId: string;
  createdAt: Date;
  sentAt: Date | null;
}

/** Data access for notifications. */
export class NotificationRepository {
  readonly collection;

  constructor(store: MongoStore) {
    this.collection = store.collection<NotificationDocument>('notifications');
  }

  findById(id: string): Promise<NotificationDocument | null> {
    return this.collection.findOne({ _id: id });
  }

  /** Claims the notice (first claimant's fields win) and returns the claim as it stands. */
  async claim(notice: NotificationDocument): Promise<NotificationDocument> {
    const { _id, ...fields } = notice;
    try {
      const claimed = await this.collection.findOneAndUpdate({ _id }, { $setOnInsert: fields }, { upsert: true, returnDocument: 'after' });
      if (claimed) return claimed;
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
    const existing = await this.findById(_id);
    if (!existing) throw new Error(`Notification ${_id} vanished after its claim`);
    return existing;
  }

  /** PENDING → SENT with the message that carries it (a no-op when already done). */
  async markSent(id: string, messageId: string, at: Date): Promise<void> {
    await this.collection.updateOne({ _id: id, status: 'PENDING' }, { $set: { status: 'SENT', messageId, sentAt: at } });
  }

  /** PENDING → SKIPPED (consent withdrawn between the claim and the send). */
  async markSkipped(id: string, reason: string): Promise<void> {
    await this.collection.updateOne({ _id: id, status: 'PENDING' }, { $set: { status: 'SKIPPED', skipReason: reason } });
  }

  /** Moves the notice's delivery status forward (never backward). */
  async advanceDeliveryStatus(id: string, status: ProviderStatus): Promise<void> {
    await this.collection.updateOne({ _id: id, deliveryStatus: { $in: predecessorsOf(status) } }, { $set: { deliveryStatus: status } });
  }

  /** Sent notices of these orders, oldest first. */
  findSentForOrders(orderIds: readonly string[]): Promise<NotificationDocument[]> {
    return this.collection.find({ orderId: { $in: [...orderIds] }, status: 'SENT' }).sort({ sentAt: 1, _id: 1 }).toArray();
  }

  /** Customer merge. */
  async repoint(duplicateId: string, survivorId: string): Promise<void> {
    await this.collection.updateMany({ customerId: duplicateId }, { $set: { customerId: survivorId } });
  }
}
