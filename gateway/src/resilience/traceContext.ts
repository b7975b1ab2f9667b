/**
 * W3C Trace Context (`traceparent: 00-<trace id>-<parent span id>-<flags>`) without an OpenTelemetry
 * SDK: the gateway keeps the caller's trace id (or starts a trace), gives each subgraph fetch a span
 * id of its own, and writes the trace id into its logs, so one id finds a request in every process's
 * logs and in any tracing backend a collector feeds later.
 */
import { randomBytes } from 'node:crypto';

/** The trace a request belongs to. */
export interface TraceContext {
  /** 32 lowercase hex digits. */
  traceId: string;
  /** Sampling flags to pass on, 2 hex digits. @default "01" */
  flags: string;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const INVALID_TRACE_ID = '0'.repeat(32);

/** Reads an incoming `traceparent`; a missing or malformed one starts a new trace. */
export function traceContextOf(header: string | string[] | undefined): TraceContext {
  const value = Array.isArray(header) ? header[0] : header;
  const match = value ? TRACEPARENT.exec(value.trim().toLowerCase()) : null;
  if (match?.[1] && match[1] !== INVALID_TRACE_ID && match[3]) return { traceId: match[1], flags: match[3] };
  return { traceId: randomBytes(16).toString('hex'), flags: '01' };
}

/** A `traceparent` for one outgoing call: the trace's id and a new span id. */
export function childTraceparent(trace: TraceContext): string {
  return `00-${trace.traceId}-${spanId()}-${trace.flags}`;
}

/** 16 hex digits, never all zero. Math.random is enough: span ids need uniqueness, not secrecy. */
function spanId(): string {
  const high = (((Math.random() * 0xffffffff) >>> 0) | 1) >>> 0;
  const low = (Math.random() * 0xffffffff) >>> 0;
  return high.toString(16).padStart(8, '0') + low.toString(16).padStart(8, '0');
}
