/**
 * Drives one workload against one gateway with autocannon for a fixed time and checks every answer:
 * status 200, JSON with `data` and no `errors`, and the workload's own check of the data's shape and
 * content. A wrong answer, a non-200, a timeout or a connection error is an error.
 */
import autocannon from 'autocannon';
import type { CycleState, Workload } from './workloads/workload';

/** Options for {@link runLoad}. */
export interface LoadOptions {
  /** The gateway's GraphQL URL. */
  url: string;
  workload: Workload;
  connections: number;
  durationSeconds: number;
  /** Longest wait for one response. @default 10 */
  timeoutSeconds?: number;
}

/** What one load run measured. */
export interface LoadResult {
  /** Responses received (right or wrong). */
  responses: number;
  seconds: number;
  requestsPerSecond: number;
  /** Latency percentiles of all responses, ms. */
  p50: number;
  p95: number;
  p99: number;
  /** Wrong answers + non-200 + timeouts + connection errors. */
  errors: number;
  /** Up to five distinct problems, with how often each was seen. */
  problems: [string, number][];
  /** Every response's latency, ms, sorted (to merge rounds). */
  latencies: number[];
}

function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] as number;
}

/** The problem with one response, or undefined when it is right. */
function problemOf(workload: Workload, stepIndex: number, status: number, body: string, state: CycleState): string | undefined {
  const step = workload.steps[stepIndex];
  if (!step) return 'no such step';
  let json: { data?: unknown; errors?: { message?: string; extensions?: { code?: string } }[] };
  try {
    json = JSON.parse(body) as typeof json;
  } catch {
    return `${step.operation.name}: HTTP ${status}, not JSON`;
  }
  if (json.errors && json.errors.length > 0) {
    const first = json.errors[0];
    return `${step.operation.name}: HTTP ${status} ${first?.extensions?.code ?? ''} ${String(first?.message).slice(0, 120)}`;
  }
  if (status !== 200) return `${step.operation.name}: HTTP ${status}`;
  if (!json.data || typeof json.data !== 'object') return `${step.operation.name}: no data`;
  const problem = step.check(json.data as Record<string, unknown>, state);
  return problem ? `${step.operation.name}: ${problem}` : undefined;
}

/** Runs the load (see module comment). */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { workload } = options;
  const path = new URL(options.url).pathname;
  const latencies: number[] = [];
  const problems = new Map<string, number>();
  let wrong = 0;
  let responses = 0;

  const requests: autocannon.Request[] = workload.steps.map((step, index) => ({
    method: 'POST',
    path,
    setupRequest: (request: autocannon.Request, context: object) => {
      const state = context as CycleState;
      if (index === 0) for (const key of Object.keys(state)) delete state[key];
      const { variables, token } = step.prepare(state);
      return {
        ...request,
        headers: {
          'content-type': 'application/json',
          'apollographql-client-name': step.operation.client,
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify({ query: step.operation.document, operationName: step.operation.name, variables }),
      };
    },
    onResponse: (status: number, body: string, context: object) => {
      responses += 1;
      const problem = problemOf(workload, index, status, body, context as CycleState);
      if (problem) {
        wrong += 1;
        problems.set(problem, (problems.get(problem) ?? 0) + 1);
      }
    },
  }));

  const started = performance.now();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      { url: options.url, connections: options.connections, duration: options.durationSeconds, timeout: options.timeoutSeconds ?? 10, requests, initialContext: {} },
      (error: unknown, finished: autocannon.Result) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(finished)),
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => {
      latencies.push(responseTime);
    });
  });
  const seconds = (performance.now() - started) / 1000;
  const failedRequests = result.errors + result.timeouts;
  if (failedRequests > 0) problems.set(`connection errors or timeouts`, failedRequests);
  latencies.sort((a, b) => a - b);
  return {
    responses,
    seconds,
    requestsPerSecond: responses / seconds,
    p50: percentile(latencies, 0.5),
    p95: percentile(latencies, 0.95),
    p99: percentile(latencies, 0.99),
    errors: wrong + failedRequests,
    problems: [...problems].sort((a, b) => b[1] - a[1]).slice(0, 5),
    latencies,
  };
}

/** One result from several runs of the same workload and gateway: totals, merged percentiles. */
export function mergeLoads(results: LoadResult[]): LoadResult {
  const latencies = results.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const responses = results.reduce((sum, r) => sum + r.responses, 0);
  const seconds = results.reduce((sum, r) => sum + r.seconds, 0);
  const problems = new Map<string, number>();
  for (const r of results) for (const [problem, count] of r.problems) problems.set(problem, (problems.get(problem) ?? 0) + count);
  return {
    responses,
    seconds,
    requestsPerSecond: seconds > 0 ? responses / seconds : 0,
    p50: percentile(latencies, 0.5),
    p95: percentile(latencies, 0.95),
    p99: percentile(latencies, 0.99),
    errors: results.reduce((sum, r) => sum + r.errors, 0),
    problems: [...problems].sort((a, b) => b[1] - a[1]).slice(0, 5),
    latencies,
  };
}
