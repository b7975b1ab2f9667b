/**
 * `npm run bench:federation` — the gateways alone, on the public federation gateway benchmark's shape:
 * four static Node subgraphs (federationSubgraphs.ts: accounts, inventory, products, reviews), the
 * nested anonymous `TestQuery`, composed here with @apollo/composition. Where `npm run bench` measures
 * Zócalo's own estate — in which the subgraphs and the database take most of the two cores whatever
 * the gateway — this measures what a gateway costs per request, as the public benchmark does
 * (PERF-NOTES.md: Hive Gateway 4.3–4.6× plain Apollo Gateway there).
 *
 * Gateways, each its own process, one after the other (rounds alternate the order):
 * - Zócalo as an outside user runs it on a foreign supergraph — **development mode**, as README
 *   "Serving another supergraph" says (no answer cache; in-flight fetch de-duplication on);
 * - Zócalo in **production mode** with `TRUSTED_DOCUMENTS=off` (the query is not one of its registered
 *   operations) and rate limits raised: the anonymous answer cache (1 s) is on;
 * - plain Apollo Gateway (`@apollo/server` defaults) and Hive Gateway (defaults), as in `npm run bench`.
 *
 * Every answer is checked against the one answer all gateways gave before the run (byte for byte after
 * `JSON.stringify` of `data`), so a fast wrong answer is an error.
 *
 * `npm run bench:federation -- --duration 15 --warmup 5 --rounds 2 --connections 50 --gateways zocalo-dev,zocalo,apollo,hive`
 * (`--profile <dir>`: CPU profiles of Zócalo's gateways, `<dir>/<variant>/`; bench/profileSummary.ts reads them)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { listOf, positive } from '../cliOptions';
import { startChild, entryArgs, waitForHttp, type BenchChild } from '../childProcess';
import { startGateway, type GatewayId, type RunningGateway } from '../gateways/benchGateways';
import { mergeLoads, runLoad } from '../loadRun';
import { cpuSeconds, machineJiffies, PeakMemory } from '../processUsage';
import { formatTable, type BenchRow } from '../resultTable';
import type { Workload } from '../workloads/workload';
import { freePort } from '../../subgraphs/kit/src/freePort';
import { composeFederationBenchmark, FEDERATION_SUBGRAPHS, FEDERATION_TEST_QUERY, type FederationSubgraphName } from './federationSubgraphs';

const say = (line: string) => process.stderr.write(`[bench:federation] ${line}\n`);
const SIGNING_KEY = 'federation-benchmark-signing-key-0123456789abcdef';

/** The gateways this benchmark can run: Zócalo in two configurations and the two peers. */
const VARIANTS = {
  'zocalo-dev': { gateway: 'zocalo', label: 'Zócalo (development mode)', env: { NODE_ENV: undefined } },
  zocalo: { gateway: 'zocalo', label: 'Zócalo (production, TRUSTED_DOCUMENTS=off)', env: { NODE_ENV: 'production', TRUSTED_DOCUMENTS: 'off' } },
  apollo: { gateway: 'apollo', label: 'plain Apollo Gateway', env: {} },
  hive: { gateway: 'hive', label: 'Hive Gateway', env: {} },
} as const satisfies Record<string, { gateway: GatewayId; label: string; env: NodeJS.ProcessEnv }>;
type VariantId = keyof typeof VARIANTS;

interface Measured {
  variant: VariantId;
  load: ReturnType<typeof mergeLoads>;
  gatewayCpuSeconds: number;
  subgraphCpuSeconds: number;
  peakRssBytes: number;
  subgraphRequests: number;
  machineBusy: number;
}

