/**
 * A gateway feature (auth, limits, resilience, playground, metrics…) is one factory returning the
 * pieces it adds, so `server.ts` stays a list and each feature stays in its own file.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { Logger, MetricRegistry, PreHandler, RouteHandler } from '../../subgraphs/kit/src';
import type { GatewayConfig } from './config';
import type { GatewayContext } from './context';

/** What a feature may add to the gateway. */
export interface GatewayFeature {
  /** For logs and /health. */
  name: string;
  /** Apollo Server plugins (request pipeline hooks). */
  plugins?: ApolloServerPlugin<GatewayContext>[];
  /** HTTP checks before routing (rate limits, CORS, load shedding). */
  preHandlers?: PreHandler[];
  /** Extra HTTP routes by exact path. */
  routes?: Record<string, RouteHandler>;
  /** True when one of `plugins` renders a landing page (Apollo Server allows only one). */
  providesLandingPage?: boolean;
  /** Called when the gateway stops (timers, watchers). */
  stop?: () => Promise<void> | void;
  /** Adds the feature's own metrics to the gateway's `/metrics`. */
  registerMetrics?: (registry: MetricRegistry) => void;
}

/** What a feature factory gets. */
export interface GatewayFeatureOptions {
  config: GatewayConfig;
  logger: Logger;
}

/** Builds a feature. */
export type GatewayFeatureFactory = (options: GatewayFeatureOptions) => GatewayFeature;
