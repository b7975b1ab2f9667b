/** `Notification` resolvers; the other fields are the document's own. */
import type { NotificationDocument } from '../repositories/notificationRepository';

/** `Notification` resolvers. */
export const notificationResolvers = {
  id: (notice: NotificationDocument) => notice._id,
  /** Only SENT notices are listed, so `sentAt` is set; `createdAt` guards old documents. */
  sentAt: (notice: NotificationDocument) => notice.sentAt ?? notice.createdAt,
};
