/**
 * Applies a provider's delivery status update to the message (and the order notification it carries),
 * forward only, so late and repeated callbacks are harmless.
 */
import type { MessageRepository } from '../repositories/messageRepository';
import type { NotificationRepository } from '../repositories/notificationRepository';
import type { DeliveryStatusUpdate } from '../providers/messageProvider';

/** Records delivery status updates (see module comment). */
export class DeliveryStatusRecorder {
  constructor(
    private readonly messages: MessageRepository,
    private readonly notifications: NotificationRepository,
  ) {}

  /** Applies `update`; true when the message moved. */
  async record(update: DeliveryStatusUpdate): Promise<boolean> {
    const moved = await this.messages.advanceDeliveryStatus({ providerMessageId: update.providerMessageId }, update.status, update.at);
    if (!moved) return false;
    if (moved.notificationId) await this.notifications.advanceDeliveryStatus(moved.notificationId, update.status);
    return true;
  }
}
