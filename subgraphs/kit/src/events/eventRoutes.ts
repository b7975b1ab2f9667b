/**
 * The HTTP routes of the event machinery, registered by `buildSubgraphServer`: the consumer endpoint
 * the relays push to (`/internal/events`, SERVICE tokens only) and the dead-letter list
 * (`/internal/dead-letters`, ADMIN or SERVICE). The event figures are part of the subgraph's
 * `/metrics` (`eventMetricsText`, served by `buildSubgraphServer`).
 *
 * A pushed event arrives with the publishing request's `x-request-id` and `traceparent` (httpTransport.ts):
 * the handling's log lines carry that request id, and its span is named after the event.
 */
import type { ServerResponse } from 'node:http';
import type { Principal, Role } from '../auth/principal';
import { principalFromAuthorization, type AuthConfig } from '../auth/tokens';
import { sendJson, type RouteHandler, type RouteRequest } from '../http';
import type { Logger } from '../logger';
import type { MongoStore } from '../mongo';
import { domainEventProblem, type DomainEvent, type DomainEventHandlers } from './domainEvent';
import { consumeEvent, errorSummary } from './eventConsumer';
import { EVENTS_ENDPOINT_PATH } from './httpTransport';
import { listDeadLetters } from './outboxStats';

/** Path of the dead-letter list. */
export const DEAD_LETTERS_PATH = '/internal/dead-letters';

/** Answers 401/403 itself and returns null unless the caller holds one of `roles`. */
function authorize(request: RouteRequest, response: ServerResponse, auth: AuthConfig, roles: readonly Role[]): Principal | null {
  let principal: Principal | null;
  try {
    principal = principalFromAuthorization(headerOf(request.headers.authorization), auth);
  } catch (error) {
    sendJson(response, 401, { error: error instanceof Error ? error.message : 'Invalid token' }, { 'www-authenticate': 'Bearer' });
    return null;
  }
  if (!principal) {
    sendJson(response, 401, { error: 'A bearer token is required' }, { 'www-authenticate': 'Bearer' });
    return null;
  }
  if (!roles.includes(principal.role)) {
    sendJson(response, 403, { error: `This needs one of the roles ${roles.join(', ')}; the token has ${principal.role}` });
    return null;
  }
  return principal;
}

function headerOf(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Options of {@link eventRoutes}. */
export interface EventRoutesOptions {
  store: MongoStore;
  auth: AuthConfig;
  logger: Logger;
  /** Set on subscribing subgraphs: registers the consumer endpoint. */
  handlers: DomainEventHandlers | null;
}

/** The routes (see the module comment). */
export function eventRoutes(options: EventRoutesOptions): Record<string, RouteHandler> {
  const { store, auth, logger, handlers } = options;
  const routes: Record<string, RouteHandler> = {
    [DEAD_LETTERS_PATH]: async (request, response) => {
      if (request.method !== 'GET') {
        sendJson(response, 405, { error: 'Use GET' }, { allow: 'GET' });
        return;
      }
      if (!authorize(request, response, auth, ['ADMIN', 'SERVICE'])) return;
      const requested = Number(request.query.get('limit') ?? '100');
      const limit = Number.isInteger(requested) && requested >= 1 && requested <= 1000 ? requested : 100;
      sendJson(response, 200, { deadLetters: await listDeadLetters(store, limit) });
    },
  };
  if (handlers) {
    routes[EVENTS_ENDPOINT_PATH] = async (request, response) => {
      if (request.method !== 'POST') {
        sendJson(response, 405, { error: 'Use POST' }, { allow: 'POST' });
        return;
      }
      const caller = authorize(request, response, auth, ['SERVICE']);
      if (!caller) return;
      const problem = domainEventProblem(request.body);
      if (problem) {
        sendJson(response, 400, { error: `Not a domain event: ${problem}` });
        return;
      }
      const event = request.body as DomainEvent;
      if (request.span) {
        request.span.name = `process ${event.type}`;
        request.span.setAttributes({ 'messaging.operation.type': 'process', 'messaging.message.id': event.id, 'messaging.source.name': event.source, 'zocalo.event.type': event.type });
      }
      const requestId = event.correlation?.requestId;
      try {
        const outcome = await consumeEvent(store, handlers, event);
        logger.debug('domain event handled', { eventId: event.id, type: event.type, from: caller.sub, outcome, requestId });
        sendJson(response, 200, { status: outcome, eventId: event.id });
      } catch (error) {
        // 500 makes the relay retry with backoff; the message goes to its lastError for the operator.
        logger.warn('domain event handler failed', { eventId: event.id, type: event.type, from: caller.sub, requestId, error });
        sendJson(response, 500, { error: errorSummary(error), eventId: event.id });
      }
    };
  }
  return routes;
}
