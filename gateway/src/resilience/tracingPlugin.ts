/**
 * The Apollo Server plugin that ties a gateway request's telemetry to its GraphQL operation: names the
 * request's SERVER span after the operation (`query Customer360`) with its type, name, client and the
 * codes of the errors it returned (server-side failures mark the span failed), and writes one `debug`
 * log line per request — operation, duration, error codes, request id and trace id — the line to grep
 * for first when following a request into the subgraphs' logs.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { errorCodesOf, hasServerFault, type Logger } from '../../../subgraphs/kit/src';
import type { GatewayContext } from '../context';

/** Builds the plugin (see module comment). */
export function tracingPlugin(logger: Logger): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart({ contextValue, request }) {
      const started = performance.now();
      const span = contextValue.trace?.span;
      span?.setAttributes({ 'graphql.client.name': request.http?.headers.get('apollographql-client-name') ?? undefined });
      return {
        async didResolveOperation({ operation, operationName }) {
          if (!span || !operation) return;
          span.name = operationName ? `${operation.operation} ${operationName}` : operation.operation;
          span.setAttributes({ 'graphql.operation.type': operation.operation, 'graphql.operation.name': operationName ?? undefined });
        },
        async willSendResponse({ response, operationName }) {
          const codes = errorCodesOf(response.body.kind === 'single' ? response.body.singleResult.errors : response.body.initialResult.errors);
          if (span && codes.length > 0) {
            const distinct = [...new Set(codes)].join(',');
            span.setAttributes({ 'graphql.error.codes': distinct });
            if (hasServerFault(codes)) span.setError(`GraphQL errors: ${distinct}`);
          }
          logger.debug('graphql request', {
            requestId: contextValue.requestId,
            traceId: contextValue.trace?.traceId,
            operation: operationName ?? null,
            durationMs: Math.round(performance.now() - started),
            errors: codes,
          });
        },
      };
    },
  };
}
