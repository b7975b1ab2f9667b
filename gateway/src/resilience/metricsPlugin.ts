/**
 * The Apollo Server plugin that feeds {@link GatewayMetrics}: one request counted and timed per
 * operation name, and the `extensions.code` of every error it returned, as the client saw it (after
 * masking), so `zocalo_gateway_errors_total{code="SUBGRAPH_UNAVAILABLE"}` counts what callers got.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from '../context';
import type { GatewayMetrics } from './gatewayMetrics';

/** Builds the plugin (see module comment). */
export function metricsPlugin(metrics: GatewayMetrics): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      const started = performance.now();
      metrics.requestStarted();
      return {
        async willSendResponse({ response, operationName }) {
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : response.body.initialResult.errors;
          const codes = errors ? errors.map((error) => String(error.extensions?.code ?? 'UNKNOWN')) : [];
          metrics.requestEnded(operationName, (performance.now() - started) / 1000, codes);
        },
      };
    },
  };
}
