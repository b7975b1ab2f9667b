/**
 * How a subgraph moves its domain events: transport, relay pace, retry policy. Code defaults live in
 * {@link resolveEventSettings}; the environment is read only by {@link readEventOptions}, which the
 * process entry (`runSubgraph`) calls, so an in-process test never picks up a stray `NATS_URL`.
 */
import { DEFAULT_PORTS, SUBGRAPH_NAMES, urlVariableOf, type SubgraphName } from '../estate';
import { SUBSCRIPTIONS, type SubscriptionTable } from './subscriptions';

/** Options of the domain-event machinery (`SubgraphServerOptions.events`). */
export interface EventOptions {
  /**
   * Base URL of each subscriber for HTTP push (`/graphql`, if present, is stripped; the relay posts to
   * `<base>/internal/events`). @default `<NAME>_URL` minus `/graphql` (via readEventOptions), else `http://127.0.0.1:<default port>`
   */
  subscriberUrls?: Partial<Record<SubgraphName, string>>;
  /** NATS server(s), comma-separated; set → JetStream transport, unset or '' → HTTP push. @default process.env.NATS_URL (via readEventOptions) */
  natsUrl?: string;
  /** JetStream stream name. @default "ZOCALO_EVENTS" */
  natsStream?: string;
  /** Relay polling interval. `EVENT_RELAY_INTERVAL_MS`. @default 200 */
  relayIntervalMs?: number;
  /** Longest relay wait while the outbox has nothing pending (the wait doubles up to it). `EVENT_RELAY_IDLE_INTERVAL_MS`. @default 1000 */
  relayIdleIntervalMs?: number;
  /** Deliveries tried before an event is dead-lettered for a subscriber. `EVENT_MAX_ATTEMPTS`. @default 12 */
  maxAttempts?: number;
  /** First retry delay; doubles per attempt, with jitter. `EVENT_BACKOFF_BASE_MS`. @default 500 */
  backoffBaseMs?: number;
  /** Longest retry delay. `EVENT_BACKOFF_MAX_MS`. @default 300000 (5 min) */
  backoffMaxMs?: number;
  /** Time allowed for one delivery (HTTP request or JetStream publish). @default 10000 */
  deliveryTimeoutMs?: number;
  /** Outbox entries the relay considers per subscriber and pass, and source documents per read. @default 200 */
  batchSize?: number;
  /** Subjects delivered in parallel. @default 16 */
  concurrency?: number;
  /** Fully delivered outbox entries are deleted after this long (dead letters are kept). @default 3600000 (1 h) */
  deliveredRetentionMs?: number;
  /** Who subscribes to what. @default SUBSCRIPTIONS */
  subscriptions?: SubscriptionTable;
}

/** {@link EventOptions} with every default applied. */
export interface EventSettings {
  subscriberUrls: Record<SubgraphName, string>;
  natsUrl: string | null;
  natsStream: string;
  relayIntervalMs: number;
  relayIdleIntervalMs: number;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  deliveryTimeoutMs: number;
  batchSize: number;
  concurrency: number;
  deliveredRetentionMs: number;
  subscriptions: SubscriptionTable;
}

/** The base URL of a subgraph from its GraphQL URL: `http://host:4004/graphql` → `http://host:4004`. */
export function baseUrlOf(url: string): string {
  return url.replace(/\/+$/, '').replace(/\/graphql$/, '');
}

/** Applies the defaults. */
export function resolveEventSettings(options: EventOptions = {}): EventSettings {
  const subscriberUrls = {} as Record<SubgraphName, string>;
  for (const name of SUBGRAPH_NAMES) {
    const given = options.subscriberUrls?.[name];
    subscriberUrls[name] = given ? baseUrlOf(given) : `http://127.0.0.1:${DEFAULT_PORTS[name]}`;
  }
  return {
    subscriberUrls,
    natsUrl: options.natsUrl ? options.natsUrl : null,
    natsStream: options.natsStream ?? 'ZOCALO_EVENTS',
    relayIntervalMs: options.relayIntervalMs ?? 200,
    relayIdleIntervalMs: options.relayIdleIntervalMs ?? 1000,
    maxAttempts: options.maxAttempts ?? 12,
    backoffBaseMs: options.backoffBaseMs ?? 500,
    backoffMaxMs: options.backoffMaxMs ?? 300_000,
    deliveryTimeoutMs: options.deliveryTimeoutMs ?? 10_000,
    batchSize: options.batchSize ?? 200,
    concurrency: options.concurrency ?? 16,
    deliveredRetentionMs: options.deliveredRetentionMs ?? 3_600_000,
    subscriptions: options.subscriptions ?? SUBSCRIPTIONS,
  };
}

function readPositiveInteger(env: NodeJS.ProcessEnv, variable: string): number | undefined {
  const raw = env[variable];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${variable} must be a positive integer, got ${JSON.stringify(raw)}`);
  return value;
}

/**
 * Reads `NATS_URL`, `EVENT_RELAY_INTERVAL_MS`, `EVENT_RELAY_IDLE_INTERVAL_MS`, `EVENT_MAX_ATTEMPTS`, `EVENT_BACKOFF_BASE_MS`,
 * `EVENT_BACKOFF_MAX_MS` and each `<NAME>_URL` (where to push a subscriber's events). A bad value is a
 * start-up error naming the variable.
 */
export function readEventOptions(env: NodeJS.ProcessEnv = process.env): EventOptions {
  const subscriberUrls: Partial<Record<SubgraphName, string>> = {};
  for (const name of SUBGRAPH_NAMES) {
    const url = env[urlVariableOf(name)];
    if (url) {
      if (!/^https?:\/\/[^\s]+$/.test(url)) throw new Error(`${urlVariableOf(name)} must be an http(s) URL, got ${JSON.stringify(url)}`);
      subscriberUrls[name] = url;
    }
  }
  const options: EventOptions = { subscriberUrls };
  if (env.NATS_URL) options.natsUrl = env.NATS_URL;
  const relayIntervalMs = readPositiveInteger(env, 'EVENT_RELAY_INTERVAL_MS');
  if (relayIntervalMs !== undefined) options.relayIntervalMs = relayIntervalMs;
  const relayIdleIntervalMs = readPositiveInteger(env, 'EVENT_RELAY_IDLE_INTERVAL_MS');
  if (relayIdleIntervalMs !== undefined) options.relayIdleIntervalMs = relayIdleIntervalMs;
  const maxAttempts = readPositiveInteger(env, 'EVENT_MAX_ATTEMPTS');
  if (maxAttempts !== undefined) options.maxAttempts = maxAttempts;
  const backoffBaseMs = readPositiveInteger(env, 'EVENT_BACKOFF_BASE_MS');
  if (backoffBaseMs !== undefined) options.backoffBaseMs = backoffBaseMs;
  const backoffMaxMs = readPositiveInteger(env, 'EVENT_BACKOFF_MAX_MS');
  if (backoffMaxMs !== undefined) options.backoffMaxMs = backoffMaxMs;
  return options;
}
