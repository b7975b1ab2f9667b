/**
 * W3C Trace Context (`traceparent: <version>-<trace id>-<parent span id>-<flags>`), the one header that
 * ties a request's work in every process into one trace: read it, write it, make new ids. Used with
 * tracing off too — then the ids only travel, so every log line of a request carries one trace id.
 */
import { randomBytes } from 'node:crypto';

/** A parsed `traceparent`. */
export interface TraceParent {
  /** 32 lowercase hex digits, not all zero. */
  traceId: string;
  /** The caller's span: 16 lowercase hex digits, not all zero. */
  spanId: string;
  /** 2 hex digits; bit 0 is "sampled". */
  flags: string;
}

// Version 00 is exact; a later version may append fields, which are ignored (W3C: "parse what you know").
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_SPAN_ID = '0'.repeat(16);

/** Reads a `traceparent` header; null when missing or malformed (the caller then starts a trace). */
export function parseTraceparent(header: string | string[] | undefined): TraceParent | null {
  const value = (Array.isArray(header) ? header[0] : header)?.trim().toLowerCase();
  if (!value) return null;
  const match = TRACEPARENT.exec(value);
  if (!match) return null;
  const [, version, traceId, spanId, flags, rest] = match as unknown as [string, string, string, string, string, string | undefined];
  if (version === 'ff' || (version === '00' && rest !== undefined)) return null;
  if (traceId === ZERO_TRACE_ID || spanId === ZERO_SPAN_ID) return null;
  return { traceId, spanId, flags };
}

/** The `traceparent` of span `spanId` in trace `traceId`. */
export function formatTraceparent(traceId: string, spanId: string, flags: string): string {
  return `00-${traceId}-${spanId}-${flags}`;
}

/** True when `flags` has the sampled bit. */
export function isSampledFlags(flags: string): boolean {
  return (parseInt(flags, 16) & 1) === 1;
}

/** A new trace id (random, 16 bytes). */
export function newTraceId(): string {
  return randomBytes(16).toString('hex');
}

/** 16 hex digits, never all zero. Math.random is enough: span ids need uniqueness, not secrecy. */
export function newSpanId(): string {
  const high = (((Math.random() * 0xffffffff) >>> 0) | 1) >>> 0;
  const low = (Math.random() * 0xffffffff) >>> 0;
  return high.toString(16).padStart(8, '0') + low.toString(16).padStart(8, '0');
}
