/**
 * Domain-event delivery, measured on the real subgraphs for both transports (`npm run bench:events`):
 *
 *  - latency: orders placed one after another (orders subgraph's own GraphQL, SERVICE token,
 *    SHIP_TO_HOME); for each, the time from the commit of the order (its `placedAt`, stamped just before
 *    the insert that carries `OrderPlaced` in `pendingEvents`) to the consumer's effect (loyalty: the
 *    EARN ledger entry's time; messaging: the confirmation's claim time). p50 / p99 / max;
 *  - throughput: with loyalty stopped, a backlog of orders is placed; loyalty is started again and the
 *    backlog's EARN entries are timed from the restart to the last one: events delivered and applied
 *    per second, relay + transport + consumer included.
 *
 * Everything runs in this one process (five subgraphs, the relay, the consumers; and a `nats-server -js`
 * child for JetStream) against the project's database helper, so the figures are for comparing the two
 * transports on one machine, not absolute capacity. The relay retries fast here (backoff 100–500 ms,
 * many attempts) so the throughput phase measures delivery, not a backoff sleep. Prints a table; asserts
 * nothing.
 *
 * Options: `--orders <n>` orders for the latency phase (default 100), `--backlog <n>` for the
 * throughput phase (default 300), `--transport http|nats|both` (default both).
 */
import {
  MongoStore,
  SUBGRAPH_NAMES,
  createLogger,
  freePort,
  readAuthConfig,
  signToken,
  startLocalDatabase,
  type EventOptions,
  type LocalDatabase,
  type SubgraphBuilder,
  type SubgraphName,
  type SubgraphServer,
} from '../../subgraphs/kit/src';
import { buildCustomersServer } from '../../subgraphs/customers/src/server';
import { buildInventoryServer } from '../../subgraphs/inventory/src/server';
import { buildLoyaltyServer } from '../../subgraphs/loyalty/src/server';
import { buildMessagingServer } from '../../subgraphs/messaging/src/server';
import { createOrdersBuilder } from '../../subgraphs/orders/src/server';
import { seedEstate } from '../../scripts/seed/seedEstate';
import { findNatsServer, startNatsServer, NATS_SERVER_MISSING } from '../../test/events/natsServer';

const WAREHOUSE = 'MX-WH-TEPOTZOTLAN';
const auth = readAuthConfig({});
const SERVICE = signToken({ sub: 'bench-events', role: 'SERVICE' }, auth);
const PLACE_ORDER = 'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }';

/** Figures of one transport. */
interface TransportResult {
  transport: 'http' | 'nats';
  loyaltyMs: number[];
  messagingMs: number[];
  backlog: number;
  drainMs: number;
}

/** A running in-process subgraph. */
interface Running {
  store: MongoStore;
  server: SubgraphServer;
}

function argument(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback;
}

function positive(name: string, fallback: number): number {
  const value = Number(argument(name, String(fallback)));
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The `p`-th percentile (0–1) of `values`, nearest rank. */
function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] as number;
}

/** Polls until `done` or 120 s (then throws, naming `what`). */
async function waitUntil(what: string, done: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`benchmark gave up waiting for ${what}`);
    await sleep(25);
  }
}

