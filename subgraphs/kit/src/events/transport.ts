/**
 * What the relay needs from a transport: hand one event to its subscribers and say, by resolving,
 * that the receiving side has it durably. Two implementations: HTTP push (`httpTransport.ts`, the
 * default) and NATS JetStream (`natsTransport.ts`, when `NATS_URL` is set).
 */
import type { SubgraphName } from '../estate';
import type { DomainEvent } from './domainEvent';

/** An event transport. */
export interface EventTransport {
  /** For logs, `/health` and metrics. */
  readonly kind: 'http' | 'nats';
  /**
   * `subscriber`: each subscriber is a separate delivery (HTTP push), tracked, retried and ordered on its
   * own. `broker`: one publish reaches every subscriber (JetStream stores it once; each durable consumer
   * reads it), so the relay delivers an event once and marks all its pending subscribers delivered.
   */
  readonly fanout: 'subscriber' | 'broker';
  /**
   * Delivers `event` to `subscribers` (exactly one for `subscriber` fan-out). Resolves only once the
   * receiving side holds it durably — HTTP: the subscriber answered 2xx after processing it (or having
   * processed it before); JetStream: the stream acknowledged storing it. Rejects otherwise, and the
   * relay retries: delivery is at least once, so receivers dedupe by event id.
   */
  deliver(event: DomainEvent, subscribers: readonly SubgraphName[]): Promise<void>;
  /** Releases connections. */
  close(): Promise<void>;
}
