/** `Message` resolvers; the other fields are the document's own. */
import type { MessageDocument } from '../repositories/messageRepository';

/** `Message` resolvers. */
export const messageResolvers = {
  id: (message: MessageDocument) => message._id,
};
