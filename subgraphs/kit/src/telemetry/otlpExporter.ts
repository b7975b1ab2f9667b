/**
 * Sends finished spans to an OpenTelemetry collector: OTLP over HTTP, JSON bodies
 * (`POST <endpoint>` with `{ resourceSpans: [...] }`), as the specification's batch span processor does
 * it — spans wait in a bounded queue and leave in batches, every `scheduleDelayMs` or as soon as a batch
 * is full, one POST at a time.
 *
 * A tracing backend is never allowed to hurt the requests it watches: {@link OtlpExporter.enqueue} is
 * a push onto an array and never waits, never throws; when the queue is full new spans are dropped (and
 * counted), so a collector that is down or slow costs bounded memory and nothing else; a failed POST is
 * dropped (and counted) rather than retried, and logged at most once a minute. Timers are unref'd.
 *
 * Hand-written rather than `@opentelemetry/sdk-trace-base` + `exporter-trace-otlp-http`: the estate
 * already carries its own W3C trace context (traceparent.ts) and needs a few spans per request, not
 * the SDK's context manager and instrumentation; this is ~200 lines with no dependency, like the
 * metric registry.
 */
import http from 'node:http';
import https from 'node:https';
import type { Logger } from '../logger';

/** A span attribute's value. */
export type AttributeValue = string | number | boolean;

/** OTLP span kinds. */
export const SpanKind = { INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 } as const;

/** One of {@link SpanKind}. */
export type SpanKind = (typeof SpanKind)[keyof typeof SpanKind];

/** A finished span, as the exporter sends it. */
export interface FinishedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: SpanKind;
  /** Epoch milliseconds, fractional. */
  startMs: number;
  endMs: number;
  attributes: Record<string, AttributeValue>;
  /** Set when the span failed. */
  error?: string;
}

/** Options for {@link OtlpExporter}. */
export interface OtlpExporterOptions {
  /** The traces URL, e.g. `http://collector:4318/v1/traces`. */
  endpoint: string;
  headers?: Record<string, string>;
  /** `service.name` and the other resource attributes of every span. */
  resource: Record<string, string>;
  /** @default 10000 */
  timeoutMs?: number;
  /** @default 5000 */
  scheduleDelayMs?: number;
  /** @default 2048 */
  maxQueueSize?: number;
  /** @default 512 */
  maxExportBatchSize?: number;
  logger: Logger;
}

/** What the exporter did so far (metrics). */
export interface OtlpExporterStats {
  exported: number;
  dropped: number;
  failedExports: number;
}

const SCOPE = { name: 'zocalo', version: '0.1.0' };
const FAILURE_LOG_INTERVAL_MS = 60_000;

/** Epoch milliseconds (fractional) as OTLP's nanoseconds, a decimal string (int64 in JSON). */
function nanos(ms: number): string {
  const whole = Math.floor(ms);
  return (BigInt(whole) * 1_000_000n + BigInt(Math.round((ms - whole) * 1e6))).toString();
}

function attributeList(attributes: Record<string, AttributeValue>): { key: string; value: Record<string, unknown> }[] {
  return Object.entries(attributes).map(([key, value]) => {
    if (typeof value === 'boolean') return { key, value: { boolValue: value } };
    if (typeof value === 'number') return { key, value: Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value } };
    return { key, value: { stringValue: value } };
  });
}

/** The OTLP/JSON body for `spans`. */
export function otlpTraceBody(resource: Record<string, string>, spans: readonly FinishedSpan[]): string {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: attributeList(resource) },
        scopeSpans: [
          {
            scope: SCOPE,
            spans: spans.map((span) => ({
              traceId: span.traceId,
              spanId: span.spanId,
              ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
              name: span.name,
              kind: span.kind,
              startTimeUnixNano: nanos(span.startMs),
              endTimeUnixNano: nanos(span.endMs),
              attributes: attributeList(span.attributes),
              // 1 OK is for explicit success; unset (0) is the norm, 2 ERROR carries the message.
              status: span.error === undefined ? { code: 0 } : { code: 2, message: span.error },
            })),
          },
        ],
      },
    ],
  });
}

