/**
 * Builds the inventory subgraph (no listen): the kit's server with inventory's resolvers, indexes,
 * context and event handlers, plus the periodic sweep of reservations and restocks, which starts after
 * the server listens and stops before it closes.
 */
import { buildSubgraphServer, type SubgraphBuilder, type SubgraphServer, type SubgraphServerOptions } from '../../kit/src';
import { createInventoryContext, createInventoryServices } from './context';
import { createInventoryEventHandlers } from './events/handlers';
import { inventoryIndexes } from './indexes';
import { readInventoryConfig, type InventoryConfig } from './inventoryConfig';
import { locationResolvers } from './resolvers/Location';
import { mutationResolvers } from './resolvers/Mutation';
import { productResolvers } from './resolvers/Product';
import { queryResolvers } from './resolvers/Query';
import { reservationResolvers } from './resolvers/Reservation';
import type { InventoryResolvers } from './resolvers/resolverTypes';
import { stockAdjustmentResolvers } from './resolvers/StockAdjustment';
import { stockLevelResolvers } from './resolvers/StockLevel';
import { resumePendingRestocks } from './stock/restockReturn';
import { createSweeper } from './sweeper';

/** Every resolver of the inventory schema. */
export const inventoryResolvers: InventoryResolvers = {
  ...queryResolvers,
  ...mutationResolvers,
  ...productResolvers,
  ...locationResolvers,
  ...stockLevelResolvers,
  ...reservationResolvers,
  ...stockAdjustmentResolvers,
};

/** Builds the inventory subgraph with explicit settings (tests pass their own). */
export function buildInventoryServerWith(options: SubgraphServerOptions, config: InventoryConfig): SubgraphServer {
  const services = createInventoryServices(options.store, config, options.logger);
  const server = buildSubgraphServer(
    {
      name: 'inventory',
      resolvers: inventoryResolvers,
      indexes: inventoryIndexes,
      createContext: (base) => createInventoryContext(base, services),
      // Delivered by the kit's consumer endpoint (which records processed event ids); the handlers are
      // idempotent on their own as well.
      events: { handlers: createInventoryEventHandlers(services, options.logger) },
    },
    options,
  );
  const sweeper = createSweeper(
    async () => {
      const counts = await services.reservations.sweep();
      const restocksResumed = await resumePendingRestocks(services.repositories, new Date(Date.now() - config.claimTimeoutSeconds * 1000));
      return { ...counts, restocksResumed };
    },
    config.sweepIntervalSeconds,
    options.logger,
  );
  return {
    ...server,
    async start(port, host) {
      const url = await server.start(port, host);
      sweeper.start();
      return url;
    },
    async stop() {
      await sweeper.stop();
      await server.stop();
    },
  };
}

/** Builds the inventory subgraph with settings from the environment (see inventoryConfig.ts). */
export const buildInventoryServer: SubgraphBuilder = (options) => buildInventoryServerWith(options, readInventoryConfig());
