/**
 * NATS JetStream, the transport used when `NATS_URL` is set: events go into one stream (`ZOCALO_EVENTS`,
 * subjects `zocalo.events.<type>`, file storage), published with `msgID` = event id, so the server drops
 * a republication inside its duplicate window (2 min). Each subscriber reads through its own durable
 * pull consumer `zocalo-<subscriber>` with explicit acks (natsConsumer.ts).
 *
 * With this transport the relay's per-subscriber "delivered" means "stored in the stream": one publish
 * reaches every subscriber, and from there JetStream owns the at-least-once delivery to each durable
 * consumer (redelivery on nak or ack timeout) while the consumer owns retries and dead letters.
 *
 * Whoever connects first — publisher or subscriber — creates the stream and every subscriber's durable
 * consumer, so an event published before a subscriber ever started still waits for it (deliver policy
 * "all"). Existing streams and consumers are left as they are (an operator may have tuned them).
 */
import { AckPolicy, DeliverPolicy, RetentionPolicy, StorageType, connect, nanos, type JetStreamClient, type JetStreamManager, type NatsConnection } from 'nats';
import type { SubgraphName } from '../estate';
import type { Logger } from '../logger';
import type { DomainEvent } from './domainEvent';
import { subscribersIn, typesSubscribedBy, type SubscriptionTable } from './subscriptions';
import type { EventTransport } from './transport';

/** Subject prefix of every event: `zocalo.events.<type>`. */
export const EVENT_SUBJECT_PREFIX = 'zocalo.events';

/** The NATS subject of an event type. */
export function natsSubjectOf(type: string): string {
  return `${EVENT_SUBJECT_PREFIX}.${type}`;
}

/** The durable consumer of a subscriber. */
export function durableNameOf(subscriber: SubgraphName): string {
  return `zocalo-${subscriber}`;
}

/** Options of {@link NatsEventBus.connect}. */
export interface NatsEventBusOptions {
  /** `nats://host:port`, comma-separated for a cluster. */
  url: string;
  /** @default "ZOCALO_EVENTS" */
  stream?: string;
  subscriptions: SubscriptionTable;
  /** Connection name shown by the server (`zocalo-<subgraph>`). */
  name: string;
  logger: Logger;
  /** PubAck wait. @default 10000 */
  publishTimeoutMs?: number;
}

/** How long a consumer may hold a message unacknowledged before JetStream redelivers it. */
export const CONSUMER_ACK_WAIT_MS = 30_000;
/** Stream retention: a subscriber down longer than this loses events (with HTTP push they wait in the outbox). */
const STREAM_MAX_AGE_MS = 7 * 24 * 3_600_000;
const DUPLICATE_WINDOW_MS = 2 * 60_000;

/** One process's connection to the event stream: the transport of its relay and the source of its consumer. */
export class NatsEventBus {
  private constructor(
    readonly connection: NatsConnection,
    readonly jetstream: JetStreamClient,
    readonly manager: JetStreamManager,
    readonly stream: string,
    private readonly options: NatsEventBusOptions,
  ) {}

  /** Connects, then makes sure the stream and every subscriber's durable consumer exist. */
  static async connect(options: NatsEventBusOptions): Promise<NatsEventBus> {
    let connection: NatsConnection;
    try {
      connection = await connect({ servers: options.url.split(',').map((server) => server.trim()), name: options.name, maxReconnectAttempts: -1, reconnectTimeWait: 500 });
    } catch (error) {
      throw new Error(`Cannot connect to NATS at ${options.url}`, { cause: error });
    }
    try {
      const manager = await connection.jetstreamManager();
      const bus = new NatsEventBus(connection, connection.jetstream(), manager, options.stream ?? 'ZOCALO_EVENTS', options);
      await bus.ensureStream();
      for (const subscriber of subscribersIn(options.subscriptions)) await bus.ensureConsumer(subscriber);
      return bus;
    } catch (error) {
      await connection.close().catch(() => undefined);
      throw new Error(`Cannot set up the JetStream stream at ${options.url}`, { cause: error });
    }
  }

  /** True when the server supports several filter subjects on one consumer (2.10+). */
  get supportsFilterSubjects(): boolean {
    const [major = 0, minor = 0] = (this.connection.info?.version ?? '0.0.0').split('.').map(Number);
    return major > 2 || (major === 2 && minor >= 10);
  }

  /** The event types `subscriber` reads. */
  typesOf(subscriber: SubgraphName): readonly string[] {
    return typesSubscribedBy(subscriber, this.options.subscriptions);
  }

  /** The relay's transport over this connection. */
  transport(publishTimeoutMs = this.options.publishTimeoutMs ?? 10_000): EventTransport {
    return {
      kind: 'nats',
      fanout: 'broker',
      deliver: async (event: DomainEvent) => {
        // A duplicate PubAck (same msgID inside the window) is a success: the stream has it.
        await this.jetstream.publish(natsSubjectOf(event.type), JSON.stringify(event), { msgID: event.id, timeout: publishTimeoutMs, expect: { streamName: this.stream } });
      },
      close: async () => undefined,
    };
  }

  /** Drains and closes the connection. */
  async close(): Promise<void> {
    if (this.connection.isClosed()) return;
    await this.connection.drain().catch(() => this.connection.close());
  }

  private async ensureStream(): Promise<void> {
    try {
      await this.manager.streams.info(this.stream);
      return;
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    await this.manager.streams.add({
      name: this.stream,
      subjects: [`${EVENT_SUBJECT_PREFIX}.>`],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      max_age: nanos(STREAM_MAX_AGE_MS),
      duplicate_window: nanos(DUPLICATE_WINDOW_MS),
    });
    this.options.logger.info('created JetStream stream', { stream: this.stream });
  }

  /**
   * The durable consumer of `subscriber`: explicit acks, one unacknowledged message at a time (which is
   * what keeps delivery in stream order through naks and redeliveries), redelivery after
   * {@link CONSUMER_ACK_WAIT_MS}. Servers before 2.10 take one filter subject only: the consumer then reads
   * every event and acknowledges the types its subgraph does not handle.
   */
  async ensureConsumer(subscriber: SubgraphName): Promise<void> {
    const durable = durableNameOf(subscriber);
    try {
      await this.manager.consumers.info(this.stream, durable);
      return;
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    const filter = this.supportsFilterSubjects ? { filter_subjects: this.typesOf(subscriber).map(natsSubjectOf) } : { filter_subject: `${EVENT_SUBJECT_PREFIX}.>` };
    try {
      await this.manager.consumers.add(this.stream, {
        durable_name: durable,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ack_wait: nanos(CONSUMER_ACK_WAIT_MS),
        max_ack_pending: 1,
        max_deliver: -1,
        ...filter,
      });
      this.options.logger.info('created JetStream consumer', { stream: this.stream, durable });
    } catch (error) {
      // Another process created it between our info and add.
      if (!/already (exists|in use)/i.test(error instanceof Error ? error.message : '')) throw error;
    }
  }
}

function isNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown; api_error?: { code?: number } }).api_error?.code;
  return code === 404 || /not found/i.test(error instanceof Error ? error.message : '');
}
