/**
 * Whether and where a process exports traces, from the standard OpenTelemetry variables, so a
 * collector set up for any other service works unchanged: `OTEL_EXPORTER_OTLP_ENDPOINT` (or
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) turns export on; the others tune it. Unset — the default —
 * nothing is recorded or exported; `traceparent` still travels (traceparent.ts).
 *
 * Export is OTLP over HTTP with JSON bodies (`http/json`). `http/protobuf`, the specification's
 * default, is accepted as a setting and served with JSON too: collectors' OTLP/HTTP receivers take
 * both on the same port (4318). `grpc` is refused at start — it needs another port and transport.
 */

/** How root spans are sampled (`OTEL_TRACES_SAMPLER`); `parentbased_*` follow the caller's decision. */
export const SAMPLER_NAMES = ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'] as const;

/** One of {@link SAMPLER_NAMES}. */
export type SamplerName = (typeof SAMPLER_NAMES)[number];

/** Trace export settings of one process. */
export interface TracingConfig {
  /** Where spans are POSTed: `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, or `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`. */
  endpoint: string;
  /** `OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_EXPORTER_OTLP_TRACES_HEADERS` (`key=value,…`, e.g. an API key). */
  headers: Record<string, string>;
  /** `OTEL_SERVICE_NAME` (or `service.name` in `OTEL_RESOURCE_ATTRIBUTES`). @default the process's own name (`gateway`, `orders`…) */
  serviceName?: string;
  /** `OTEL_RESOURCE_ATTRIBUTES` (`key=value,…`), e.g. `deployment.environment=prod`. */
  resourceAttributes: Record<string, string>;
  /** `OTEL_TRACES_SAMPLER`. @default "parentbased_always_on" */
  sampler: SamplerName;
  /** `OTEL_TRACES_SAMPLER_ARG`: the ratio of the `traceidratio` samplers, 0–1. @default 1 */
  samplerRatio: number;
  /** `OTEL_EXPORTER_OTLP_TRACES_TIMEOUT` / `OTEL_EXPORTER_OTLP_TIMEOUT`: longest wait for the collector, ms. @default 10000 */
  timeoutMs: number;
  /** `OTEL_BSP_SCHEDULE_DELAY`: how often queued spans are sent, ms. @default 5000 */
  scheduleDelayMs: number;
  /** `OTEL_BSP_MAX_QUEUE_SIZE`: spans kept waiting at most; beyond, new spans are dropped (and counted). @default 2048 */
  maxQueueSize: number;
  /** `OTEL_BSP_MAX_EXPORT_BATCH_SIZE`: spans per POST at most. @default 512 */
  maxExportBatchSize: number;
}

function readWholeNumber(env: NodeJS.ProcessEnv, variable: string, fallback: number, min: number): number {
  const raw = env[variable];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${variable} must be a whole number of at least ${min}, got ${JSON.stringify(raw)}`);
  return value;
}

/** `key=value,key2=value2` (values URL-encoded, as the OpenTelemetry specification has it). */
function readKeyValueList(env: NodeJS.ProcessEnv, variable: string): Record<string, string> {
  const raw = env[variable];
  const pairs: Record<string, string> = {};
  if (!raw) return pairs;
  for (const item of raw.split(',')) {
    if (item.trim() === '') continue;
    const equals = item.indexOf('=');
    if (equals <= 0) throw new Error(`${variable} must be a list of key=value pairs, got ${JSON.stringify(raw)}`);
    try {
      pairs[decodeURIComponent(item.slice(0, equals).trim())] = decodeURIComponent(item.slice(equals + 1).trim());
    } catch {
      throw new Error(`${variable} has a badly encoded pair: ${JSON.stringify(item)}`);
    }
  }
  return pairs;
}

function readEndpoint(env: NodeJS.ProcessEnv): string | null {
  const specific = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  const variable = specific ? 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' : 'OTEL_EXPORTER_OTLP_ENDPOINT';
  // The signal-specific endpoint is used as it is; the base one gets the traces path appended.
  const raw = specific || (base ? `${base.replace(/\/+$/, '')}/v1/traces` : '');
  if (!raw) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`${variable} must be an http(s) URL, got ${JSON.stringify(specific || base)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`${variable} must be an http(s) URL, got ${JSON.stringify(specific || base)}`);
  return url.toString();
}

function readSampler(env: NodeJS.ProcessEnv): { sampler: SamplerName; samplerRatio: number } {
  const raw = env.OTEL_TRACES_SAMPLER?.trim().toLowerCase() || 'parentbased_always_on';
  if (!(SAMPLER_NAMES as readonly string[]).includes(raw)) throw new Error(`OTEL_TRACES_SAMPLER must be one of ${SAMPLER_NAMES.join(', ')}, got ${JSON.stringify(env.OTEL_TRACES_SAMPLER)}`);
  const ratioText = env.OTEL_TRACES_SAMPLER_ARG?.trim();
  const ratio = ratioText ? Number(ratioText) : 1;
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) throw new Error(`OTEL_TRACES_SAMPLER_ARG must be a ratio from 0 to 1, got ${JSON.stringify(env.OTEL_TRACES_SAMPLER_ARG)}`);
  return { sampler: raw as SamplerName, samplerRatio: ratio };
}

/** Reads the trace export settings; null when export is off (no endpoint, `OTEL_SDK_DISABLED`, `OTEL_TRACES_EXPORTER=none`). */
export function readTracingConfig(env: NodeJS.ProcessEnv = process.env): TracingConfig | null {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return null;
  const exporter = env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() || 'otlp';
  if (exporter === 'none') return null;
  if (exporter !== 'otlp') throw new Error(`OTEL_TRACES_EXPORTER must be otlp or none, got ${JSON.stringify(env.OTEL_TRACES_EXPORTER)}`);
  const endpoint = readEndpoint(env);
  if (!endpoint) return null;
  const protocol = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || env.OTEL_EXPORTER_OTLP_PROTOCOL || 'http/json').trim().toLowerCase();
  if (protocol !== 'http/json' && protocol !== 'http/protobuf') {
    throw new Error(`OTEL_EXPORTER_OTLP_PROTOCOL must be http/json (or http/protobuf, sent as JSON to the same OTLP/HTTP port); grpc is not supported, got ${JSON.stringify(protocol)}`);
  }
  const resourceAttributes = readKeyValueList(env, 'OTEL_RESOURCE_ATTRIBUTES');
  const serviceName = env.OTEL_SERVICE_NAME?.trim() || resourceAttributes['service.name'];
  return {
    endpoint,
    headers: { ...readKeyValueList(env, 'OTEL_EXPORTER_OTLP_HEADERS'), ...readKeyValueList(env, 'OTEL_EXPORTER_OTLP_TRACES_HEADERS') },
    ...(serviceName ? { serviceName } : {}),
    resourceAttributes,
    ...readSampler(env),
    timeoutMs: readWholeNumber(env, 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', readWholeNumber(env, 'OTEL_EXPORTER_OTLP_TIMEOUT', 10_000, 1), 1),
    scheduleDelayMs: readWholeNumber(env, 'OTEL_BSP_SCHEDULE_DELAY', 5000, 1),
    maxQueueSize: readWholeNumber(env, 'OTEL_BSP_MAX_QUEUE_SIZE', 2048, 1),
    maxExportBatchSize: readWholeNumber(env, 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE', 512, 1),
  };
}
