/** Root mutations of messaging: validate, authorise, then hand over to the domain services. */
import { BadUserInputError, ForbiddenError, NotFoundError, type Channel } from '../../../kit/src';
import { authorOf, requireMessagingAccess, requireMessagingReader, requireMessagingStaff } from '../access';
import type { MessagingContext } from '../context';
import { LIMITS, optionalId, requireChannel, requireId, requireText } from '../inputValidation';
import { isDeliverableChannel, type DeliverableChannel } from '../messagingChannels';
import type { ContactPreferenceDocument } from '../repositories/contactPreferenceRepository';
import type { ConversationDocument } from '../repositories/conversationRepository';
import type { MessageDirection, MessageDocument, MessageKind } from '../repositories/messageRepository';
import { activeKeyOf } from '../repositories/conversationRepository';

interface InteractionInput {
  customerId: unknown;
  channel: unknown;
  direction: MessageDirection;
  body: unknown;
  conversationId?: unknown;
  orderId?: unknown;
  idempotencyKey?: unknown;
}

interface SendMessageInput {
  customerId: unknown;
  channel: unknown;
  body: unknown;
  orderId?: unknown;
  idempotencyKey: unknown;
  kind?: MessageKind | null;
}

function deliverable(value: unknown, field: string): DeliverableChannel {
  const channel = requireChannel(value, field);
  if (!isDeliverableChannel(channel)) throw new BadUserInputError(`${field} must be WHATSAPP, SMS, EMAIL or APP: messages cannot be sent or consented to on ${channel}`, { field });
  return channel;
}

function idempotencyKey(value: unknown, field: string): string {
  return requireText(value, field, LIMITS.keyMin, LIMITS.keyMax);
}

/** Loads a conversation for a state change by its customer or staff. */
async function conversationForChange(id: unknown, context: MessagingContext): Promise<ConversationDocument> {
  requireMessagingReader(context.principal);
  const conversationId = requireId(id, 'conversation', 'id');
  const conversation = await context.services.repositories.conversations.findById(conversationId);
  if (!conversation) throw new NotFoundError('Conversation', conversationId);
  requireMessagingAccess(context.principal, conversation.customerId);
  return conversation;
}

/** `Mutation` resolvers. */
export const mutationResolvers = {
  /** Records a message in any channel in the customer's conversation on the same subject. */
  async logInteraction(_parent: unknown, { input }: { input: InteractionInput }, context: MessagingContext): Promise<ConversationDocument> {
    requireMessagingReader(context.principal);
    const customerId = requireId(input.customerId, 'customer', 'input.customerId');
    const principal = requireMessagingAccess(context.principal, customerId);
    if (principal.role === 'CUSTOMER' && input.direction !== 'INBOUND') throw new ForbiddenError('A customer records only their own (INBOUND) messages');
    return context.services.interactions.record({
      customerId,
      channel: requireChannel(input.channel, 'input.channel'),
      direction: input.direction,
      body: requireText(input.body, 'input.body', 1, LIMITS.bodyMax),
      conversationId: optionalId(input.conversationId, 'conversation', 'input.conversationId'),
      orderId: optionalId(input.orderId, 'order', 'input.orderId'),
      idempotencyKey: input.idempotencyKey === null || input.idempotencyKey === undefined ? null : idempotencyKey(input.idempotencyKey, 'input.idempotencyKey'),
      author: authorOf(principal),
    });
  },

  /** Sends a message once per key; CONSENT_REQUIRED without consent. */
  async sendMessage(_parent: unknown, { input }: { input: SendMessageInput }, context: MessagingContext): Promise<MessageDocument> {
    const principal = requireMessagingStaff(context.principal);
    return context.services.sender.send({
      customerId: requireId(input.customerId, 'customer', 'input.customerId'),
      channel: deliverable(input.channel, 'input.channel'),
      body: requireText(input.body, 'input.body', 1, LIMITS.bodyMax),
      kind: input.kind ?? 'SERVICE',
      orderId: optionalId(input.orderId, 'order', 'input.orderId'),
      idempotencyKey: idempotencyKey(input.idempotencyKey, 'input.idempotencyKey'),
      author: authorOf(principal),
    });
  },

  /** Records a consent statement by the customer or staff, with its history. */
  async setContactPreference(
    _parent: unknown,
    args: { customerId: unknown; channel: unknown; optedIn: boolean; via: unknown },
    context: MessagingContext,
  ): Promise<ContactPreferenceDocument> {
    requireMessagingReader(context.principal);
    const customerId = requireId(args.customerId, 'customer', 'customerId');
    const principal = requireMessagingAccess(context.principal, customerId);
    const via: Channel = requireChannel(args.via, 'via');
    return context.services.preferences.set({
      customerId,
      channel: deliverable(args.channel, 'channel'),
      optedIn: args.optedIn,
      via,
      by: principal.sub,
      byRole: principal.role,
    });
  },

  /** Closes a conversation (idempotent). */
  async closeConversation(_parent: unknown, args: { id: unknown }, context: MessagingContext): Promise<ConversationDocument> {
    const conversation = await conversationForChange(args.id, context);
    const closed = await context.services.repositories.conversations.close(conversation._id, new Date());
    if (!closed) throw new NotFoundError('Conversation', conversation._id);
    return closed;
  },

  /** Reopens a conversation (idempotent). */
  async reopenConversation(_parent: unknown, args: { id: unknown }, context: MessagingContext): Promise<ConversationDocument> {
    const conversation = await conversationForChange(args.id, context);
    const reopened = await context.services.repositories.conversations.reopen(conversation._id, activeKeyOf(conversation.customerId, conversation.orderId));
    if (!reopened) throw new NotFoundError('Conversation', conversation._id);
    return reopened;
  },
};
