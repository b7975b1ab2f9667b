/**
 * The gateway's features, in the order their pre-handlers and plugins run. Add a feature here: one
 * factory per file under `plugins/` (or its own folder when it needs several files).
 */
import type { GatewayFeatureFactory } from './feature';

/** Every feature the gateway is built with. */
export const GATEWAY_FEATURES: GatewayFeatureFactory[] = [];
