/**
 * `npm run bench [-- --duration 20 --warmup 5 --connections 32 --workload W1,W2 --gateways zocalo,hive]`
 *
 * Starts the estate on a seeded database (or uses a running one: `--url <Zócalo gateway URL>`, with
 * the subgraphs at their `<NAME>_URL`s or default ports), starts Zócalo's gateway, plain Apollo Gateway
 * and Hive Gateway on the same supergraph and subgraphs, then for each workload: an estate warm-up
 * (`--estate-warmup`, 12 s shared by the gateways, not measured), then for each gateway a warm-up and a
 * measured run of fixed length. Prints one table — requests/s, latency percentiles,
 * errors (every answer is checked), gateway CPU and peak RSS, subgraph fetches and database round trips
 * per operation — with ratios against plain Apollo Gateway and Hive Gateway.
 *
 * `--profile <dir>`: Zócalo's gateway runs with `--cpu-prof` and writes its profile there on exit
 * (summarise it with `npx tsx bench/profileSummary.ts <file>`); `--profile-subgraphs <dir>` does the same
 * for the five subgraphs (one folder each). `--pin`: the load generator on core 0
 * and the gateway on core 1 with `taskset` (the subgraphs and database float). `--json <file>`: also
 * write the rows as JSON. `--customers N --orders N`: the size of the seed (default 1,000 / 5,000);
 * `--reuse-seed` keeps a database (`MONGODB_URI`) already seeded at those sizes by an earlier run.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { generateDemoDataset } from '../scripts/seed/demoDataset';
import { DEFAULT_PORTS, SUBGRAPH_NAMES, readAuthConfig, urlVariableOf, type SubgraphName } from '../subgraphs/kit/src';
import { listOf, positive } from './cliOptions';
import { startBenchEstate, type BenchEstate, type EstateCounters } from './benchEstate';
import { GATEWAY_IDS, GATEWAY_LABELS, startGateway, zocaloTunablesOf, type GatewayId, type RunningGateway } from './gateways/benchGateways';
import { mergeLoads, runLoad, type LoadResult } from './loadRun';
import { PeakMemory, cpuSeconds, machineJiffies } from './processUsage';
import { formatTable, type BenchRow } from './resultTable';
import type { Workload } from './workloads/workload';
import { WORKLOADS } from './workloads/workloads';

/** The benchmark's own signing key: the estate runs in production mode, which refuses the dev key. */
const BENCH_SIGNING_KEY = 'zocalo-bench-signing-key-local-only';

const say = (line: string) => process.stdout.write(`[bench] ${line}\n`);

function pin(pid: number, core: number): void {
  try {
    execFileSync('taskset', ['-a', '-p', '-c', String(core), String(pid)], { stdio: 'ignore' });
  } catch {
    say(`could not pin ${pid} to core ${core} (taskset missing?)`);
  }
}

function machine(): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  return `${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}, ${process.platform}`;
}

/** What one measured run of one workload against one gateway gives. */
interface Measurement {
  load: LoadResult;
  gatewayCpuSeconds?: number;
  peakRssBytes?: number;
  estateCpuSeconds?: number;
  counters?: EstateCounters;
  /** Share of the machine's CPU busy (anything, including other users) during the run. */
  machineBusy: number;
}

