/** `Conversation.messages(first, after)` for every conversation of a query in one round trip per (first, after). */
import DataLoader from 'dataloader';
import type { MessageCursor } from '../messageCursor';
import type { MessageDocument, MessageRepository } from '../repositories/messageRepository';
import { argumentKeyedLoaders } from './argumentKeyedLoaders';

/** One page of a conversation's messages. */
export interface MessagePage {
  nodes: MessageDocument[];
  hasNextPage: boolean;
}

/** Per request: `(first, after)` → loader of conversation id → page. */
export function createConversationMessagesLoaders(messages: MessageRepository) {
  const loaders = argumentKeyedLoaders<string, MessagePage>((argumentsKey) => {
    const [first, afterTime, afterId] = JSON.parse(argumentsKey) as [number, number | null, string | null];
    const after = afterTime !== null && afterId !== null ? { sentAt: new Date(afterTime), id: afterId } : null;
    return new DataLoader<string, MessagePage>(async (conversationIds) => {
      const rows = await messages.findPages(conversationIds, after, first);
      return conversationIds.map((id) => {
        const found = rows.get(id) ?? [];
        return { nodes: found.slice(0, first), hasNextPage: found.length > first };
      });
    });
  });
  return (first: number, after: MessageCursor | null) => loaders(JSON.stringify([first, after ? after.sentAt.getTime() : null, after ? after.id : null]));
}
