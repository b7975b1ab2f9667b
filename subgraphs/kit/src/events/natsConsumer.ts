/**
 * A subscribing subgraph's reader of its JetStream durable consumer: each message runs through the same
 * dedupe and handlers as an HTTP push (`consumeEvent`), then is acknowledged. On a handler failure the
 * message is nak'ed with the shared exponential backoff; after `maxAttempts` deliveries it is
 * terminated and recorded in `inboxDeadLetters` (and logged at error level).
 *
 * Order: the consumer allows one unacknowledged message (`max_ack_pending` 1), so JetStream hands over
 * message n+1 only after n was acknowledged or terminated; a nak'ed message stays the one outstanding
 * message until it is redelivered. Events therefore reach the handlers in stream order, which the relay
 * keeps in `seq` order per subject. The price is head-of-line blocking: a failing event holds up the
 * whole consumer through its backoff, not just its subject.
 *
 * `term()` is sent without a reason: servers before 2.10.4 (Debian's 2.9) do not understand
 * `+TERM <reason>` and leave the message outstanding until its ack wait, blocking the consumer. The
 * reason is in the dead-letter record and the log instead.
 *
 * Each handling is a CONSUMER span under the publishing request's span (the event's `correlation`) when
 * trace export is on, and its log lines carry that request's id.
 */
import type { ConsumerMessages, JsMsg } from 'nats';
import type { SubgraphName } from '../estate';
import type { Logger } from '../logger';
import type { MongoStore } from '../mongo';
import { SpanKind } from '../telemetry/otlpExporter';
import { parseTraceparent } from '../telemetry/traceparent';
import type { Tracer } from '../telemetry/tracer';
import { domainEventProblem, type DomainEvent, type DomainEventHandlers } from './domainEvent';
import { consumeEvent, errorSummary, recordInboxDeadLetter } from './eventConsumer';
import { durableNameOf, type NatsEventBus } from './natsTransport';
import { retryDelayMs, type RetryPolicy } from './retryDelay';

/** Options of {@link NatsEventConsumer}. */
export interface NatsEventConsumerOptions {
  bus: NatsEventBus;
  subscriber: SubgraphName;
  store: MongoStore;
  handlers: DomainEventHandlers;
  logger: Logger;
  /** Deliveries before the event is terminated and dead-lettered. @default 12 */
  maxAttempts?: number;
  retry?: RetryPolicy;
  /** Records a CONSUMER span per handling (trace export configured). */
  tracer?: Tracer | null;
}

/** Pause before reopening the consumer after it failed (server restart, consumer deleted). */
const REOPEN_DELAY_MS = 1_000;

/** Reads the subscriber's durable consumer until stopped. */
export class NatsEventConsumer {
  private messages: ConsumerMessages | null = null;
  private loop: Promise<void> | null = null;
  private stopping = false;
  private readonly types: ReadonlySet<string>;

  constructor(private readonly options: NatsEventConsumerOptions) {
    this.types = new Set(options.bus.typesOf(options.subscriber));
  }

  /** True between {@link start} and {@link stop}. */
  get isRunning(): boolean {
    return this.loop !== null;
  }

  /** Starts reading (no-op when running). */
  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.loop = this.run();
  }

  /** Stops after the message being handled; messages already buffered are nak'ed for immediate redelivery. */
  async stop(): Promise<void> {
    if (!this.loop) return;
    this.stopping = true;
    this.messages?.stop();
    await this.loop;
    this.loop = null;
  }

  private async run(): Promise<void> {
    const { bus, subscriber, logger } = this.options;
    while (!this.stopping) {
      try {
        await bus.ensureConsumer(subscriber);
        const consumer = await bus.jetstream.consumers.get(bus.stream, durableNameOf(subscriber));
        this.messages = await consumer.consume({ max_messages: 16 });
        if (this.stopping) this.messages.stop();
        for await (const message of this.messages) {
          if (this.stopping) {
            message.nak();
            continue;
          }
          await this.handle(message);
        }
      } catch (error) {
        if (this.stopping) break;
        logger.warn('JetStream consumer failed; reopening', { error, subscriber });
        await new Promise((resolve) => setTimeout(resolve, REOPEN_DELAY_MS));
      }
    }
    this.messages = null;
  }

  private async handle(message: JsMsg): Promise<void> {
    const { store, handlers, logger } = this.options;
    let value: unknown;
    try {
      value = message.json<unknown>();
    } catch {
      value = undefined;
    }
    const problem = domainEventProblem(value);
    if (problem) {
      // Redelivering a malformed message cannot help.
      await recordInboxDeadLetter(store, logger, message.string().slice(0, 10_000), `nats-seq-${message.seq}`, message.info.deliveryCount, `malformed event: ${problem}`);
      message.term();
      return;
    }
    const event = value as DomainEvent;
    if (!this.types.has(event.type)) {
      message.ack();
      return;
    }
    const requestId = event.correlation?.requestId;
    const span = this.options.tracer?.startSpan(`process ${event.type}`, parseTraceparent(event.correlation?.traceparent), {
      kind: SpanKind.CONSUMER,
      attributes: { 'messaging.system': 'nats', 'messaging.operation.type': 'process', 'messaging.message.id': event.id, 'messaging.source.name': event.source, 'zocalo.event.type': event.type, 'zocalo.request_id': requestId },
    });
    try {
      const outcome = await consumeEvent(store, handlers, event);
      message.ack();
      logger.debug('domain event handled', { eventId: event.id, type: event.type, outcome, requestId });
    } catch (error) {
      const attempts = message.info.deliveryCount;
      const lastError = errorSummary(error);
      span?.setError(lastError);
      if (attempts >= (this.options.maxAttempts ?? 12)) {
        try {
          await recordInboxDeadLetter(store, logger, event, event.id, attempts, lastError);
          message.term();
        } catch (recordError) {
          // Keep the message: it comes back, and the dead letter is recorded then.
          logger.warn('could not record a dead letter', { error: recordError, eventId: event.id });
          message.nak(this.delay(attempts));
        }
        return;
      }
      logger.warn('domain event handler failed; JetStream will redeliver', { eventId: event.id, type: event.type, attempts, lastError, requestId });
      message.nak(this.delay(attempts));
    } finally {
      span?.end();
    }
  }

  private delay(attempts: number): number {
    return retryDelayMs(attempts, this.options.retry ?? { baseMs: 500, maxMs: 300_000 });
  }
}
