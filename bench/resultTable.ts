/** The benchmark's table: one row per workload and gateway, with ratios against the peers. */
import { GATEWAY_LABELS, type GatewayId } from './gateways/benchGateways';
import type { LoadResult } from './loadRun';

/** One measured workload × gateway. */
export interface BenchRow {
  workload: string;
  gateway: GatewayId;
  /** Shown instead of the gateway's name, e.g. for a configuration variant of Zócalo's. */
  label?: string;
  load: LoadResult;
  /** Gateway CPU over the measured window, in cores (1.0 = one core busy); undefined when not measured. */
  cpuCores?: number;
  /** Peak resident memory of the gateway during the window, MB. */
  peakRssMb?: number;
  /** Subgraph GraphQL requests per operation. */
  fetchesPerOperation?: number;
  /** Database round trips per operation. */
  roundTripsPerOperation?: number;
  /** CPU of the five subgraph processes and the database server during the window, cores. */
  estateCpuCores?: number;
  /** Share of the whole machine's CPU busy during the window (anything, other users included). */
  machineBusy: number;
}

const fixed = (value: number | undefined, digits: number) => (value === undefined || !Number.isFinite(value) ? 'n/a' : value.toFixed(digits));

function ratio(row: BenchRow, rows: BenchRow[], peer: GatewayId): string {
  const other = rows.find((r) => r.workload === row.workload && r.gateway === peer);
  if (!other || other.load.requestsPerSecond === 0 || row.gateway === peer) return '';
  return `${(row.load.requestsPerSecond / other.load.requestsPerSecond).toFixed(2)}×`;
}

/** Markdown table of `rows`. */
export function formatTable(rows: BenchRow[]): string {
  const header = [
    'workload',
    'gateway',
    'req/s',
    'p50 ms',
    'p95 ms',
    'p99 ms',
    'errors',
    'gateway CPU (cores)',
    'gateway CPU ms/req',
    'peak RSS MB',
    'subgraph fetches/op',
    'DB round trips/op',
    'estate CPU (cores)',
    'machine busy',
    'vs plain Apollo',
    'vs Hive',
  ];
  const lines = [`| ${header.join(' | ')} |`, `| ${header.map((_, i) => (i < 2 ? '---' : '---:')).join(' | ')} |`];
  for (const row of rows) {
    const { load } = row;
    const cpuPerRequest = row.cpuCores === undefined || load.requestsPerSecond === 0 ? undefined : (row.cpuCores * 1000) / load.requestsPerSecond;
    lines.push(
      `| ${[
        row.workload,
        row.label ?? GATEWAY_LABELS[row.gateway],
        fixed(load.requestsPerSecond, 1),
        fixed(load.p50, 0),
        fixed(load.p95, 0),
        fixed(load.p99, 0),
        `${load.errors}/${load.responses}`,
        fixed(row.cpuCores, 2),
        fixed(cpuPerRequest, 2),
        fixed(row.peakRssMb, 0),
        fixed(row.fetchesPerOperation, 2),
        fixed(row.roundTripsPerOperation, 2),
        fixed(row.estateCpuCores, 2),
        `${(row.machineBusy * 100).toFixed(0)}%`,
        ratio(row, rows, 'apollo'),
        ratio(row, rows, 'hive'),
      ].join(' | ')} |`,
    );
  }
  return lines.join('\n');
}
