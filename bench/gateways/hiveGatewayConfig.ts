/**
 * Hive Gateway's configuration for the benchmark (`hive-gateway supergraph <file> -c <this file>`):
 * its defaults, plus the one thing every gateway in the comparison must do to give right answers —
 * forward the caller's `Authorization` to the subgraphs, which verify it themselves. Logging at `warn`
 * so it does not write a line per request.
 */
import { defineConfig } from '@graphql-hive/gateway';

/** Read by the Hive Gateway CLI (it looks for the `gatewayConfig` export). */
export const gatewayConfig = defineConfig({
  logging: 'warn',
  propagateHeaders: {
    fromClientToSubgraphs({ request }) {
      const authorization = request.headers.get('authorization');
      return authorization ? { authorization } : {};
    },
  },
});