async function post(url: string): Promise<{ status: number; text: string }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: FEDERATION_TEST_QUERY, operationName: 'TestQuery' }) });
  return { status: response.status, text: await response.text() };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      rounds: { type: 'string' },
      gateways: { type: 'string' },
      profile: { type: 'string' },
    },
    strict: true,
  });
  const durationSeconds = positive(values.duration, '--duration', 15);
  const warmupSeconds = positive(values.warmup, '--warmup', 5);
  const connections = Math.round(positive(values.connections, '--connections', 50));
  const rounds = Math.round(positive(values.rounds, '--rounds', 1));
  const variantIds = listOf(values.gateways, Object.keys(VARIANTS) as VariantId[], '--gateways');
  say(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);

  const subgraphs: BenchChild[] = [];
  const gateways: { variant: VariantId; gateway: RunningGateway }[] = [];
  const folder = mkdtempSync(join(tmpdir(), 'zocalo-bench-federation-'));
  const stopAll = async () => {
    for (const { gateway } of gateways) await gateway.stop().catch(() => undefined);
    await Promise.all(subgraphs.map((child) => child.stop().catch(() => undefined)));
    rmSync(folder, { recursive: true, force: true });
  };
  process.on('SIGINT', () => void stopAll().finally(() => process.exit(130)));

  try {
    const urls = {} as Record<FederationSubgraphName, string>;
    for (const name of FEDERATION_SUBGRAPHS) {
      const port = await freePort();
      urls[name] = `http://127.0.0.1:${port}/graphql`;
      const child = startChild({ name: `federation-${name}`, args: [...entryArgs('bench/federation/federationSubgraph.ts'), name], env: { PATH: process.env.PATH, PORT: String(port) } });
      subgraphs.push(child);
      await waitForHttp(child, `http://127.0.0.1:${port}/health`);
    }
    const supergraphPath = join(folder, 'supergraph.graphql');
    writeFileSync(supergraphPath, composeFederationBenchmark(urls));

    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', JWT_SIGNING_KEY: SIGNING_KEY, NODE_ENV: 'production' };
    for (const variant of variantIds) {
      const { gateway: id, label, env: variantEnv } = VARIANTS[variant];
      const profile = id === 'zocalo' && values.profile ? { cpuProfileDir: join(values.profile, variant) } : {};
      const gateway = await startGateway(id, { supergraphPath, env, ...profile, ...(id === 'zocalo' ? { zocaloEnv: variantEnv } : {}) });
      gateways.push({ variant, gateway });
      say(`${label} up at ${gateway.url}`);
    }

    // The one right answer: every gateway must give the same `data`, without errors.
    let expected: string | undefined;
    for (const { variant, gateway } of gateways) {
      const { status, text } = await post(gateway.url);
      const body = JSON.parse(text) as { data?: unknown; errors?: unknown };
      if (status !== 200 || body.errors || !body.data) throw new Error(`${VARIANTS[variant].label} answered ${status}: ${text.slice(0, 500)}`);
      const data = JSON.stringify(body.data);
      if (expected !== undefined && data !== expected) throw new Error(`${VARIANTS[variant].label} gave another answer than ${VARIANTS[variantIds[0] as VariantId].label}`);
      expected = data;
    }
    say(`every gateway gives the same ${Buffer.byteLength(expected ?? '')}-byte answer`);
    const workload: Workload = {
      id: 'W6',
      title: 'federation benchmark TestQuery (anonymous)',
      steps: [
        {
          operation: { name: 'TestQuery', client: 'federation-benchmark', document: FEDERATION_TEST_QUERY },
          prepare: () => ({ variables: {} }),
          check: (data) => (JSON.stringify(data) === expected ? undefined : 'an answer other than the expected one'),
        },
      ],
    };

    const subgraphCpu = () => subgraphs.reduce((sum, child) => sum + cpuSeconds(child.pid), 0);
    const subgraphRequests = async () => {
      let total = 0;
      for (const url of Object.values(urls)) total += ((await (await fetch(url.replace(/graphql$/, 'requests'))).json()) as { requests: number }).requests;
      return total;
    };
    const measured: Measured[] = [];
    for (let round = 0; round < rounds; round += 1) {
      for (const { variant, gateway } of round % 2 === 0 ? gateways : [...gateways].reverse()) {
        await runLoad({ url: gateway.url, workload, connections, durationSeconds: warmupSeconds });
        const pid = gateway.child?.pid as number;
        const before = { cpu: cpuSeconds(pid), subgraphs: subgraphCpu(), machine: machineJiffies(), requests: await subgraphRequests() };
        const memory = new PeakMemory(pid);
        const load = await runLoad({ url: gateway.url, workload, connections, durationSeconds });
        const peak = memory.stop();
        const machine = machineJiffies();
        const entry: Measured = {
          variant,
          load,
          gatewayCpuSeconds: cpuSeconds(pid) - before.cpu,
          subgraphCpuSeconds: subgraphCpu() - before.subgraphs,
          peakRssBytes: peak,
          subgraphRequests: (await subgraphRequests()) - before.requests,
          machineBusy: (machine.busy - before.machine.busy) / Math.max(1, machine.total - before.machine.total),
        };
        measured.push(entry);
        say(`${VARIANTS[variant].label}${rounds > 1 ? ` round ${round + 1}` : ''}: ${load.requestsPerSecond.toFixed(1)} req/s, p50 ${load.p50.toFixed(0)} ms, p99 ${load.p99.toFixed(0)} ms, ${load.errors} errors${load.problems.length ? ` (${load.problems.map(([p, n]) => `${n}× ${p}`).join('; ')})` : ''}`);
      }
    }

    const rows: BenchRow[] = gateways.map(({ variant }) => {
      const runs = measured.filter((m) => m.variant === variant);
      const load = mergeLoads(runs.map((m) => m.load));
      const sum = (pick: (m: Measured) => number) => runs.reduce((total, m) => total + pick(m), 0);
      return {
        workload: 'W6',
        gateway: VARIANTS[variant].gateway,
        label: VARIANTS[variant].label,
        load,
        cpuCores: sum((m) => m.gatewayCpuSeconds) / load.seconds,
        peakRssMb: Math.max(...runs.map((m) => m.peakRssBytes)) / 2 ** 20,
        fetchesPerOperation: load.responses ? sum((m) => m.subgraphRequests) / load.responses : 0,
        estateCpuCores: sum((m) => m.subgraphCpuSeconds) / load.seconds,
        machineBusy: sum((m) => m.machineBusy) / Math.max(1, runs.length),
      };
    });
    process.stdout.write(`\n${formatTable(rows)}\n\n`);
    say(`${connections} connections; ${rounds} round(s) of ${warmupSeconds} s warm-up + ${durationSeconds} s measured per gateway; "estate CPU" = the four subgraphs; no database ("DB round trips" n/a)`);
  } finally {
    await stopAll();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:federation failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
