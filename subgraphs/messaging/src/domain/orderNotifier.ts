/**
 * Order notices (confirmation, ready for pickup, return received), each at most once:
 *
 *  1. the notice's claim (`notifications`, `_id` `<orderId>:<template>`) is read; a notice already SENT
 *     or SKIPPED is done;
 *  2. otherwise the channel is chosen (`ConsentPolicy.notificationChannel`) and the claim is inserted —
 *     concurrent deliveries of the event converge on the first claim and its channel;
 *  3. the text is rendered and sent through `MessageSender` with the idempotency key
 *     `notification:<claim id>`: however many deliveries reach this step, one message goes out;
 *  4. the claim is marked SENT with its message.
 *
 * Each step is safe to repeat, so a delivery that crashed half-way is completed by the next one.
 */
import { ConsentRequiredError, type Channel, type Logger } from '../../../kit/src';
import type { LocationDirectory } from '../locationDirectory';
import type { NotificationDocument, NotificationRepository } from '../repositories/notificationRepository';
import { renderTemplate, type NotificationTemplate } from '../templates';
import type { ConsentPolicy } from './consentPolicy';
import type { MessageSender } from './messageSender';

/** What a notice is about. */
export interface OrderNotice {
  template: NotificationTemplate;
  orderId: string;
  customerId: string;
  orderNumber: string;
  /** The pickup store, the store or warehouse fulfilling it, or where a return was received. */
  locationId: string;
  /** The channel the order was placed through, when known. */
  orderChannel: Channel | null;
  fulfillmentMethod?: string | null;
  totalCents?: number | null;
  refundCents?: number | null;
  /** Distinguishes several notices of one template for one order (a return id). */
  discriminator?: string;
  eventId: string;
}

/** Collaborators of {@link OrderNotifier}. */
export interface OrderNotifierOptions {
  notifications: NotificationRepository;
  consent: ConsentPolicy;
  sender: MessageSender;
  locations: LocationDirectory;
  logger: Logger;
}

/** Sends order notices at most once (see module comment). */
export class OrderNotifier {
  constructor(private readonly options: OrderNotifierOptions) {}

  /** Sends `notice` unless it was sent (or skipped) before; returns its claim. */
  async notify(notice: OrderNotice): Promise<NotificationDocument> {
    const { notifications, consent, sender, locations, logger } = this.options;
    const claimId = [notice.orderId, notice.template, ...(notice.discriminator ? [notice.discriminator] : [])].join(':');
    let claim = await notifications.findById(claimId);
    if (!claim) {
      const channel = await consent.notificationChannel(notice.customerId, notice.orderChannel);
      claim = await notifications.claim({
        _id: claimId,
        orderId: notice.orderId,
        customerId: notice.customerId,
        template: notice.template,
        channel,
        status: channel ? 'PENDING' : 'SKIPPED',
        skipReason: channel ? null : 'NO_CONSENTED_CHANNEL',
        messageId: null,
        deliveryStatus: 'QUEUED',
        eventId: notice.eventId,
        createdAt: new Date(),
        sentAt: null,
      });
    }
    if (claim.status !== 'PENDING' || !claim.channel) return claim;

    const locationName = (await locations.nameOf(notice.locationId)) ?? notice.locationId;
    const body = renderTemplate(notice.template, claim.channel, {
      orderNumber: notice.orderNumber,
      locationName,
      fulfillmentMethod: notice.fulfillmentMethod ?? null,
      totalCents: notice.totalCents ?? null,
      refundCents: notice.refundCents ?? null,
    });
    try {
      const message = await sender.send({
        customerId: claim.customerId,
        channel: claim.channel,
        body,
        kind: 'SERVICE',
        orderId: notice.orderId,
        idempotencyKey: `notification:${claimId}`,
        author: 'system',
        notificationId: claimId,
      });
      await notifications.markSent(claimId, message._id, message.sentAt);
      return { ...claim, status: 'SENT', messageId: message._id, sentAt: message.sentAt, deliveryStatus: message.deliveryStatus };
    } catch (error) {
      if (!(error instanceof ConsentRequiredError)) throw error;
      // Consent was withdrawn between the claim and this delivery: the notice is not sent, ever.
      logger.info('order notice skipped: consent withdrawn', { notificationId: claimId, channel: claim.channel });
      await notifications.markSkipped(claimId, 'CONSENT_WITHDRAWN');
      return { ...claim, status: 'SKIPPED', skipReason: 'CONSENT_WITHDRAWN' };
    }
  }
}