async function measure(
  gateway: RunningGateway,
  workload: Workload,
  estate: BenchEstate | undefined,
  options: { connections: number; durationSeconds: number; warmupSeconds: number },
): Promise<Measurement> {
  const warm = await runLoad({ url: gateway.url, workload, connections: options.connections, durationSeconds: options.warmupSeconds });
  if (warm.errors > 0) say(`${workload.id} ${gateway.id} warm-up: ${warm.errors} errors, e.g. ${warm.problems[0]?.[0]}`);
  const pid = gateway.child?.pid;
  const estateParts = estate
    ? [...estate.subgraphs.map((child) => ({ name: child.name, pid: child.pid })), ...(estate.databasePid ? [{ name: 'database', pid: estate.databasePid }] : [])]
    : [];
  const estateCpu = () => estateParts.map((part) => cpuSeconds(part.pid));
  const countersBefore = await estate?.counters();
  const estateBefore = estateCpu();
  const cpuBefore = pid ? cpuSeconds(pid) : 0;
  const machineBefore = machineJiffies();
  const memory = pid ? new PeakMemory(pid) : undefined;
  const load = await runLoad({ url: gateway.url, workload, connections: options.connections, durationSeconds: options.durationSeconds });
  const peak = memory?.stop();
  const machineAfter = machineJiffies();
  const cpu = pid ? cpuSeconds(pid) - cpuBefore : undefined;
  const estateAfter = estateCpu();
  const countersAfter = await estate?.counters();
  if (estate && load.responses > 0) {
    // Where the estate's CPU went, per operation: which subgraph (or the database server) to profile next.
    const parts = estateParts.map((part, i) => `${part.name} ${((1000 * ((estateAfter[i] ?? 0) - (estateBefore[i] ?? 0))) / load.responses).toFixed(2)}`);
    say(`${workload.id} ${gateway.id}: estate CPU ms per operation — ${parts.join(', ')}`);
  }
  const estateTotal = (values: number[]) => values.reduce((sum, v) => sum + v, 0);
  return {
    load,
    ...(cpu !== undefined ? { gatewayCpuSeconds: cpu } : {}),
    ...(peak !== undefined ? { peakRssBytes: peak } : {}),
    ...(estate ? { estateCpuSeconds: estateTotal(estateAfter) - estateTotal(estateBefore) } : {}),
    ...(countersBefore && countersAfter
      ? { counters: { commands: countersAfter.commands - countersBefore.commands, subgraphRequests: countersAfter.subgraphRequests - countersBefore.subgraphRequests } }
      : {}),
    machineBusy: (machineAfter.busy - machineBefore.busy) / Math.max(1, machineAfter.total - machineBefore.total),
  };
}

function sumOf(values: (number | undefined)[]): number | undefined {
  return values.some((v) => v === undefined) ? undefined : values.reduce<number>((sum, v) => sum + (v as number), 0);
}

function rowOf(workload: string, gateway: GatewayId, measurements: Measurement[]): BenchRow {
  const load = mergeLoads(measurements.map((m) => m.load));
  const cpu = sumOf(measurements.map((m) => m.gatewayCpuSeconds));
  const estateCpu = sumOf(measurements.map((m) => m.estateCpuSeconds));
  const commands = sumOf(measurements.map((m) => m.counters?.commands));
  const fetches = sumOf(measurements.map((m) => m.counters?.subgraphRequests));
  const peaks = measurements.map((m) => m.peakRssBytes).filter((p): p is number => p !== undefined);
  return {
    workload,
    gateway,
    load,
    machineBusy: measurements.reduce((sum, m) => sum + m.machineBusy, 0) / Math.max(1, measurements.length),
    ...(cpu !== undefined ? { cpuCores: cpu / load.seconds } : {}),
    ...(peaks.length ? { peakRssMb: Math.max(...peaks) / 2 ** 20 } : {}),
    ...(estateCpu !== undefined ? { estateCpuCores: estateCpu / load.seconds } : {}),
    ...(commands !== undefined && fetches !== undefined && load.responses > 0
      ? { fetchesPerOperation: fetches / load.responses, roundTripsPerOperation: commands / load.responses }
      : {}),
  };
}

/**
 * How far any gateway could go past plain Apollo Gateway in each workload on this machine without
 * changing the subgraphs' work: plain Apollo Gateway's operation costs the machine `busy × cores / rate`
 * of CPU, of which its gateway process used its CPU per request; a gateway that used no CPU at all would
 * still leave the rest (estate, load generator) — so its rate could be at most `total / rest` times
 * plain's. Where that ceiling is below a target, no gateway change can reach the target there.
 */
