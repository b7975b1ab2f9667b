/** Root queries of messaging. */
import type { MessagingContext } from '../context';
import { requireMessagingAccess, requireMessagingReader } from '../access';
import { requireId } from '../inputValidation';
import type { ConversationDocument } from '../repositories/conversationRepository';

/** `Query` resolvers. */
export const queryResolvers = {
  /** A conversation by id: its customer or staff; null when there is none. */
  async conversation(_parent: unknown, args: { id: unknown }, context: MessagingContext): Promise<ConversationDocument | null> {
    requireMessagingReader(context.principal);
    const id = requireId(args.id, 'conversation', 'id');
    const conversation = await context.loaders.conversation.load(id);
    if (!conversation) return null;
    requireMessagingAccess(context.principal, conversation.customerId);
    return conversation;
  },
};
