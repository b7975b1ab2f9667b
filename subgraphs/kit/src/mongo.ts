/**
 * The one way subgraphs talk to MongoDB: a shared connection pool per process, the indexes each
 * repository declares created at start, every command counted (the query-budget tests and the
 * benchmarks read `commandCount`), and driver errors wrapped with `{ cause }`.
 *
 * The server may be MongoDB 4.2–8.x or mongo-java-server (wire version 8), hence the 6.x driver and no
 * `serverApi` option: mongo-java-server only answers the legacy `isMaster` handshake (DESIGN.md).
 */
import { MongoClient, type Collection, type CreateIndexesOptions, type Db, type Document, type IndexSpecification } from 'mongodb';
import type { Logger } from './logger';

/** An index a repository needs; created by {@link MongoStore.ensureIndexes}. */
export interface IndexDeclaration {
  collection: string;
  keys: IndexSpecification;
  options?: CreateIndexesOptions;
}

/** Options for {@link MongoStore.connect}. */
export interface MongoStoreOptions {
  uri: string;
  /** The subgraph's own database name, e.g. `zocalo_orders`. */
  databaseName: string;
  /** @default 20 */
  maxPoolSize?: number;
  /**
   * How long a command waits for a reachable server before failing (DATABASE_UNAVAILABLE for the
   * client). Short, because a request waiting on a vanished database holds the caller (a till, the
   * gateway) hostage: the driver may select twice for one read (retryable reads), and the gateway
   * gives up on a subgraph after SUBGRAPH_TIMEOUT_MS. @default 2000
   */
  serverSelectionTimeoutMS?: number;
}

/** Options of {@link MongoStore.close}. */
export interface MongoStoreCloseOptions {
  /**
   * How long the driver's orderly close may take before the store stops waiting for it. A process
   * that is shutting down must not spend its whole grace on a database that does not answer.
   * @default 3000
   */
  withinMs?: number;
  /** Told (warn) when the close is given up on. @default nobody */
  logger?: Pick<Logger, 'warn'>;
}

/** Default of {@link MongoStoreCloseOptions.withinMs}. */
export const STORE_CLOSE_WITHIN_MS = 3_000;

/** Commands the driver sends on its own (handshakes, heartbeats, sessions); not database round trips of a request. */
const HOUSEKEEPING_COMMANDS = new Set(['isMaster', 'ismaster', 'hello', 'ping', 'endSessions', 'saslStart', 'saslContinue', 'buildInfo', 'getnonce', 'killCursors']);

/** True for a command the driver sends on its own rather than for a request (not a round trip to count). */
export function isHousekeepingCommand(commandName: string): boolean {
  return HOUSEKEEPING_COMMANDS.has(commandName);
}

/** A subgraph's database: client, db, counters. */
export class MongoStore {
  /** Database round trips issued so far (commands other than driver housekeeping). */
  commandCount = 0;
  /** Round trips by command name, for diagnosis of a budget overrun. */
  readonly commandsByName = new Map<string, number>();
  /** The driver's close, once begun (see {@link close}). */
  private closing: Promise<true> | null = null;

  private constructor(
    readonly client: MongoClient,
    readonly db: Db,
  ) {
    client.on('commandStarted', (event) => {
      if (HOUSEKEEPING_COMMANDS.has(event.commandName)) return;
      this.commandCount += 1;
      this.commandsByName.set(event.commandName, (this.commandsByName.get(event.commandName) ?? 0) + 1);
    });
  }

  /** Connects (one pool per process and database) and checks the server answers. */
  static async connect(options: MongoStoreOptions): Promise<MongoStore> {
    const client = new MongoClient(options.uri, {
      maxPoolSize: options.maxPoolSize ?? 20,
      serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 2000,
      // A new connection's handshake: the driver waits 30 s by default, so while a database hangs
      // (accepts TCP, never answers) every request that needs a fresh connection would wait that long.
      // 5 s unless the URI says otherwise (`?connectTimeoutMS=`).
      ...(/[?&]connectTimeoutMS=/i.test(options.uri) ? {} : { connectTimeoutMS: 5000 }),
      monitorCommands: true,
      // mongo-java-server cannot do retryable writes' session bookkeeping reliably; our writes are
      // idempotent by design instead.
      retryWrites: false,
    });
    try {
      await client.connect();
    } catch (error) {
      await client.close().catch(() => undefined);
      throw new Error(`Cannot connect to MongoDB at ${redactUri(options.uri)}`, { cause: error });
    }
    return new MongoStore(client, client.db(options.databaseName));
  }

  /** A typed collection of this subgraph's database. */
  collection<T extends Document>(name: string): Collection<T> {
    return this.db.collection<T>(name);
  }

  /** Creates the declared indexes (idempotent: existing identical indexes are kept). */
  async ensureIndexes(indexes: readonly IndexDeclaration[]): Promise<void> {
    for (const index of indexes) {
      try {
        await this.db.collection(index.collection).createIndex(index.keys, index.options ?? {});
      } catch (error) {
        throw new Error(`Cannot create index ${JSON.stringify(index.keys)} on ${index.collection}`, { cause: error });
      }
    }
  }

  /**
   * True when the server answers a ping within `withinMs` (readiness). Bounded because a ping to a
   * vanished server waits the whole server-selection timeout, and a readiness probe must answer
   * quickly; the abandoned ping still ends (with an error, ignored) after that timeout. When the
   * database comes back the driver reconnects on its own: the next ping or command succeeds.
   * @param withinMs @default 1000
   */
  async isReachable(withinMs = 1000): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), withinMs);
    });
    const ping = this.db.command({ ping: 1 }).then(
      () => true,
      () => false,
    );
    try {
      return await Promise.race([ping, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Resets the round-trip counters (tests measure one operation at a time). */
  resetCounters(): void {
    this.commandCount = 0;
    this.commandsByName.clear();
  }

  /**
   * Closes the pool, waiting at most `withinMs` for the driver (then warns and resolves anyway).
   * Safe to call again: later calls wait for the same close.
   *
   * Why bounded: `MongoClient.close()` first closes the connections in use, then ends the server
   * sessions it pooled with an `endSessions` command — on a new connection when the one in use was
   * just closed. Against a server that accepts TCP but never answers (a frozen process, a host gone
   * without a reset) that connection's handshake waits the driver's `connectTimeoutMS` (30 s), longer
   * than a subgraph's whole shutdown grace. `close(true)` does not help: in driver 6.x its `force`
   * flag "has no effect". Given up on, the driver still finishes on its own when that handshake
   * times out; the commands it interrupted have already failed, so nothing waits on it.
   */
  async close(options: MongoStoreCloseOptions = {}): Promise<void> {
    const withinMs = options.withinMs ?? STORE_CLOSE_WITHIN_MS;
    this.closing ??= this.client.close().then(() => true as const);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), withinMs);
    });
    try {
      const closed = await Promise.race([this.closing, late]);
      if (!closed) {
        options.logger?.warn(`MongoDB did not close within ${withinMs} ms (the database does not answer); not waiting for it`, { database: this.db.databaseName });
      }
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The URI without its password, for messages. */
export function redactUri(uri: string): string {
  return uri.replace(/\/\/([^:@/]+):([^@/]*)@/, '//$1:***@');
}
