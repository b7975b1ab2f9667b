/**
 * `npm start`: the whole estate on one machine — the local database (through the one helper), the demo
 * data on first start, the five subgraphs as separate processes, then the gateway. Prints where each
 * listens and how to get a token; Ctrl-C (or SIGTERM) stops everything, gateway first.
 *
 * The database's address is recorded in `.data/database.json` while it runs, so an operator can stop
 * one subgraph and start it again alone with `npm run start:<name>`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import {
  DEFAULT_PORTS,
  SUBGRAPH_NAMES,
  removeRunningDatabaseRecord,
  repositoryRoot,
  startLocalDatabase,
  writeRunningDatabaseRecord,
  type LocalDatabase,
} from '../subgraphs/kit/src';
import { readPort } from '../subgraphs/kit/src/config';
import { seedEstate } from './seed/seedEstate';

const root = repositoryRoot();
const say = (line: string) => process.stdout.write(`[zócalo] ${line}\n`);
const children = new Map<string, ChildProcess>();
let stopping = false;

function startProcess(name: string, entry: string, env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, entry)], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = `[${name}] `;
  const forward = (stream: NodeJS.ReadableStream, out: NodeJS.WriteStream) => {
    let buffered = '';
    stream.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) out.write(`${prefix}${line}\n`);
    });
  };
  if (child.stdout) forward(child.stdout, process.stdout);
  if (child.stderr) forward(child.stderr, process.stderr);
  child.on('exit', (code, signal) => {
    children.delete(name);
    if (!stopping) say(`${name} exited (${signal ?? `code ${code}`}); the rest keeps running. Restart it with: npm run start:${name}`);
  });
  children.set(name, child);
  return child;
}

async function waitUntilReady(name: string, url: string, child: ChildProcess, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode} while starting (see its log above)`);
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

/** Sends SIGTERM and waits for the exit (SIGKILL after 10 s); resolves at once for a child already gone. */
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

async function stopAll(database: LocalDatabase | undefined): Promise<void> {
  stopping = true;
  // The gateway first (no new requests reach the subgraphs), then the subgraphs together, then the database.
  const gateway = children.get('gateway');
  if (gateway) await stopChild(gateway);
  await Promise.all(SUBGRAPH_NAMES.map((name) => children.get(name)).filter((child): child is ChildProcess => child !== undefined).map(stopChild));
  if (database) {
    await removeRunningDatabaseRecord();
    await database.stop();
  }
}

async function main(): Promise<void> {
  let database: LocalDatabase | undefined;
  const shutdown = (signal: string) => {
    if (stopping) return;
    say(`${signal}: stopping the gateway, the subgraphs and the database…`);
    stopAll(database)
      .then(() => process.exit(0))
      .catch(() => process.exit(1));
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  try {
    database = await startLocalDatabase({ mode: 'persistent', log: say });
    say(`database: ${database.description}`);
    if (database.source !== 'MONGODB_URI') await writeRunningDatabaseRecord(database);

    await seedEstate({ uri: database.uri, log: say });

    const env: NodeJS.ProcessEnv = { ...process.env, MONGODB_URI: database.uri };
    delete env.PORT;
    const started = SUBGRAPH_NAMES.map((name) => {
      const port = readPort(process.env, `${name.toUpperCase()}_PORT`, DEFAULT_PORTS[name]);
      const child = startProcess(name, `subgraphs/${name}/src/index.ts`, { ...env, PORT: String(port) });
      return { name, port, child };
    });
    await Promise.all(started.map(({ name, port, child }) => waitUntilReady(name, `http://127.0.0.1:${port}/ready`, child)));

    const gatewayPort = readPort(process.env, 'GATEWAY_PORT', DEFAULT_PORTS.gateway);
    const gatewayEnv: NodeJS.ProcessEnv = { ...env, PORT: String(gatewayPort) };
    for (const { name, port } of started) gatewayEnv[`${name.toUpperCase()}_URL`] ??= `http://127.0.0.1:${port}/graphql`;
    const gateway = startProcess('gateway', 'gateway/src/index.ts', gatewayEnv);
    await waitUntilReady('gateway', `http://127.0.0.1:${gatewayPort}/health`, gateway);

    say('');
    say(`Zócalo is up: http://localhost:${gatewayPort}/graphql`);
    for (const { name, port } of started) say(`  ${name.padEnd(10)} http://localhost:${port}/graphql`);
    say('Get a token:  npm run token -- --role AGENT      (roles: CUSTOMER ASSOCIATE AGENT ANALYST ADMIN SERVICE)');
    say(`Try:          curl -s localhost:${gatewayPort}/graphql -H 'content-type: application/json' -d '{"query":"{ products(first: 3) { nodes { sku name price { amount } } } }"}'`);
    say('Ctrl-C stops everything.');
  } catch (error) {
    process.stderr.write(`[zócalo] could not start: ${error instanceof Error ? error.message : String(error)}\n`);
    await stopAll(database);
    process.exit(1);
  }
}

void main();
