/**
 * Starting and stopping the benchmark's child processes (subgraphs, gateways): Node running the
 * TypeScript entry points compiled by `tsc` into `dist/` — as production runs them — or through tsx
 * with `BENCH_RUNTIME=tsx` (see {@link entryArgs}); output
 * kept in a ring buffer and shown only when a child dies or fails to start, and a stop that waits for
 * the exit (a gateway started with `--cpu-prof` writes its profile on exit). With `BENCH_LOG_DIR` set,
 * each child's whole output is also appended to `<BENCH_LOG_DIR>/<name>.log` (e.g. to find why an
 * answer was an INTERNAL_SERVER_ERROR: the masked error's stack is in the subgraph's log).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { repositoryRoot } from '../subgraphs/kit/src';

let compiledOnce = false;

/**
 * The `node` arguments that run the TypeScript file `relativePath` (from the repository root).
 * By default the compiled JavaScript: the first call compiles the gateway, subgraphs, scripts and
 * bench with `tsc -p tsconfig.build.json` (`npm run build`) into `dist/` (about 15 s), once per
 * benchmark process, so every child runs the current source. Why compiled: that is how production runs (`npm run build`, the Dockerfile), and
 * tsx turns on source maps for the whole process (`process.setSourceMapsEnabled(true)`), which makes
 * every `error.stack` read costlier — plain Apollo Gateway's default HTTP agent reads one per subgraph
 * fetch — and keeps esbuild and the transformed sources in memory (≈ 38 MB of the gateway's RSS).
 * `BENCH_RUNTIME=tsx` runs the sources through tsx instead, as `npm start` does.
 */
export function entryArgs(relativePath: string): string[] {
  const root = repositoryRoot();
  if (process.env.BENCH_RUNTIME === 'tsx') return ['--import', 'tsx', path.join(root, relativePath)];
  if (process.env.BENCH_RUNTIME && process.env.BENCH_RUNTIME !== 'compiled') throw new Error(`BENCH_RUNTIME must be "compiled" or "tsx", not "${process.env.BENCH_RUNTIME}"`);
  if (!compiledOnce) {
    process.stderr.write('[bench] compiling into dist/ (npm run build: tsc -p tsconfig.build.json; BENCH_RUNTIME=tsx skips this)\n');
    try {
      execFileSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
    } catch (error) {
      // tsc still writes the JavaScript when the types do not check (type checks are the tests' job).
      if (!existsSync(path.join(root, 'dist', relativePath.replace(/\.ts$/, '.js')))) throw error;
      process.stderr.write('[bench] tsc reported type errors (above); running the JavaScript it wrote anyway\n');
    }
    compiledOnce = true;
  }
  return [path.join(root, 'dist', relativePath.replace(/\.ts$/, '.js'))];
}

/** A running child. */
export interface BenchChild {
  name: string;
  process: ChildProcess;
  pid: number;
  /** The last lines it wrote. */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
}

/** Options for {@link startChild}. */
export interface StartChildOptions {
  name: string;
  /** Arguments to `node` (script first, after any Node flags). */
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Opens an IPC channel (bench subgraphs answer counters over it). */
  ipc?: boolean;
}

/** Spawns `node <args>` in the repository root. */
export function startChild(options: StartChildOptions): BenchChild {
  const child = spawn(process.execPath, options.args, {
    cwd: repositoryRoot(),
    env: options.env,
    stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter((line) => line.trim()));
    if (lines.length > 40) lines.splice(0, lines.length - 40);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const logDirectory = process.env.BENCH_LOG_DIR;
  if (logDirectory) {
    mkdirSync(logDirectory, { recursive: true });
    const log = createWriteStream(path.join(logDirectory, `${options.name.replace(/[^\w.-]+/g, '-')}.log`), { flags: 'a' });
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
  }
  if (child.pid === undefined) throw new Error(`could not start ${options.name}`);
  return {
    name: options.name,
    process: child,
    pid: child.pid,
    output: () => lines.join('\n'),
    stop(graceMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      });
    },
  };
}

/** Polls `url` until it answers (any HTTP status) or the child exits or the time is up. */
export async function waitForHttp(child: BenchChild, url: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.process.exitCode !== null) throw new Error(`${child.name} exited with code ${child.process.exitCode}:\n${child.output()}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${child.name} did not answer at ${url} within ${timeoutMs / 1000} s:\n${child.output()}`);
}

