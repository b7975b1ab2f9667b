/**
 * The child processes of a local estate (`npm start`, `npm run dev`): each subgraph and the gateway run
 * as `node --import tsx <entry>`, their log lines prefixed with `[<name>] `. A process can be stopped
 * and started again under the same name (dev mode's restarts); stopping everything takes the gateway
 * first, so no new request reaches a subgraph that is going away.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/** Options for {@link EstateProcesses}. */
export interface EstateProcessesOptions {
  /** The repository root: entries are relative to it and children run in it. */
  root: string;
  /**
   * Called when a child exits that nobody asked to stop (a crash, a compile error), with how it
   * ended (`code 1`, `SIGKILL`). Not called while everything is being stopped.
   */
  onUnexpectedExit(name: string, how: string): void;
}

/** The estate's child processes, by name (see module comment). */
export class EstateProcesses {
  private readonly children = new Map<string, ChildProcess>();
  // Children being stopped on purpose: their exit is not news.
  private readonly expectedExits = new WeakSet<ChildProcess>();
  private stoppingAll = false;

  constructor(private readonly options: EstateProcessesOptions) {}

  /** True once {@link stopAll} was called: nothing starts any more. */
  get stopping(): boolean {
    return this.stoppingAll;
  }

  /** Starts `entry` (a path relative to the root) as process `name`, with `nodeFlags` for Node; throws once everything is stopping. */
  start(name: string, entry: string, env: NodeJS.ProcessEnv, nodeFlags: readonly string[] = []): ChildProcess {
    if (this.stoppingAll) throw new Error(`not starting ${name}: the estate is stopping`);
    const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', join(this.options.root, entry)], { cwd: this.options.root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    if (child.stdout) forwardLines(child.stdout, process.stdout, `[${name}] `);
    if (child.stderr) forwardLines(child.stderr, process.stderr, `[${name}] `);
    child.on('exit', (code, signal) => {
      // A restarted process already has its successor under the same name.
      if (this.children.get(name) === child) this.children.delete(name);
      if (!this.stoppingAll && !this.expectedExits.has(child)) this.options.onUnexpectedExit(name, signal ?? `code ${code}`);
    });
    this.children.set(name, child);
    return child;
  }

  /** Stops process `name` on purpose (SIGTERM, SIGKILL after 10 s); resolves at once when it is not running. */
  async stop(name: string): Promise<void> {
    const child = this.children.get(name);
    if (!child) return;
    this.expectedExits.add(child);
    await stopChild(child);
  }

  /** Stops everything: the gateway first, then every other process together. */
  async stopAll(): Promise<void> {
    this.stoppingAll = true;
    const gateway = this.children.get('gateway');
    if (gateway) await stopChild(gateway);
    await Promise.all([...this.children.entries()].filter(([name]) => name !== 'gateway').map(([, child]) => stopChild(child)));
  }
}

/**
 * Polls `url` until it answers 2xx; throws when `child` exits first or after `timeoutMs`.
 * @default timeoutMs 90000
 */
export async function waitUntilReady(name: string, url: string, child: ChildProcess, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name} exited with ${child.signalCode ?? `code ${child.exitCode}`} while starting (see its log above)`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${name} did not become ready at ${url} within ${timeoutMs / 1000} s`);
}

// Private: a child's output arrives in arbitrary chunks; only whole, non-blank lines are prefixed and
// written, so two processes' lines never interleave mid-line.
function forwardLines(stream: NodeJS.ReadableStream, out: NodeJS.WriteStream, prefix: string): void {
  let buffered = '';
  stream.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) out.write(`${prefix}${line}\n`);
  });
}

// Private: SIGTERM lets the child drain (its own graceful stop); SIGKILL after 10 s bounds a stuck one.
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
