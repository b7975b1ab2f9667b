/**
 * Builds the messaging subgraph (no listen): conversations across channels, consent, sending through a
 * provider, order notices, and the consumers of the events it subscribes to. `buildMessagingServer` is
 * the estate's builder (local outbox provider, store names from inventory); `createMessagingServerBuilder`
 * lets a deployment or a test choose the provider and the location directory.
 */
import { buildSubgraphServer, type SubgraphBuilder } from '../../kit/src';
import { createMessagingContextFactory, type MessagingContext } from './context';
import { createDeliveryStatusRoute } from './deliveryStatusRoute';
import { createMessagingEventHandlers } from './events/handlers';
import { messagingIndexes } from './indexes';
import { createMessagingServices, type MessagingServicesOptions } from './messagingServices';
import { messagingResolvers } from './resolvers';

/** A builder of the messaging subgraph with the given provider and directory. */
export function createMessagingServerBuilder(servicesOptions: MessagingServicesOptions = {}): SubgraphBuilder {
  return (options) => {
    const services = createMessagingServices(options.store, { logger: options.logger, ...servicesOptions });
    return buildSubgraphServer<MessagingContext>(
      {
        name: 'messaging',
        resolvers: messagingResolvers,
        indexes: messagingIndexes,
        createContext: createMessagingContextFactory(services),
        routes: { '/internal/delivery-status': createDeliveryStatusRoute(services.deliveryStatus, options.auth) },
        // The kit serves `/internal/events` (and the JetStream consumer) for these; each is idempotent itself.
        events: { handlers: createMessagingEventHandlers({ services }) },
      },
      options,
    );
  };
}

/** The messaging subgraph of the estate. */
export const buildMessagingServer: SubgraphBuilder = (options) => createMessagingServerBuilder()(options);