function ceilingLines(rows: BenchRow[]): string[] {
  const lines: string[] = [];
  const cores = cpus().length;
  for (const row of rows) {
    if (row.gateway !== 'apollo' || row.cpuCores === undefined || row.load.requestsPerSecond === 0) continue;
    const totalMs = (row.machineBusy * cores * 1000) / row.load.requestsPerSecond;
    const gatewayMs = (row.cpuCores * 1000) / row.load.requestsPerSecond;
    const restMs = totalMs - gatewayMs;
    if (restMs <= 0) continue;
    lines.push(
      `${row.workload}: an operation through plain Apollo Gateway cost the machine ${totalMs.toFixed(1)} ms of CPU, ${gatewayMs.toFixed(1)} of them in the gateway — a gateway using no CPU at all, sending the subgraphs the same work, could serve at most ${(totalMs / restMs).toFixed(2)}× its requests/s here`,
    );
  }
  return lines;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      workload: { type: 'string' },
      gateways: { type: 'string' },
      url: { type: 'string' },
      customers: { type: 'string' },
      orders: { type: 'string' },
      profile: { type: 'string' },
      'profile-subgraphs': { type: 'string' },
      pin: { type: 'boolean', default: false },
      json: { type: 'string' },
      rounds: { type: 'string' },
      'reuse-seed': { type: 'boolean', default: false },
      'estate-warmup': { type: 'string' },
    },
    strict: true,
  });
  const durationSeconds = positive(values.duration, '--duration', 20);
  const warmupSeconds = positive(values.warmup, '--warmup', 5);
  const connections = Math.round(positive(values.connections, '--connections', 32));
  const workloadIds = listOf(values.workload, Object.keys(WORKLOADS), '--workload');
  const gatewayIds = listOf<GatewayId>(values.gateways, GATEWAY_IDS, '--gateways');
  const customers = Math.round(positive(values.customers, '--customers', 1000));
  const orders = Math.round(positive(values.orders, '--orders', 5000));
  const rounds = Math.round(positive(values.rounds, '--rounds', 1));
  const estateWarmupSeconds = values['estate-warmup'] === '0' ? 0 : positive(values['estate-warmup'], '--estate-warmup', 12);

  say(`machine: ${machine()}; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const runId = randomUUID().slice(0, 8);
  const dataset = generateDemoDataset({ customers, orders });
  let estate: BenchEstate | undefined;
  const gateways: RunningGateway[] = [];
  let env: NodeJS.ProcessEnv;
  let supergraphPath: string;
  let databaseDescription: string;

  const stopAll = async () => {
    for (const gateway of gateways) await gateway.stop().catch(() => undefined);
    await estate?.stop().catch(() => undefined);
  };
  process.on('SIGINT', () => void stopAll().finally(() => process.exit(130)));

  try {
    if (values.url) {
      // A running estate (npm start): development mode, the dev key, the default seed.
      env = { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn' };
      const urls = {} as Record<SubgraphName, string>;
      for (const name of SUBGRAPH_NAMES) urls[name] = process.env[urlVariableOf(name)] ?? `http://127.0.0.1:${DEFAULT_PORTS[name]}/graphql`;
      for (const name of SUBGRAPH_NAMES) env[urlVariableOf(name)] = urls[name];
      let supergraph = readFileSync(join(__dirname, '..', 'schema', 'supergraph.graphql'), 'utf8');
      for (const name of SUBGRAPH_NAMES) supergraph = supergraph.replace(new RegExp(`(@join__graph\\(name: "${name}", url: ")[^"]*(")`), `$1${urls[name]}$2`);
      supergraphPath = join(mkdtempSync(join(tmpdir(), 'zocalo-bench-')), 'supergraph.graphql');
      writeFileSync(supergraphPath, supergraph);
      databaseDescription = 'the running estate\'s database';
      say(`using the running estate: Zócalo at ${values.url}; W3 does not top up stock`);
    } else {
      estate = await startBenchEstate({ customers, orders, dataset, reuseSeed: values['reuse-seed'] ?? false, signingKey: BENCH_SIGNING_KEY, log: say, ...(values['profile-subgraphs'] ? { cpuProfileDir: values['profile-subgraphs'] } : {}) });
      env = estate.env;
      supergraphPath = estate.supergraphPath;
      databaseDescription = estate.database.description;
    }
    say(`database: ${databaseDescription}`);
    const auth = readAuthConfig(values.url ? {} : { JWT_SIGNING_KEY: BENCH_SIGNING_KEY });

    if (values.profile) mkdirSync(values.profile, { recursive: true });
    for (const id of gatewayIds) {
      if (id === 'zocalo' && values.url) {
        gateways.push({ id, url: values.url, stop: async () => undefined });
        continue;
      }
      const gateway = await startGateway(id, { supergraphPath, env, ...(id === 'zocalo' && values.profile ? { cpuProfileDir: values.profile } : {}) });
      if (values.pin && gateway.child) pin(gateway.child.pid, 1);
      gateways.push(gateway);
      const tunables = id === 'zocalo' ? Object.entries(zocaloTunablesOf()).map(([name, value]) => `${name}=${String(value)}`) : [];
      say(`${GATEWAY_LABELS[id]} up at ${gateway.url}${tunables.length ? ` (${tunables.join(' ')})` : ''}`);
    }
    if (values.pin) pin(process.pid, 0);

    const rows: BenchRow[] = [];
    for (const workloadId of workloadIds) {
      const factory = WORKLOADS[workloadId];
      if (!factory) continue;
      const measured = new Map<GatewayId, Measurement[]>();
      // The estate warms up first (JIT of the subgraphs and of the database server's JVM, its caches):
      // otherwise the first gateway measured in round 1 pays for it — W1's first round ran at half the
      // rate of its second. Every gateway drives an equal share of it, and none of it is measured.
      if (estateWarmupSeconds > 0) {
        if (workloadId === 'W3') await estate?.topUpStock();
        for (const gateway of gateways) {
          const warming = factory({ dataset, auth, runId: `${runId}-${gateway.id}-estate-warmup` });
          await runLoad({ url: gateway.url, workload: warming, connections, durationSeconds: estateWarmupSeconds / gateways.length });
        }
      }
      for (let round = 0; round < rounds; round += 1) {
        // Gateways take turns within a round, so a burst of other load on the machine hits all of them;
        // the order reverses every other round, so a drift in that load favours none.
        for (const gateway of round % 2 === 0 ? gateways : [...gateways].reverse()) {
          if (workloadId === 'W3') await estate?.topUpStock();
          // A fresh workload per gateway and round: every gateway sees the same sequence of variables.
          const workload = factory({ dataset, auth, runId: `${runId}-${gateway.id}-${round}` });
          const measurement = await measure(gateway, workload, estate, { connections, durationSeconds, warmupSeconds });
          const list = measured.get(gateway.id) ?? [];
          list.push(measurement);
          measured.set(gateway.id, list);
          const { load } = measurement;
          say(
            `${workloadId} ${GATEWAY_LABELS[gateway.id]}${rounds > 1 ? ` round ${round + 1}` : ''}: ${load.requestsPerSecond.toFixed(1)} req/s, p50 ${load.p50.toFixed(0)} ms, p99 ${load.p99.toFixed(0)} ms, ${load.errors} errors, machine ${(measurement.machineBusy * 100).toFixed(0)}% busy` +
              (load.problems.length ? ` (${load.problems.map(([p, n]) => `${n}× ${p}`).join('; ')})` : ''),
          );
        }
      }
      for (const gateway of gateways) rows.push(rowOf(workloadId, gateway.id, measured.get(gateway.id) ?? []));
    }

    process.stdout.write(`\n${formatTable(rows)}\n\n`);
    for (const line of ceilingLines(rows)) say(line);
    say(`${connections} connections; per workload ${estateWarmupSeconds} s of estate warm-up shared by the gateways, then ${rounds} round(s) of ${warmupSeconds} s warm-up + ${durationSeconds} s measured per gateway; seed ${customers} customers / ${orders} orders`);
    say(`database server: ${databaseDescription}`);
    say(`machine: ${machine()}${values.pin ? '; load generator pinned to core 0, gateway to core 1' : ''}`);
    say(`estate CPU = the five subgraph processes${estate?.databasePid ? ' + the database server' : ' (the database server\'s pid was not found)'}; subgraph fetches and DB round trips are per operation`);
    if (values.json) writeFileSync(values.json, JSON.stringify({ runId, machine: machine(), database: databaseDescription, connections, durationSeconds, warmupSeconds, rows }, null, 2));
  } finally {
    await stopAll();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
