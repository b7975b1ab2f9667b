/**
 * Masked errors a client and an operator can match up. The kit's `formatError` (installed by
 * `server.ts`) already replaces any error without a public code by `INTERNAL_SERVER_ERROR`, "Internal
 * server error", no stack, no driver message, no path; but Apollo Server's `formatError` cannot see the
 * request. This plugin runs once the response is formatted and adds, to each masked error, the
 * request's `requestId` (also in the `x-request-id` response header) and, when a subgraph raised it,
 * the `serviceName` — and logs the unmasked originals under that request id. With introspection off
 * (production), validation errors lose graphql-js's "Did you mean …?" suggestions, which would
 * otherwise spell out the schema.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLError, GraphQLFormattedError } from 'graphql';
import { ErrorCode, type Logger } from '../../../subgraphs/kit/src';
import type { GatewayContext } from '../context';
import type { GatewayFeature, GatewayFeatureFactory } from '../feature';

function serviceNameOf(error: GraphQLError | undefined): string | undefined {
  const serviceName = error?.extensions?.serviceName;
  return typeof serviceName === 'string' ? serviceName : undefined;
}

// Private: graphql-js suggests field, type and argument names ("Did you mean \"product\"?"): with
// introspection off, that would hand out the schema one typo at a time.
const SUGGESTION = /\s*Did you mean .*\?$/;

/** Options for {@link maskedErrorsPlugin}. */
export interface MaskedErrorsOptions {
  /** Strip schema suggestions from validation errors. @default false (true when introspection is off) */
  hideSchemaDetails?: boolean;
}

/** Adds `requestId` (and `serviceName`) to masked errors and logs their originals; hides schema suggestions when asked. */
export function maskedErrorsPlugin(logger: Logger, options: MaskedErrorsOptions = {}): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse(requestContext) {
          const body = requestContext.response.body;
          const result = body.kind === 'single' ? body.singleResult : body.initialResult;
          if (options.hideSchemaDetails && result.errors) {
            result.errors = result.errors.map((error) =>
              error.extensions?.code === 'GRAPHQL_VALIDATION_FAILED' && SUGGESTION.test(error.message) ? { ...error, message: error.message.replace(SUGGESTION, '') } : error,
            );
          }
          const errors = result.errors;
          if (!errors?.some((error) => error.extensions?.code === ErrorCode.INTERNAL_SERVER_ERROR)) return;
          const requestId = requestContext.contextValue.requestId;
          // Apollo Server formats `requestContext.errors` in order, so index i is the original of error i.
          const originals = requestContext.errors ?? [];
          result.errors = errors.map((error: GraphQLFormattedError, index): GraphQLFormattedError => {
            if (error.extensions?.code !== ErrorCode.INTERNAL_SERVER_ERROR) return error;
            const serviceName = serviceNameOf(originals[index]);
            return { ...error, extensions: { ...error.extensions, requestId, ...(serviceName ? { serviceName } : {}) } };
          });
          logger.error('answered with INTERNAL_SERVER_ERROR', {
            requestId,
            operationName: requestContext.operationName ?? null,
            errors: originals.map((original) => ({
              message: original.message,
              path: original.path,
              code: original.extensions?.code,
              serviceName: serviceNameOf(original),
              stack: original.originalError?.stack ?? original.stack,
            })),
          });
        },
      };
    },
  };
}

/** The masked errors feature. */
export const maskedErrorsFeature: GatewayFeatureFactory = ({ logger, config }): GatewayFeature => ({
  name: 'maskedErrors',
  plugins: [maskedErrorsPlugin(logger, { hideSchemaDetails: !config.introspection })],
});
