/** `Conversation`, the entity messaging owns. */
import { requireMessagingAccess, requireMessagingReader } from '../access';
import type { MessagingContext } from '../context';
import { pageSize } from '../inputValidation';
import { decodeMessageCursor, encodeMessageCursor } from '../messageCursor';
import type { ConversationDocument } from '../repositories/conversationRepository';
import type { MessageDocument } from '../repositories/messageRepository';

/** `Conversation.messages`: default and largest page. */
const MESSAGES_PAGE = { default: 20, max: 100 } as const;

/** `Conversation` resolvers. */
export const conversationResolvers = {
  /** `_entities`: through the loader, and only for the conversation's customer or staff. */
  async __resolveReference(reference: { id: string }, context: MessagingContext): Promise<ConversationDocument | null> {
    requireMessagingReader(context.principal);
    const conversation = typeof reference.id === 'string' ? await context.loaders.conversation.load(reference.id) : null;
    if (!conversation) return null;
    requireMessagingAccess(context.principal, conversation.customerId);
    return conversation;
  },
  id: (conversation: ConversationDocument) => conversation._id,
  customer: (conversation: ConversationDocument) => ({ __typename: 'Customer', id: conversation.customerId }),
  order: (conversation: ConversationDocument) => (conversation.orderId ? { __typename: 'Order', id: conversation.orderId } : null),
  /** Oldest first, `first` ≤ 100, cursor `after`; batched across the conversations of a query. */
  async messages(conversation: ConversationDocument, args: { first?: unknown; after?: unknown }, context: MessagingContext) {
    // Every path to a conversation checked access already; checked again because it costs nothing.
    requireMessagingAccess(context.principal, conversation.customerId);
    const first = pageSize(args.first, 'first', MESSAGES_PAGE.default, MESSAGES_PAGE.max);
    const after = decodeMessageCursor(args.after);
    const page = await context.loaders.conversationMessages(first, after).load(conversation._id);
    const last: MessageDocument | undefined = page.nodes[page.nodes.length - 1];
    return {
      nodes: page.nodes,
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: last ? encodeMessageCursor(last) : null },
      totalCount: conversation.messageCount,
    };
  },
};
