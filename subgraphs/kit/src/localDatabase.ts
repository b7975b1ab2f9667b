/**
 * Where the MongoDB server comes from — the one helper used by `npm start`, `npm run db` and the tests.
 *
 * DESIGN.md ("Rules that hold everywhere") fixes the order: `MONGODB_URI` if set, else `mongod` on
 * PATH, else mongo-java-server (a MongoDB wire-protocol server in Java, fetched from Maven Central
 * and started through scripts/database/MongoLauncher.java), else `mongodb-memory-server` when that
 * package happens to be installed. Whatever is chosen is reported through `log` and `description`,
 * because tests and benchmarks must be able to say which server they ran against.
 *
 * A server this helper starts never outlives the Node process that started it: the Java launcher
 * exits when its stdin pipe closes (which the operating system does when Node dies, even on
 * SIGKILL), and `mongod`, which has no such behaviour, is watched by a tiny Node watchdog that does.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { constants as fsConstants, promises as fsp, existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './freePort';
import { redactUri } from './mongo';

/** Which kind of server {@link startLocalDatabase} chose, in the order it tries them. */
export type DatabaseSource = 'MONGODB_URI' | 'mongod' | 'mongo-java-server' | 'mongodb-memory-server';

/** A database server ready for the official `mongodb` driver. */
export interface LocalDatabase {
  /** Connection string without a database name: each subgraph picks its own database. */
  uri: string;
  /** Which server this is. */
  source: DatabaseSource;
  /** human sentence, e.g. "mongo-java-server 1.47.0 (memory backend) on 127.0.0.1:40123" */
  description: string;
  /**
   * Stops a server this helper started (SIGTERM, then SIGKILL after 5 s) and waits until it has
   * exited; a no-op for `MONGODB_URI`, which belongs to someone else. Safe to call twice.
   */
  stop(): Promise<void>;
  /**
   * Fault injection for resilience tests (mongo-java-server only): stops the server process but keeps
   * its address, so clients see the database vanish. With the memory backend its data goes too.
   */
  takeDown?(): Promise<void>;
  /** Starts the server again on the same address after {@link LocalDatabase.takeDown}. */
  bringUp?(): Promise<void>;
  /**
   * Fault injection (mongo-java-server only): stops the server process where it stands (SIGSTOP). Its
   * port still accepts connections but nothing answers, as with a host that vanished without a reset
   * — the case where clients wait on their timeouts rather than fail at once.
   */
  freeze?(): Promise<void>;
  /** Lets a frozen server run again (SIGCONT), with its data. */
  thaw?(): Promise<void>;
}

/** Options of {@link startLocalDatabase}. */
export interface StartLocalDatabaseOptions {
  /** 'memory' for tests (default), 'persistent' for npm start: h2 file under <repo>/.data/mongo/ or a dbpath for mongod under .data/mongod */
  mode?: 'memory' | 'persistent';
  /** ignore MONGODB_URI (tests that must own their server) @default false */
  ignoreEnvUri?: boolean;
  /** Receives one line per decision or event; the helper never writes to the console itself. */
  log?: (line: string) => void;
  /** Port to listen on, 127.0.0.1 only; 0 or absent picks a free one. Ignored for `MONGODB_URI`. */
  port?: number;
}

/** What `.data/database.json` holds while `npm start` or `npm run db` keeps a database running. */
export interface RunningDatabaseRecord {
  uri: string;
  source: DatabaseSource;
  /** The Node process that owns the database; the database stops when it does. */
  pid: number;
  /** ISO-8601 time the database was started. */
  startedAt: string;
}

const LOOPBACK = '127.0.0.1';
/** Time allowed for a server to accept connections; the first JVM start on a slow CI box is the worst case. */
const READY_TIMEOUT_MS = 60_000;
/** Grace period between SIGTERM and SIGKILL when stopping a server. */
const STOP_GRACE_MS = 5_000;
/** A fetch lock older than this is considered abandoned (mvn normally needs well under a minute). */
const STALE_LOCK_MS = 10 * 60_000;
const STDERR_TAIL_CHARS = 4_000;

const noop = (): void => undefined;

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

/**
 * Starts (or points at) the database server for this process, trying in order `MONGODB_URI`,
 * `mongod` on PATH, mongo-java-server and `mongodb-memory-server`.
 *
 * A source that is simply not available here (no `mongod`, no `java`, package not installed) is
 * skipped with a log line; a source that is available but fails to start is also skipped so the
 * next one gets a chance, and if none works the thrown Error lists every reason.
 */
