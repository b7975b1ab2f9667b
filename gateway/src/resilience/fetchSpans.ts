/**
 * The gateway's subgraph fetch spans, one CLIENT span per attempt. The data source asks for each
 * attempt's `traceparent` (traceContext.ts `childTraceparent`) and hands it, among the headers, to the
 * transport (subgraphTransport.ts), which alone sees the answer — so the span starts in the first and
 * ends in the second, and this registry, keyed by the span id inside the `traceparent`, joins them.
 *
 * An attempt may never reach the transport (an identical fetch already in flight answered it: fetch
 * sharing): its span is dropped unrecorded after {@link MAX_PENDING_MS}, and the registry never holds
 * more than {@link MAX_PENDING} spans, so nothing grows.
 */
import { SpanKind, type Span } from '../../../subgraphs/kit/src';

/** Spans waiting for their transport at most (well above the fetches one gateway has in flight). */
const MAX_PENDING = 10_000;
/** Longer than any fetch may take (`SUBGRAPH_TIMEOUT_MS` is 10 s by default). */
const MAX_PENDING_MS = 120_000;

// Insertion order is start order: the oldest entries are at the front.
const pending = new Map<string, Span>();

// Private: forgets spans whose transport never came, oldest first.
function evictStale(now: number): void {
  for (const [spanId, span] of pending) {
    if (pending.size < MAX_PENDING && now - span.startMs < MAX_PENDING_MS) break;
    pending.delete(spanId);
  }
}

/** Starts the span of one fetch attempt under the request's span; the transport ends it. */
export function startFetchSpan(parent: Span): Span {
  const span = parent.startChild('subgraph fetch', { kind: SpanKind.CLIENT, attributes: { 'http.request.method': 'POST' } });
  if (!span.sampled) return span;
  evictStale(span.startMs);
  pending.set(span.spanId, span);
  return span;
}

/** The pending span of the attempt that carries `traceparent`, taken out of the registry; undefined when none. */
export function takeFetchSpan(traceparent: unknown): Span | undefined {
  if (pending.size === 0 || typeof traceparent !== 'string') return undefined;
  const spanId = traceparent.slice(36, 52);
  const span = pending.get(spanId);
  if (span) pending.delete(spanId);
  return span;
}
