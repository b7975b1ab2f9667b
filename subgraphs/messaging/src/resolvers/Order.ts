/** Fields messaging adds to `Order` (owned by orders): the notices sent about it. */
import { ForbiddenError } from '../../../kit/src';
import { requireMessagingReader } from '../access';
import type { MessagingContext } from '../context';
import type { NotificationDocument } from '../repositories/notificationRepository';

/** `Order` resolvers. */
export const orderResolvers = {
  /**
   * Sent notices, oldest first, batched across orders. A customer sees only notices addressed to them;
   * an order with none shows an empty list to anyone (that reveals nothing).
   */
  async notifications(order: { id: string }, _args: unknown, context: MessagingContext): Promise<NotificationDocument[]> {
    const principal = requireMessagingReader(context.principal);
    const notices = typeof order.id === 'string' ? await context.loaders.orderNotifications.load(order.id) : [];
    if (principal.role === 'CUSTOMER' && notices.some((notice) => notice.customerId !== principal.sub)) {
      throw new ForbiddenError("You may only see and change your own customer's data");
    }
    return notices;
  },
};