export async function startLocalDatabase(options: StartLocalDatabaseOptions = {}): Promise<LocalDatabase> {
  const mode = options.mode ?? 'memory';
  const log = options.log ?? noop;
  const port = options.port ?? 0;

  const envUri = process.env.MONGODB_URI;
  if (envUri && !options.ignoreEnvUri) {
    const description = `MONGODB_URI (${redactUri(envUri)})`;
    log(`database: using ${description}`);
    return { uri: envUri, source: 'MONGODB_URI', description, stop: async () => undefined };
  }

  const root = findRepoRoot();
  const failures: string[] = [];

  const mongod = findExecutable('mongod');
  if (mongod) {
    try {
      return await startMongod(mongod, root, mode, port, log);
    } catch (error) {
      failures.push(`mongod: ${messageOf(error)}`);
      log(`database: mongod on PATH failed to start, trying the next source: ${messageOf(error)}`);
    }
  } else {
    log('database: no mongod on PATH');
  }

  const javaSkipReason = mongoJavaServerUnavailableReason(root);
  if (javaSkipReason === null) {
    try {
      return await startMongoJavaServer(root, mode, port, log);
    } catch (error) {
      failures.push(`mongo-java-server: ${messageOf(error)}`);
      log(`database: mongo-java-server failed to start: ${messageOf(error)}`);
    }
  } else {
    failures.push(`mongo-java-server: ${javaSkipReason}`);
    log(`database: mongo-java-server not available: ${javaSkipReason}`);
  }

  const memoryServerPath = resolveOptional('mongodb-memory-server');
  if (memoryServerPath) {
    try {
      return await startMongodbMemoryServer(memoryServerPath, root, mode, port, log);
    } catch (error) {
      failures.push(`mongodb-memory-server: ${messageOf(error)}`);
    }
  } else {
    failures.push('mongodb-memory-server: package not installed');
  }

  throw new Error(
    'No MongoDB server could be started. Set MONGODB_URI to a running MongoDB, or install one of: ' +
      'mongod on PATH, Java 17 + Maven (for mongo-java-server), or the mongodb-memory-server package.\n  ' +
      failures.join('\n  '),
  );
}

/**
 * Fetches the mongo-java-server jars and compiles the launcher if either is missing or stale, without
 * starting a server (`npm run db -- --fetch`, used by CI to warm its cache).
 * @returns the mongo-java-server version found in the jars.
 */
export async function prepareMongoJavaServer(log: (line: string) => void = noop): Promise<string> {
  const root = findRepoRoot();
  const reason = mongoJavaServerUnavailableReason(root);
  if (reason !== null) throw new Error(`mongo-java-server not available: ${reason}`);
  await ensureLauncher(javaPaths(root), log);
  return mongoJavaServerVersion(javaPaths(root).lib);
}

/**
 * Writes `.data/database.json` so a subgraph started alone (`npm run start:inventory`) can find the
 * database `npm start` or `npm run db` is running. The record names this process as the owner.
 */
export async function writeRunningDatabaseRecord(db: LocalDatabase): Promise<void> {
  const file = recordPath();
  const record: RunningDatabaseRecord = {
    uri: db.uri,
    source: db.source,
    pid: process.pid,
    startedAt: new Date().toISOString(),
  };
  await fsp.mkdir(path.dirname(file), { recursive: true });
  // Write then rename so a reader never sees half a file.
  const temporary = `${file}.${process.pid}.tmp`;
  await fsp.writeFile(temporary, `${JSON.stringify(record, null, 2)}\n`);
  await fsp.rename(temporary, file);
}

/**
 * Reads `.data/database.json`.
 * @returns the record, or null when there is none, it is unreadable, or its owner process has died
 * (a crashed `npm start` leaves the file behind, and its database died with it).
 */
export async function readRunningDatabaseRecord(): Promise<RunningDatabaseRecord | null> {
  let record: RunningDatabaseRecord;
  try {
    record = JSON.parse(await fsp.readFile(recordPath(), 'utf8')) as RunningDatabaseRecord;
  } catch {
    return null;
  }
  if (typeof record.uri !== 'string' || typeof record.pid !== 'number') return null;
  return isProcessAlive(record.pid) ? record : null;
}

