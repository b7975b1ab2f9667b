/**
 * How the gateway calls a subgraph — Apollo Gateway's `GraphQLDataSource`, implemented here instead of
 * extending `RemoteGraphQLDataSource` because everything between "send" and "answer" is ours:
 *
 * - a keep-alive pool per subgraph over node:http (resilience/subgraphTransport.ts), no node-fetch
 *   `Request` built per fetch (PERF-NOTES.md: the default fetch stack cost a third of the CPU);
 * - the caller's token, request id and a W3C `traceparent` forwarded (every subgraph verifies the
 *   token itself; one trace id follows the request through every process's logs);
 * - a timeout per subgraph, retries with jitter for queries only (resilience/retryPolicy.ts) and a
 *   circuit breaker per subgraph (resilience/circuitBreaker.ts): while a subgraph is down its fetches
 *   fail at once;
 * - every failure becomes a `SUBGRAPH_UNAVAILABLE` error naming the subgraph (`serviceName`), which
 *   Apollo Gateway adds to a response that still carries what the other subgraphs answered;
 * - query fetches go through the gateway's one fetch sharing (performance/subgraphFetchSharing.ts):
 *   identical ones in flight are sent once, anonymous answers may be reused for a short TTL; a
 *   mutation is always sent on its own and, once settled, invalidates what is shared;
 * - a query fetch that reads only `@public` fields (performance/publicFetches.ts) is sent without the
 *   caller's token, as an anonymous shopper's would be, so it is shared with every caller (an
 *   `_entities` one entity by entity); if the subgraph refuses it anyway, it is sent again with the token.
 */
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { OutgoingHttpHeaders } from 'node:http';
import { GraphQLError } from 'graphql';
import { ErrorCode } from '../../subgraphs/kit/src';
import type { GatewayContext } from './context';
import type { PublicFetchClassifier } from './performance/publicFetches';
import type { EntitiesRequest, SubgraphFetchSharing } from './performance/subgraphFetchSharing';
import type { CircuitBreaker } from './resilience/circuitBreaker';
import type { FetchOutcome } from './resilience/gatewayMetrics';
import type { SubgraphResilience } from './resilience/subgraphResilience';
import { SubgraphTransportError, type SubgraphHttpResponse, type SubgraphTransport } from './resilience/subgraphTransport';
import { childTraceparent } from './resilience/traceContext';

/** Options for {@link SubgraphDataSource}. */
export interface SubgraphDataSourceOptions {
  name: string;
  url: string;
  /** Breakers, pools, timeouts, retry policy and metrics shared by the gateway's data sources. */
  resilience: SubgraphResilience;
  /** One per gateway: shares identical query fetches in flight (and anonymous answers, when configured). */
  sharing?: SubgraphFetchSharing;
  /** The current supergraph's verdict on which fetches read only public fields (performance/publicFetches.ts). */
  publicFetches?: () => PublicFetchClassifier | undefined;
}

/** An answer that refuses the anonymous caller: the fetch was not public after all. */
const REFUSED = /"code":"(UNAUTHENTICATED|FORBIDDEN)"/;

type GatewayGraphQLResponse = Awaited<ReturnType<GraphQLDataSource['process']>>;

/** The subgraph operation is a mutation: its fetch is never retried. */
const MUTATION = /^\s*mutation\b/;

/** A Cache-Control directive a subgraph may send back. */
const MAX_AGE = /max-age=(\d+)/;

/** How a subgraph fetch failed, for the error and the metrics. */
interface Failure {
  outcome: FetchOutcome;
  reason: string;
}

/** The gateway's data source for one subgraph (see module comment). */
export class SubgraphDataSource implements GraphQLDataSource<GatewayContext> {
  readonly url: string;
  private readonly serviceName: string;
  private readonly resilience: SubgraphResilience;
  private readonly breaker: CircuitBreaker;
  private readonly transport: SubgraphTransport;
  private readonly timeoutMs: number;
  private readonly sharing: SubgraphFetchSharing | undefined;
  private readonly publicFetches: (() => PublicFetchClassifier | undefined) | undefined;

