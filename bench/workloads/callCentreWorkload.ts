/**
 * W4 — the call centre's customer timeline (`CustomerTimeline`, AGENT token): identities, the last ten
 * orders with their returns, conversations with their messages, loyalty with its transactions and
 * consent. Drawn round-robin from the customers who have conversations in the seed.
 */
import { signToken } from '../../subgraphs/kit/src';
import { loadBenchOperation } from './benchOperation';
import { pathOf, roundRobin, type WorkloadFactory } from './workload';

/** Builds W4. */
export const callCentreWorkload: WorkloadFactory = ({ dataset, auth }) => {
  const token = signToken({ sub: 'bench-agent', role: 'AGENT' }, auth);
  const conversationCount = new Map<string, number>();
  for (const conversation of dataset.conversations) conversationCount.set(conversation.customerId, (conversationCount.get(conversation.customerId) ?? 0) + 1);
  const nextCustomer = roundRobin(dataset.customers.filter((customer) => conversationCount.has(customer.id)));

  return {
    id: 'W4',
    title: 'call centre: customer timeline',
    steps: [
      {
        operation: loadBenchOperation('call-centre', 'CustomerTimeline'),
        prepare(state) {
          const customer = nextCustomer();
          state.customer = customer;
          return { variables: { customerId: customer.id }, token };
        },
        check(data, state) {
          const expected = state.customer as { id: string };
          const customer = pathOf(data, 'customer') as Record<string, unknown> | null | undefined;
          if (!customer || customer.id !== expected.id) return `customer ${expected.id} missing`;
          const conversations = customer.conversations;
          const seeded = Math.min(10, conversationCount.get(expected.id) ?? 0);
          if (!Array.isArray(conversations) || conversations.length < seeded) return `${Array.isArray(conversations) ? conversations.length : 'no'} conversations, expected ${seeded}`;
          for (const conversation of conversations as { messages?: { nodes?: unknown } }[]) {
            const messages = conversation.messages?.nodes;
            if (!Array.isArray(messages) || messages.length === 0) return 'a conversation without messages';
          }
          if (!Array.isArray(pathOf(customer, 'orders.nodes')) || !Array.isArray(customer.contactPreferences)) return 'orders or consent missing';
          return undefined;
        },
      },
    ],
  };
};
