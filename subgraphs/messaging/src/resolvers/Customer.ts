/** Fields messaging adds to `Customer` (owned by customers): conversations and consent. */
import { requireMessagingAccess } from '../access';
import type { MessagingContext } from '../context';
import { pageSize, requireChannel } from '../inputValidation';
import type { ContactPreferenceDocument } from '../repositories/contactPreferenceRepository';
import type { ConversationDocument, ConversationStatus } from '../repositories/conversationRepository';
import type { PreferenceChangeDocument } from '../repositories/preferenceHistoryRepository';

/** A Customer representation from the gateway. */
interface CustomerReference {
  id: string;
}

/** `Customer` resolvers. */
export const customerResolvers = {
  /** Newest first, `first` ≤ 50 (default 10), batched across customers. */
  async conversations(customer: CustomerReference, args: { status?: ConversationStatus | null; first?: unknown }, context: MessagingContext): Promise<ConversationDocument[]> {
    requireMessagingAccess(context.principal, customer.id);
    const first = pageSize(args.first, 'first', 10, 50);
    return context.loaders.customerConversations(args.status ?? null, first).load(customer.id);
  },
  async contactPreferences(customer: CustomerReference, _args: unknown, context: MessagingContext): Promise<ContactPreferenceDocument[]> {
    requireMessagingAccess(context.principal, customer.id);
    return context.loaders.contactPreferences.load(customer.id);
  },
  /** Newest first, `first` ≤ 100 (default 20). */
  async contactPreferenceHistory(customer: CustomerReference, args: { channel?: unknown; first?: unknown }, context: MessagingContext): Promise<PreferenceChangeDocument[]> {
    requireMessagingAccess(context.principal, customer.id);
    const channel = args.channel === null || args.channel === undefined ? null : requireChannel(args.channel, 'channel');
    const first = pageSize(args.first, 'first', 20, 100);
    return context.loaders.preferenceHistory(channel, first).load(customer.id);
  },
};

/** `ContactPreferenceChange` resolvers. */
export const contactPreferenceChangeResolvers = {
  /** `customer` for the customer themself, `seed` for demo data, else the staff member's id. */
  changedBy: (change: PreferenceChangeDocument) => (change.changedByRole === 'CUSTOMER' ? 'customer' : change.changedByRole === 'SEED' ? 'seed' : change.changedBy),
};
