/**
 * `npm run soak [-- --minutes 10 --connections 16 --url <gateway URL> --threshold 10 --heap-snapshots]`
 *
 * A soak run: does the estate stay healthy and its memory flat under hours-long traffic? Starts the
 * estate the way `npm run bench` does (seeded benchmark databases, the five subgraph processes, Zócalo's
 * gateway in its production configuration: `benchEstate.ts`, `gateways/benchGateways.ts`) — or, with
 * `--url`, uses a running estate (the subgraphs at their `<NAME>_URL`s or default ports) — and runs the
 * four benchmark workloads at once (W1 POS, W2 web catalogue, W3 checkout, W4 call centre: the channels'
 * registered operations, every answer checked) for `--minutes`, their connections split evenly.
 *
 * Every minute it prints the traffic (requests/s, errors) and each process's memory as the process
 * itself reports it at `/metrics` (`zocalo_process_memory_bytes`), sampled every 5 s: RSS at its peak in
 * the minute, heap at its lowest (the floor after garbage collection — what a leak raises; a single
 * heap reading mostly shows where the collector happened to be). At the end, per process, the growth
 * from the first minute to the last and a verdict: "flat" when RSS and heap each grew less than
 * `--threshold` percent (or less than 5 MB, below which it is noise), else "GREW". Also the event
 * backlog left (events still pending or dead-lettered per publisher).
 *
 * With `--heap-snapshots` (not with `--url`) every process can write a heap snapshot on SIGUSR2
 * (heapSnapshot.ts); one is taken of each after the first minute and after the last, each after a full
 * garbage collection, and the retained heaps are compared: the answer to "does anything accumulate?"
 * that the heap floor only estimates. Each snapshot pauses its process for a few seconds.
 *
 * A script that prints figures, not a test: a verdict of "GREW" after a short run says "run longer and
 * take a heap snapshot", not "there is a leak".
 */
import { randomUUID } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { generateDemoDataset } from '../scripts/seed/demoDataset';
import { DEFAULT_PORTS, SUBGRAPH_NAMES, readAuthConfig, urlVariableOf, type SubgraphName } from '../subgraphs/kit/src';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { positive } from './cliOptions';
import { startBenchEstate, type BenchEstate } from './benchEstate';
import { retainedHeapOf } from './heapSnapshot';
import { startGateway, type RunningGateway } from './gateways/benchGateways';
import { runLoad, type LoadResult } from './loadRun';
import { WORKLOADS } from './workloads/workloads';

/** The soak's own signing key: the estate it starts runs in production mode, which refuses the dev key. */
const SOAK_SIGNING_KEY = 'zocalo-soak-signing-key-local-only';
const SAMPLE_EVERY_MS = 5_000;
const MB = 2 ** 20;
/** Below this, growth is garbage-collector and allocator noise whatever the percentage. */
const NOISE_FLOOR_BYTES = 5 * MB;

const say = (line: string) => process.stdout.write(`[soak] ${line}\n`);

/** A process of the estate, watched through its `/metrics`. */
interface Watched {
  name: string;
  metricsUrl: string;
}

/** One minute's memory of one process, bytes (undefined when `/metrics` did not answer). */
interface MinuteMemory {
  rssPeak?: number;
  heapFloor?: number;
}

/** `zocalo_process_memory_bytes{…kind="<kind>"…}` of a Prometheus text. */
function memoryOf(metrics: string, kind: 'rss' | 'heapUsed'): number | undefined {
  const match = new RegExp(`^zocalo_process_memory_bytes\\{[^}]*kind="${kind}"[^}]*\\} (\\d+(?:\\.\\d+)?)`, 'm').exec(metrics);
  return match ? Number(match[1]) : undefined;
}

