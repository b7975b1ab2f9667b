/**
 * Starts a throw-away `nats-server -js` for a test file or the benchmark: a free port, a temporary
 * store directory, killed (and the directory removed) by `stop`.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../subgraphs/kit/src';

/** A running NATS server. */
export interface RunningNatsServer {
  /** `nats://127.0.0.1:<port>` */
  url: string;
  stop(): Promise<void>;
}

/** What a test that needs `nats-server` fails with when it is not installed. */
export const NATS_SERVER_MISSING =
  'nats-server is not on PATH: the NATS JetStream tests need it. Install the Debian package `nats-server` (as root: apt-get install -y nats-server; .ci/run does).';

/** The `nats-server` executable on PATH (or in /usr/sbin, /usr/local/sbin), or null (the NATS tests then fail with {@link NATS_SERVER_MISSING}). */
export function findNatsServer(): string | null {
  // Debian installs it in /usr/sbin, which a non-root user's PATH often lacks.
  for (const directory of [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/local/sbin']) {
    if (!directory) continue;
    const candidate = path.join(directory, 'nats-server');
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Starts `nats-server -js` on a free port; rejects when it is not installed or does not come up in 10 s. */
export async function startNatsServer(): Promise<RunningNatsServer> {
  const executable = findNatsServer();
  if (!executable) throw new Error(NATS_SERVER_MISSING);
  const storeDirectory = mkdtempSync(path.join(os.tmpdir(), 'zocalo-nats-'));
  const port = await freePort();
  const child = spawn(executable, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDirectory], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 10_000;
  while (!(await canConnect(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      rmSync(storeDirectory, { recursive: true, force: true });
      throw new Error(`nats-server did not start on port ${port}: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return {
    url: `nats://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(storeDirectory, { recursive: true, force: true });
    },
  };
}
