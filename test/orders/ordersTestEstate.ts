/**
 * What the orders test files share: one database per file, the REAL inventory subgraph in-process
 * (seeded with a small hand-made catalogue), the orders subgraph pointed at it, and helpers to read
 * inventory's own database — the tests check stock where inventory keeps it, not through orders.
 */
import type { LocalDatabase } from '../../subgraphs/kit/src';
import { buildInventoryServer } from '../../subgraphs/inventory/src/server';
import { seedInventory } from '../../subgraphs/inventory/src/seed';
import { seedOrders } from '../../subgraphs/orders/src/seed';
import { createOrdersBuilder } from '../../subgraphs/orders/src/server';
import { DEMO_LOCATIONS, type DemoDataset, type DemoOrder } from '../../scripts/seed/demoDataset';
import { execute, startSubgraph, startTestDatabase, type GraphQLResponse, type RunningSubgraph } from '../support/testkit';

/** Stores and warehouses of the test catalogue (the demo ones). */
export const CENTRO = 'MX-CDMX-CENTRO';
export const POLANCO = 'MX-CDMX-POLANCO';
export const GDL = 'MX-GDL-CHAPULTEPEC';
export const OAXACA = 'MX-OAX-CENTRO';
export const WAREHOUSE = 'MX-WH-TEPOTZOTLAN';

/** Skus of the test catalogue, prices in centavos. */
export const GUAYABERA = 'ZC-TEST-0001'; // 899.00
export const JARRO = 'ZC-TEST-0002'; // 320.00
export const MEZCAL = 'ZC-TEST-0003'; // 690.00
export const REBOZO_DISCONTINUED = 'ZC-TEST-0004';

/** A small catalogue with known stock, written by inventory's own seed. */
export function testCatalogue(): DemoDataset {
  const stock = (sku: string, locationId: string, onHand: number) => ({ sku, locationId, onHand, reserved: 0 });
  return {
    locations: DEMO_LOCATIONS,
    products: [
      { sku: GUAYABERA, name: 'Guayabera de lino blanca', description: 'Guayabera de lino.', category: 'ropa', brand: 'Lino Sur', priceCents: 89_900, active: true },
      { sku: JARRO, name: 'Jarro de barro negro', description: 'Barro negro de Oaxaca.', category: 'hogar', brand: 'Barro Vivo', priceCents: 32_000, active: true },
      { sku: MEZCAL, name: 'Mezcal espadín', description: 'Mezcal artesanal.', category: 'despensa', brand: 'Sabores de Oaxaca', priceCents: 69_000, active: true },
      { sku: REBOZO_DISCONTINUED, name: 'Rebozo de algodón', description: 'Ya no se fabrica.', category: 'ropa', brand: 'Henequén', priceCents: 78_000, active: false },
    ],
    stock: [
      stock(GUAYABERA, CENTRO, 40),
      stock(GUAYABERA, POLANCO, 10),
      stock(GUAYABERA, GDL, 4),
      stock(GUAYABERA, WAREHOUSE, 100),
      stock(JARRO, CENTRO, 3),
      stock(JARRO, GDL, 6),
      stock(MEZCAL, WAREHOUSE, 50),
      stock(MEZCAL, CENTRO, 20),
      stock(REBOZO_DISCONTINUED, CENTRO, 5),
    ],
    customers: [],
    orders: [],
    loyaltyMembers: [],
    conversations: [],
    contactPreferences: [],
  };
}

/** The database and subgraphs of one test file. */
export interface OrdersTestEstate {
  database: LocalDatabase;
  inventory: RunningSubgraph | null;
  orders: RunningSubgraph;
  stop(): Promise<void>;
}

/** Options of {@link startOrdersTestEstate}. */
export interface OrdersTestEstateOptions {
  /** Start inventory (seeded with {@link testCatalogue}). @default true */
  inventory?: boolean;
  /** Orders written with the orders seed before the server starts. */
  orders?: DemoOrder[];
  loyaltyMembers?: DemoDataset['loyaltyMembers'];
}

/** Starts the estate of one test file; `name` keeps its databases apart from other files'. */
export async function startOrdersTestEstate(name: string, options: OrdersTestEstateOptions = {}): Promise<OrdersTestEstate> {
  const database = await startTestDatabase();
  let inventory: RunningSubgraph | null = null;
  try {
    if (options.inventory ?? true) {
      inventory = await startSubgraph('inventory', buildInventoryServer, database, { databaseName: `orders_${name}_inventory` });
      await seedInventory(inventory.store, testCatalogue());
    }
    const inventoryUrl = inventory?.url ?? 'http://127.0.0.1:9/graphql';
    const orders = await startSubgraph('orders', createOrdersBuilder({ inventoryUrl }), database, { databaseName: `orders_${name}_orders` });
    if (options.orders || options.loyaltyMembers) {
      await seedOrders(orders.store, { ...testCatalogue(), orders: options.orders ?? [], loyaltyMembers: options.loyaltyMembers ?? [] });
    }
    return {
      database,
      inventory,
      orders,
      async stop() {
        await orders.stop();
        await inventory?.stop();
        await database.stop();
      },
    };
  } catch (error) {
    await inventory?.stop().catch(() => undefined);
    await database.stop();
    throw error;
  }
}

