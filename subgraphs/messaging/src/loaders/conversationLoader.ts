/** Conversations by id: `__resolveReference`, `conversation(id)` and mutations' results share one batch. */
import { createKeyedLoader } from '../../../kit/src';
import type { ConversationDocument, ConversationRepository } from '../repositories/conversationRepository';

/** A per-request loader of conversations by id. */
export function createConversationLoader(conversations: ConversationRepository) {
  return createKeyedLoader<string, ConversationDocument>((ids) => conversations.findByIds(ids), (conversation) => conversation._id);
}
