/**
 * The event machinery of one subgraph, assembled from its definition (`events.publishes`,
 * `events.handlers`) and its options (`SubgraphServerOptions.events`): the relay of a publisher, the
 * JetStream consumer of a subscriber when NATS is on, the routes, the indexes and the health figures.
 * `buildSubgraphServer` creates it; `start`/`stop` of the server start and stop it.
 */
import type { CommandFailedEvent, CommandStartedEvent, CommandSucceededEvent, Document } from 'mongodb';
import type { AuthConfig } from '../auth/tokens';
import type { SubgraphName } from '../estate';
import type { RouteHandler } from '../http';
import type { Logger } from '../logger';
import type { IndexDeclaration, MongoStore } from '../mongo';
import type { DomainEventHandlers } from './domainEvent';
import { resolveEventSettings, type EventOptions, type EventSettings } from './eventOptions';
import { eventRoutes } from './eventRoutes';
import { createHttpTransport } from './httpTransport';
import { NatsEventConsumer } from './natsConsumer';
import { NatsEventBus } from './natsTransport';
import { OutboxRelay } from './outboxRelay';
import { outboxIndexes } from './outboxEntry';
import { inboxStats, outboxStats, type EventHealth } from './outboxStats';
import { subscribersOf, typesSubscribedBy } from './subscriptions';
import type { EventTransport } from './transport';
import type { Tracer } from '../telemetry/tracer';

/** What a subgraph declares about events (`SubgraphDefinition.events`). */
export interface SubgraphEventsDefinition {
  /** Collections whose documents carry `pendingEvents` (the subgraph publishes; the relay runs). */
  publishes?: { collections: readonly string[] };
  /** The subgraph's consumers (it subscribes; `/internal/events` is served), or a factory given its store. */
  handlers?: DomainEventHandlers | ((store: MongoStore) => DomainEventHandlers);
}

/** Options of {@link createSubgraphEvents}. */
export interface SubgraphEventsOptions {
  name: SubgraphName;
  definition: SubgraphEventsDefinition;
  store: MongoStore;
  auth: AuthConfig;
  logger: Logger;
  events?: EventOptions;
  /** Traces deliveries (HTTP) and handling (NATS) when trace export is configured. */
  tracer?: Tracer | null;
}

/** A subgraph's running (or ready to run) event machinery. */
export interface SubgraphEvents {
  readonly settings: EventSettings;
  /** The relay's transport kind. */
  readonly transport: 'http' | 'nats';
  /** The relay of a publishing subgraph while started, else null. */
  readonly relay: OutboxRelay | null;
  /** Indexes for outbox and publishing collections, created with the subgraph's own. */
  readonly indexes: readonly IndexDeclaration[];
  /** `/internal/events` (subscribers), `/internal/dead-letters`, `/metrics`. */
  readonly routes: Record<string, RouteHandler>;
  /** Starts a fresh relay (publishers) and, with NATS, the JetStream consumer (subscribers). Idempotent. */
  start(): Promise<void>;
  /** Stops them: in-flight deliveries finish and are recorded, then the NATS connection drains. */
  stop(): Promise<void>;
  /** Asks the relay for a pass now. */
  kick(): void;
  /** The figures `/health` and `/metrics` show. */
  health(): Promise<EventHealth>;
}

const WRITE_COMMANDS = new Set(['insert', 'update', 'findAndModify']);

/** True when a write command puts events into `pendingEvents` (so the relay is worth kicking). */
function pushesEvents(command: Document): boolean {
  const mentions = (update: unknown): boolean => {
    if (typeof update !== 'object' || update === null) return false;
    const document = update as Record<string, unknown>;
    if ('pendingEvents' in document) return true; // an inserted or replacing document
    return ['$push', '$set', '$setOnInsert', '$addToSet'].some((operator) => {
      const fields = document[operator];
      return typeof fields === 'object' && fields !== null && 'pendingEvents' in fields;
    });
  };
  if (Array.isArray(command.documents)) return command.documents.some(mentions);
  if (Array.isArray(command.updates)) return command.updates.some((statement: { u?: unknown }) => mentions(statement.u));
  return mentions(command.update);
}

