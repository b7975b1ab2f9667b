/** The resolver map of the messaging subgraph. */
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import type { MessagingContext } from '../context';
import { conversationResolvers } from './Conversation';
import { contactPreferenceChangeResolvers, customerResolvers } from './Customer';
import { mutationResolvers } from './Mutation';
import { messageResolvers } from './Message';
import { notificationResolvers } from './Notification';
import { orderResolvers } from './Order';
import { queryResolvers } from './Query';

/** Every resolver, by type. */
export const messagingResolvers: GraphQLResolverMap<MessagingContext> = {
  Query: queryResolvers,
  Mutation: mutationResolvers,
  Conversation: conversationResolvers,
  Message: messageResolvers,
  Customer: customerResolvers,
  ContactPreferenceChange: contactPreferenceChangeResolvers,
  Order: orderResolvers,
  Notification: notificationResolvers,
};
