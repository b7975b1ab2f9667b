/**
 * The messaging request context: the kit's principal and logger, the process-wide services, and a fresh
 * set of DataLoaders per request (callers with different permissions never share a cache).
 */
import type { RequestContext } from '../../kit/src';
import { createContactPreferenceLoader } from './loaders/contactPreferenceLoader';
import { createConversationLoader } from './loaders/conversationLoader';
import { createConversationMessagesLoaders } from './loaders/conversationMessagesLoader';
import { createCustomerConversationsLoaders } from './loaders/customerConversationsLoader';
import { createOrderNotificationsLoader } from './loaders/orderNotificationsLoader';
import { createPreferenceHistoryLoaders } from './loaders/preferenceHistoryLoader';
import type { MessagingServices } from './messagingServices';

/** The loaders of one request. */
export interface MessagingLoaders {
  conversation: ReturnType<typeof createConversationLoader>;
  customerConversations: ReturnType<typeof createCustomerConversationsLoaders>;
  conversationMessages: ReturnType<typeof createConversationMessagesLoaders>;
  contactPreferences: ReturnType<typeof createContactPreferenceLoader>;
  preferenceHistory: ReturnType<typeof createPreferenceHistoryLoaders>;
  orderNotifications: ReturnType<typeof createOrderNotificationsLoader>;
}

/** What messaging resolvers find in their context. */
export interface MessagingContext extends RequestContext {
  services: MessagingServices;
  loaders: MessagingLoaders;
}

/** Builds the per-request context factory over `services`. */
export function createMessagingContextFactory(services: MessagingServices): (base: RequestContext) => MessagingContext {
  const { repositories } = services;
  return (base) => ({
    ...base,
    services,
    loaders: {
      conversation: createConversationLoader(repositories.conversations),
      customerConversations: createCustomerConversationsLoaders(repositories.conversations),
      conversationMessages: createConversationMessagesLoaders(repositories.messages),
      contactPreferences: createContactPreferenceLoader(repositories.preferences),
      preferenceHistory: createPreferenceHistoryLoaders(repositories.history),
      orderNotifications: createOrderNotificationsLoader(repositories.notifications),
    },
  });
}