/** Places one order; retried with the same idempotency key (one order whatever happens) when inventory was slow. */
async function placeOrder(ordersUrl: string, customerId: string, key: string, sku: string): Promise<string> {
  const input = { customerId, channel: 'WEB', lines: [{ sku, quantity: 1 }], fulfillment: { method: 'SHIP_TO_HOME', locationId: WAREHOUSE }, idempotencyKey: key };
  for (let attempt = 1; ; attempt += 1) {
    const response = await fetch(ordersUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${SERVICE}` }, body: JSON.stringify({ query: PLACE_ORDER, variables: { input } }) });
    const body = (await response.json()) as { data?: { placeOrder?: { id: string } }; errors?: { extensions?: { code?: string } }[] };
    const id = body.data?.placeOrder?.id;
    if (id) return id;
    const retryable = body.errors?.every((error) => error.extensions?.code === 'SUBGRAPH_UNAVAILABLE' || error.extensions?.code === 'CONFLICT');
    if (!retryable || attempt >= 5) throw new Error(`placeOrder failed: ${JSON.stringify(body.errors)}`);
    await sleep(200 * attempt);
  }
}

async function runTransport(transport: 'http' | 'nats', database: LocalDatabase, sizes: { orders: number; backlog: number }, log: (line: string) => void): Promise<TransportResult> {
  const nats = transport === 'nats' ? await startNatsServer() : null;
  const databaseNameOf = (name: SubgraphName) => `bench_events_${transport}_${name}`;
  let customerIds: string[] = [];
  let sku = '';
  await seedEstate({
    uri: database.uri,
    reset: true,
    customers: 40,
    orders: 10,
    products: 20,
    databaseNameOf,
    prepare: (dataset) => {
      // Everyone is a member (every order earns) and the warehouse never runs out.
      customerIds = dataset.customers.map((customer) => customer.id);
      dataset.loyaltyMembers = customerIds.map((customerId) => ({ customerId, enrolledAt: new Date('2020-01-01T00:00:00Z'), enrolledVia: 'WEB' }));
      const product = dataset.products.find((candidate) => candidate.active);
      if (!product) throw new Error('no active product');
      sku = product.sku;
      const stock = dataset.stock.find((entry) => entry.sku === sku && entry.locationId === WAREHOUSE);
      if (stock) stock.onHand = stock.reserved + 1_000_000;
      else dataset.stock.push({ sku, locationId: WAREHOUSE, onHand: 1_000_000, reserved: 0 });
    },
  });

  const ports = {} as Record<SubgraphName, number>;
  for (const name of SUBGRAPH_NAMES) ports[name] = await freePort();
  const urlOf = (name: SubgraphName) => `http://127.0.0.1:${ports[name]}/graphql`;
  const events: EventOptions = {
    subscriberUrls: Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, urlOf(name)])),
    backoffBaseMs: 100,
    backoffMaxMs: 500,
    maxAttempts: 1_000,
    ...(nats ? { natsUrl: nats.url } : {}),
  };
  const builders: Record<SubgraphName, SubgraphBuilder> = {
    customers: buildCustomersServer,
    inventory: buildInventoryServer,
    orders: createOrdersBuilder({ inventoryUrl: urlOf('inventory'), inventoryTimeoutMs: 15_000 }),
    loyalty: buildLoyaltyServer,
    messaging: buildMessagingServer,
  };
  const start = async (name: SubgraphName): Promise<Running> => {
    const store = await MongoStore.connect({ uri: database.uri, databaseName: databaseNameOf(name) });
    const server = builders[name]({ store, auth, logger: createLogger(name, 'silent'), events });
    await server.start(ports[name], '127.0.0.1');
    return { store, server };
  };
  const running = {} as Record<SubgraphName, Running>;
  for (const name of SUBGRAPH_NAMES) running[name] = await start(name);
  const ordersUrl = urlOf('orders');
  const earnCount = () => running.loyalty.store.collection('ledger').countDocuments({ kind: 'EARN', orderId: { $regex: '^ord_[0-9a-f]{32}$' } });

  try {
    // Latency: one order at a time, at a pace the estate keeps up with.
    log(`${transport}: latency phase, ${sizes.orders} orders`);
    const latencyOrders: string[] = [];
    for (let index = 0; index < sizes.orders; index += 1) {
      latencyOrders.push(await placeOrder(ordersUrl, customerIds[index % customerIds.length] as string, `bench-lat-${transport}-${index}`, sku));
      await sleep(20);
    }
    await waitUntil('the latency orders to be earned and confirmed', async () => {
      const [earned, confirmed] = await Promise.all([
        running.loyalty.store.collection('ledger').countDocuments({ kind: 'EARN', orderId: { $in: latencyOrders } }),
        running.messaging.store.collection('notifications').countDocuments({ orderId: { $in: latencyOrders }, template: 'ORDER_CONFIRMATION' }),
      ]);
      return earned === latencyOrders.length && confirmed === latencyOrders.length;
    });
    const placedAt = new Map(
      (await running.orders.store.collection<{ _id: string; placedAt: Date }>('orders').find({ _id: { $in: latencyOrders } }, { projection: { placedAt: 1 } }).toArray()).map((order) => [order._id, order.placedAt.getTime()]),
    );
    const loyaltyMs = (await running.loyalty.store.collection<{ orderId: string; at: Date }>('ledger').find({ kind: 'EARN', orderId: { $in: latencyOrders } }).toArray()).map(
      (entry) => entry.at.getTime() - (placedAt.get(entry.orderId) as number),
    );
    const messagingMs = (await running.messaging.store.collection<{ orderId: string; createdAt: Date }>('notifications').find({ orderId: { $in: latencyOrders }, template: 'ORDER_CONFIRMATION' }).toArray()).map(
      (notice) => notice.createdAt.getTime() - (placedAt.get(notice.orderId) as number),
    );

    // Throughput: a backlog builds while loyalty is down, then drains.
    log(`${transport}: throughput phase, backlog of ${sizes.backlog} orders`);
    const earnedBefore = await earnCount();
    await running.loyalty.server.stop();
    await running.loyalty.store.close();
    let next = 0;
    const worker = async () => {
      while (next < sizes.backlog) {
        const index = next;
        next += 1;
        await placeOrder(ordersUrl, customerIds[index % customerIds.length] as string, `bench-thr-${transport}-${index}`, sku);
      }
    };
    await Promise.all(Array.from({ length: 4 }, worker));
    // The backlog is committed; with HTTP it waits in the outbox, with NATS in the stream.
    await sleep(1_000);
    const restartedAt = Date.now();
    running.loyalty = await start('loyalty');
    await waitUntil('the backlog to drain', async () => (await earnCount()) === earnedBefore + sizes.backlog);
    const last = await running.loyalty.store.collection<{ at: Date }>('ledger').find({ kind: 'EARN' }).sort({ at: -1 }).limit(1).next();
    const drainMs = Math.max(1, (last?.at.getTime() ?? Date.now()) - restartedAt);
    return { transport, loyaltyMs, messagingMs, backlog: sizes.backlog, drainMs };
  } finally {
    for (const name of SUBGRAPH_NAMES) {
      await running[name].server.stop().catch(() => undefined);
      await running[name].store.close().catch(() => undefined);
    }
    await nats?.stop();
  }
}

