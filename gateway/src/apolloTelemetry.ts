/**
 * Apollo Gateway 2.x, when constructed, starts exporting anonymous usage metrics to Apollo over
 * OTLP/HTTPS (with cloud resource detectors) unless `APOLLO_TELEMETRY_DISABLED` is `true` or `1`. A
 * retailer's gateway should not phone home by default — and in the profiles the TLS handshakes showed
 * up (bench/README.md). So the gateway process turns it off at start, unless the operator set the
 * variable themself (either way: `APOLLO_TELEMETRY_DISABLED=false` keeps Apollo's telemetry on).
 */

/**
 * Sets `APOLLO_TELEMETRY_DISABLED=true` in `env` unless it is already set; must run before the
 * `ApolloGateway` is constructed. @returns whether Apollo's telemetry stays off.
 */
export function disableApolloTelemetryUnlessSet(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.APOLLO_TELEMETRY_DISABLED === undefined || env.APOLLO_TELEMETRY_DISABLED === '') env.APOLLO_TELEMETRY_DISABLED = 'true';
  return env.APOLLO_TELEMETRY_DISABLED === 'true' || env.APOLLO_TELEMETRY_DISABLED === '1';
}