/** Assembles the machinery (does not start it). */
export function createSubgraphEvents(options: SubgraphEventsOptions): SubgraphEvents {
  const { name, definition, store, auth, logger } = options;
  const settings = resolveEventSettings(options.events);
  const publishing = definition.publishes?.collections ?? [];
  const handlers = typeof definition.handlers === 'function' ? definition.handlers(store) : (definition.handlers ?? null);
  const eventLogger = logger.child({ component: 'events' });

  let relay: OutboxRelay | null = null;
  let consumer: NatsEventConsumer | null = null;
  let bus: NatsEventBus | null = null;
  let transport: EventTransport | null = null;
  let detachKicks: (() => void) | null = null;
  let starting: Promise<void> | null = null;

  // The relay is kicked after each of this process's writes that pushed an event, so delivery does not
  // wait for the next poll; the poll still catches writes of other processes.
  const attachKicks = (target: OutboxRelay) => {
    const watched = new Set<number>();
    const collections = new Set(publishing);
    const onStarted = (event: CommandStartedEvent) => {
      if (!WRITE_COMMANDS.has(event.commandName) || event.databaseName !== store.db.databaseName) return;
      if (collections.has(String(event.command[event.commandName])) && pushesEvents(event.command)) watched.add(event.requestId);
    };
    const onSucceeded = (event: CommandSucceededEvent) => {
      if (watched.delete(event.requestId)) target.kick();
    };
    const onFailed = (event: CommandFailedEvent) => {
      watched.delete(event.requestId);
    };
    store.client.on('commandStarted', onStarted);
    store.client.on('commandSucceeded', onSucceeded);
    store.client.on('commandFailed', onFailed);
    return () => {
      store.client.off('commandStarted', onStarted);
      store.client.off('commandSucceeded', onSucceeded);
      store.client.off('commandFailed', onFailed);
    };
  };

  const startAll = async () => {
    if (settings.natsUrl && (publishing.length > 0 || handlers)) {
      bus = await NatsEventBus.connect({ url: settings.natsUrl, stream: settings.natsStream, subscriptions: settings.subscriptions, name: `zocalo-${name}`, logger: eventLogger, publishTimeoutMs: settings.deliveryTimeoutMs });
      transport = bus.transport(settings.deliveryTimeoutMs);
    } else {
      transport = createHttpTransport({ source: name, auth, subscriberUrls: settings.subscriberUrls, timeoutMs: settings.deliveryTimeoutMs, tracer: options.tracer ?? null });
    }
    if (publishing.length > 0) {
      relay = new OutboxRelay({
        store,
        source: name,
        collections: publishing,
        transport,
        subscriptions: settings.subscriptions,
        logger: eventLogger,
        intervalMs: settings.relayIntervalMs,
        idleIntervalMs: settings.relayIdleIntervalMs,
        maxAttempts: settings.maxAttempts,
        backoffBaseMs: settings.backoffBaseMs,
        backoffMaxMs: settings.backoffMaxMs,
        batchSize: settings.batchSize,
        concurrency: settings.concurrency,
        deliveredRetentionMs: settings.deliveredRetentionMs,
      });
      detachKicks = attachKicks(relay);
      relay.start();
    }
    if (bus && handlers) {
      if (typesSubscribedBy(name, settings.subscriptions).length === 0) {
        eventLogger.warn('handlers are defined but the subscription table gives this subgraph no event types', { subgraph: name });
      } else {
        consumer = new NatsEventConsumer({ bus, subscriber: name, store, handlers, logger: eventLogger, maxAttempts: settings.maxAttempts, retry: { baseMs: settings.backoffBaseMs, maxMs: settings.backoffMaxMs }, tracer: options.tracer ?? null });
        consumer.start();
      }
    }
    eventLogger.info('domain events started', { transport: transport.kind, relay: relay !== null, consumer: consumer !== null || (handlers !== null && !bus) });
  };

  const subscribersOfSource = () => {
    const names = new Set<SubgraphName>();
    for (const types of Object.values(settings.subscriptions)) for (const type of types ?? []) for (const subscriber of subscribersOf(type, name, settings.subscriptions)) names.add(subscriber);
    return [...names];
  };

  const events: SubgraphEvents = {
    settings,
    transport: settings.natsUrl ? 'nats' : 'http',
    get relay() {
      return relay;
    },
    indexes: publishing.length > 0 ? outboxIndexes(publishing) : [],
    routes: {},
    async start() {
      if (relay || consumer || bus) return;
      starting ??= startAll().finally(() => {
        starting = null;
      });
      await starting;
    },
    async stop() {
      await starting?.catch(() => undefined);
      detachKicks?.();
      detachKicks = null;
      await relay?.stop();
      await consumer?.stop();
      await bus?.close();
      await transport?.close();
      relay = null;
      consumer = null;
      bus = null;
      transport = null;
    },
    kick() {
      relay?.kick();
    },
    async health() {
      const health: EventHealth = {
        transport: events.transport,
        relay: publishing.length === 0 ? 'none' : relay?.isRunning ? 'running' : 'stopped',
        consumer: !handlers ? 'none' : !settings.natsUrl ? 'running' : consumer?.isRunning ? 'running' : 'stopped',
      };
      if (publishing.length > 0) health.outbox = await outboxStats(store, subscribersOfSource());
      if (handlers) health.inbox = await inboxStats(store);
      return health;
    },
  };
  Object.assign(events.routes, eventRoutes({ store, auth, logger: eventLogger, handlers }));
  return events;
}
