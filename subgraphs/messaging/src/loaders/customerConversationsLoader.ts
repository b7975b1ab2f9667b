/**
 * `Customer.conversations(status, first)` for many customers in one query: newest first, cut to `first`
 * per customer. A customer has a handful of conversations, so reading all of theirs and cutting here
 * costs less than a round trip per customer.
 */
import DataLoader from 'dataloader';
import type { ConversationDocument, ConversationRepository, ConversationStatus } from '../repositories/conversationRepository';
import { argumentKeyedLoaders } from './argumentKeyedLoaders';

/** Per request: `(status, first)` → loader of customer id → conversations. */
export function createCustomerConversationsLoaders(conversations: ConversationRepository) {
  const loaders = argumentKeyedLoaders<string, ConversationDocument[]>((argumentsKey) => {
    const [status, first] = JSON.parse(argumentsKey) as [ConversationStatus | null, number];
    return new DataLoader<string, ConversationDocument[]>(async (customerIds) => {
      const byCustomer = new Map<string, ConversationDocument[]>(customerIds.map((id) => [id, []]));
      for (const conversation of await conversations.findForCustomers(customerIds, status)) {
        const list = byCustomer.get(conversation.customerId);
        if (list && list.length < first) list.push(conversation);
      }
      return customerIds.map((id) => byCustomer.get(id) ?? []);
    });
  });
  return (status: ConversationStatus | null, first: number) => loaders(JSON.stringify([status, first]));
}
