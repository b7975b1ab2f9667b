/**
 * Issue 10, OTLP trace export, the exporter on its own: it is configured by the standard OTEL_*
 * variables (and off without them), sends OTLP/HTTP JSON a collector accepts, in batches, with the
 * headers asked for; it honours the caller's sampling decision; and a collector that is down, refuses
 * or hangs costs bounded memory and a log line — never an exception or a wait in the caller.
 * (test/resilience/observability.test.ts follows one request through the whole estate.)
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SpanKind, freePort, Tracer, otlpTraceBody, readTracingConfig, type TracingConfig } from '../../subgraphs/kit/src';
import { createCapturingLogger } from '../events/capturingLogger';
import { startOtlpCollector, type OtlpCollector } from '../support/otlpCollector';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';

function configFor(endpoint: string, overrides: Partial<TracingConfig> = {}): TracingConfig {
  const config = readTracingConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint });
  if (!config) throw new Error('tracing should be on');
  return { ...config, ...overrides };
}

describe('reading the OTEL_* variables', () => {
  it('is off without an endpoint, with OTEL_SDK_DISABLED or with OTEL_TRACES_EXPORTER=none', () => {
    expect(readTracingConfig({})).toBeNull();
    expect(readTracingConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' })).toBeNull();
    expect(readTracingConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_TRACES_EXPORTER: 'none' })).toBeNull();
  });

  it('appends /v1/traces to OTEL_EXPORTER_OTLP_ENDPOINT and takes OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as it is', () => {
    expect(readTracingConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })?.endpoint).toBe('http://collector:4318/v1/traces');
    expect(readTracingConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://vendor.example/otlp/traces' })?.endpoint).toBe(
      'https://vendor.example/otlp/traces',
    );
  });

  it('reads the service name, resource attributes, headers, sampler and batch settings', () => {
    const config = readTracingConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_SERVICE_NAME: 'zocalo-orders',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=prod,service.version=1.2',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=abc%3D%3D,x-team=retail',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-team=traces',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
      OTEL_BSP_SCHEDULE_DELAY: '1000',
      OTEL_BSP_MAX_QUEUE_SIZE: '100',
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '10',
      OTEL_EXPORTER_OTLP_TIMEOUT: '3000',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    });
    expect(config).toEqual({
      endpoint: 'http://collector:4318/v1/traces',
      headers: { 'x-api-key': 'abc==', 'x-team': 'traces' },
      serviceName: 'zocalo-orders',
      resourceAttributes: { 'deployment.environment': 'prod', 'service.version': '1.2' },
      sampler: 'parentbased_traceidratio',
      samplerRatio: 0.25,
      timeoutMs: 3000,
      scheduleDelayMs: 1000,
      maxQueueSize: 100,
      maxExportBatchSize: 10,
    });
  });

  it('refuses at start what it cannot do, naming the variable', () => {
    const base = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4317' };
    expect(() => readTracingConfig({ ...base, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL.*grpc/);
    expect(() => readTracingConfig({ ...base, OTEL_TRACES_SAMPLER: 'sometimes' })).toThrow(/OTEL_TRACES_SAMPLER must be one of/);
    expect(() => readTracingConfig({ ...base, OTEL_TRACES_SAMPLER_ARG: '2' })).toThrow(/OTEL_TRACES_SAMPLER_ARG/);
    expect(() => readTracingConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT must be an http\(s\) URL/);
    expect(() => readTracingConfig({ ...base, OTEL_BSP_MAX_QUEUE_SIZE: '0' })).toThrow(/OTEL_BSP_MAX_QUEUE_SIZE/);
  });
});

describe('exporting spans to a collector', () => {
  let collector: OtlpCollector;

  beforeAll(async () => {
    collector = await startOtlpCollector();
  });

  afterAll(async () => {
    await collector?.stop();
  });

  it('sends OTLP/HTTP JSON in batches, with the resource, parent links, kinds, attributes, status and headers', async () => {
    const tracer = new Tracer({
      config: configFor(collector.endpoint, { maxExportBatchSize: 3, scheduleDelayMs: 50, headers: { 'x-api-key': 'secret' }, resourceAttributes: { 'deployment.environment': 'test' } }),
      serviceName: 'orders',
      logger: createCapturingLogger(),
    });
    const server = tracer.startSpan('query Checkout', { traceId: TRACE_ID, spanId: CALLER_SPAN, flags: '01' }, { kind: SpanKind.SERVER, attributes: { 'graphql.operation.name': 'Checkout' } });
    const children = Array.from({ length: 6 }, (_, index) => server.startChild(`deliver ${index}`, { kind: SpanKind.PRODUCER, attributes: { attempt: index, ratio: 0.5, retried: index > 2 } }));
    children[5]?.setError('subscriber answered 503');
    for (const child of children) child.end();
    server.end();
    expect(server.traceparent).toBe(`00-${TRACE_ID}-${server.spanId}-01`);

    const spans = await collector.waitFor((all) => all.filter((span) => span.traceId === TRACE_ID).length === 7);
    await tracer.shutdown();
    const mine = spans.filter((span) => span.traceId === TRACE_ID);
    const root = mine.find((span) => span.name === 'query Checkout');
    expect(root).toMatchObject({ service: 'orders', kind: 2, parentSpanId: CALLER_SPAN, spanId: server.spanId, attributes: { 'graphql.operation.name': 'Checkout' }, status: { code: 0 } });
    for (const child of mine.filter((span) => span !== root)) {
      expect(child).toMatchObject({ service: 'orders', kind: 4, parentSpanId: server.spanId });
      expect(BigInt(child.endTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(child.startTimeUnixNano));
    }
    expect(mine.find((span) => span.name === 'deliver 5')).toMatchObject({ attributes: { attempt: 5, ratio: 0.5, retried: true }, status: { code: 2, message: 'subscriber answered 503' } });
    // Batches of at most three, each to /v1/traces, JSON, with the configured headers.
    expect(collector.requests.length).toBeGreaterThanOrEqual(3);
    for (const request of collector.requests) {
      expect(request.path).toBe('/v1/traces');
      expect(request.contentType).toBe('application/json');
      expect(request.headers['x-api-key']).toBe('secret');
    }
    const body = JSON.parse(otlpTraceBody({ 'service.name': 'orders' }, [])) as { resourceSpans: { resource: unknown; scopeSpans: { scope: { name: string } }[] }[] };
    expect(body.resourceSpans[0]?.resource).toEqual({ attributes: [{ key: 'service.name', value: { stringValue: 'orders' } }] });
  });

  it("follows the caller's sampling decision and records nothing it was told not to", async () => {
    const tracer = new Tracer({ config: configFor(collector.endpoint, { scheduleDelayMs: 50 }), serviceName: 'gateway', logger: createCapturingLogger() });
    const unsampledTrace = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
    const notSampled = tracer.startSpan('query Catalogue', { traceId: unsampledTrace, spanId: CALLER_SPAN, flags: '00' }, { kind: SpanKind.SERVER });
    const child = notSampled.startChild('subgraph inventory', { kind: SpanKind.CLIENT });
    // Not recorded, but the ids still travel, with the flag saying so.
    expect(child.traceparent).toBe(`00-${unsampledTrace}-${child.spanId}-00`);
    child.end();
    notSampled.end();
    const sampled = tracer.startSpan('query Catalogue', { traceId: TRACE_ID.replace(/^4/, '5'), spanId: CALLER_SPAN, flags: '01' }, { kind: SpanKind.SERVER });
    sampled.end();
    await tracer.shutdown();
    expect(collector.spans.some((span) => span.traceId === unsampledTrace)).toBe(false);
    expect(collector.spans.some((span) => span.spanId === sampled.spanId)).toBe(true);

    const never = new Tracer({ config: configFor(collector.endpoint, { sampler: 'parentbased_traceidratio', samplerRatio: 0 }), serviceName: 'gateway', logger: createCapturingLogger() });
    expect(never.startSpan('root', null, { kind: SpanKind.SERVER }).sampled).toBe(false);
    await never.shutdown();
  });
});

describe('a collector that is down, refuses or hangs', () => {
  let hanging: Server;
  let hangingUrl = '';

  beforeAll(async () => {
    hanging = createServer(() => undefined);
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    hangingUrl = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    hanging.closeAllConnections();
    await new Promise((resolve) => hanging.close(resolve));
  });

  for (const situation of ['down', 'refusing', 'hanging'] as const) {
    it(`drops the spans, counts them and logs once when the collector is ${situation}; ending spans never throws or waits`, async () => {
      const refusing = situation === 'refusing' ? await startOtlpCollector() : undefined;
      if (refusing) refusing.status = 503;
      const endpoint = situation === 'down' ? `http://127.0.0.1:${await freePort()}` : situation === 'hanging' ? hangingUrl : (refusing as OtlpCollector).endpoint;
      const logger = createCapturingLogger();
      const tracer = new Tracer({ config: configFor(endpoint, { timeoutMs: 300, scheduleDelayMs: 60_000, maxExportBatchSize: 100 }), serviceName: 'gateway', logger });
      const started = performance.now();
      for (let i = 0; i < 20; i += 1) tracer.startSpan(`request ${i}`, null, { kind: SpanKind.SERVER }).end();
      expect(performance.now() - started).toBeLessThan(50);
      await tracer.exporter.flush();
      expect(tracer.exporter.stats).toEqual({ exported: 0, dropped: 20, failedExports: 1 });
      for (let i = 0; i < 5; i += 1) tracer.startSpan(`request ${i}`, null, { kind: SpanKind.SERVER }).end();
      await tracer.shutdown();
      expect(tracer.exporter.stats.failedExports).toBe(2);
      // One warning, not one per failure.
      expect(logger.lines.filter((line) => line.level === 'warn')).toHaveLength(1);
      expect(logger.lines[0]?.message).toMatch(/trace export failed/);
      await refusing?.stop();
    });
  }

  it('keeps at most OTEL_BSP_MAX_QUEUE_SIZE spans waiting and drops the rest', async () => {
    const collector = await startOtlpCollector();
    const tracer = new Tracer({ config: configFor(collector.endpoint, { maxQueueSize: 5, maxExportBatchSize: 100, scheduleDelayMs: 60_000 }), serviceName: 'gateway', logger: createCapturingLogger() });
    for (let i = 0; i < 8; i += 1) tracer.startSpan(`request ${i}`, null, { kind: SpanKind.SERVER }).end();
    await tracer.shutdown();
    expect(tracer.exporter.stats).toEqual({ exported: 5, dropped: 3, failedExports: 0 });
    expect(collector.spans).toHaveLength(5);
    // After shutdown, spans are dropped rather than queued for a timer that no longer runs.
    tracer.startSpan('late', null, { kind: SpanKind.SERVER }).end();
    expect(tracer.exporter.stats.dropped).toBe(4);
    await collector.stop();
  });
});
