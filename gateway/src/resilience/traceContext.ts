/**
 * W3C Trace Context for the gateway: the request keeps the caller's trace id (or starts a trace), each
 * subgraph fetch attempt gets a span id of its own in that trace (sent as its `traceparent`), and the
 * trace id is in the gateway's and the subgraphs' log lines — so one id finds a request everywhere.
 *
 * With trace export configured (`OTEL_EXPORTER_OTLP_ENDPOINT`), the request is also a recorded SERVER
 * span (the HTTP front starts it) and each fetch attempt a recorded CLIENT span under it (fetchSpans.ts),
 * the parent of the subgraph's own SERVER span. Without it, only the ids travel.
 */
import { formatTraceparent, newSpanId, newTraceId, parseTraceparent, type Span } from '../../../subgraphs/kit/src';
import { startFetchSpan } from './fetchSpans';

/** The trace a request belongs to. */
export interface TraceContext {
  /** 32 lowercase hex digits. */
  traceId: string;
  /** Sampling flags to pass on, 2 hex digits. @default "01" */
  flags: string;
  /** The request's recorded SERVER span, when trace export is configured. */
  span?: Span;
}

/** The request's trace: its span's when it has one, else the incoming `traceparent`'s, else a new one. */
export function traceContextOf(header: string | string[] | undefined, span?: Span): TraceContext {
  if (span) return { traceId: span.traceId, flags: span.sampled ? '01' : '00', span };
  const parent = parseTraceparent(header);
  if (parent) return { traceId: parent.traceId, flags: parent.flags };
  return { traceId: newTraceId(), flags: '01' };
}

/** A `traceparent` for one outgoing call: the trace's id and a new span id (a recorded span's, with export on). */
export function childTraceparent(trace: TraceContext): string {
  if (trace.span) return startFetchSpan(trace.span).traceparent;
  return formatTraceparent(trace.traceId, newSpanId(), trace.flags);
}
