/**
 * A tiny estate for the event tests and the benchmark: a publisher named `orders` (collection `orders`,
 * events in `pendingEvents` as the real orders subgraph writes them) and two consumers named `loyalty`
 * and `messaging`, each a real `buildSubgraphServer` with a one-field SDL, real HTTP and a real
 * database. The consumers' handlers are deliberately NOT idempotent (an effect row per run and a
 * `$inc` on an account), so any second run of a handler shows — the kit's dedupe is what is tested.
 */
import { parse } from 'graphql';
import {
  MongoStore,
  buildSubgraphServer,
  createDomainEvent,
  createLogger,
  type DomainEvent,
  type DomainEventHandlers,
  type DomainEventPayloads,
  type DomainEventType,
  type EventOptions,
  type LocalDatabase,
  type Logger,
  type SubgraphName,
  type SubgraphServer,
  type SubscriptionTable,
} from '../../subgraphs/kit/src';
import { testAuth } from '../support/testkit';

/** The two consuming probes. */
export type ConsumerName = 'loyalty' | 'messaging';

/** Subscriptions of the probe estate (no real inventory, so nothing is pushed to a port nobody owns). */
export const PROBE_SUBSCRIPTIONS: SubscriptionTable = {
  loyalty: ['OrderPlaced', 'OrderCancelled', 'OrderReturned'],
  messaging: ['OrderPlaced', 'OrderReadyForPickup', 'OrderReturned'],
};

const PROBE_TYPE_DEFS = parse(`
  scalar DateTime
  type Query { eventProbe: Int }
`);

/** One run of a consumer's handler. */
export interface EffectDocument {
  eventId: string;
  type: string;
  subject: string;
  /** The probe payload's `n` (position of the event within its subject). */
  n: number;
  /** Order of handler runs in this consumer. */
  order: number;
  /** `Date.now()` of the run (the benchmark's "effect" time). */
  at: number;
}

/** What the test controls in a consumer's handler. */
export interface ConsumerControl {
  /** Event id → how many more runs throw before one succeeds. */
  failures: Map<string, number>;
  /** Added to every handler run (a slow consumer). */
  delayMs: number;
  runs: number;
  /** Effects written so far: the `order` of the next one. */
  effects: number;
}

/** The probe payload: an `OrderPlaced`-shaped payload with the probe's fields. */
export interface ProbePayload {
  orderId: string;
  customerId: string;
  totalCents: number;
  n: number;
  /** The consumer whose handler always throws for this event. */
  poison?: ConsumerName;
}

/** A running probe subgraph. */
export interface RunningProbe {
  name: SubgraphName;
  store: MongoStore;
  server: SubgraphServer;
  port: number;
  /** Base URL (no `/graphql`). */
  baseUrl: string;
  control: ConsumerControl;
}

/** Options of {@link startEventEstate}. */
export interface EventEstateOptions {
  database: LocalDatabase;
  /** Database names are `<prefix>_<subgraph>`; unique per test file and estate. */
  databasePrefix: string;
  /** Set → JetStream transport. */
  natsUrl?: string;
  /** Relay and retry settings (fast defaults for tests). */
  events?: EventOptions;
  logger?: Logger;
}

/** The running estate. */
export interface EventEstate {
  publisher: RunningProbe;
  consumers: Record<ConsumerName, RunningProbe>;
  transport: 'http' | 'nats';
  /** The event options every probe got. */
  events: EventOptions;
  /** Inserts an order document carrying an `OrderPlaced` event, as the orders subgraph does. */
  placeOrder(orderId: string, customerId: string, totalCents: number, extra?: Partial<ProbePayload>): Promise<DomainEvent>;
  /** `$push`es another event onto an order (same subject), as a state change of the order does. */
  pushEvent(orderId: string, type: DomainEventType, n: number, extra?: Partial<ProbePayload>): Promise<DomainEvent>;
  /** Stops a consumer (its HTTP server and NATS consumer); its database stays. */
  stopConsumer(name: ConsumerName): Promise<void>;
  /** Starts a consumer again on its old port against the same database. */
  startConsumer(name: ConsumerName): Promise<void>;
  /** Effects of a consumer, in run order. */
  effects(name: ConsumerName): Promise<EffectDocument[]>;
  stop(): Promise<void>;
}

/** The handlers of a probe consumer (see the module comment). */
function probeHandlers(name: SubgraphName, store: MongoStore, control: ConsumerControl): DomainEventHandlers {
  const run = async (event: DomainEvent) => {
    control.runs += 1;
    const payload = event.payload as unknown as ProbePayload;
    if (control.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, control.delayMs));
    if (payload.poison === name) throw new Error(`poison event ${event.id}`);
    const remaining = control.failures.get(event.id) ?? 0;
    if (remaining > 0) {
      control.failures.set(event.id, remaining - 1);
      throw new Error(`injected failure of ${event.id}`);
    }
    // Taken synchronously: a handler of a later event cannot start before this one's delivery ended.
    const order = (control.effects += 1);
    await store.collection<EffectDocument>('effects').insertOne({ eventId: event.id, type: event.type, subject: event.subject, n: payload.n, order, at: Date.now() });
    if (event.type === 'OrderPlaced') {
      await store.collection<{ _id: string; points: number }>('accounts').updateOne({ _id: payload.customerId }, { $inc: { points: Math.floor(payload.totalCents / 100) } }, { upsert: true });
    }
  };
  return { OrderPlaced: run, OrderCancelled: run, OrderReturned: run, OrderReadyForPickup: run };
}