/** Stock of `sku` at `locationId` as inventory stores it. */
export async function stockAt(inventory: RunningSubgraph, sku: string, locationId: string): Promise<{ onHand: number; reserved: number }> {
  const document = await inventory.store.collection<{ _id: string; onHand: number; reserved: number }>('stock').findOne({ _id: `${sku}@${locationId}` });
  return { onHand: document?.onHand ?? 0, reserved: document?.reserved ?? 0 };
}

/** Inventory's reservation of an order (status HELD, COMMITTED, RELEASED), or null. */
export async function reservationOf(inventory: RunningSubgraph, orderId: string): Promise<{ status: string; locationId: string } | null> {
  return inventory.store.collection<{ _id: string; status: string; locationId: string }>('reservations').findOne({ _id: orderId });
}

/** The fields of an order the tests look at. */
export const ORDER_FIELDS = `
  id number channel status placedAt
  customer { id }
  total { amount currency }
  refunded { amount }
  fulfillment { method location { id } }
  lines { product { sku } productName quantity returnedQuantity unitPrice { amount } lineTotal { amount } }
  returns { id channel location { id } refund { amount } lines { product { sku } quantity refund { amount } } }
`;

/** An order as {@link ORDER_FIELDS} returns it. */
export interface OrderView {
  id: string;
  number: string;
  channel: string;
  status: string;
  customer: { id: string };
  total: { amount: string; currency: string };
  refunded: { amount: string };
  fulfillment: { method: string; location: { id: string } };
  lines: { product: { sku: string }; productName: string; quantity: number; returnedQuantity: number; unitPrice: { amount: string }; lineTotal: { amount: string } }[];
  returns: { id: string; channel: string; location: { id: string }; refund: { amount: string }; lines: { product: { sku: string }; quantity: number; refund: { amount: string } }[] }[];
}

/** Input of `placeOrder`. */
export interface PlaceOrderVariables {
  customerId: string;
  channel: string;
  lines: { sku: string; quantity: number }[];
  fulfillment: { method: string; locationId?: string | null };
  idempotencyKey: string;
}

/** Sends `placeOrder`. */
export function placeOrder(url: string, input: PlaceOrderVariables, token: string): Promise<GraphQLResponse<{ placeOrder: OrderView }>> {
  return execute<{ placeOrder: OrderView }>(url, `mutation Place($input: PlaceOrderInput!) { placeOrder(input: $input) { ${ORDER_FIELDS} } }`, { input }, token);
}

/** Sends one lifecycle mutation (`cancelOrder`, `markReadyForPickup`, …) and returns the order. */
export function transition(url: string, mutation: string, id: string, token: string): Promise<GraphQLResponse<Record<string, OrderView>>> {
  return execute<Record<string, OrderView>>(url, `mutation Transition($id: ID!) { ${mutation}(id: $id) { ${ORDER_FIELDS} } }`, { id }, token);
}

/** Options of {@link demoOrder}; lines as `[sku, quantity, unit price in centavos, returned]`. */
export interface DemoOrderOptions {
  id: string;
  number: string;
  customerId: string;
  channel?: DemoOrder['channel'];
  status?: DemoOrder['status'];
  lines?: [string, number, number, number?][];
  placedAt: string;
  method?: DemoOrder['fulfillment']['method'];
  locationId?: string;
}

/** A hand-made order of the demo dataset's shape, for the orders seed. */
export function demoOrder(options: DemoOrderOptions): DemoOrder {
  const lines = (options.lines ?? [[GUAYABERA, 1, 89_900]]).map(([sku, quantity, unitPriceCents, returnedQuantity = 0]) => ({
    sku,
    productName: sku,
    quantity,
    unitPriceCents,
    returnedQuantity,
  }));
  const placedAt = new Date(options.placedAt);
  return {
    id: options.id,
    number: options.number,
    customerId: options.customerId,
    channel: options.channel ?? 'WEB',
    status: options.status ?? 'COMPLETED',
    lines,
    totalCents: lines.reduce((sum, line) => sum + line.quantity * line.unitPriceCents, 0),
    fulfillment: { method: options.method ?? 'SHIP_TO_HOME', locationId: options.locationId ?? WAREHOUSE },
    placedAt,
    updatedAt: placedAt,
  };
}

/** A unique idempotency key. */
export function newKey(label: string): string {
  return `${label}-${Math.random().toString(36).slice(2, 12)}`;
}
