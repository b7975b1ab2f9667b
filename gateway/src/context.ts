/** The gateway's per-request context. */
import type { Principal } from '../../subgraphs/kit/src';
import type { TraceContext } from './resilience/traceContext';

/** What the gateway knows of a request; forwarded to subgraphs by `SubgraphDataSource`. */
export interface GatewayContext {
  /** The verified caller, or null when anonymous. */
  principal: Principal | null;
  /** The raw Authorization header, forwarded as is (subgraphs verify it again). */
  authorization?: string;
  requestId: string;
  /** The W3C trace this request belongs to (the caller's `traceparent`, or a new trace). */
  trace?: TraceContext;
}
