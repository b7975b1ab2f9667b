/**
 * The estate the benchmark runs against: a database from the project's one helper (mongo-java-server
 * here, memory backend; `MONGODB_URI` if set), the demo data seeded into benchmark databases
 * (`bench_<subgraph>`), and the five subgraphs as separate processes (`benchSubgraph.ts`: the real
 * builders plus counters), in their production configuration. Also writes the supergraph with the
 * subgraphs' actual URLs, which all three gateways serve.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { MongoStore, SUBGRAPH_NAMES, freePort, repositoryRoot, startLocalDatabase, urlVariableOf, type LocalDatabase, type SubgraphName } from '../subgraphs/kit/src';
import type { DemoDataset } from '../scripts/seed/demoDataset';
import { seedEstate } from '../scripts/seed/seedEstate';
import { SeedProgressBar } from '../scripts/seed/seedProgress';
import type { SubgraphCounters } from './benchSubgraph';
import { heapSnapshotFlags } from './heapSnapshot';
import { entryArgs, startChild, waitForHttp, type BenchChild } from './childProcess';
import { CHECKOUT_WAREHOUSE_ID } from './workloads/checkoutWorkload';

/** Database round trips and GraphQL requests, summed over the subgraphs. */
export interface EstateCounters {
  commands: number;
  subgraphRequests: number;
}

/** A running benchmark estate. */
export interface BenchEstate {
  database: LocalDatabase;
  subgraphUrls: Record<SubgraphName, string>;
  subgraphs: BenchChild[];
  /** The database server's process, when it runs on this machine and `ss` can tell (for its CPU). */
  databasePid?: number;
  /** The supergraph with the URLs above. */
  supergraphPath: string;
  /** Environment every process of the estate shares (key, production mode, URLs). */
  env: NodeJS.ProcessEnv;
  counters(): Promise<EstateCounters>;
  /** Gives the checkout warehouse enough stock that W3 can never run out. */
  topUpStock(): Promise<void>;
  stop(): Promise<void>;
}

/** Options for {@link startBenchEstate}. */
export interface BenchEstateOptions {
  customers: number;
  orders: number;
  /** The dataset of those sizes, generated once by the caller (the workloads draw their variables from it). */
  dataset?: DemoDataset;
  /** Keep the `bench_*` databases when they already hold a seed of these sizes (with `MONGODB_URI`). @default false */
  reuseSeed?: boolean;
  signingKey: string;
  log: (line: string) => void;
  /** Run the subgraphs with `--cpu-prof`, writing their profiles here on exit. */
  cpuProfileDir?: string;
  /** Let the subgraphs write heap snapshots on SIGUSR2, into `<dir>/<name>` (heapSnapshot.ts). */
  heapSnapshotDir?: string;
}

const databaseNameOf = (name: SubgraphName) => `bench_${name}`;

// Private: the pid listening on the database's port, from `ss -ltnp` (Linux); undefined elsewhere.
function listenerPid(uri: string): number | undefined {
  const port = /:(\d+)(?:\/|$)/.exec(uri.replace(/^mongodb:\/\//, ''))?.[1];
  if (!port) return undefined;
  try {
    const out = execFileSync('ss', ['-Hltnp', `sport = :${port}`], { encoding: 'utf8' });
    const pid = /pid=(\d+)/.exec(out)?.[1];
    return pid ? Number(pid) : undefined;
  } catch {
    return undefined;
  }
}

function countersOf(child: BenchChild): Promise<SubgraphCounters> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${child.name} did not report its counters`)), 5000);
    const onMessage = (message: unknown) => {
      if (typeof message !== 'object' || message === null || !('commands' in message)) return;
      clearTimeout(timer);
      child.process.off('message', onMessage);
      resolve(message as SubgraphCounters);
    };
    child.process.on('message', onMessage);
    child.process.send('counters');
  });
}

/** Starts the estate (see module comment). */
export async function startBenchEstate(options: BenchEstateOptions): Promise<BenchEstate> {
  const database = await startLocalDatabase({ mode: 'memory', log: (line) => options.log(`database: ${line}`) });
  const subgraphs: BenchChild[] = [];
  try {
    const seeded = Date.now();
    // Progress on stderr (a bar on a terminal): at a million orders the seed takes minutes.
    const progress = new SeedProgressBar();
    await seedEstate({ uri: database.uri, reset: options.reuseSeed ? 'when-different' : true, customers: options.customers, orders: options.orders, databaseNameOf, progress, ...(options.dataset ? { dataset: options.dataset } : {}) });
    progress.finish();
    options.log(`seeded ${options.customers} customers and ${options.orders} orders in ${((Date.now() - seeded) / 1000).toFixed(1)} s`);

    const ports = {} as Record<SubgraphName, number>;
    for (const name of SUBGRAPH_NAMES) ports[name] = await freePort();
    const subgraphUrls = {} as Record<SubgraphName, string>;
    for (const name of SUBGRAPH_NAMES) subgraphUrls[name] = `http://127.0.0.1:${ports[name]}/graphql`;
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      JWT_SIGNING_KEY: options.signingKey,
      LOG_LEVEL: 'warn',
    };
    for (const name of SUBGRAPH_NAMES) env[urlVariableOf(name)] = subgraphUrls[name];

    for (const name of SUBGRAPH_NAMES) {
      subgraphs.push(
        startChild({
          name,
          args: [...(options.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', join(options.cpuProfileDir, name)] : []), ...(options.heapSnapshotDir ? heapSnapshotFlags(join(options.heapSnapshotDir, name)) : []), ...entryArgs('bench/benchSubgraph.ts'), name],
          env: { ...env, PORT: String(ports[name]), MONGODB_URI: database.uri, MONGODB_DB: databaseNameOf(name) },
          ipc: true,
        }),
      );
    }
    await Promise.all(subgraphs.map((child, index) => waitForHttp(child, subgraphUrls[SUBGRAPH_NAMES[index] as SubgraphName].replace(/graphql$/, 'health'))));

    let supergraph = readFileSync(join(repositoryRoot(), 'schema', 'supergraph.graphql'), 'utf8');
    for (const name of SUBGRAPH_NAMES) {
      supergraph = supergraph.replace(new RegExp(`(@join__graph\\(name: "${name}", url: ")[^"]*(")`), `$1${subgraphUrls[name]}$2`);
    }
    const supergraphPath = join(mkdtempSync(join(tmpdir(), 'zocalo-bench-')), 'supergraph.graphql');
    writeFileSync(supergraphPath, supergraph);

    const databasePid = listenerPid(database.uri);
    return {
      database,
      ...(databasePid ? { databasePid } : {}),
      subgraphUrls,
      subgraphs,
      supergraphPath,
      env,
      async counters() {
        const all = await Promise.all(subgraphs.map(countersOf));
        return { commands: all.reduce((sum, c) => sum + c.commands, 0), subgraphRequests: all.reduce((sum, c) => sum + c.graphqlRequests, 0) };
      },
      async topUpStock() {
        const store = await MongoStore.connect({ uri: database.uri, databaseName: databaseNameOf('inventory') });
        try {
          await store.db.collection('stock').updateMany({ locationId: CHECKOUT_WAREHOUSE_ID }, { $set: { onHand: 1_000_000_000 } });
        } finally {
          await store.close();
        }
      },
      async stop() {
        await Promise.all(subgraphs.map((child) => child.stop()));
        await database.stop();
        rmSync(dirname(supergraphPath), { recursive: true, force: true });
      },
    };
  } catch (error) {
    await Promise.all(subgraphs.map((child) => child.stop()));
    await database.stop();
    throw error;
  }
}
