/**
 * What a workload is: the requests one connection sends in turn (autocannon cycles them per
 * connection), each with the variables and token it draws from the seeded data and a check of its
 * answer. A check returns the problem it found, so a fast wrong answer counts as an error.
 */
import type { DemoDataset } from '../../scripts/seed/demoDataset';
import type { AuthConfig } from '../../subgraphs/kit/src';
import type { BenchOperation } from './benchOperation';

/** State one connection keeps across the steps of one cycle (e.g. the customer found in step 1). */
export type CycleState = Record<string, unknown>;

/** One request of a workload. */
export interface WorkloadStep {
  operation: BenchOperation;
  /** Variables and bearer token (none = anonymous) of the next request of this step. */
  prepare(state: CycleState): { variables: Record<string, unknown>; token?: string };
  /** The problem with `data` (the response had status 200 and no `errors`), or undefined when it is right. */
  check(data: Record<string, unknown>, state: CycleState): string | undefined;
}

/** A workload: steps sent in order by each connection, over and over. */
export interface Workload {
  /** `W1`… */
  id: string;
  title: string;
  steps: WorkloadStep[];
}

/** What a workload factory gets. */
export interface WorkloadContext {
  dataset: DemoDataset;
  auth: AuthConfig;
  /** Unique per run: idempotency keys must not repeat across runs against a kept database. */
  runId: string;
}

/** Builds a workload. */
export type WorkloadFactory = (context: WorkloadContext) => Workload;

/** Round-robin over `items`, one shared cursor per workload (connections interleave). */
export function roundRobin<T>(items: readonly T[]): () => T {
  if (items.length === 0) throw new Error('roundRobin needs at least one item');
  let next = 0;
  return () => {
    const item = items[next % items.length] as T;
    next += 1;
    return item;
  };
}

/** Reads `path` (dot-separated) of a value, undefined where it stops. */
export function pathOf(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
