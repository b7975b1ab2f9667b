/**
 * Benchmark of `salesKpis` over a large order history (issue 6: "prints salesKpis time over 1 million
 * seeded orders"). Prints figures; asserts nothing.
 *
 *   npx tsx bench/salesKpis.ts                       # 1,000,000 orders, 100,000 customers
 *   npx tsx bench/salesKpis.ts --orders 100000 --runs 5
 *
 * What it does: starts the project's database (MONGODB_URI if set, else mongod, else mongo-java-server
 * in memory — the line it prints names the server), writes N synthetic orders spread over the 12 months
 * before 2026-12-01 with the orders subgraph's own seed (same documents and indexes as production),
 * starts the real orders subgraph, and asks `salesKpis` as an ANALYST over HTTP for a month, a quarter
 * and the whole year. Each figure is set beside a peer measured in the same run on the same data: a
 * `countDocuments` of the same period (the least any query over the period costs), so the ratio says
 * what the three KPI pipelines cost on top of finding the orders.
 */
import { performance } from 'node:perf_hooks';
import { prng, type DemoDataset, type DemoOrder } from '../scripts/seed/demoDataset';
import { MongoStore, createLogger, readAuthConfig, signToken, type Channel } from '../subgraphs/kit/src';
import { startLocalDatabase } from '../subgraphs/kit/src/localDatabase';
import { seedOrders } from '../subgraphs/orders/src/seed';
import { createOrdersBuilder } from '../subgraphs/orders/src/server';

