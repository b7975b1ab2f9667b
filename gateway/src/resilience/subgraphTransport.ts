/**
 * The gateway's HTTP client for one subgraph: a keep-alive connection pool of its own (node:http
 * Agent), a POST of a JSON body, a deadline per attempt. node:http rather than fetch: the gateway
 * posts small JSON bodies many thousand times a second and needs none of fetch's streams, and a pool
 * per subgraph means one slow subgraph cannot take the sockets of the others. With trace export on,
 * it ends each attempt's CLIENT span (fetchSpans.ts) with what the attempt got.
 */
import http, { type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import type { Span } from '../../../subgraphs/kit/src';
import { takeFetchSpan } from './fetchSpans';

/** Options for {@link SubgraphTransport}. */
export interface SubgraphTransportOptions {
  /** The subgraph's GraphQL URL. */
  url: string;
  /** Most sockets open to this subgraph at once; requests beyond wait for one. @default 64 */
  maxSockets?: number;
  /** Idle sockets kept open for reuse. @default 16 */
  maxFreeSockets?: number;
  /** The subgraph's name, for its fetch spans (looked up when a span ends: a reload may rename). */
  subgraphName?: () => string | undefined;
}

/** A subgraph's answer, body unparsed. */
export interface SubgraphHttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Why an attempt got no answer. */
/**
 * A pooled socket idle this long is closed by the gateway — well before the subgraphs close theirs
 * (the kit's servers keep idle connections 65 s), so a request never goes out on a socket the server
 * is closing at that moment (ECONNRESET, which a mutation cannot be retried after).
 */
const IDLE_SOCKET_TIMEOUT_MS = 30_000;

export type TransportFailureKind = 'connection' | 'timeout';

/** The request got no HTTP answer: refused, reset, unreachable, or past its deadline. */
export class SubgraphTransportError extends Error {
  constructor(
    readonly kind: TransportFailureKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = kind === 'timeout' ? 'TimeoutError' : 'SubgraphTransportError';
  }
}

/** One subgraph's pool and client (see module comment). */
export class SubgraphTransport {
  private readonly agent: http.Agent;
  private readonly client: typeof http | typeof https;
  private readonly target: { hostname: string; port: string; path: string };
  private readonly url: string;

  constructor(private readonly options: SubgraphTransportOptions) {
    const url = new URL(options.url);
    this.url = options.url;
    const secure = url.protocol === 'https:';
    this.client = secure ? https : http;
    const agentOptions = { keepAlive: true, timeout: IDLE_SOCKET_TIMEOUT_MS, maxSockets: options.maxSockets ?? 64, maxFreeSockets: options.maxFreeSockets ?? 16, scheduling: 'lifo' as const };
    // LIFO reuses the most recently used socket, so the surplus ones go idle and close.
    this.agent = secure ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
    // URL keeps IPv6 hosts in brackets; node:http wants them bare.
    this.target = { hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: url.port, path: `${url.pathname}${url.search}` };
  }

  /** POSTs `body` (JSON) and resolves with the answer, whatever its status; rejects with {@link SubgraphTransportError}. */
  post(body: string, headers: OutgoingHttpHeaders, timeoutMs: number): Promise<SubgraphHttpResponse> {
    const span = takeFetchSpan(headers.traceparent);
    const answer = this.send(body, headers, timeoutMs);
    return span ? answer.then((response) => this.endSpan(span, response), (error: Error) => this.endSpan(span, error)) : answer;
  }

  /** Closes the pool's sockets (gateway stop). */
  close(): void {
    this.agent.destroy();
  }

  // Private: ends an attempt's span with its outcome, and passes the outcome on unchanged.
  private endSpan(span: Span, outcome: SubgraphHttpResponse | Error): SubgraphHttpResponse {
    const name = this.options.subgraphName?.();
    if (name) span.name = `subgraph ${name}`;
    span.setAttributes({ 'subgraph.name': name, 'url.full': this.url, 'server.address': this.target.hostname, 'server.port': Number(this.target.port) || undefined });
    if (outcome instanceof Error) {
      span.setAttributes({ 'error.type': outcome instanceof SubgraphTransportError ? outcome.kind : outcome.name });
      span.setError(outcome.message);
      span.end();
      throw outcome;
    }
    span.setAttributes({ 'http.response.status_code': outcome.status });
    if (outcome.status >= 500) span.setError(`HTTP ${outcome.status}`);
    span.end();
    return outcome;
  }

  private send(body: string, headers: OutgoingHttpHeaders, timeoutMs: number): Promise<SubgraphHttpResponse> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const request = this.client.request(
        {
          method: 'POST',
          hostname: this.target.hostname,
          port: this.target.port,
          path: this.target.path,
          agent: this.agent,
          // Accept as the GraphQL-over-HTTP spec asks of clients (graphql-response+json first): a server that
          // follows it then answers request errors with 4xx and its own media type; ours answer JSON either way.
          headers: { accept: 'application/graphql-response+json, application/json', ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (response) => {
          response.setEncoding('utf8');
          let text = '';
          response.on('data', (chunk: string) => {
            text += chunk;
          });
          response.on('end', () => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text });
          });
          response.on('error', fail);
        },
      );
      function fail(error: Error): void {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(error instanceof SubgraphTransportError ? error : new SubgraphTransportError('connection', error.message, { cause: error }));
      }
      const timer = setTimeout(() => request.destroy(new SubgraphTransportError('timeout', `no answer within ${timeoutMs} ms`)), timeoutMs);
      request.on('error', fail);
      request.end(body);
    });
  }
}
