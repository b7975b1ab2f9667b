/**
 * `logInteraction`: records a message that happened in any channel — a WhatsApp message received, a
 * call note, an answer given at the store — in the conversation chosen by `conversationThreads.ts`.
 * Nothing is delivered, so no consent is checked: the message already happened. With an idempotency key
 * (a channel webhook retried) the message is recorded once.
 */
import type { Channel } from '../../../kit/src';
import { keyedMessageId, newMessageId } from '../identifiers';
import type { ConversationDocument, ConversationRepository } from '../repositories/conversationRepository';
import type { MessageDirection, MessageDocument, MessageRepository } from '../repositories/messageRepository';
import type { ConversationThreads } from './conversationThreads';

/** An interaction to record. */
export interface InteractionRequest {
  customerId: string;
  channel: Channel;
  direction: MessageDirection;
  body: string;
  conversationId: string | null;
  orderId: string | null;
  idempotencyKey: string | null;
  /** `customer`, or the staff member's id. */
  author: string;
}

/** Records interactions (see module comment). */
export class InteractionRecorder {
  constructor(
    private readonly messages: MessageRepository,
    private readonly conversations: ConversationRepository,
    private readonly threads: ConversationThreads,
  ) {}

  /** Records the interaction and returns its conversation as it stands afterwards. */
  async record(request: InteractionRequest): Promise<ConversationDocument> {
    const id = request.idempotencyKey ? keyedMessageId(request.customerId, request.idempotencyKey) : newMessageId();
    if (request.idempotencyKey) {
      const existing = await this.messages.findById(id);
      if (existing) return this.conversationOf(existing.conversationId);
    }
    const at = new Date();
    const conversation = await this.threads.resolve({ ...request, at });
    const message: MessageDocument = {
      _id: id,
      conversationId: conversation._id,
      customerId: request.customerId,
      orderId: conversation.orderId ?? request.orderId,
      channel: request.channel,
      direction: request.direction,
      body: request.body,
      sentAt: at,
      author: request.author,
      // An inbound message has arrived; an outbound one logged here was given by a person (a call, the
      // counter) — it reached the customer as it was said.
      deliveryStatus: request.direction === 'INBOUND' ? 'RECEIVED' : 'DELIVERED',
      deliveryStatusAt: at,
      kind: 'SERVICE',
      idempotencyKey: request.idempotencyKey,
      providerMessageId: null,
      notificationId: null,
    };
    if (!(await this.messages.insert(message))) {
      const winner = await this.messages.findById(id);
      return this.conversationOf(winner?.conversationId ?? conversation._id);
    }
    await this.conversations.recordMessage(conversation._id, request.channel, at);
    return this.conversationOf(conversation._id);
  }

  private async conversationOf(id: string): Promise<ConversationDocument> {
    const conversation = await this.conversations.findById(id);
    if (!conversation) throw new Error(`Conversation ${id} of a recorded message is missing`);
    return conversation;
  }
}
