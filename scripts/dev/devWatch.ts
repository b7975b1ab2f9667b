/**
 * The watch loop of `npm run dev`, apart from the processes it restarts (so a test can run it on a
 * temporary folder with a restart callback that records what it is asked): changed files are batched
 * (sourceWatcher.ts), planned (devPlan.ts) and acted on one batch at a time — a save arriving during a
 * restart waits for it and then makes one more batch, so a process is never restarted twice at once.
 *
 * A batch acts in this order: compose if an SDL changed; restart the subgraphs whose code changed and
 * those whose SDL now composes; write the supergraph file, which the gateway hot-reloads; restart the
 * gateway last if its code changed. A subgraph whose SDL does not compose is held: it keeps running
 * on its previous SDL (consistent with the supergraph the gateway still serves) and is not restarted,
 * even for a code change, until the estate composes again.
 */
import { join } from 'node:path';
import { SUBGRAPH_NAMES, type SubgraphName } from '../../subgraphs/kit/src';
import { WATCHED_DIRECTORIES, isEmptyPlan, planChanges, type DevPlan, type EstateProcessName } from './devPlan';
import { recompose, writeSupergraphFile } from './recomposition';
import { watchSources } from './sourceWatcher';

/** Options for {@link startDevWatch}. */
export interface DevWatchOptions {
  /** The repository root; its `gateway/src`, `subgraphs`, `schema` and `operations` are watched. */
  root: string;
  /** The supergraph file the gateway serves and watches. */
  supergraphPath: string;
  /** Where the SDLs are composed from. @default `<root>/schema` */
  schemaDir?: string;
  /** Restarts these processes (subgraphs together, or the gateway alone) and resolves when they are up or have failed; should not throw. */
  restart(names: readonly EstateProcessName[]): Promise<void>;
  /** One line of news for the operator. */
  say(line: string): void;
  /** Quiet time that ends a batch of file events, ms. @default 200 */
  debounceMs?: number;
}

/** A running watch loop. */
export interface DevWatch {
  /** Stops watching at once; resolves when the batch being acted on (if any) is done. */
  close(): Promise<void>;
}

/** Starts the watch loop (see module comment). */
export function startDevWatch(options: DevWatchOptions): DevWatch {
  const { say } = options;
  const schemaDir = options.schemaDir ?? join(options.root, 'schema');
  const pending: string[] = [];
  // SDL changed but not composed yet: these keep running on their last good SDL.
  const held = new Set<SubgraphName>();
  let working: Promise<void> | null = null;
  let closed = false;

  const act = async (plan: DevPlan) => {
    say(`changed: ${plan.files.join(', ')}`);
    let supergraphSdl: string | null = null;
    // Subgraphs to restart on their new SDL: this batch's, and those held since an earlier failure.
    let composedSchemas: SubgraphName[] = [];
    if (plan.recompose) {
      for (const name of plan.schemas) held.add(name);
      supergraphSdl = recompose(schemaDir, say);
      if (supergraphSdl !== null) {
        composedSchemas = [...held];
        held.clear();
      }
    }
    const subgraphs = SUBGRAPH_NAMES.filter((name) => plan.restart.includes(name) || composedSchemas.includes(name));
    const waiting = subgraphs.filter((name) => held.has(name));
    if (waiting.length > 0) say(`not restarting ${waiting.join(', ')}: held on the last good SDL until the estate composes again`);
    const restartable = subgraphs.filter((name) => !held.has(name));
    if (restartable.length > 0) await options.restart(restartable);
    if (supergraphSdl !== null) {
      const changed = writeSupergraphFile(options.supergraphPath, supergraphSdl);
      say(changed ? `supergraph recomposed into ${options.supergraphPath}; the gateway hot-reloads it` : 'supergraph unchanged');
    }
    if (plan.restart.includes('gateway')) await options.restart(['gateway']);
  };

  const drain = () => {
    if (working || closed) return;
    working = (async () => {
      while (pending.length > 0 && !closed) {
        const plan = planChanges(options.root, pending.splice(0));
        if (isEmptyPlan(plan)) continue;
        try {
          await act(plan);
        } catch (error) {
          say(`dev watch: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    })().finally(() => {
      working = null;
      // A batch may have arrived between the loop's last check and now.
      if (pending.length > 0) drain();
    });
  };

  const watcher = watchSources({
    directories: WATCHED_DIRECTORIES.map((directory) => join(options.root, directory)),
    ...(options.debounceMs === undefined ? {} : { debounceMs: options.debounceMs }),
    onChanges: (paths) => {
      pending.push(...paths);
      drain();
    },
    onError: (directory, error) => say(`cannot watch ${directory}: ${error.message}`),
  });

  return {
    async close() {
      closed = true;
      watcher.close();
      await working;
    },
  };
}

