/**
 * HTTP push, the default transport: the relay POSTs each event to `<subscriber base URL>/internal/events`
 * with a SERVICE token of the publishing subgraph. The subscriber answers 200 only after its handler
 * succeeded and the event id is recorded (or was recorded before), so a 2xx is a durable receipt.
 *
 * Each delivery carries the publishing request's `x-request-id` and trace (the event's `correlation`;
 * the event id for events without one). With trace export on, each delivery is a PRODUCER span under
 * the publishing request's span, and the subscriber's handling a span under it.
 */
import { signToken, type AuthConfig } from '../auth/tokens';
import type { SubgraphName } from '../estate';
import { SpanKind } from '../telemetry/otlpExporter';
import { parseTraceparent } from '../telemetry/traceparent';
import type { Span, Tracer } from '../telemetry/tracer';
import type { DomainEvent } from './domainEvent';
import type { EventTransport } from './transport';

/** Path of the consumer endpoint every subscribing subgraph serves. */
export const EVENTS_ENDPOINT_PATH = '/internal/events';

/** Options of {@link createHttpTransport}. */
export interface HttpTransportOptions {
  /** The publishing subgraph: the `sub` of its SERVICE token. */
  source: SubgraphName;
  auth: AuthConfig;
  /** Base URL of each subscriber, without `/graphql`. */
  subscriberUrls: Record<SubgraphName, string>;
  /** @default 10000 */
  timeoutMs?: number;
  /** Records a PRODUCER span per delivery (trace export configured). */
  tracer?: Tracer | null;
}

/** Tokens live 12 h; mint a fresh one hourly so a long-running relay never sends an expired one. */
const TOKEN_REFRESH_MS = 3_600_000;
/** Enough of an error body for `lastError`, not a whole page. */
const MAX_ERROR_CHARS = 300;

// Private: a delivery of `event` to `subscriber`, in the trace of the request that published it.
function deliverySpan(tracer: Tracer, event: DomainEvent, subscriber: SubgraphName): Span {
  return tracer.startSpan(`deliver ${event.type}`, parseTraceparent(event.correlation?.traceparent), {
    kind: SpanKind.PRODUCER,
    attributes: {
      'messaging.system': 'http',
      'messaging.operation.type': 'send',
      'messaging.destination.name': subscriber,
      'messaging.message.id': event.id,
      'zocalo.event.type': event.type,
      ...(event.correlation?.requestId ? { 'zocalo.request_id': event.correlation.requestId } : {}),
    },
  });
}

/** Creates the HTTP push transport. */
export function createHttpTransport(options: HttpTransportOptions): EventTransport {
  const timeoutMs = options.timeoutMs ?? 10_000;
  let token = '';
  let mintedAt = 0;
  const serviceToken = (): string => {
    if (Date.now() - mintedAt > TOKEN_REFRESH_MS) {
      token = signToken({ sub: options.source, role: 'SERVICE' }, options.auth);
      mintedAt = Date.now();
    }
    return token;
  };

  return {
    kind: 'http',
    fanout: 'subscriber',
    async deliver(event: DomainEvent, subscribers: readonly SubgraphName[]) {
      for (const subscriber of subscribers) {
        const url = `${options.subscriberUrls[subscriber]}${EVENTS_ENDPOINT_PATH}`;
        const span = options.tracer ? deliverySpan(options.tracer, event, subscriber) : undefined;
        const traceparent = span?.traceparent ?? event.correlation?.traceparent;
        try {
          let response: Response;
          try {
            response = await fetch(url, {
              method: 'POST',
              headers: {
                'content-type': 'application/json',
                authorization: `Bearer ${serviceToken()}`,
                'x-request-id': event.correlation?.requestId ?? event.id,
                ...(traceparent ? { traceparent } : {}),
              },
              body: JSON.stringify(event),
              signal: AbortSignal.timeout(timeoutMs),
            });
          } catch (error) {
            const reason = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
            throw new Error(`POST ${url} failed: ${reason}`, { cause: error });
          }
          const text = await response.text().catch(() => '');
          span?.setAttributes({ 'http.response.status_code': response.status });
          if (!response.ok) throw new Error(`POST ${url} answered ${response.status}: ${text.slice(0, MAX_ERROR_CHARS)}`);
        } catch (error) {
          span?.setError(error instanceof Error ? error.message : String(error));
          throw error;
        } finally {
          span?.end();
        }
      }
    },
    async close() {
      // fetch's keep-alive pool belongs to the process; nothing of ours to release.
    },
  };
}
