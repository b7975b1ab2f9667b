/** `Order.notifications` for many orders (a customer's order list) in one round trip. */
import { createGroupedLoader } from '../../../kit/src';
import type { NotificationDocument, NotificationRepository } from '../repositories/notificationRepository';

/** A per-request loader of order id → sent notices, oldest first. */
export function createOrderNotificationsLoader(notifications: NotificationRepository) {
  return createGroupedLoader<string, NotificationDocument>((orderIds) => notifications.findSentForOrders(orderIds), (notice) => notice.orderId);
}
