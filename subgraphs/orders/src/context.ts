/**
 * The orders subgraph's request context: the kit's (principal, request id, logger), the repositories
 * and the inventory client (built once per server), and fresh DataLoaders per request, so callers with
 * different permissions never share a cache.
 */
import type DataLoader from 'dataloader';
import type { RequestContext } from '../../kit/src';
import type { CatalogueProduct, InventoryClient } from './inventoryClient';
import { createCartLoader } from './loaders/cartLoader';
import { createCustomerOrdersLoader } from './loaders/customerOrdersLoader';
import { createOrderLoader } from './loaders/orderLoader';
import { createProductLoader } from './loaders/productLoader';
import { createPurchaseSummaryLoader } from './loaders/purchaseSummaryLoader';
import type { OrdersConfig } from './ordersConfig';
import type { CartDocument, CartRepository } from './repositories/cartRepository';
import type { LoyaltyMemberRepository } from './repositories/loyaltyMemberRepository';
import type { OrderKeyRepository } from './repositories/orderKeyRepository';
import type { OrderNumberRepository } from './repositories/orderNumberRepository';
import type { OwedReleaseRepository } from './repositories/owedReleaseRepository';
import type { CustomerOrdersPage, CustomerOrdersRequest, OrderRecord, OrderRepository, PurchaseFigures } from './repositories/orderRepository';
import type { SalesKpisRepository } from './repositories/salesKpisRepository';

/** What lives as long as the server: repositories, the inventory client, configuration. */
export interface OrdersServices {
  config: OrdersConfig;
  inventory: InventoryClient;
  orders: OrderRepository;
  orderKeys: OrderKeyRepository;
  orderNumbers: OrderNumberRepository;
  owedReleases: OwedReleaseRepository;
  carts: CartRepository;
  loyaltyMembers: LoyaltyMemberRepository;
  salesKpis: SalesKpisRepository;
}

/** Per-request DataLoaders. */
export interface OrdersLoaders {
  order: DataLoader<string, OrderRecord | null>;
  customerOrders: DataLoader<CustomerOrdersRequest, CustomerOrdersPage, string>;
  purchaseSummary: DataLoader<string, PurchaseFigures>;
  cart: DataLoader<string, CartDocument | null>;
  product: DataLoader<string, CatalogueProduct | null>;
}

/** The context every orders resolver gets. */
export interface OrdersContext extends RequestContext, OrdersServices {
  loaders: OrdersLoaders;
}

/** Builds the context of one request. */
export function createOrdersContext(base: RequestContext, services: OrdersServices): OrdersContext {
  const order = createOrderLoader(services.orders);
  // Inventory sees this request's id and trace (inventoryClient.ts).
  const inventory = services.inventory.forRequest(base.correlation);
  return {
    ...base,
    ...services,
    inventory,
    loaders: {
      order,
      customerOrders: createCustomerOrdersLoader(services.orders, order),
      purchaseSummary: createPurchaseSummaryLoader(services.orders),
      cart: createCartLoader(services.carts),
      product: createProductLoader(inventory),
    },
  };
}