/** Fast relay settings for tests: 50 ms polls, 20 ms first retry, 400 ms longest. */
export const FAST_EVENT_OPTIONS: EventOptions = { relayIntervalMs: 50, backoffBaseMs: 20, backoffMaxMs: 400, maxAttempts: 12, deliveryTimeoutMs: 5_000 };

/** Starts the publisher and both consumers. */
export async function startEventEstate(options: EventEstateOptions): Promise<EventEstate> {
  const logger = options.logger ?? createLogger('events-test', 'silent');
  const events: EventOptions = { ...FAST_EVENT_OPTIONS, subscriptions: PROBE_SUBSCRIPTIONS, ...options.events, ...(options.natsUrl ? { natsUrl: options.natsUrl } : {}) };

  const build = (name: SubgraphName, store: MongoStore, control: ConsumerControl, consumer: boolean) =>
    buildSubgraphServer(
      {
        name,
        typeDefs: PROBE_TYPE_DEFS,
        resolvers: { Query: { eventProbe: () => 1 } },
        indexes: [],
        createContext: (base) => base,
        events: consumer ? { handlers: (own) => probeHandlers(name, own, control) } : { publishes: { collections: ['orders'] } },
      },
      { store, auth: testAuth, logger: logger.child({ probe: name }), events: { ...events, subscriberUrls: urls } },
    );

  // Each probe gets its port first, so every relay knows every consumer's URL from the start.
  const urls: Partial<Record<SubgraphName, string>> = { customers: 'http://127.0.0.1:9', inventory: 'http://127.0.0.1:9', orders: 'http://127.0.0.1:9' };
  const start = async (name: SubgraphName, consumer: boolean, port = 0): Promise<RunningProbe> => {
    const store = await MongoStore.connect({ uri: options.database.uri, databaseName: `${options.databasePrefix}_${name}` });
    const control: ConsumerControl = { failures: new Map(), delayMs: 0, runs: 0, effects: 0 };
    const server = build(name, store, control, consumer);
    const url = await server.start(port);
    const bound = Number(new URL(url).port);
    return { name, store, server, port: bound, baseUrl: `http://127.0.0.1:${bound}`, control };
  };

  // Consumers first (their URLs are needed by the publisher's relay).
  const consumers = {} as Record<ConsumerName, RunningProbe>;
  for (const name of ['loyalty', 'messaging'] as const) {
    consumers[name] = await start(name, true);
    urls[name] = consumers[name].baseUrl;
  }
  const publisher = await start('orders', false);

  const orders = publisher.store.collection<{ _id: string; customerId: string; status: string; pendingEvents: DomainEvent[] }>('orders');

  return {
    publisher,
    consumers,
    transport: options.natsUrl ? 'nats' : 'http',
    events,
    async placeOrder(orderId, customerId, totalCents, extra = {}) {
      const payload = { orderId, number: orderId, customerId, channel: 'WEB', totalCents, lines: [], fulfillment: { method: 'SHIP', locationId: 'loc_1' }, placedAt: new Date().toISOString(), n: 0, ...extra };
      const event = createDomainEvent('OrderPlaced', 'orders', orderId, payload as unknown as DomainEventPayloads['OrderPlaced']);
      await orders.insertOne({ _id: orderId, customerId, status: 'PLACED', pendingEvents: [event] });
      return event;
    },
    async pushEvent(orderId, type, n, extra = {}) {
      const payload = { orderId, number: orderId, customerId: 'cus_probe', totalCents: 0, n, ...extra };
      const event = createDomainEvent(type, 'orders', orderId, payload as never);
      const result = await orders.updateOne({ _id: orderId }, { $set: { status: type }, $push: { pendingEvents: event } });
      if (result.matchedCount !== 1) throw new Error(`No order ${orderId} to push ${type} onto`);
      return event;
    },
    async stopConsumer(name) {
      await consumers[name].server.stop();
    },
    async startConsumer(name) {
      const old = consumers[name];
      const server = build(name, old.store, old.control, true);
      await server.start(old.port);
      consumers[name] = { ...old, server };
    },
    async effects(name) {
      return consumers[name].store.collection<EffectDocument>('effects').find({}, { projection: { _id: 0 } }).sort({ order: 1 }).toArray();
    },
    async stop() {
      for (const probe of [publisher, ...Object.values(consumers)]) {
        await probe.server.stop().catch(() => undefined);
        await probe.store.close();
      }
    },
  };
}

/** Polls `check` until it returns true; fails with `describe()` after `timeoutMs`. */
export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number, describe: () => Promise<string> | string = () => ''): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms: ${await describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
