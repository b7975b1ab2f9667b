/**
 * `npm run db` — the persistent local database alone, for running subgraphs one by one
 * (`npm run start:inventory` finds it through .data/database.json). Stops on Ctrl-C / SIGTERM.
 *
 * `npm run db -- --memory` serves a throw-away database instead (mongo-java-server's memory backend, as
 * the tests and the benchmark use): faster to seed at scale, gone when it stops.
 *
 * `npm run db -- --fetch` only fetches the mongo-java-server jars and compiles the launcher, then
 * exits 0: CI runs it once so the tests do not each race to do it.
 */
import {
  prepareMongoJavaServer,
  readRunningDatabaseRecord,
  removeRunningDatabaseRecord,
  startLocalDatabase,
  writeRunningDatabaseRecord,
} from '../subgraphs/kit/src/localDatabase';

const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

async function fetchOnly(): Promise<void> {
  const started = Date.now();
  const version = await prepareMongoJavaServer(log);
  log(`mongo-java-server ${version} ready (jars and launcher) in ${Date.now() - started} ms`);
}

async function serve(): Promise<void> {
  const existing = await readRunningDatabaseRecord();
  if (existing && !process.env.MONGODB_URI) {
    // Two servers on one h2 file cannot work (the file is locked); say so instead of failing late.
    throw new Error(
      `A database is already running (${existing.source}, pid ${existing.pid}, since ${existing.startedAt}): ${existing.uri}`,
    );
  }

  const db = await startLocalDatabase({ mode: process.argv.includes('--memory') ? 'memory' : 'persistent', log });
  await writeRunningDatabaseRecord(db);
  log(`database ready: ${db.description}`);
  log(`MONGODB_URI=${db.uri}`);
  log('Ctrl-C stops it.');

  // The helper does not keep the event loop alive on its own (so tests can exit); this script must.
  const keepAlive = setInterval(() => undefined, 1 << 30);

  let stopping = false;
  const stop = async (signal: NodeJS.Signals): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping the database`);
    try {
      await db.stop();
      await removeRunningDatabaseRecord();
    } finally {
      clearInterval(keepAlive);
      process.exit(0);
    }
  };
  process.on('SIGINT', (signal) => void stop(signal));
  process.on('SIGTERM', (signal) => void stop(signal));
  process.on('SIGHUP', (signal) => void stop(signal));
}

const work = process.argv.includes('--fetch') ? fetchOnly : serve;
work().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
