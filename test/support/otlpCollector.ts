/**
 * A stand-in OpenTelemetry collector for tests: a real HTTP server that accepts OTLP/HTTP JSON at
 * `/v1/traces`, as a collector's OTLP receiver does, and keeps every span it was sent, flattened with
 * its service name — so a test asserts on what a tracing backend would show.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One received span. */
export interface CollectedSpan {
  /** The resource's `service.name`. */
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** OTLP kind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  attributes: Record<string, string | number | boolean>;
  status: { code: number; message?: string };
  startTimeUnixNano: string;
  endTimeUnixNano: string;
}

/** A running stand-in collector. */
export interface OtlpCollector {
  /** The base URL, as `OTEL_EXPORTER_OTLP_ENDPOINT` would be set. */
  endpoint: string;
  spans: CollectedSpan[];
  /** POSTs received (batches). */
  requests: { path: string; contentType: string | undefined; headers: Record<string, string | string[] | undefined> }[];
  /** The status the next POSTs get. @default 200 */
  status: number;
  /** Polls until `predicate` holds for the spans received, or fails after `timeoutMs`. */
  waitFor(predicate: (spans: CollectedSpan[]) => boolean, timeoutMs?: number): Promise<CollectedSpan[]>;
  stop(): Promise<void>;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
}

interface OtlpBody {
  resourceSpans?: {
    resource?: { attributes?: { key: string; value: OtlpValue }[] };
    scopeSpans?: { spans?: (Omit<CollectedSpan, 'service' | 'attributes'> & { attributes?: { key: string; value: OtlpValue }[] })[] }[];
  }[];
}

function valueOf(value: OtlpValue): string | number | boolean {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  return value.boolValue ?? '';
}

function attributesOf(list: { key: string; value: OtlpValue }[] | undefined): Record<string, string | number | boolean> {
  return Object.fromEntries((list ?? []).map(({ key, value }) => [key, valueOf(value)]));
}

/** Starts the collector on a free port of 127.0.0.1. */
export async function startOtlpCollector(): Promise<OtlpCollector> {
  const collector: Omit<OtlpCollector, 'endpoint' | 'stop'> = {
    spans: [],
    requests: [],
    status: 200,
    async waitFor(predicate, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (predicate(collector.spans)) return collector.spans;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`the collector did not receive the expected spans within ${timeoutMs} ms; it has:\n${collector.spans.map((s) => `${s.service} ${s.name} ${s.traceId}/${s.spanId}<-${s.parentSpanId ?? ''}`).join('\n')}`);
    },
  };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      collector.requests.push({ path: request.url ?? '', contentType: request.headers['content-type'], headers: request.headers });
      if (collector.status === 200 && request.url === '/v1/traces') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpBody;
        for (const resourceSpans of body.resourceSpans ?? []) {
          const service = String(attributesOf(resourceSpans.resource?.attributes)['service.name'] ?? '');
          for (const scope of resourceSpans.scopeSpans ?? []) {
            for (const span of scope.spans ?? []) collector.spans.push({ ...span, service, attributes: attributesOf(span.attributes) });
          }
        }
      }
      response.writeHead(collector.status, { 'content-type': 'application/json' });
      response.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(collector, {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  });
}