const CHANNELS: readonly Channel[] = ['WEB', 'APP', 'STORE', 'CALL_CENTER', 'WHATSAPP', 'MARKETPLACE', 'SOCIAL'];
/** Share of orders per channel, in the order of CHANNELS (stores and the web sell most). */
const CHANNEL_WEIGHTS = [0.3, 0.2, 0.3, 0.06, 0.06, 0.06, 0.02];
const PERIOD_END = Date.parse('2026-12-01T00:00:00Z');
const YEAR_MS = 365 * 86_400_000;
const BATCH = 50_000;

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive whole number`);
  return value;
}

function pickChannel(random: () => number): Channel {
  let roll = random();
  for (const [index, weight] of CHANNEL_WEIGHTS.entries()) {
    roll -= weight;
    if (roll < 0) return CHANNELS[index] as Channel;
  }
  return 'WEB';
}

/** Orders `from`..`from + count − 1` of the synthetic history. */
function ordersBatch(random: () => number, from: number, count: number, customers: number): DemoOrder[] {
  const orders: DemoOrder[] = [];
  for (let i = from; i < from + count; i += 1) {
    const lineCount = 1 + Math.floor(random() * 3);
    const lines = Array.from({ length: lineCount }, (_, line) => {
      const quantity = 1 + Math.floor(random() * 3);
      return { sku: `ZC-BENCH-${String(((i + line) % 500) + 1).padStart(4, '0')}`, productName: 'Producto', quantity, unitPriceCents: 5_000 + Math.floor(random() * 300) * 1_000, returnedQuantity: random() < 0.06 ? 1 : 0 };
    });
    const roll = random();
    const returned = lines.some((line) => line.returnedQuantity > 0);
    const status: DemoOrder['status'] = returned ? 'PARTIALLY_RETURNED' : roll < 0.05 ? 'CANCELLED' : roll < 0.08 ? 'PLACED' : 'COMPLETED';
    const placedAt = new Date(PERIOD_END - Math.floor(random() * YEAR_MS));
    const channel = pickChannel(random);
    orders.push({
      id: `ord_b${String(i).padStart(8, '0')}`,
      number: `ZC-${String(100_000 + i).padStart(7, '0')}`,
      customerId: `cus_b${String(Math.floor(random() * customers)).padStart(7, '0')}`,
      channel,
      status,
      lines,
      totalCents: lines.reduce((sum, line) => sum + line.quantity * line.unitPriceCents, 0),
      fulfillment: channel === 'STORE' ? { method: 'IN_STORE_PURCHASE', locationId: 'MX-CDMX-CENTRO' } : { method: 'SHIP_TO_HOME', locationId: 'MX-WH-TEPOTZOTLAN' },
      placedAt,
      updatedAt: placedAt,
    });
  }
  return orders;
}

function emptyDataset(): DemoDataset {
  return { locations: [], products: [], stock: [], customers: [], orders: [], loyaltyMembers: [], conversations: [], contactPreferences: [] };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function main(): Promise<void> {
  const orderCount = argument('orders', 1_000_000);
  const customers = argument('customers', Math.max(1, Math.floor(orderCount / 10)));
  const runs = argument('runs', 5);
  const database = await startLocalDatabase({ mode: 'memory', log: (line) => console.log(line) });
  // A long selection timeout: a busy machine can take seconds to answer the first handshake.
  const store = await MongoStore.connect({ uri: database.uri, databaseName: 'zocalo_bench_sales_kpis', serverSelectionTimeoutMS: 30_000 });
  const auth = readAuthConfig({});
  const server = createOrdersBuilder({ reservationSettleIntervalSeconds: 0 })({ store, auth, logger: createLogger('orders', 'silent') });
  try {
    console.log(`database: ${database.description}`);
    await store.db.dropDatabase();

    // Seeding: the orders seed, in batches, members (40 % of customers) with the first batch.
    const random = prng(2026);
    const seedStart = performance.now();
    for (let from = 0; from < orderCount; from += BATCH) {
      const dataset = emptyDataset();
      dataset.orders = ordersBatch(random, from, Math.min(BATCH, orderCount - from), customers);
      if (from === 0) {
        for (let c = 0; c < customers; c += 1) {
          if (random() < 0.4) dataset.loyaltyMembers.push({ customerId: `cus_b${String(c).padStart(7, '0')}`, enrolledAt: new Date(PERIOD_END - YEAR_MS * 2 + Math.floor(random() * YEAR_MS * 2)), enrolledVia: 'STORE' });
        }
      }
      await seedOrders(store, dataset);
      process.stdout.write(`\rseeded ${Math.min(from + BATCH, orderCount).toLocaleString('en')} orders`);
    }
    const seedSeconds = (performance.now() - seedStart) / 1000;
    console.log(`\nseeded ${orderCount.toLocaleString('en')} orders of ${customers.toLocaleString('en')} customers in ${seedSeconds.toFixed(1)} s (${Math.round(orderCount / seedSeconds).toLocaleString('en')} orders/s)`);

    const url = await server.start(0);
    const token = signToken({ sub: 'bench-analyst', role: 'ANALYST' }, auth);
    const query = `query Kpis($from: DateTime!, $to: DateTime!) { salesKpis(from: $from, to: $to) {
      byChannel { channel orders revenue { amount } averageOrderValue { amount } returnRate }
      crossChannelCustomerShare loyaltyMembers { customers orders averageOrderValue { amount } } nonMembers { customers orders averageOrderValue { amount } } } }`;
    const orders = store.db.collection('orders');

    const periods = [
      { name: 'one month', from: new Date(PERIOD_END - 30 * 86_400_000) },
      { name: 'one quarter', from: new Date(PERIOD_END - 91 * 86_400_000) },
      { name: 'the whole year', from: new Date(PERIOD_END - YEAR_MS) },
    ];
    console.log(`\n${'period'.padEnd(16)}${'orders'.padStart(12)}${'salesKpis ms'.padStart(16)}${'count ms'.padStart(12)}${'ratio'.padStart(9)}${'db trips'.padStart(10)}  members AOV vs others`);
    for (const period of periods) {
      const to = new Date(PERIOD_END);
      const kpiTimes: number[] = [];
      const countTimes: number[] = [];
      let inPeriod = 0;
      let trips = 0;
      let segments = '';
      for (let run = 0; run < runs; run += 1) {
        const before = store.commandCount;
        const started = performance.now();
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query, variables: { from: period.from.toISOString(), to: to.toISOString() } }),
        });
        const body = (await response.json()) as { data?: { salesKpis: { loyaltyMembers: { averageOrderValue: { amount: string } }; nonMembers: { averageOrderValue: { amount: string } } } }; errors?: unknown[] };
        kpiTimes.push(performance.now() - started);
        trips = store.commandCount - before;
        if (body.errors || !body.data) throw new Error(`salesKpis failed: ${JSON.stringify(body.errors)}`);
        segments = `${body.data.salesKpis.loyaltyMembers.averageOrderValue.amount} vs ${body.data.salesKpis.nonMembers.averageOrderValue.amount}`;

        const countStarted = performance.now();
        inPeriod = await orders.countDocuments({ placedAt: { $gte: period.from, $lt: to }, status: { $ne: 'CANCELLED' } });
        countTimes.push(performance.now() - countStarted);
      }
      const kpiMs = median(kpiTimes);
      const countMs = median(countTimes);
      console.log(
        `${period.name.padEnd(16)}${inPeriod.toLocaleString('en').padStart(12)}${kpiMs.toFixed(0).padStart(16)}${countMs.toFixed(0).padStart(12)}${(kpiMs / countMs).toFixed(1).padStart(9)}${String(trips).padStart(10)}  ${segments}`,
      );
    }
    console.log(`\nmedian of ${runs} runs each; "count ms" is countDocuments over the same period (the peer); "db trips" are the database commands one salesKpis request issued.`);
  } finally {
    await server.stop().catch(() => undefined);
    await store.close();
    await database.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
