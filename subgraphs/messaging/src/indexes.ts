/** The indexes messaging's queries need; created at start (also where the test server ignores them). */
import type { IndexDeclaration } from '../../kit/src';

/** Every index of the messaging database. */
export const messagingIndexes: readonly IndexDeclaration[] = [
  // A conversation's messages, oldest first (Conversation.messages, cursor on sentAt then _id).
  { collection: 'messages', keys: { conversationId: 1, sentAt: 1, _id: 1 } },
  // Merge and erasure by customer; consent for service messages (an inbound message about an order).
  { collection: 'messages', keys: { customerId: 1, orderId: 1, channel: 1 } },
  // Delivery status updates find the message by the provider's id.
  { collection: 'messages', keys: { providerMessageId: 1 }, options: { sparse: true } },
  // Customer.conversations, newest first.
  { collection: 'conversations', keys: { customerId: 1, lastMessageAt: -1 } },
  // The one conversation new interactions continue per (customer, order | general): see conversationRepository.ts.
  { collection: 'conversations', keys: { activeKey: 1 }, options: { unique: true, sparse: true } },
  { collection: 'contactPreferences', keys: { customerId: 1 } },
  { collection: 'preferenceHistory', keys: { customerId: 1, changedAt: -1 } },
  { collection: 'orderChannels', keys: { customerId: 1 } },
  // Order.notifications, oldest first; merge by customer.
  { collection: 'notifications', keys: { orderId: 1, sentAt: 1 } },
  { collection: 'notifications', keys: { customerId: 1 } },
  { collection: 'outgoingMessages', keys: { 'recipient.customerId': 1 } },
];
