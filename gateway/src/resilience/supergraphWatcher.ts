/**
 * Supergraph hot reload, through Apollo Gateway's own hook (`supergraphSdl` as a function that gets an
 * `update` callback): the gateway starts on the supergraph file (or `SUPERGRAPH_URL`), then watches
 * the file (fs.watch on its folder, so an editor's or a deploy's rename-into-place is seen; debounced,
 * because one save is several events) or polls the URL. A changed supergraph is checked and handed
 * to `update`; Apollo Gateway builds the new schema and query planner and swaps them in, while
 * requests already running finish on the old ones. An invalid supergraph is refused with a log line
 * saying why, and the gateway keeps serving the one it has.
 */
import { watch, watchFile, unwatchFile, readFileSync, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { SupergraphSdlHook } from '@apollo/gateway';
import type { Logger } from '../../../subgraphs/kit/src';
import { parseSupergraph, type Supergraph } from '../supergraph';

/** Options for {@link watchedSupergraph}. */
export interface SupergraphWatcherOptions {
  /** The supergraph file (read at start, and watched unless `watch` is false). */
  path: string;
  /** Poll the supergraph from this URL instead of the file. */
  url?: string;
  /** How often the URL is polled, ms. @default 10000 */
  pollMs?: number;
  /** Watch the file. @default true */
  watch?: boolean;
  /** Quiet time after the last file event before the file is read, ms. @default 150 */
  debounceMs?: number;
  logger: Logger;
  /** Called with each supergraph the gateway has accepted, the first included. */
  onApplied?: (supergraph: Supergraph) => void;
  /** Called when a new supergraph is refused. */
  onRejected?: (reason: string) => void;
}

/** Builds the `supergraphSdl` hook for `new ApolloGateway({ supergraphSdl })` (see module comment). */
export function watchedSupergraph(options: SupergraphWatcherOptions): SupergraphSdlHook {
  const { logger } = options;
  const source = options.url ?? options.path;
  return async ({ update }) => {
    const first = parseSupergraph(options.url ? await fetchText(options.url) : readFileSync(options.path, 'utf8'), source);
    let appliedSdl = first.sdl;
    let stopped = false;

    const offer = (sdl: string): void => {
      if (stopped || sdl === appliedSdl) return;
      let supergraph: Supergraph;
      try {
        supergraph = parseSupergraph(sdl, source);
        // Throws, leaving the current schema in place, when the SDL does not build.
        update(sdl);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        // Remembered so an unchanged bad file is not retried (and logged) on every event.
        appliedSdl = sdl;
        logger.warn('supergraph reload refused; still serving the previous supergraph', { source, reason });
        options.onRejected?.(reason);
        return;
      }
      appliedSdl = sdl;
      logger.info('supergraph reloaded', { source, subgraphs: supergraph.subgraphs.map((s) => s.name) });
      options.onApplied?.(supergraph);
    };

    const cleanups: (() => void)[] = [];
    if (options.url) {
      const url = options.url;
      const timer = setInterval(() => {
        fetchText(url).then(offer, (error: unknown) => logger.warn('supergraph poll failed; keeping the current supergraph', { source, reason: error instanceof Error ? error.message : String(error) }));
      }, options.pollMs ?? 10_000);
      timer.unref();
      cleanups.push(() => clearInterval(timer));
    } else if (options.watch ?? true) {
      let debounce: NodeJS.Timeout | undefined;
      const read = () => {
        debounce = undefined;
        let sdl: string;
        try {
          sdl = readFileSync(options.path, 'utf8');
        } catch (error) {
          // Mid-replacement (deleted, not yet renamed into place): the next event brings it back.
          logger.warn('supergraph file unreadable; keeping the current supergraph', { source, reason: error instanceof Error ? error.message : String(error) });
          return;
        }
        offer(sdl);
      };
      const schedule = () => {
        clearTimeout(debounce);
        debounce = setTimeout(read, options.debounceMs ?? 150);
        debounce.unref();
      };
      let watcher: FSWatcher | undefined;
      try {
        const name = basename(options.path);
        watcher = watch(dirname(options.path), { persistent: false }, (_event, filename) => {
          if (!filename || filename === name) schedule();
        });
        watcher.on('error', (error) => logger.warn('supergraph watch failed', { source, reason: error.message }));
      } catch (error) {
        // No inotify (or too many watches): poll the file's stat instead.
        logger.warn('cannot watch the supergraph folder; polling the file instead', { source, reason: error instanceof Error ? error.message : String(error) });
        watchFile(options.path, { interval: 1000, persistent: false }, schedule);
        cleanups.push(() => unwatchFile(options.path, schedule));
      }
      cleanups.push(() => {
        watcher?.close();
        clearTimeout(debounce);
      });
    }
    options.onApplied?.(first);
    return {
      supergraphSdl: first.sdl,
      cleanup: async () => {
        stopped = true;
        for (const cleanup of cleanups) cleanup();
      },
    };
  };
}

async function fetchText(url: string): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  return response.text();
}