/**
 * Deletes `.data/database.json` when this process owns it or its owner is gone; a record belonging
 * to another live process (say `npm run db` while a second `npm start` shuts down) is left alone.
 */
export async function removeRunningDatabaseRecord(): Promise<void> {
  const file = recordPath();
  try {
    const record = JSON.parse(await fsp.readFile(file, 'utf8')) as Partial<RunningDatabaseRecord>;
    if (typeof record.pid === 'number' && record.pid !== process.pid && isProcessAlive(record.pid)) return;
  } catch {
    // missing or unreadable: removing is harmless
  }
  await fsp.rm(file, { force: true });
}

/**
 * The connection string for a subgraph started on its own: `MONGODB_URI` if set, else the database
 * `npm start` / `npm run db` recorded in `.data/database.json`.
 * @throws Error telling the operator what to run when neither exists.
 */
export async function resolveMongoUri(log: (line: string) => void = noop): Promise<string> {
  const envUri = process.env.MONGODB_URI;
  if (envUri) {
    log(`database: using MONGODB_URI (${redactUri(envUri)})`);
    return envUri;
  }
  const record = await readRunningDatabaseRecord();
  if (record) {
    log(`database: using the ${record.source} database started by pid ${record.pid} (${redactUri(record.uri)})`);
    return record.uri;
  }
  throw new Error(
    'No database to connect to: MONGODB_URI is not set and no running database is recorded in ' +
      `${path.relative(process.cwd(), recordPath()) || recordPath()}. Run \`npm start\` (everything) or ` +
      '`npm run db` (the database alone) first, or set MONGODB_URI=mongodb://host:port.',
  );
}

// ---------------------------------------------------------------------------------------------
// Repository layout
// ---------------------------------------------------------------------------------------------

let cachedRoot: string | undefined;

/** The folder whose package.json is named "zocalo"; found from this file, then from the cwd. */
function findRepoRoot(): string {
  if (cachedRoot) return cachedRoot;
  for (const start of [__dirname, process.cwd()]) {
    let dir = path.resolve(start);
    for (;;) {
      const manifest = path.join(dir, 'package.json');
      if (existsSync(manifest)) {
        try {
          if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'zocalo') {
            cachedRoot = dir;
            return dir;
          }
        } catch {
          // an unreadable package.json is not ours; keep walking
        }
      }
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  throw new Error(`Cannot find the Zócalo repository (a package.json named "zocalo") above ${__dirname}`);
}

function recordPath(): string {
  return path.join(findRepoRoot(), '.data', 'database.json');
}

// ---------------------------------------------------------------------------------------------
// mongod
// ---------------------------------------------------------------------------------------------

async function startMongod(
  executable: string,
  root: string,
  mode: 'memory' | 'persistent',
  requestedPort: number,
  log: (line: string) => void,
): Promise<LocalDatabase> {
  const version = /db version v?(\S+)/.exec(spawnSync(executable, ['--version'], { encoding: 'utf8' }).stdout ?? '')?.[1];
  const dbPath =
    mode === 'persistent'
      ? path.join(root, '.data', 'mongod')
      : await fsp.mkdtemp(path.join(os.tmpdir(), 'zocalo-mongod-'));
  await fsp.mkdir(dbPath, { recursive: true });
  const port = requestedPort || (await freePort());
  log(`database: starting mongod${version ? ` ${version}` : ''} on ${LOOPBACK}:${port} (dbpath ${dbPath})`);

  const child = spawn(executable, ['--dbpath', dbPath, '--bind_ip', LOOPBACK, '--port', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = captureTail(child, true);
  const exited = exitPromise(child);
  // mongod ignores its stdin, so a watchdog with a stdin pipe to us kills it if we die.
  const watchdog = child.pid !== undefined ? spawnWatchdog(child.pid, mode === 'memory' ? dbPath : null) : undefined;
  const removeFromExitHook = killOnExit(child);

  const cleanup = async (): Promise<void> => {
    await terminate(child, exited);
    removeFromExitHook();
    watchdog?.stdin?.end();
    if (mode === 'memory') await fsp.rm(dbPath, { recursive: true, force: true });
  };

  try {
    await waitForPort(port, exited, () => output.tail());
  } catch (error) {
    watchdog?.kill('SIGKILL');
    await cleanup();
    throw error;
  }
  detach(child);
  if (watchdog) detach(watchdog);

  let stopped: Promise<void> | undefined;
  return {
    uri: `mongodb://${LOOPBACK}:${port}`,
    source: 'mongod',
    description: `mongod${version ? ` ${version}` : ''} on ${LOOPBACK}:${port} (dbpath ${dbPath})`,
    stop: () => (stopped ??= cleanup()),
  };
}

/**
 * A Node process that SIGTERMs `pid` when its stdin closes, i.e. when this process dies, then (after
 * SIGKILL if needed) deletes `removeAfter`, the temporary dbpath that would otherwise be left behind.
 */
function spawnWatchdog(pid: number, removeAfter: string | null): ChildProcess {
  const script = `
    const pid = ${pid}, dir = ${JSON.stringify(removeAfter)};
    const alive = () => { try { process.kill(pid, 0); return true; } catch { return false; } };
    const finish = () => {
      if (dir) { try { require('node:fs').rmSync(dir, { recursive: true, force: true }); } catch {} }
      process.exit(0);
    };
    const kill = () => {
      try { process.kill(pid, 'SIGTERM'); } catch {}
      const started = Date.now();
      setInterval(() => {
        if (!alive()) finish();
        if (Date.now() - started > ${STOP_GRACE_MS}) { try { process.kill(pid, 'SIGKILL'); } catch {} }
      }, 100);
    };
    process.stdin.on('end', kill); process.stdin.on('error', kill); process.stdin.resume();
    setInterval(() => { if (!alive()) process.exit(0); }, 1000);
  `;
  // Without NODE_OPTIONS: a loader injected for this process (tsx, a debugger) has no business there.
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'ignore', 'ignore'], env });
}

