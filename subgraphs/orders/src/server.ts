/**
 * Builds the orders subgraph (does not listen): orders, carts, returns and sales KPIs, with the
 * inventory client it reserves stock through and the reservation settler that runs while it listens. `buildOrdersServer` reads its settings from the
 * environment (`INVENTORY_URL`, `INVENTORY_TIMEOUT_MS`, `DEFAULT_WAREHOUSE_ID`, `RESERVATION_SETTLE_INTERVAL_SECONDS`);
 * `createOrdersBuilder` lets a test point it at an in-process inventory.
 */
import { buildSubgraphServer, type SubgraphBuilder } from '../../kit/src';
import { createOrdersContext, type OrdersContext, type OrdersServices } from './context';
import { createOrdersEventHandlers } from './events/handlers';
import { ordersIndexes } from './indexes';
import { InventoryClient } from './inventoryClient';
import { readOrdersConfig, type OrdersConfig } from './ordersConfig';
import { createReservationSettler } from './reservationSettler';
import { CartRepository } from './repositories/cartRepository';
import { LoyaltyMemberRepository } from './repositories/loyaltyMemberRepository';
import { OrderKeyRepository } from './repositories/orderKeyRepository';
import { OrderNumberRepository } from './repositories/orderNumberRepository';
import { OrderRepository } from './repositories/orderRepository';
import { OwedReleaseRepository } from './repositories/owedReleaseRepository';
import { SalesKpisRepository } from './repositories/salesKpisRepository';
import { ordersResolvers } from './resolvers/ordersResolvers';

/** A builder of the orders subgraph with some settings given instead of read from the environment. */
export function createOrdersBuilder(overrides: Partial<OrdersConfig> = {}): SubgraphBuilder {
  return (options) => {
    const config: OrdersConfig = { ...readOrdersConfig(), ...overrides };
    const services: OrdersServices = {
      config,
      inventory: new InventoryClient({ url: config.inventoryUrl, auth: options.auth, timeoutMs: config.inventoryTimeoutMs }),
      orders: new OrderRepository(options.store),
      orderKeys: new OrderKeyRepository(options.store),
      orderNumbers: new OrderNumberRepository(options.store),
      owedReleases: new OwedReleaseRepository(options.store),
      carts: new CartRepository(options.store),
      loyaltyMembers: new LoyaltyMemberRepository(options.store),
      salesKpis: new SalesKpisRepository(options.store),
    };
    const server = buildSubgraphServer<OrdersContext>(
      {
        name: 'orders',
        resolvers: ordersResolvers,
        indexes: ordersIndexes,
        createContext: (base) => createOrdersContext(base, services),
        // Orders publish OrderPlaced, OrderCancelled, OrderReadyForPickup, PickupCompleted and OrderReturned
        // from `pendingEvents` of the order documents, and follow customers' merges and erasures.
        events: { publishes: { collections: ['orders'] }, handlers: createOrdersEventHandlers(services, options.logger) },
      },
      options,
    );
    const settler = createReservationSettler({ orders: services.orders, owedReleases: services.owedReleases, inventory: services.inventory, logger: options.logger }, config.reservationSettleIntervalSeconds);
    // The settler runs while the server listens, and stops before it closes (never against a closed pool).
    return {
      ...server,
      async start(port, host) {
        const url = await server.start(port, host);
        settler.start();
        return url;
      },
      async stop() {
        await settler.stop();
        await server.stop();
      },
    };
  };
}

/** Builds the orders subgraph from the environment's settings. */
export const buildOrdersServer: SubgraphBuilder = (options) => createOrdersBuilder()(options);
