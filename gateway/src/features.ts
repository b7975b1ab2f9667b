/**
 * The gateway's features, in the order their pre-handlers and plugins run. Add a feature here: one
 * factory per file under `plugins/` (or its own folder when it needs several files).
 */
import type { GatewayFeatureFactory } from './feature';
import { authorizationRulesFeature } from './plugins/authorizationRules';
import { corsFeature } from './plugins/cors';
import { maskedErrorsFeature } from './plugins/maskedErrors';
import { operationLimitsFeature } from './plugins/operationLimits';
import { rateLimitFeature } from './plugins/rateLimit';
import { loadSheddingFeature } from './resilience/loadShedding';
import { trustedDocumentsFeature } from './plugins/trustedDocuments';
import { playgroundFeature } from './playground/playgroundFeature';

/** Every feature the gateway is built with. */
export const GATEWAY_FEATURES: GatewayFeatureFactory[] = [
  corsFeature,
  loadSheddingFeature,
  rateLimitFeature,
  playgroundFeature,
  trustedDocumentsFeature,
  operationLimitsFeature,
  maskedErrorsFeature,
  authorizationRulesFeature,
];
