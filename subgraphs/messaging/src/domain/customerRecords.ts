/**
 * What messaging does when the customers subgraph merges or erases a customer.
 *
 * Merge (duplicate → survivor): conversations, messages, order projections, notices and consent history
 * move to the survivor; consent moves too, except for channels where the survivor has its own statement,
 * which wins (it is the customer's latest known identity). Every step is a re-pointing filtered on the
 * duplicate's id, so a redelivered event finds nothing left to move: the effect happens once.
 *
 * Erasure: message bodies and the subjects quoting them are removed, the provider forgets bodies and
 * addresses, consent is deleted (an erased customer is contacted on no channel). The facts stay — that a
 * message went out on a channel at a time, and the consent history (booleans, channels, times), which
 * is the evidence of what the customer had agreed to.
 */
import type { ConversationRepository } from '../repositories/conversationRepository';
import type { ContactPreferenceRepository } from '../repositories/contactPreferenceRepository';
import type { MessageRepository } from '../repositories/messageRepository';
import type { NotificationRepository } from '../repositories/notificationRepository';
import type { OrderChannelRepository } from '../repositories/orderChannelRepository';
import type { PreferenceHistoryRepository } from '../repositories/preferenceHistoryRepository';
import type { MessageProvider } from '../providers/messageProvider';

/** Collaborators of {@link CustomerRecords}. */
export interface CustomerRecordsOptions {
  conversations: ConversationRepository;
  messages: MessageRepository;
  preferences: ContactPreferenceRepository;
  history: PreferenceHistoryRepository;
  orderChannels: OrderChannelRepository;
  notifications: NotificationRepository;
  provider: MessageProvider;
}

/** Merge and erasure of a customer's messaging records (see module comment). */
export class CustomerRecords {
  constructor(private readonly options: CustomerRecordsOptions) {}

  /** Moves everything of `duplicateId` to `survivorId`; repeating it changes nothing. */
  async merge(survivorId: string, duplicateId: string): Promise<void> {
    if (survivorId === duplicateId) return;
    const { conversations, messages, preferences, history, orderChannels, notifications } = this.options;
    for (const conversation of await conversations.findAllOfCustomer(duplicateId)) {
      await conversations.repoint(conversation, survivorId, duplicateId);
    }
    await messages.repoint(duplicateId, survivorId);
    await preferences.moveToSurvivor(duplicateId, survivorId);
    await history.repoint(duplicateId, survivorId);
    await orderChannels.repoint(duplicateId, survivorId);
    await notifications.repoint(duplicateId, survivorId);
  }

  /** Erases `customerId`'s message contents and addresses; repeating it changes nothing. */
  async erase(customerId: string): Promise<void> {
    const { conversations, messages, preferences, provider } = this.options;
    const at = new Date();
    await provider.forget({ customerId, providerMessageIds: await messages.providerMessageIdsOf(customerId) });
    await messages.eraseBodies(customerId, at);
    await conversations.eraseSubjects(customerId);
    await preferences.deleteForCustomer(customerId);
  }
}