function row(cells: readonly (string | number)[]): string {
  return `| ${cells.join(' | ')} |`;
}

async function main(): Promise<void> {
  const sizes = { orders: positive('orders', 100), backlog: positive('backlog', 300) };
  const choice = argument('transport', 'both');
  const transports: ('http' | 'nats')[] | null = choice === 'both' ? ['http', 'nats'] : choice === 'http' || choice === 'nats' ? [choice] : null;
  if (!transports) throw new Error('--transport must be http, nats or both');
  if (transports.includes('nats') && !findNatsServer()) throw new Error(NATS_SERVER_MISSING);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const database = await startLocalDatabase({ mode: 'memory', log });
  const results: TransportResult[] = [];
  try {
    for (const transport of transports) results.push(await runTransport(transport, database, sizes, log));
  } finally {
    await database.stop();
  }
  const ms = (value: number) => `${Math.round(value)} ms`;
  const lines = [
    `Domain-event delivery — ${database.description}; Node ${process.version}; one process; ${sizes.orders} orders for latency, backlog of ${sizes.backlog}`,
    '',
    row(['transport', 'loyalty p50', 'loyalty p99', 'messaging p50', 'messaging p99', 'max', 'backlog drain']),
    row(['---', '---', '---', '---', '---', '---', '---']),
    ...results.map((result) =>
      row([
        result.transport === 'http' ? 'HTTP push' : 'NATS JetStream',
        ms(percentile(result.loyaltyMs, 0.5)),
        ms(percentile(result.loyaltyMs, 0.99)),
        ms(percentile(result.messagingMs, 0.5)),
        ms(percentile(result.messagingMs, 0.99)),
        ms(Math.max(...result.loyaltyMs, ...result.messagingMs)),
        `${Math.round((result.backlog * 1000) / result.drainMs)} events/s (${result.backlog} in ${ms(result.drainMs)})`,
      ]),
    ),
    '',
    'Latency: order commit (placedAt) → loyalty EARN entry / messaging confirmation claim. Drain: loyalty restarted → last EARN of the backlog.',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
