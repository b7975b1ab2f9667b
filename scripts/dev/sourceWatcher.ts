/**
 * Watches folder trees for `npm run dev` with node's own `fs.watch`, and reports changed files in
 * batches: one save is several events (an editor writes a temporary file and renames it into place,
 * formatters save twice), so events are collected until `debounceMs` pass without one and then handed
 * over together, each path once.
 *
 * Why one watcher per folder rather than `fs.watch(root, { recursive: true })`: on Linux, Node 20's
 * recursive mode watches each file by inode, so a file an editor replaces by renaming a new one into
 * place (vim, `sed -i`, JetBrains' safe write) is never seen again after its first save. A folder's own
 * watcher (inotify on the folder) reports every change to any name in it, whatever the inode. Folders
 * created later get a watcher when they appear, and the files already in them count as changed.
 */
import { existsSync, readdirSync, statSync, watch, type Dirent, type FSWatcher } from 'node:fs';
import { join, sep } from 'node:path';

/** Options for {@link watchSources}. */
export interface SourceWatcherOptions {
  /** Absolute folders to watch, with everything below them; a folder that does not exist is skipped. */
  directories: readonly string[];
  /** Quiet time after the last event before a batch is handed over, ms. @default 200 */
  debounceMs?: number;
  /** Receives each batch: absolute paths of what changed (created, written, renamed or deleted), sorted. */
  onChanges(paths: string[]): void;
  /** A folder could not be watched (it is then skipped). */
  onError?(directory: string, error: Error): void;
}

/** A running watcher. */
export interface SourceWatcher {
  /** Stops watching; a batch still waiting for its quiet time is dropped. */
  close(): void;
}

/** Folders never watched: dependencies, and tool folders such as `.git`. */
const SKIPPED_FOLDER = /^(?:node_modules|\..*)$/;

/** Starts watching (see module comment). */
export function watchSources(options: SourceWatcherOptions): SourceWatcher {
  const changed = new Set<string>();
  const watchers = new Map<string, FSWatcher>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const flush = () => {
    timer = undefined;
    if (closed || changed.size === 0) return;
    const paths = [...changed].sort();
    changed.clear();
    options.onChanges(paths);
  };
  const record = (path: string) => {
    changed.add(path);
    clearTimeout(timer);
    timer = setTimeout(flush, options.debounceMs ?? 200);
  };
  // Private: a folder that went away takes the watchers of its subfolders with it.
  const unwatch = (directory: string) => {
    for (const [path, watcher] of [...watchers]) {
      if (path !== directory && !path.startsWith(`${directory}${sep}`)) continue;
      watcher.close();
      watchers.delete(path);
    }
  };

  // Private: a watcher on `directory` and each folder below it; `announce` records the files already
  // there (a folder that just appeared may have been filled before its watcher existed).
  const watchTree = (directory: string, announce: boolean) => {
    if (closed || watchers.has(directory) || !isDirectory(directory)) return;
    let watcher: FSWatcher;
    try {
      watcher = watch(directory, (_event, filename) => {
        if (!filename) return record(directory);
        const path = join(directory, filename.toString());
        record(path);
        if (watchers.has(path) && !existsSync(path)) unwatch(path);
        else if (!SKIPPED_FOLDER.test(filename.toString())) watchTree(path, true);
      });
    } catch (error) {
      options.onError?.(directory, error instanceof Error ? error : new Error(String(error)));
      return;
    }
    // A watched folder that is deleted ends its watcher with an error on some platforms: drop it.
    watcher.on('error', () => unwatch(directory));
    watchers.set(directory, watcher);
    for (const entry of entriesOf(directory)) {
      const path = join(directory, entry.name);
      if (entry.isDirectory() && !SKIPPED_FOLDER.test(entry.name)) watchTree(path, announce);
      else if (announce && entry.isFile()) record(path);
    }
  };

  for (const directory of options.directories) if (existsSync(directory)) watchTree(directory, false);
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      for (const directory of [...watchers.keys()]) unwatch(directory);
    },
  };
}

// Private: a path that vanished between the event and this check is simply not a folder.
function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

// Private: as isDirectory, a folder deleted while it is being walked has no entries.
function entriesOf(directory: string): Dirent[] {
  try {
    return readdirSync(directory, { withFileTypes: true });
  } catch {
    return [];
  }
}