// ---------------------------------------------------------------------------------------------
// mongo-java-server
// ---------------------------------------------------------------------------------------------

interface JavaPaths {
  pom: string;
  source: string;
  tools: string;
  lib: string;
  classes: string;
  lock: string;
  stamp: string;
}

function javaPaths(root: string): JavaPaths {
  const tools = path.join(root, '.tools', 'mongo-java-server');
  const lib = path.join(tools, 'lib');
  return {
    pom: path.join(root, 'scripts', 'database', 'pom.xml'),
    source: path.join(root, 'scripts', 'database', 'MongoLauncher.java'),
    tools,
    lib,
    classes: path.join(tools, 'classes'),
    lock: path.join(tools, 'fetch.lock'),
    // Hash of the pom the jars came from: editing the pom (a version bump) triggers a new fetch.
    stamp: path.join(lib, '.pom-sha256'),
  };
}

/** JAVA_HOME's tools when set (what Maven uses too), else the ones on PATH. */
function javaTool(name: 'java' | 'javac'): string | null {
  const home = process.env.JAVA_HOME;
  if (home) {
    const candidate = path.join(home, 'bin', name);
    if (isExecutable(candidate)) return candidate;
  }
  return findExecutable(name);
}

/** null when mongo-java-server can be used here, else why not. */
function mongoJavaServerUnavailableReason(root: string): string | null {
  const paths = javaPaths(root);
  if (!javaTool('java')) return 'no java on PATH (Java 17+ needed)';
  if (!existsSync(paths.source) || !existsSync(paths.pom)) return `missing ${paths.source} or ${paths.pom}`;
  if (!jarsReady(paths) && !findExecutable('mvn')) return `jars not in ${paths.lib} and no mvn on PATH to fetch them`;
  if (!launcherCompiled(paths) && !javaTool('javac')) return 'launcher not compiled and no javac on PATH (install a JDK)';
  return null;
}

function pomHash(paths: JavaPaths): string {
  return createHash('sha256').update(readFileSync(paths.pom)).digest('hex');
}

function jarsReady(paths: JavaPaths): boolean {
  try {
    return readFileSync(paths.stamp, 'utf8').trim() === pomHash(paths);
  } catch {
    return false;
  }
}

function launcherCompiled(paths: JavaPaths): boolean {
  try {
    return statSync(path.join(paths.classes, 'MongoLauncher.class')).mtimeMs >= statSync(paths.source).mtimeMs;
  } catch {
    return false;
  }
}

function mongoJavaServerVersion(lib: string): string {
  try {
    for (const name of readdirSync(lib)) {
      const match = /^mongo-java-server-core-(.+)\.jar$/.exec(name);
      if (match?.[1]) return match[1];
    }
  } catch {
    // fall through
  }
  return '(unknown version)';
}

