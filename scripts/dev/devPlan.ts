/**
 * What a batch of changed files means in `npm run dev` — the one table of the watch mode:
 *
 * | changed file                                   | what happens                                             |
 * | ---------------------------------------------- | -------------------------------------------------------- |
 * | `subgraphs/<name>/src/**`                      | that subgraph restarts (only it)                          |
 * | `schema/<name>.graphql`                        | recompose; when it composes, `<name>` restarts on its new SDL and the gateway hot-reloads the supergraph (no gateway restart) |
 * | `schema/accepted-hints.json`                   | recompose (hints are reported again)                      |
 * | `gateway/src/**`, `operations/**`              | the gateway restarts (it reads the operations at start)   |
 * | `subgraphs/kit/src/**`                         | every subgraph restarts, then the gateway (all import it) |
 *
 * Only source files count (`.ts`, `.js`, `.json`, `.graphql` and their kin), so an editor's swap or
 * backup files, and vim's `4913` probe, restart nothing.
 */
import { relative, sep } from 'node:path';
import { SUBGRAPH_NAMES, isSubgraphName, type SubgraphName } from '../../subgraphs/kit/src';

/** A process of the estate that dev mode restarts. */
export type EstateProcessName = SubgraphName | 'gateway';

/** What to do about a batch of changes. */
export interface DevPlan {
  /** Processes whose code changed, subgraphs in estate order, the gateway last. */
  restart: EstateProcessName[];
  /** Subgraphs whose SDL changed: restarted only once the supergraph composes. */
  schemas: SubgraphName[];
  /** Compose the supergraph again. */
  recompose: boolean;
  /** The changed files that mean something, relative to the root, for the log. */
  files: string[];
}

/** Folders dev mode watches, relative to the repository root. */
export const WATCHED_DIRECTORIES = ['gateway/src', 'subgraphs', 'schema', 'operations'] as const;

/** Maps changed files (absolute paths) to a plan (see the table in the module comment). */
export function planChanges(root: string, paths: readonly string[]): DevPlan {
  const restart = new Set<EstateProcessName>();
  const schemas = new Set<SubgraphName>();
  let recompose = false;
  const files: string[] = [];
  for (const path of paths) {
    const file = relative(root, path).split(sep).join('/');
    const effect = effectOf(file);
    if (!effect) continue;
    files.push(file);
    for (const name of effect.restart ?? []) restart.add(name);
    if (effect.schema) schemas.add(effect.schema);
    recompose ||= effect.recompose ?? false;
  }
  const order: EstateProcessName[] = [...SUBGRAPH_NAMES, 'gateway'];
  return {
    restart: order.filter((name) => restart.has(name)),
    schemas: SUBGRAPH_NAMES.filter((name) => schemas.has(name)),
    recompose,
    files,
  };
}

/** True when a plan asks for nothing. */
export function isEmptyPlan(plan: DevPlan): boolean {
  return plan.restart.length === 0 && plan.schemas.length === 0 && !plan.recompose;
}

interface Effect {
  restart?: readonly EstateProcessName[];
  schema?: SubgraphName;
  recompose?: boolean;
}

const SOURCE_FILE = /\.(?:[cm]?[jt]sx?|json|graphql)$/;

// Private: one changed file's effect, or null when it means nothing to a running estate.
function effectOf(file: string): Effect | null {
  const parts = file.split('/');
  const [top, second, third] = parts;
  const base = parts[parts.length - 1] ?? '';
  if (!SOURCE_FILE.test(base)) return null;
  if (top === 'schema' && parts.length === 2) {
    const name = base.replace(/\.graphql$/, '');
    if (isSubgraphName(name) && base.endsWith('.graphql')) return { schema: name, recompose: true };
    return base === 'accepted-hints.json' ? { recompose: true } : null;
  }
  if (top === 'gateway' && second === 'src') return { restart: ['gateway'] };
  if (top === 'operations') return { restart: ['gateway'] };
  if (top === 'subgraphs' && third === 'src') {
    if (second === 'kit') return { restart: [...SUBGRAPH_NAMES, 'gateway'] };
    if (isSubgraphName(second)) return { restart: [second] };
  }
  return null;
}