/** The batching exporter (see module comment). */
export class OtlpExporter {
  readonly stats: OtlpExporterStats = { exported: 0, dropped: 0, failedExports: 0 };
  private queue: FinishedSpan[] = [];
  private exporting: Promise<void> | null = null;
  private readonly timer: NodeJS.Timeout;
  private readonly target: URL;
  private readonly client: typeof http | typeof https;
  private readonly timeoutMs: number;
  private readonly maxQueueSize: number;
  private readonly maxBatch: number;
  private lastFailureLogAt = 0;
  private closed = false;

  constructor(private readonly options: OtlpExporterOptions) {
    this.target = new URL(options.endpoint);
    this.client = this.target.protocol === 'https:' ? https : http;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.maxQueueSize = options.maxQueueSize ?? 2048;
    this.maxBatch = options.maxExportBatchSize ?? 512;
    this.timer = setInterval(() => this.flushSoon(), options.scheduleDelayMs ?? 5000);
    this.timer.unref();
  }

  /** Queues a finished span; drops it when the queue is full. Never waits, never throws. */
  enqueue(span: FinishedSpan): void {
    if (this.closed || this.queue.length >= this.maxQueueSize) {
      this.stats.dropped += 1;
      return;
    }
    this.queue.push(span);
    if (this.queue.length >= this.maxBatch) this.flushSoon();
  }

  /** Sends everything queued now (tests, shutdown); resolves when the queue is empty or a POST failed. */
  async flush(): Promise<void> {
    while (this.queue.length > 0 || this.exporting) {
      if (this.exporting) {
        await this.exporting;
        continue;
      }
      const before = this.stats.failedExports;
      await this.exportBatch();
      if (this.stats.failedExports > before) return;
    }
  }

  /** Stops the timer and sends what is queued (bounded by the timeout). Spans ended later are dropped. */
  async shutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
    this.closed = true;
  }

  // Private: starts one batch unless one is already on its way (then the next tick or flush sends more).
  private flushSoon(): void {
    if (this.exporting || this.queue.length === 0) return;
    void this.exportBatch();
  }

  private exportBatch(): Promise<void> {
    const batch = this.queue.splice(0, this.maxBatch);
    this.exporting = this.post(otlpTraceBody(this.options.resource, batch)).then(
      () => {
        this.stats.exported += batch.length;
      },
      (error: unknown) => {
        this.stats.failedExports += 1;
        this.stats.dropped += batch.length;
        this.logFailure(error);
      },
    ).finally(() => {
      this.exporting = null;
      // A burst filled more than one batch: keep going without waiting for the timer.
      if (this.queue.length >= this.maxBatch && !this.closed) this.flushSoon();
    });
    return this.exporting;
  }

  private post(body: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const request = this.client.request(
        this.target,
        {
          method: 'POST',
          headers: { ...this.options.headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
          timeout: this.timeoutMs,
        },
        (response) => {
          // The body (a partial-success note at most) is not needed; reading it frees the socket.
          response.resume();
          response.on('end', () => {
            const status = response.statusCode ?? 0;
            if (status >= 200 && status < 300) resolve();
            else reject(new Error(`the collector answered HTTP ${status}`));
          });
          response.on('error', reject);
        },
      );
      request.on('timeout', () => request.destroy(new Error(`no answer from the collector within ${this.timeoutMs} ms`)));
      request.on('error', reject);
      request.end(body);
    });
  }

  private logFailure(error: unknown): void {
    const now = Date.now();
    if (now - this.lastFailureLogAt < FAILURE_LOG_INTERVAL_MS) return;
    this.lastFailureLogAt = now;
    this.options.logger.warn('trace export failed; spans dropped (requests are not affected)', {
      endpoint: this.target.origin + this.target.pathname,
      reason: error instanceof Error ? error.message : String(error),
      dropped: this.stats.dropped,
    });
  }
}