/** Fetches the jars and compiles the launcher when needed; one process at a time across the machine. */
async function ensureLauncher(paths: JavaPaths, log: (line: string) => void): Promise<void> {
  if (jarsReady(paths) && launcherCompiled(paths)) return;
  await fsp.mkdir(paths.tools, { recursive: true });
  await withLockDir(paths.lock, log, async () => {
    // Another process may have done the work while we waited for the lock.
    if (!jarsReady(paths)) {
      log(`database: fetching mongo-java-server jars from Maven Central into ${paths.lib} (first run only)`);
      const started = Date.now();
      // Into a private folder first, then renamed: a half-fetched lib/ is never visible.
      const partial = `${paths.lib}.partial-${process.pid}`;
      await fsp.rm(partial, { recursive: true, force: true });
      await run(
        findExecutable('mvn') ?? 'mvn',
        ['-q', '-B', '-f', paths.pom, 'dependency:copy-dependencies', `-DoutputDirectory=${partial}`],
        'mvn dependency:copy-dependencies',
      );
      await fsp.writeFile(path.join(partial, '.pom-sha256'), `${pomHash(paths)}\n`);
      await fsp.rm(paths.lib, { recursive: true, force: true });
      await fsp.rename(partial, paths.lib);
      log(`database: fetched mongo-java-server ${mongoJavaServerVersion(paths.lib)} in ${Date.now() - started} ms`);
    }
    if (!launcherCompiled(paths)) {
      log(`database: compiling ${path.basename(paths.source)}`);
      await fsp.mkdir(paths.classes, { recursive: true });
      await run(
        javaTool('javac') ?? 'javac',
        ['-nowarn', '-encoding', 'UTF-8', '-d', paths.classes, '-cp', path.join(paths.lib, '*'), paths.source],
        'javac MongoLauncher.java',
      );
    }
  });
}

