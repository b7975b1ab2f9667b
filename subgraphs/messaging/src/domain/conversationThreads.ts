/**
 * Which conversation a new message belongs to — the heart of "the agent already knows the story":
 *
 *  1. an explicit `conversationId` (the agent answering in the conversation they are looking at): it
 *     must be the customer's and open;
 *  2. else, about an order: the customer's open conversation about that order, whatever the channel;
 *  3. else, without an order: the customer's open general conversation if its last message is less
 *     than {@link GENERAL_CONVERSATION_IDLE_MS} (72 h) old — a question on WhatsApp on Monday and a call
 *     on Tuesday are one story; the same customer writing a month later starts a new one, and the idle
 *     conversation is closed (reason IDLE) so the customer's open list stays meaningful;
 *  4. else a new conversation.
 *
 * Rules 2–4 use the `activeKey` slot of `conversationRepository.ts`: at most one conversation holds
 * each slot, so concurrent first messages from two channels cannot start two conversations.
 */
import { BadUserInputError, ConflictError, type Channel } from '../../../kit/src';
import { newConversationId } from '../identifiers';
import { activeKeyOf, type ConversationDocument, type ConversationRepository } from '../repositories/conversationRepository';
import type { OrderChannelDocument, OrderChannelRepository } from '../repositories/orderChannelRepository';

/** A general conversation idle for longer than this is not continued. */
export const GENERAL_CONVERSATION_IDLE_MS = 72 * 3600 * 1000;

/** Subjects quote the first message up to this many characters. */
const SUBJECT_MAX = 80;

/** Where a message should go. */
export interface ThreadRequest {
  customerId: string;
  orderId: string | null;
  conversationId?: string | null;
  channel: Channel;
  /** The message text; a new general conversation takes its subject from it. */
  body: string;
  at: Date;
}

/** Finds or starts the conversation of a message (see module comment). */
export class ConversationThreads {
  constructor(
    private readonly conversations: ConversationRepository,
    private readonly orderChannels: OrderChannelRepository,
  ) {}

  /** The conversation `request` continues or starts. */
  async resolve(request: ThreadRequest): Promise<ConversationDocument> {
    const order = request.orderId ? await this.orderOf(request.customerId, request.orderId) : null;
    if (request.conversationId) return this.explicit(request.conversationId, request);
    return this.continueOrStart(request, order);
  }

  private async orderOf(customerId: string, orderId: string): Promise<OrderChannelDocument | null> {
    const order = await this.orderChannels.findById(orderId);
    // The projection may lag behind the orders subgraph (events are asynchronous): an order we have not
    // heard of yet is accepted; one we know belongs to someone else is not.
    if (order && order.customerId !== customerId) throw new BadUserInputError(`Order ${orderId} is not an order of customer ${customerId}`, { field: 'input.orderId' });
    return order;
  }

  private async explicit(conversationId: string, request: ThreadRequest): Promise<ConversationDocument> {
    const conversation = await this.conversations.findById(conversationId);
    if (!conversation || conversation.customerId !== request.customerId) {
      throw new BadUserInputError(`Conversation ${conversationId} is not a conversation of customer ${request.customerId}`, { field: 'input.conversationId' });
    }
    if (conversation.status !== 'OPEN') throw new ConflictError(`Conversation ${conversationId} is closed; reopen it first`, { conversationId });
    if (request.orderId && conversation.orderId && conversation.orderId !== request.orderId) {
      throw new BadUserInputError(`Conversation ${conversationId} is about order ${conversation.orderId}, not ${request.orderId}`, { field: 'input.orderId' });
    }
    return conversation;
  }

  private async continueOrStart(request: ThreadRequest, order: OrderChannelDocument | null): Promise<ConversationDocument> {
    const activeKey = activeKeyOf(request.customerId, request.orderId);
    // Each pass either returns or observes a change by a concurrent request; a handful always settles.
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const active = await this.conversations.findActive(activeKey);
      if (active) {
        const idle = request.orderId === null && request.at.getTime() - active.lastMessageAt.getTime() > GENERAL_CONVERSATION_IDLE_MS;
        if (!idle) return active;
        await this.conversations.retireIdle(active._id, activeKey, request.at);
        continue;
      }
      const conversation: ConversationDocument = {
        _id: newConversationId(),
        customerId: request.customerId,
        orderId: request.orderId,
        status: 'OPEN',
        channels: [request.channel],
        subject: request.orderId ? `Pedido ${order?.number ?? request.orderId}` : subjectOf(request.body),
        startedAt: request.at,
        lastMessageAt: request.at,
        messageCount: 0,
        activeKey,
        closedAt: null,
        closedReason: null,
      };
      if (await this.conversations.insertActive(conversation)) return conversation;
    }
    throw new Error(`Could not settle the conversation of ${activeKey} after 5 attempts`);
  }
}

/** The first line of a message, shortened: what an agent reads in a list of conversations. */
function subjectOf(body: string): string {
  const firstLine = body.trim().split('\n')[0]?.trim() ?? '';
  return firstLine.length <= SUBJECT_MAX ? firstLine : `${firstLine.slice(0, SUBJECT_MAX - 1)}…`;
}
