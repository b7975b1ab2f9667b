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

/** A subscriber's answer to {@link postEvent} other than 2xx. */
export class EventPostRefused extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
  }
}

/**
 * POSTs `event` to a subscriber's consumer endpoint `url` with a SERVICE `token`, carrying the
 * publishing request's id (and `traceparent` when given); resolves with the 2xx answer.
 * @throws Error `POST <url> failed: <reason>` when nothing came back (refused, timed out), and
 * {@link EventPostRefused} `POST <url> answered <status>: <body>` for any other status.
 */
export async function postEvent(url: string, event: unknown, options: { token: string; timeoutMs: number; traceparent?: string }): Promise<{ status: number; text: string }> {
  const correlation = (event as { id?: string; correlation?: { requestId?: string } } | null) ?? {};
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${options.token}`,
        'x-request-id': correlation.correlation?.requestId ?? correlation.id ?? '',
        ...(options.traceparent ? { traceparent: options.traceparent } : {}),
      },
      body: JSON.stringify(event),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    throw new Error(`POST ${url} failed: ${fetchFailureReason(error)}`, { cause: error });
  }
  const text = await response.text().catch(() => '');
  if (!response.ok) throw new EventPostRefused(`POST ${url} answered ${response.status}: ${text.slice(0, MAX_ERROR_CHARS)}`, response.status);
  return { status: response.status, text };
}

/** Why a `fetch` failed: it hides the reason (ECONNREFUSED, a timeout) in `cause`. */
export function fetchFailureReason(error: unknown): string {
  if (error instanceof Error) return error.cause instanceof Error ? error.cause.message : error.message;
  return String(error);
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
          const { status } = await postEvent(url, event, { token: serviceToken(), timeoutMs, ...(traceparent ? { traceparent } : {}) });
          span?.setAttributes({ 'http.response.status_code': status });
        } catch (error) {
          if (error instanceof EventPostRefused) span?.setAttributes({ 'http.response.status_code': error.status });
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