async function startMongoJavaServer(
  root: string,
  mode: 'memory' | 'persistent',
  port: number,
  log: (line: string) => void,
): Promise<LocalDatabase> {
  const paths = javaPaths(root);
  await ensureLauncher(paths, log);
  const version = mongoJavaServerVersion(paths.lib);

  const args = [
    '-cp',
    [paths.classes, path.join(paths.lib, '*')].join(path.delimiter),
    'MongoLauncher',
    '--host',
    LOOPBACK,
    '--port',
    String(port),
  ];
  let backendText = 'memory backend';
  if (mode === 'persistent') {
    const file = path.join(root, '.data', 'mongo', 'zocalo.mv');
    args.push('--backend', 'h2', '--file', file);
    backendText = `h2 backend, file ${path.relative(root, file)}`;
  } else {
    args.push('--backend', 'memory');
  }

  log(`database: starting mongo-java-server ${version} (${backendText})`);
  let stopping = false;
  // One running launcher process; takeDown/bringUp replace it, keeping the address.
  const launch = async (portArgs: string[]) => {
    // stdin stays a pipe for the server's whole life: the launcher exits when it reaches end of file.
    const child = spawn(javaTool('java') ?? 'java', portArgs, { stdio: ['pipe', 'pipe', 'pipe'], cwd: root });
    const output = captureTail(child);
    const exited = exitPromise(child);
    const removeFromExitHook = killOnExit(child);
    let listening: string;
    try {
      listening = await waitForLine(child, /^LISTENING (\S+)$/, exited, () => output.tail());
    } catch (error) {
      await terminate(child, exited);
      removeFromExitHook();
      const holder = mode === 'persistent' ? await readRunningDatabaseRecord() : null;
      const hint = holder
        ? ` (a database recorded in .data/database.json is running under pid ${holder.pid}: stop it, or use MONGODB_URI=${holder.uri})`
        : '';
      throw new Error(`${messageOf(error)}${hint}`);
    }
    detach(child);
    const launched = { child, exited, removeFromExitHook, expectedExit: false, frozen: false };
    void exited.then(({ code, signal }) => {
      if (!stopping && !launched.expectedExit) {
        log(`database: mongo-java-server exited unexpectedly (code ${code}, signal ${signal}): ${output.tail()}`);
      }
    });
    return { launched, listening };
  };
  const halt = async (running: Awaited<ReturnType<typeof launch>>['launched']) => {
    running.expectedExit = true;
    // A stopped process keeps SIGTERM pending until it runs again.
    if (running.frozen) running.child.kill('SIGCONT');
    await terminate(running.child, running.exited);
    running.removeFromExitHook();
  };

  const first = await launch(args);
  let current: Awaited<ReturnType<typeof launch>>['launched'] | null = first.launched;
  const listening = first.listening;
  const boundPort = listening.slice(listening.lastIndexOf(':') + 1);

  let stopped: Promise<void> | undefined;
  return {
    uri: `mongodb://${listening}`,
    source: 'mongo-java-server',
    description: `mongo-java-server ${version} (${backendText}) on ${listening}`,
    stop: () =>
      (stopped ??= (async () => {
        stopping = true;
        if (current) await halt(current);
        current = null;
      })()),
    async takeDown() {
      if (!current) return;
      const running = current;
      current = null;
      await halt(running);
    },
    async bringUp() {
      if (current || stopping) return;
      const portAt = args.indexOf('--port') + 1;
      const again = args.map((arg, index) => (index === portAt ? boundPort : arg));
      current = (await launch(again)).launched;
    },
    async freeze() {
      if (!current || current.frozen) return;
      current.frozen = current.child.kill('SIGSTOP');
    },
    async thaw() {
      if (!current?.frozen) return;
      current.child.kill('SIGCONT');
      current.frozen = false;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// mongodb-memory-server (only when the package is installed; it downloads a real mongod)
// ---------------------------------------------------------------------------------------------

interface MemoryServerModule {
  MongoMemoryServer: {
    create(options?: unknown): Promise<{ getUri(): string; stop(options?: unknown): Promise<unknown> }>;
  };
}

async function startMongodbMemoryServer(
  modulePath: string,
  root: string,
  mode: 'memory' | 'persistent',
  port: number,
  log: (line: string) => void,
): Promise<LocalDatabase> {
  // Loaded by path at run time: the package is optional and deliberately not a dependency.
  const { MongoMemoryServer } = require(modulePath) as MemoryServerModule;
  const instance: Record<string, unknown> = { ip: LOOPBACK };
  if (port) instance.port = port;
  if (mode === 'persistent') {
    instance.dbPath = path.join(root, '.data', 'mongodb-memory-server');
    instance.storageEngine = 'wiredTiger';
    await fsp.mkdir(instance.dbPath as string, { recursive: true });
  }
  log('database: starting mongodb-memory-server (may download mongod on first use)');
  const server = await MongoMemoryServer.create({ instance });
  // getUri() ends in "/"; strip it so every source hands out the same shape of URI.
  const uri = server.getUri().replace(/\/+$/, '');
  let stopped: Promise<void> | undefined;
  return {
    uri,
    source: 'mongodb-memory-server',
    description: `mongodb-memory-server on ${uri.replace(/^mongodb:\/\//, '')}${mode === 'persistent' ? ` (dbpath ${String(instance.dbPath)})` : ''}`,
    stop: () =>
      (stopped ??= server.stop(mode === 'persistent' ? { doCleanup: false } : undefined).then(() => undefined)),
  };
}

// ---------------------------------------------------------------------------------------------
// Processes
// ---------------------------------------------------------------------------------------------

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

function exitPromise(child: ChildProcess): Promise<Exit> {
  return new Promise((resolve) => {
    child.once('error', () => resolve({ code: null, signal: null }));
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

/**
 * Keeps the last few KB of a child's stderr (and stdout when asked) for error messages. Reading also
 * keeps the pipes drained: a full pipe would block a chatty server such as mongod.
 */
function captureTail(child: ChildProcess, includeStdout = false): { tail(): string } {
  let text = '';
  const append = (chunk: Buffer): void => {
    text = (text + chunk.toString('utf8')).slice(-STDERR_TAIL_CHARS);
  };
  child.stderr?.on('data', append);
  if (includeStdout) child.stdout?.on('data', append);
  let spawnError = '';
  child.once('error', (error) => {
    spawnError = messageOf(error);
  });
  return { tail: () => [spawnError, text.trim()].filter(Boolean).join('\n') || '(no output)' };
}

function waitForLine(child: ChildProcess, pattern: RegExp, exited: Promise<Exit>, tail: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(
      () => reject(new Error(`mongo-java-server did not report LISTENING within ${READY_TIMEOUT_MS / 1000} s; output:\n${tail()}`)),
      READY_TIMEOUT_MS,
    );
    const onData = (chunk: Buffer): void => {
      buffered += chunk.toString('utf8');
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline).trim();
        buffered = buffered.slice(newline + 1);
        const match = pattern.exec(line);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      }
    };
    child.stdout?.on('data', onData);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`mongo-java-server exited before listening (code ${code}, signal ${signal}); output:\n${tail()}`));
    });
  });
}

