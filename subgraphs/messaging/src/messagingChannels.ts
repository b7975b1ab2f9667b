/**
 * Which of the contract's channels can carry a message we send. Conversations record every channel
 * (a call note, a chat at the store), but only these reach a customer through a provider, and only
 * these have a consent (contact preference) of their own.
 */
import type { Channel } from '../../kit/src';

/** Channels a provider can deliver to: WhatsApp, SMS, e-mail and app push notifications. */
export const DELIVERABLE_CHANNELS = ['WHATSAPP', 'SMS', 'EMAIL', 'APP'] as const;

/** One of {@link DELIVERABLE_CHANNELS}. */
export type DeliverableChannel = (typeof DELIVERABLE_CHANNELS)[number];

/** True when `channel` can carry a sent message (and so has a consent). */
export function isDeliverableChannel(channel: Channel): channel is DeliverableChannel {
  return (DELIVERABLE_CHANNELS as readonly string[]).includes(channel);
}

/**
 * The order in which order notifications pick among the channels the customer opted in to: WhatsApp
 * is read within minutes in Mexico, SMS reaches every phone, e-mail is the slow fallback; app push comes
 * last because an opted-in app may no longer be installed.
 */
export const NOTIFICATION_CHANNEL_PREFERENCE: readonly DeliverableChannel[] = ['WHATSAPP', 'SMS', 'EMAIL', 'APP'];

/** Short channels get the short template (a few lines); e-mail gets the full text. */
export function isShortChannel(channel: DeliverableChannel): boolean {
  return channel !== 'EMAIL';
}