/** The sum of every series of `name` in a Prometheus text. */
function sumOf(metrics: string, name: string): number {
  let sum = 0;
  for (const match of metrics.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+(?:\\.\\d+)?)`, 'gm'))) sum += Number(match[1]);
  return sum;
}

async function metricsText(process: Watched): Promise<string | undefined> {
  try {
    const response = await fetch(process.metricsUrl, { signal: AbortSignal.timeout(3000) });
    return response.ok ? await response.text() : undefined;
  } catch {
    return undefined;
  }
}

/** Samples every process's memory until `until` resolves; the minute's peak RSS and lowest heap per process. */
async function watchMemory(processes: readonly Watched[], until: Promise<unknown>): Promise<MinuteMemory[]> {
  const minute: MinuteMemory[] = processes.map(() => ({}));
  const sample = async () => {
    const texts = await Promise.all(processes.map(metricsText));
    texts.forEach((text, index) => {
      const entry = minute[index] as MinuteMemory;
      const rss = text ? memoryOf(text, 'rss') : undefined;
      const heap = text ? memoryOf(text, 'heapUsed') : undefined;
      if (rss !== undefined) entry.rssPeak = Math.max(entry.rssPeak ?? 0, rss);
      if (heap !== undefined) entry.heapFloor = Math.min(entry.heapFloor ?? Number.POSITIVE_INFINITY, heap);
    });
  };
  let done = false;
  void until.finally(() => {
    done = true;
  });
  while (!done) {
    await sample();
    await Promise.race([until, new Promise((resolve) => setTimeout(resolve, SAMPLE_EVERY_MS))]);
  }
  await sample();
  return minute;
}

function mb(bytes: number | undefined): string {
  return bytes === undefined ? 'n/a' : (bytes / MB).toFixed(0);
}

function pad(text: string, width: number): string {
  return text.padStart(width);
}

/** "flat" or "GREW", with the growth of RSS and heap from the first minute to the last. */
function verdictOf(first: MinuteMemory, last: MinuteMemory, thresholdPercent: number): string {
  const growth = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? undefined : { bytes: b - a, percent: ((b - a) / a) * 100 });
  const rss = growth(first.rssPeak, last.rssPeak);
  const heap = growth(first.heapFloor, last.heapFloor);
  if (!rss || !heap) return 'n/a (no memory figures)';
  const grew = (g: { bytes: number; percent: number }) => g.bytes > NOISE_FLOOR_BYTES && g.percent > thresholdPercent;
  const text = (g: { bytes: number; percent: number }) => `${g.bytes >= 0 ? '+' : ''}${(g.bytes / MB).toFixed(1)} MB (${g.percent >= 0 ? '+' : ''}${g.percent.toFixed(1)} %)`;
  return `${grew(rss) || grew(heap) ? 'GREW' : 'flat'}: rss ${mb(first.rssPeak)} → ${mb(last.rssPeak)} MB ${text(rss)}, heap ${mb(first.heapFloor)} → ${mb(last.heapFloor)} MB ${text(heap)}`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string' },
      connections: { type: 'string' },
      url: { type: 'string' },
      customers: { type: 'string' },
      orders: { type: 'string' },
      threshold: { type: 'string' },
      'heap-snapshots': { type: 'boolean' },
    },
    strict: true,
  });
  const minutes = Math.round(positive(values.minutes, '--minutes', 10));
  const connections = Math.round(positive(values.connections, '--connections', 16));
  const customers = Math.round(positive(values.customers, '--customers', 1000));
  const orders = Math.round(positive(values.orders, '--orders', 5000));
  const threshold = positive(values.threshold, '--threshold', 10);
  const snapshotDir = values['heap-snapshots'] && !values.url ? mkdtempSync(join(tmpdir(), 'zocalo-soak-heap-')) : undefined;
  const workloadIds = Object.keys(WORKLOADS);
  const perWorkload = Math.max(1, Math.round(connections / workloadIds.length));

  say(`machine: ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}`);
  let estate: BenchEstate | undefined;
  let gateway: RunningGateway | undefined;
  const stopAll = async () => {
    await gateway?.stop().catch(() => undefined);
    await estate?.stop().catch(() => undefined);
    if (snapshotDir) rmSync(snapshotDir, { recursive: true, force: true });
  };
  process.on('SIGINT', () => void stopAll().finally(() => process.exit(130)));

  try {
    const subgraphUrls = {} as Record<SubgraphName, string>;
    let gatewayUrl: string;
    if (values.url) {
      gatewayUrl = values.url;
      for (const name of SUBGRAPH_NAMES) subgraphUrls[name] = process.env[urlVariableOf(name)] ?? `http://127.0.0.1:${DEFAULT_PORTS[name]}/graphql`;
      say(`using the running estate: gateway ${gatewayUrl}; W3 does not top up stock`);
    } else {
      estate = await startBenchEstate({ customers, orders, signingKey: SOAK_SIGNING_KEY, log: say, ...(snapshotDir ? { heapSnapshotDir: snapshotDir } : {}) });
      Object.assign(subgraphUrls, estate.subgraphUrls);
      gateway = await startGateway('zocalo', { supergraphPath: estate.supergraphPath, env: estate.env, ...(snapshotDir ? { heapSnapshotDir: join(snapshotDir, 'gateway') } : {}) });
      gatewayUrl = gateway.url;
      say(`database: ${estate.database.description}; Zócalo gateway at ${gatewayUrl}`);
    }
    const processes: Watched[] = [
      { name: 'gateway', metricsUrl: gatewayUrl.replace(/\/graphql\/?$/, '/metrics') },
      ...SUBGRAPH_NAMES.map((name) => ({ name, metricsUrl: subgraphUrls[name].replace(/\/graphql\/?$/, '/metrics') })),
    ];
    const dataset = generateDemoDataset({ customers, orders });
    const auth = readAuthConfig(values.url ? {} : { JWT_SIGNING_KEY: SOAK_SIGNING_KEY });
    const runId = randomUUID().slice(0, 8);

    say(`${minutes} minute(s), workloads ${workloadIds.join(' + ')} at once, ${perWorkload} connection(s) each; rss = peak in the minute, heap = lowest heapUsed in the minute, MB`);
    const width = 20;
    say(`${'minute'.padEnd(7)}${pad('req/s', 8)}${pad('errors', 8)}${processes.map((p) => pad(`${p.name} rss/heap`, width)).join('')}`);
    const history: MinuteMemory[][] = [];
    // What each process can be asked for a snapshot by: its pid and its snapshot folder.
    const snapshotTargets = snapshotDir
      ? [
          { name: 'gateway', pid: gateway?.child?.pid, directory: join(snapshotDir, 'gateway') },
          ...(estate?.subgraphs ?? []).map((child) => ({ name: child.name, pid: child.pid, directory: join(snapshotDir, child.name) })),
        ]
      : [];
    const retained: Array<{ first?: number; last?: number }> = snapshotTargets.map(() => ({}));
    const snapshotAll = async (which: 'first' | 'last') => {
      for (const [index, target] of snapshotTargets.entries()) {
        if (target.pid === undefined) continue;
        const bytes = await retainedHeapOf(target.pid, target.directory).catch((error: unknown) => {
          say(`heap snapshot of ${target.name} failed: ${error instanceof Error ? error.message : String(error)}`);
          return undefined;
        });
        if (bytes !== undefined) (retained[index] as { first?: number; last?: number })[which] = bytes;
      }
    };
    const totals = { responses: 0, errors: 0, problems: new Map<string, number>() };
    for (let minute = 1; minute <= minutes; minute += 1) {
      await estate?.topUpStock();
      // Fresh workloads each minute: W3's idempotency keys carry the run id and minute, never repeating.
      const load = Promise.all(
        workloadIds.map((id) => runLoad({ url: gatewayUrl, workload: (WORKLOADS[id] as (typeof WORKLOADS)[string])({ dataset, auth, runId: `${runId}-${minute}` }), connections: perWorkload, durationSeconds: 60 })),
      );
      const [results, memory] = await Promise.all([load, watchMemory(processes, load)]);
      history.push(memory);
      const responses = results.reduce((sum, r: LoadResult) => sum + r.responses, 0);
      const errors = results.reduce((sum, r: LoadResult) => sum + r.errors, 0);
      const seconds = Math.max(...results.map((r) => r.seconds));
      totals.responses += responses;
      totals.errors += errors;
      for (const r of results) for (const [problem, count] of r.problems) totals.problems.set(problem, (totals.problems.get(problem) ?? 0) + count);
      const cells = memory.map((m) => pad(`${mb(m.rssPeak)}/${mb(m.heapFloor)}`, width)).join('');
      say(`${String(minute).padEnd(7)}${pad((responses / seconds).toFixed(1), 8)}${pad(String(errors), 8)}${cells}`);
      if (snapshotDir && (minute === 1 || minute === minutes)) await snapshotAll(minute === 1 ? 'first' : 'last');
    }

    const backlog = await Promise.all(processes.slice(1).map(metricsText));
    const pending = backlog.reduce((sum, text) => sum + (text ? sumOf(text, 'zocalo_events_pending') : 0), 0);
    const dead = backlog.reduce((sum, text) => sum + (text ? sumOf(text, 'zocalo_events_dead') : 0), 0);
    const gatewayMetrics = await metricsText(processes[0] as Watched);
    const shed = gatewayMetrics ? sumOf(gatewayMetrics, 'zocalo_gateway_requests_shed_total') : 0;

    process.stdout.write('\n');
    say(`${totals.responses} responses, ${totals.errors} errors${totals.problems.size ? ` (${[...totals.problems].slice(0, 5).map(([p, n]) => `${n}× ${p}`).join('; ')})` : ''}; shed at the gateway: ${shed}`);
    say(`event backlog at the end: ${pending} pending, ${dead} dead-lettered`);
    const first = history[0];
    const last = history[history.length - 1];
    for (const [index, watched] of processes.entries()) {
      const verdict = history.length < 2 || !first || !last ? 'n/a (needs at least 2 minutes)' : verdictOf(first[index] as MinuteMemory, last[index] as MinuteMemory, threshold);
      say(`${watched.name.padEnd(10)} ${verdict}`);
    }
    say(`verdict: first minute → minute ${history.length}; "flat" = RSS and heap each grew less than ${threshold} % or less than ${NOISE_FLOOR_BYTES / MB} MB`);
    for (const [index, target] of snapshotTargets.entries()) {
      const { first: before, last: after } = retained[index] as { first?: number; last?: number };
      if (before === undefined || after === undefined) continue;
      const grew = after - before;
      const flat = grew < NOISE_FLOOR_BYTES || grew / before < threshold / 100;
      say(`${target.name.padEnd(10)} retained heap after a full GC (heap snapshot): ${mb(before)} → ${mb(after)} MB ${grew >= 0 ? '+' : ''}${(grew / MB).toFixed(1)} MB: ${flat ? 'flat' : 'GREW'}`);
    }
  } finally {
    await stopAll();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`soak failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
