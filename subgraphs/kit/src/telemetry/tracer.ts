/**
 * Spans, when trace export is configured (tracingConfig.ts): a {@link Tracer} per process starts them —
 * from an incoming `traceparent`, or as a child of a span of this process — and a span, once ended,
 * goes to the {@link OtlpExporter}. Which spans exist, and why only these:
 *
 * - every process: a SERVER span per HTTP request (the kit's HTTP front), named after the GraphQL
 *   operation once it is known (`query Customer360`, `query Customer360__orders__1`);
 * - the gateway: a CLIENT span per subgraph fetch attempt, the parent of the subgraph's SERVER span;
 * - a publishing subgraph: a PRODUCER span per event delivery, child of the request that published the
 *   event (its `traceparent` rides in the event), parent of the subscriber's SERVER or CONSUMER span.
 *
 * So one trace holds a request's whole path — gateway → subgraphs → domain events — with correct
 * parent links. Sampling follows `OTEL_TRACES_SAMPLER` (parent-based by default: the caller's
 * sampled flag decides); a span that is not sampled still has ids, for propagation, and costs nothing.
 */
import { UnreachableCaseError } from '../errors';
import type { Logger } from '../logger';
import { Gauge, type Labels, type MetricRegistry } from '../metricRegistry';
import { OtlpExporter, SpanKind, type AttributeValue, type FinishedSpan } from './otlpExporter';
import { formatTraceparent, isSampledFlags, newSpanId, newTraceId, type TraceParent } from './traceparent';
import type { TracingConfig } from './tracingConfig';

/** Options for {@link Tracer}. */
export interface TracerOptions {
  config: TracingConfig;
  /** `service.name` unless the config names one (`OTEL_SERVICE_NAME`). */
  serviceName: string;
  logger: Logger;
}

/** How a span starts. */
export interface SpanOptions {
  kind: SpanKind;
  attributes?: Record<string, AttributeValue | undefined>;
}

/** One unit of work in a trace (see module comment). Its methods do nothing when it is not sampled. */
export class Span {
  readonly attributes: Record<string, AttributeValue> = {};
  /** When the span started, epoch ms. */
  readonly startMs = performance.timeOrigin + performance.now();
  private error: string | undefined;
  private ended = false;

  constructor(
    private readonly exporter: OtlpExporter,
    readonly traceId: string,
    readonly spanId: string,
    readonly parentSpanId: string | undefined,
    readonly sampled: boolean,
    public name: string,
    readonly kind: SpanKind,
  ) {}

  /** The `traceparent` that makes this span the parent of the callee's work. */
  get traceparent(): string {
    return formatTraceparent(this.traceId, this.spanId, this.sampled ? '01' : '00');
  }

  /** A span of this process under this one; it shares this span's sampling decision. */
  startChild(name: string, options: SpanOptions): Span {
    const child = new Span(this.exporter, this.traceId, newSpanId(), this.spanId, this.sampled, name, options.kind);
    if (options.attributes) child.setAttributes(options.attributes);
    return child;
  }

  /** Sets attributes (undefined values are skipped). */
  setAttributes(attributes: Record<string, AttributeValue | undefined>): void {
    if (!this.sampled) return;
    for (const [key, value] of Object.entries(attributes)) if (value !== undefined) this.attributes[key] = value;
  }

  /** Marks the span failed, with why. */
  setError(message: string): void {
    this.error = message;
  }

  /** Ends the span and hands it to the exporter; later calls do nothing. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (!this.sampled) return;
    const finished: FinishedSpan = {
      traceId: this.traceId,
      spanId: this.spanId,
      name: this.name,
      kind: this.kind,
      startMs: this.startMs,
      endMs: performance.timeOrigin + performance.now(),
      attributes: this.attributes,
      ...(this.parentSpanId ? { parentSpanId: this.parentSpanId } : {}),
      ...(this.error !== undefined ? { error: this.error } : {}),
    };
    this.exporter.enqueue(finished);
  }
}

/** A process's tracer (see module comment). */
export class Tracer {
  readonly exporter: OtlpExporter;
  private readonly config: TracingConfig;

  constructor(options: TracerOptions) {
    this.config = options.config;
    const serviceName = options.config.serviceName ?? options.serviceName;
    this.exporter = new OtlpExporter({
      endpoint: options.config.endpoint,
      headers: options.config.headers,
      resource: { ...options.config.resourceAttributes, 'service.name': serviceName, 'service.namespace': 'zocalo', 'telemetry.sdk.language': 'nodejs', 'telemetry.sdk.name': 'zocalo' },
      timeoutMs: options.config.timeoutMs,
      scheduleDelayMs: options.config.scheduleDelayMs,
      maxQueueSize: options.config.maxQueueSize,
      maxExportBatchSize: options.config.maxExportBatchSize,
      logger: options.logger,
    });
  }

  /** A span continuing the caller's trace (`parent` from its `traceparent`), or the root of a new one. */
  startSpan(name: string, parent: TraceParent | null, options: SpanOptions): Span {
    const traceId = parent?.traceId ?? newTraceId();
    const sampled = this.shouldSample(parent, traceId);
    const span = new Span(this.exporter, traceId, newSpanId(), parent?.spanId, sampled, name, options.kind);
    if (options.attributes) span.setAttributes(options.attributes);
    return span;
  }

  /** Registers the exporter's counters (`zocalo_trace_spans_exported_total`, `_dropped_total`, `zocalo_trace_export_failures_total`). */
  registerMetrics(registry: MetricRegistry, labels: Labels = {}): void {
    const { stats } = this.exporter;
    registry.register(new Gauge('zocalo_trace_spans_exported_total', 'Spans the collector accepted.', () => [[labels, stats.exported]], 'counter'));
    registry.register(new Gauge('zocalo_trace_spans_dropped_total', 'Spans dropped: queue full (OTEL_BSP_MAX_QUEUE_SIZE) or the collector refused or was unreachable.', () => [[labels, stats.dropped]], 'counter'));
    registry.register(new Gauge('zocalo_trace_export_failures_total', 'POSTs to the collector that failed.', () => [[labels, stats.failedExports]], 'counter'));
  }

  /** Sends what is queued and stops (process stop). */
  shutdown(): Promise<void> {
    return this.exporter.shutdown();
  }

  private shouldSample(parent: TraceParent | null, traceId: string): boolean {
    const { sampler, samplerRatio } = this.config;
    if (parent && sampler.startsWith('parentbased_')) return isSampledFlags(parent.flags);
    switch (sampler) {
      case 'always_on':
      case 'parentbased_always_on':
        return true;
      case 'always_off':
      case 'parentbased_always_off':
        return false;
      case 'traceidratio':
      case 'parentbased_traceidratio':
        // The trace id's low 52 bits as a fraction: every process takes the same decision for a trace.
        return parseInt(traceId.slice(-13), 16) / 2 ** 52 < samplerRatio;
      default:
        throw new UnreachableCaseError(sampler);
    }
  }
}
