/**
 * The subgraph's parts wired together once per process: repositories over the store, the domain
 * services, the provider (the local outbox unless another is given) with its delivery status updates
 * flowing into the messages. The GraphQL server and the event handlers both build on this.
 */
import { createLogger, type Logger, type MongoStore } from '../../kit/src';
import { ConsentPolicy } from './domain/consentPolicy';
import { ContactPreferenceLedger } from './domain/contactPreferenceLedger';
import { ConversationThreads } from './domain/conversationThreads';
import { CustomerRecords } from './domain/customerRecords';
import { DeliveryStatusRecorder } from './domain/deliveryStatusRecorder';
import { InteractionRecorder } from './domain/interactionRecorder';
import { MessageSender } from './domain/messageSender';
import { OrderNotifier } from './domain/orderNotifier';
import { createInventoryLocationDirectory, type LocationDirectory } from './locationDirectory';
import { LocalOutboxProvider } from './providers/localOutboxProvider';
import type { MessageProvider } from './providers/messageProvider';
import { ContactPreferenceRepository } from './repositories/contactPreferenceRepository';
import { ConversationRepository } from './repositories/conversationRepository';
import { MessageRepository } from './repositories/messageRepository';
import { NotificationRepository } from './repositories/notificationRepository';
import { OrderChannelRepository } from './repositories/orderChannelRepository';
import { PreferenceHistoryRepository } from './repositories/preferenceHistoryRepository';

/** Options for {@link createMessagingServices}. */
export interface MessagingServicesOptions {
  /** @default a {@link LocalOutboxProvider} on the same store */
  provider?: MessageProvider;
  /** @default the inventory subgraph (`INVENTORY_URL`) */
  locationDirectory?: LocationDirectory;
  /** @default a `messaging` logger */
  logger?: Logger;
}

/** The repositories of the messaging database. */
export interface MessagingRepositories {
  conversations: ConversationRepository;
  messages: MessageRepository;
  preferences: ContactPreferenceRepository;
  history: PreferenceHistoryRepository;
  orderChannels: OrderChannelRepository;
  notifications: NotificationRepository;
}

/** Everything the resolvers and handlers use. */
export interface MessagingServices {
  repositories: MessagingRepositories;
  provider: MessageProvider;
  threads: ConversationThreads;
  consent: ConsentPolicy;
  interactions: InteractionRecorder;
  sender: MessageSender;
  preferences: ContactPreferenceLedger;
  notifier: OrderNotifier;
  deliveryStatus: DeliveryStatusRecorder;
  customerRecords: CustomerRecords;
}

/** Wires the subgraph's parts over `store` (see module comment). */
export function createMessagingServices(store: MongoStore, options: MessagingServicesOptions = {}): MessagingServices {
  const logger = options.logger ?? createLogger('messaging');
  const repositories: MessagingRepositories = {
    conversations: new ConversationRepository(store),
    messages: new MessageRepository(store),
    preferences: new ContactPreferenceRepository(store),
    history: new PreferenceHistoryRepository(store),
    orderChannels: new OrderChannelRepository(store),
    notifications: new NotificationRepository(store),
  };
  const provider = options.provider ?? new LocalOutboxProvider(store);
  const threads = new ConversationThreads(repositories.conversations, repositories.orderChannels);
  const consent = new ConsentPolicy(repositories.preferences, repositories.orderChannels, repositories.messages);
  const sender = new MessageSender({ ...repositories, threads, consent, provider, logger });
  const deliveryStatus = new DeliveryStatusRecorder(repositories.messages, repositories.notifications);
  provider.onDeliveryStatus(async (update) => {
    await deliveryStatus.record(update);
  });
  return {
    repositories,
    provider,
    threads,
    consent,
    interactions: new InteractionRecorder(repositories.messages, repositories.conversations, threads),
    sender,
    preferences: new ContactPreferenceLedger(repositories.preferences, repositories.history),
    notifier: new OrderNotifier({
      notifications: repositories.notifications,
      consent,
      sender,
      locations: options.locationDirectory ?? createInventoryLocationDirectory({ logger }),
      logger,
    }),
    deliveryStatus,
    customerRecords: new CustomerRecords({ ...repositories, provider }),
  };
}
