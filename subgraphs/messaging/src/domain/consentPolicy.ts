/**
 * Whether a message may be sent to a customer on a channel — checked before anything is recorded as sent:
 *
 *  - an explicit statement wins: opted in → yes; opted out → no, whatever the kind of message;
 *  - MARKETING needs an opt-in, always;
 *  - SERVICE about an order, with no statement for the channel: yes on a channel the customer used for
 *    that order — the channel the order was placed through (from the OrderPlaced projection) or one the
 *    customer wrote to us on about that order (an inbound message in its conversation); otherwise no.
 *
 * Order notifications choose their channel with {@link ConsentPolicy.notificationChannel}, on the same
 * rules, so a notification is never refused by the check it will pass through.
 */
import type { Channel } from '../../../kit/src';
import { NOTIFICATION_CHANNEL_PREFERENCE, isDeliverableChannel, type DeliverableChannel } from '../messagingChannels';
import type { ContactPreferenceRepository } from '../repositories/contactPreferenceRepository';
import type { MessageKind, MessageRepository } from '../repositories/messageRepository';
import type { OrderChannelRepository } from '../repositories/orderChannelRepository';

/** Why a message may be sent. */
export type ConsentBasis = 'OPT_IN' | 'ORDER_CHANNEL' | 'ORDER_CONVERSATION';

/** The answer of {@link ConsentPolicy.decide}. */
export type ConsentDecision = { allowed: true; basis: ConsentBasis } | { allowed: false; reason: 'OPTED_OUT' | 'NO_OPT_IN' };

/** A message about to be sent. */
export interface ConsentQuestion {
  customerId: string;
  channel: DeliverableChannel;
  kind: MessageKind;
  orderId: string | null;
}

/** The consent rules (see module comment). */
export class ConsentPolicy {
  constructor(
    private readonly preferences: ContactPreferenceRepository,
    private readonly orderChannels: OrderChannelRepository,
    private readonly messages: MessageRepository,
  ) {}

  /** May this message be sent? */
  async decide(question: ConsentQuestion): Promise<ConsentDecision> {
    const preference = await this.preferences.findOne(question.customerId, question.channel);
    if (preference) return preference.optedIn ? { allowed: true, basis: 'OPT_IN' } : { allowed: false, reason: 'OPTED_OUT' };
    if (question.kind === 'MARKETING' || question.orderId === null) return { allowed: false, reason: 'NO_OPT_IN' };
    const order = await this.orderChannels.findById(question.orderId);
    if (order && order.customerId === question.customerId && order.channel === question.channel) return { allowed: true, basis: 'ORDER_CHANNEL' };
    if (await this.messages.hasInboundAbout(question.customerId, question.orderId, question.channel)) return { allowed: true, basis: 'ORDER_CONVERSATION' };
    return { allowed: false, reason: 'NO_OPT_IN' };
  }

  /**
   * The channel of a service notice about an order: the first opted-in channel in the order WHATSAPP,
   * SMS, EMAIL, APP; else the channel the order was placed through when messages can go there (APP,
   * WHATSAPP…) and the customer has not opted out of it; else null (no notice is sent).
   */
  async notificationChannel(customerId: string, orderChannel: Channel | null): Promise<DeliverableChannel | null> {
    const preferences = await this.preferences.findForCustomers([customerId]);
    const optedIn = new Set(preferences.filter((p) => p.optedIn).map((p) => p.channel));
    const preferred = NOTIFICATION_CHANNEL_PREFERENCE.find((channel) => optedIn.has(channel));
    if (preferred) return preferred;
    if (orderChannel && isDeliverableChannel(orderChannel) && !preferences.some((p) => p.channel === orderChannel && !p.optedIn)) return orderChannel;
    return null;
  }
}
