/**
 * Sending a message, at most once per idempotency key:
 *
 *  1. the key's message exists → it is returned (a retry, or a concurrent twin, gets the same message);
 *  2. consent is checked (`consentPolicy.ts`) — refused → CONSENT_REQUIRED and nothing recorded;
 *  3. the message is inserted as QUEUED in the customer's conversation: its `_id` is derived from
 *     (customer, key), so this insert is the claim — a concurrent twin loses it and returns the winner's
 *     message; only the winner goes on;
 *  4. the provider gets it (with our message id, so a provider that dedupes on it delivers once even if
 *     step 4 is retried after a crash), and its receipt moves the message to SENT.
 *
 * A claim left QUEUED without a provider id (a crash between 3 and 4) is dispatched again by the next
 * request with the same key once it is older than {@link STALE_CLAIM_MS}.
 */
import { ConflictError, ConsentRequiredError, type Logger } from '../../../kit/src';
import { keyedMessageId } from '../identifiers';
import type { DeliverableChannel } from '../messagingChannels';
import type { ConversationRepository } from '../repositories/conversationRepository';
import type { MessageDocument, MessageKind, MessageRepository } from '../repositories/messageRepository';
import type { NotificationRepository } from '../repositories/notificationRepository';
import type { MessageProvider } from '../providers/messageProvider';
import type { ConsentPolicy } from './consentPolicy';
import type { ConversationThreads } from './conversationThreads';

/** A claim older than this without a provider receipt is considered abandoned and dispatched again. */
export const STALE_CLAIM_MS = 30_000;

/** A message to send. */
export interface SendRequest {
  customerId: string;
  channel: DeliverableChannel;
  body: string;
  kind: MessageKind;
  orderId: string | null;
  idempotencyKey: string;
  /** A staff member's id, or `system` for notifications. */
  author: string;
  /** Set when the message carries an order notification. */
  notificationId?: string | null;
}

/** Collaborators of {@link MessageSender}. */
export interface MessageSenderOptions {
  messages: MessageRepository;
  conversations: ConversationRepository;
  notifications: NotificationRepository;
  threads: ConversationThreads;
  consent: ConsentPolicy;
  provider: MessageProvider;
  logger: Logger;
}

/** Sends messages (see module comment). */
export class MessageSender {
  constructor(private readonly options: MessageSenderOptions) {}

  /** Sends `request` once per (customer, key); returns the message. */
  async send(request: SendRequest): Promise<MessageDocument> {
    const { messages, conversations, threads, consent } = this.options;
    const id = keyedMessageId(request.customerId, request.idempotencyKey);
    const existing = await messages.findById(id);
    if (existing) return this.replay(existing, request);

    const decision = await consent.decide(request);
    if (!decision.allowed) throw new ConsentRequiredError(request.channel);

    const at = new Date();
    const conversation = await threads.resolve({ customerId: request.customerId, orderId: request.orderId, channel: request.channel, body: request.body, at });
    const message: MessageDocument = {
      _id: id,
      conversationId: conversation._id,
      customerId: request.customerId,
      orderId: conversation.orderId ?? request.orderId,
      channel: request.channel,
      direction: 'OUTBOUND',
      body: request.body,
      sentAt: at,
      author: request.author,
      deliveryStatus: 'QUEUED',
      deliveryStatusAt: at,
      kind: request.kind,
      idempotencyKey: request.idempotencyKey,
      providerMessageId: null,
      notificationId: request.notificationId ?? null,
    };
    if (!(await messages.insert(message))) {
      const winner = await messages.findById(id);
      if (!winner) throw new Error(`Message ${id} was claimed but cannot be read`);
      return this.replay(winner, request);
    }
    await conversations.recordMessage(conversation._id, request.channel, at);
    return this.dispatch(message);
  }

  /** The answer to a repeated key: the same message, after checking it is the same request. */
  private async replay(existing: MessageDocument, request: SendRequest): Promise<MessageDocument> {
    if (existing.channel !== request.channel || existing.kind !== request.kind || (request.orderId !== null && existing.orderId !== request.orderId)) {
      throw new ConflictError(`idempotencyKey ${JSON.stringify(request.idempotencyKey)} was already used for a different message`, { field: 'idempotencyKey', messageId: existing._id });
    }
    const abandoned = existing.deliveryStatus === 'QUEUED' && existing.providerMessageId === null && Date.now() - existing.sentAt.getTime() > STALE_CLAIM_MS;
    return abandoned && existing.body !== null ? this.dispatch(existing) : existing;
  }

  private async dispatch(message: MessageDocument): Promise<MessageDocument> {
    const { messages, notifications, provider, logger } = this.options;
    let dispatched: MessageDocument | null;
    try {
      const receipt = await provider.send({ messageId: message._id, customerId: message.customerId, channel: message.channel, body: message.body ?? '' });
      dispatched = await messages.markDispatched(message._id, receipt.providerMessageId, receipt.status, new Date());
    } catch (error) {
      // The provider could not take it: the message stays, FAILED, so the agent sees it was not sent.
      logger.error('message provider refused a message', { error, messageId: message._id, provider: provider.name });
      dispatched = (await messages.advanceDeliveryStatus({ _id: message._id }, 'FAILED', new Date())) ?? (await messages.findById(message._id));
    }
    const result = dispatched ?? message;
    if (result.notificationId && result.deliveryStatus !== 'QUEUED' && result.deliveryStatus !== 'RECEIVED') {
      await notifications.advanceDeliveryStatus(result.notificationId, result.deliveryStatus);
    }
    return result;
  }
}