  constructor(options: SubgraphDataSourceOptions) {
    this.url = options.url;
    this.serviceName = options.name;
    this.resilience = options.resilience;
    this.breaker = options.resilience.breakerFor(options.name);
    this.transport = options.resilience.transportFor(options.url);
    this.timeoutMs = options.resilience.timeoutFor(options.name);
    this.sharing = options.sharing;
    this.publicFetches = options.publicFetches;
  }

  async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    const { request } = options;
    const context = options.context as Partial<GatewayContext> | undefined;
    const headers: OutgoingHttpHeaders = {};
    // Headers the gateway itself sets on a fetch (e.g. federated tracing); ours win.
    if (request.http?.headers) for (const [name, value] of request.http.headers) headers[name] = value;
    if (context?.authorization) headers.authorization = context.authorization;
    if (context?.requestId) headers['x-request-id'] = context.requestId;
    const { http: _http, ...payload } = request;
    const body = JSON.stringify(payload);
    const isMutation = MUTATION.test(request.query ?? '');

    let answer: SubgraphHttpResponse;
    try {
      if (!isMutation && this.sharing?.sharesPublicFetches && this.publicFetches?.()?.isPublic(request.query)) {
        // Only public fields: asked as an anonymous caller would, so shared with every caller.
        const { authorization, ...anonymous } = headers;
        const entities = Array.isArray(request.variables?.representations) ? (payload as EntitiesRequest) : undefined;
        answer = await this.send(body, anonymous, false, context, entities);
        if (authorization !== undefined && REFUSED.test(answer.body)) {
          this.resilience.logger.warn(`a fetch to ${this.serviceName} classified public was refused without a token; sent again with the caller's`, { subgraph: this.serviceName, requestId: context?.requestId });
          answer = await this.send(body, headers, false, context);
        }
      } else {
        answer = await this.send(body, headers, isMutation, context);
      }
    } finally {
      // Answered, failed or timed out, a mutation may have written: what was shared may be stale now.
      if (isMutation) this.sharing?.invalidate();
    }
    const cachePolicy = 'incomingRequestContext' in options ? options.incomingRequestContext.overallCachePolicy : undefined;
    if (cachePolicy && 'restrict' in cachePolicy) restrictCachePolicy(cachePolicy, answer.headers['cache-control']);
    return this.parse(answer);
  }

  /** Sends through the breaker, with retries; throws SUBGRAPH_UNAVAILABLE when no usable answer came. */
  private async send(body: string, headers: OutgoingHttpHeaders, isMutation: boolean, context: Partial<GatewayContext> | undefined, entities?: EntitiesRequest): Promise<SubgraphHttpResponse> {
    const { metrics, retry: policy } = this.resilience;
    const started = performance.now();
    if (!this.breaker.tryAcquire()) {
      metrics.fetchEnded(this.serviceName, 'rejected', 0);
      throw this.unavailable('circuit open: the subgraph failed repeatedly and is not being called for now');
    }
    policy.recordAttempt();
    let failure: Failure;
    for (let retry = 0; ; retry += 1) {
      let response: SubgraphHttpResponse | undefined;
      let status: number | undefined;
      // Each attempt is a span of its own in the caller's trace.
      if (context?.trace) headers.traceparent = childTraceparent(context.trace);
      try {
        response = await this.post(body, headers, isMutation, entities);
        status = response.status;
        if (status < 500) {
          this.breaker.success();
          metrics.fetchEnded(this.serviceName, status < 400 ? 'ok' : 'error', (performance.now() - started) / 1000);
          return response;
        }
        failure = { outcome: 'error', reason: `HTTP ${status}` };
      } catch (error) {
        if (!(error instanceof SubgraphTransportError)) {
          this.breaker.release();
          throw error;
        }
        failure = error.kind === 'timeout' ? { outcome: 'timeout', reason: `timed out after ${this.timeoutMs} ms` } : { outcome: 'error', reason: error.message };
      }
      const kind = failure.outcome === 'timeout' ? 'timeout' : response ? 'status' : 'connection';
      if (!policy.shouldRetry(isMutation, kind, retry, status)) break;
      metrics.subgraphRetries.inc({ subgraph: this.serviceName });
      await new Promise((resolve) => setTimeout(resolve, policy.delayMs(retry)));
    }
    this.breaker.failure();
    metrics.fetchEnded(this.serviceName, failure.outcome, (performance.now() - started) / 1000);
    this.resilience.logger.warn(`subgraph ${this.serviceName} failed: ${failure.reason}`, {
      subgraph: this.serviceName,
      requestId: context?.requestId,
      traceId: context?.trace?.traceId,
      mutation: isMutation,
    });
    throw this.unavailable(failure.reason);
  }

  // Private: one attempt. Queries go through the fetch sharing, keyed by subgraph, body and the
  // Authorization actually sent, so callers with different credentials never share an answer; a public
  // `_entities` fetch (sent without a token) is shared entity by entity.
  private post(body: string, headers: OutgoingHttpHeaders, isMutation: boolean, entities?: EntitiesRequest): Promise<SubgraphHttpResponse> {
    const post = () => this.transport.post(body, headers, this.timeoutMs);
    if (isMutation || !this.sharing) return post();
    if (entities && headers.authorization === undefined) {
      return this.sharing
        .shareEntities(this.url, entities, body, (text) => this.transport.post(text, headers, this.timeoutMs))
        .then((answer) => ('headers' in answer ? (answer as SubgraphHttpResponse) : { ...answer, headers: {} }));
    }
    // Any Authorization at all makes the fetch non-anonymous (never cached, shared only with the same value).
    const authorization = headers.authorization === undefined ? undefined : String(headers.authorization);
    return this.sharing.share(this.url, authorization, body, post);
  }

  /** The subgraph's JSON answer; a 4xx without GraphQL errors, or a body that is not JSON, is a failure of the subgraph. */
  private parse(answer: SubgraphHttpResponse): GatewayGraphQLResponse {
    if (answer.status === 401) {
      throw new GraphQLError(`The ${this.serviceName} subgraph refused the token`, { extensions: { code: ErrorCode.UNAUTHENTICATED, serviceName: this.serviceName } });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(answer.body);
    } catch {
      throw this.unavailable(`HTTP ${answer.status} with a body that is not JSON`);
    }
    if (typeof parsed !== 'object' || parsed === null || (answer.status >= 400 && !Array.isArray((parsed as { errors?: unknown }).errors))) {
      throw this.unavailable(`HTTP ${answer.status}`);
    }
    return parsed as GatewayGraphQLResponse;
  }

  private unavailable(reason: string): GraphQLError {
    return new GraphQLError(`The ${this.serviceName} subgraph is unavailable (${reason})`, {
      extensions: { code: ErrorCode.SUBGRAPH_UNAVAILABLE, serviceName: this.serviceName },
    });
  }
}

/** Applies a subgraph's `Cache-Control` to the response's cache policy, as `RemoteGraphQLDataSource` does. */
function restrictCachePolicy(policy: { restrict(hint: { maxAge?: number; scope?: 'PUBLIC' | 'PRIVATE' }): void }, header: string | undefined): void {
  const maxAge = header ? MAX_AGE.exec(header)?.[1] : undefined;
  const hint: { maxAge: number; scope?: 'PUBLIC' | 'PRIVATE' } = { maxAge: maxAge ? Number(maxAge) : 0 };
  if (header?.includes('private')) hint.scope = 'PRIVATE';
  else if (header?.includes('public')) hint.scope = 'PUBLIC';
  policy.restrict(hint);
}