async function waitForPort(port: number, exited: Promise<Exit>, tail: () => string): Promise<void> {
  let gone: Exit | undefined;
  void exited.then((exit) => {
    gone = exit;
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (gone) throw new Error(`mongod exited before listening (code ${gone.code}, signal ${gone.signal}); output:\n${tail()}`);
    if (await canConnect(port)) return;
    await sleep(100);
  }
  throw new Error(`mongod did not accept connections on port ${port} within ${READY_TIMEOUT_MS / 1000} s; output:\n${tail()}`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: LOOPBACK, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** SIGTERM, wait, SIGKILL after {@link STOP_GRACE_MS}; resolves once the process has exited. */
async function terminate(child: ChildProcess, exited: Promise<Exit>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const killed = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, STOP_GRACE_MS);
  });
  await Promise.race([exited, killed]);
  clearTimeout(timer);
  await exited;
}

/**
 * After start-up the server must not keep Node's event loop alive on its own: a test file that
 * forgets stop() should still let Jest exit (and closing our end of the stdin pipe then ends the
 * launcher). Long-running owners (`npm start`, `npm run db`) keep themselves alive.
 */
function detach(child: ChildProcess): void {
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) {
    (stream as unknown as { unref?: () => void } | null)?.unref?.();
  }
}

const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Belt and braces for a normal exit (process.exit, end of the event loop): SIGTERM every server we
 * started. One 'exit' listener for all of them, so many test files do not pile up listeners.
 */
function killOnExit(child: ChildProcess): () => void {
  liveChildren.add(child);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const each of liveChildren) {
        if (each.exitCode === null && each.signalCode === null) each.kill('SIGTERM');
      }
    });
  }
  return () => liveChildren.delete(child);
}

/** Runs a build tool to completion; rejects with its output when it fails. */
function run(command: string, args: string[], what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const append = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-STDERR_TAIL_CHARS);
    };
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    child.once('error', (error) => reject(new Error(`${what} could not start: ${messageOf(error)}`)));
    child.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${what} failed (code ${code}, signal ${signal}):\n${output.trim()}`));
    });
  });
}

/**
 * A cross-process mutex: mkdir is atomic, so whoever creates the folder holds the lock. A lock whose
 * owner pid is dead, or that is older than {@link STALE_LOCK_MS}, was abandoned and is taken over.
 */
async function withLockDir<T>(lock: string, log: (line: string) => void, work: () => Promise<T>): Promise<T> {
  const ownerFile = path.join(lock, 'owner');
  let announced = false;
  for (;;) {
    try {
      await fsp.mkdir(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let stale = false;
    try {
      const owner = Number((await fsp.readFile(ownerFile, 'utf8')).trim());
      stale = Number.isInteger(owner) && owner > 0 && !isProcessAlive(owner);
    } catch {
      // the owner may not have written its pid yet
    }
    try {
      stale ||= Date.now() - (await fsp.stat(lock)).mtimeMs > STALE_LOCK_MS;
    } catch {
      continue; // released meanwhile
    }
    if (stale) {
      log(`database: removing abandoned lock ${lock}`);
      await fsp.rm(lock, { recursive: true, force: true });
      continue;
    }
    if (!announced) {
      log('database: another process is fetching mongo-java-server; waiting for it');
      announced = true;
    }
    await sleep(250);
  }
  try {
    await fsp.writeFile(ownerFile, String(process.pid));
    return await work();
  } finally {
    await fsp.rm(lock, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Small utilities
// ---------------------------------------------------------------------------------------------

function isExecutable(file: string): boolean {
  try {
    const stats = statSync(file);
    if (!stats.isFile()) return false;
    return process.platform === 'win32' || (stats.mode & (fsConstants.S_IXUSR | fsConstants.S_IXGRP | fsConstants.S_IXOTH)) !== 0;
  } catch {
    return false;
  }
}

function findExecutable(name: string): string | null {
  const extensions = process.platform === 'win32' ? ['.exe', '.cmd', '.bat', ''] : [''];
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    for (const extension of extensions) {
      const candidate = path.join(dir, name + extension);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return null;
}

function resolveOptional(moduleName: string): string | null {
  try {
    return require.resolve(moduleName, { paths: [findRepoRoot(), __dirname] });
  } catch {
    return null;
  }
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
