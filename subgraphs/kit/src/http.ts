/**
 * A small node:http front for Apollo Server, shared by the gateway and the subgraphs. It exists instead
 * of express because we need exactly three things around `executeHTTPGraphQLRequest` — a body size
 * limit with clean 4xx answers, a few extra routes (/health, /ready, internal endpoints), and no
 * per-request middleware cost on the hot path. With a tracer, each request (operational paths aside)
 * is a SERVER span continuing the caller's `traceparent`, handed to the context factory.
 */
import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import type { Logger } from './logger';
import { SpanKind } from './telemetry/otlpExporter';
import { parseTraceparent } from './telemetry/traceparent';
import type { Span, Tracer } from './telemetry/tracer';

/** Paths for operators and orchestrators (`/health`, `/ready`, `/metrics`): never shed, never traced. */
export const OPERATIONAL_PATHS: ReadonlySet<string> = new Set(['/health', '/ready', '/metrics']);

/** Handler of a non-GraphQL route. `body` is the parsed JSON body of a POST (undefined otherwise). */
export type RouteHandler = (request: RouteRequest, response: ServerResponse) => Promise<void> | void;

/** What a route handler gets. */
export interface RouteRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: unknown;
  raw: IncomingMessage;
  /** The request's SERVER span, when a tracer is given (a route may name it and add attributes). */
  span?: Span;
}

/**
 * Runs before routing, on every request (rate limits, CORS, load shedding…). Returns true when it has
 * answered the request itself, which ends it there.
 */
export type PreHandler = (request: IncomingMessage, response: ServerResponse, requestId: string) => boolean | Promise<boolean>;

/** Options for {@link createGraphQLHttpServer}. */
export interface GraphQLHttpServerOptions<TContext extends BaseContext> {
  apollo: ApolloServer<TContext>;
  /**
   * Builds the per-request context (principal, loaders). Its errors are answered by Apollo Server.
   * `span` is the request's SERVER span when a tracer is given.
   */
  context: (request: IncomingMessage, requestId: string, span?: Span) => Promise<TContext>;
  /** Extra routes by exact path, e.g. `/health`. */
  routes?: Record<string, RouteHandler>;
  /** @default "/graphql" */
  graphqlPath?: string;
  /** Checks run before the body is read, in order. */
  preHandlers?: PreHandler[];
  /** Largest request body accepted. @default 1 MiB */
  maxBodyBytes?: number;
  logger: Logger;
  /** Records a SERVER span per request (trace export configured). @default none */
  tracer?: Tracer | null;
}

/** Sends a JSON body. */
export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

/** A GraphQL-shaped error body for requests rejected before GraphQL runs. */
export function sendGraphQLError(response: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  sendJson(response, status, { errors: [{ message, extensions: { code } }] }, headers);
}

class BodyTooLargeError extends Error {}

function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length'] ?? '0');
    if (declared > limit) {
      reject(new BodyTooLargeError());
      request.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLargeError());
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/**
 * Parses a body by content type: JSON → value; anything else → undefined (Apollo Server then answers
 * 400/415 itself, as the GraphQL-over-HTTP spec asks).
 */
function parseBody(buffer: Buffer, contentType: string | undefined): { ok: true; body: unknown } | { ok: false; message: string } {
  if (buffer.length === 0) return { ok: true, body: undefined };
  if (!contentType || !/^application\/(graphql-response\+)?json\b/i.test(contentType)) return { ok: true, body: buffer.toString('utf8') };
  const charset = /charset=([^;]+)/i.exec(contentType)?.[1]?.trim().toLowerCase();
  if (charset && charset !== 'utf-8' && charset !== 'utf8') return { ok: false, message: `Unsupported charset ${charset}` };
  try {
    return { ok: true, body: JSON.parse(buffer.toString('utf8')) };
  } catch {
    return { ok: false, message: 'The request body is not valid JSON' };
  }
}

/** Creates (does not start) the HTTP server. */
export function createGraphQLHttpServer<TContext extends BaseContext>(options: GraphQLHttpServerOptions<TContext>): http.Server {
  const graphqlPath = options.graphqlPath ?? '/graphql';
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const routes = options.routes ?? {};

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const method = (request.method ?? 'GET').toUpperCase();
    const requestId = headerValue(request.headers['x-request-id']) ?? randomUUID();
    response.setHeader('x-request-id', requestId);
    const span = options.tracer && !OPERATIONAL_PATHS.has(url.pathname) ? startServerSpan(options.tracer, request, response, method, url.pathname, requestId) : undefined;
    for (const preHandler of options.preHandlers ?? []) {
      if (await preHandler(request, response, requestId)) return;
    }

    let bodyBuffer: Buffer;
    try {
      bodyBuffer = method === 'GET' || method === 'HEAD' ? Buffer.alloc(0) : await readBody(request, maxBodyBytes);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        sendGraphQLError(response, 413, 'BAD_REQUEST', `The request body is larger than ${maxBodyBytes} bytes`, { connection: 'close' });
        return;
      }
      throw error;
    }
    const parsed = parseBody(bodyBuffer, request.headers['content-type']);
    if (!parsed.ok) {
      sendGraphQLError(response, 400, 'BAD_REQUEST', parsed.message);
      return;
    }

    const route = routes[url.pathname];
    if (route) {
      await route({ method, path: url.pathname, query: url.searchParams, headers: request.headers, body: parsed.body, raw: request, ...(span ? { span } : {}) }, response);
      return;
    }
    if (url.pathname !== graphqlPath) {
      sendGraphQLError(response, 404, 'NOT_FOUND', `Nothing at ${url.pathname}; GraphQL is served at ${graphqlPath}`);
      return;
    }

    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(request.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const result = await options.apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method, headers, search: url.search, body: parsed.body },
      context: () => options.context(request, requestId, span),
    });
    for (const [key, value] of result.headers) response.setHeader(key, value);
    response.statusCode = result.status ?? 200;
    if (result.body.kind === 'complete') {
      response.end(result.body.string);
      return;
    }
    for await (const chunk of result.body.asyncIterator) response.write(chunk);
    response.end();
  };

  const server = http.createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      options.logger.error('unhandled error while serving a request', { error, url: request.url });
      if (!response.headersSent) sendGraphQLError(response, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
      else response.end();
    });
  });
  // Idle keep-alive connections outlive the clients' pools (the gateway's, a load balancer's): with
  // Node's default 5 s, a server closes a pooled connection just as a client reuses it, and that
  // request — a mutation, which must not be retried — fails with ECONNRESET.
  server.keepAliveTimeout = IDLE_KEEP_ALIVE_MS;
  server.headersTimeout = IDLE_KEEP_ALIVE_MS + 1_000;
  return server;
}

/** How long an idle keep-alive connection is kept open (longer than any client pool keeps one). */
const IDLE_KEEP_ALIVE_MS = 65_000;

// Private: the request's SERVER span, ended when its response is finished (or the client went away).
function startServerSpan(tracer: Tracer, request: IncomingMessage, response: ServerResponse, method: string, path: string, requestId: string): Span {
  const span = tracer.startSpan(`${method} ${path}`, parseTraceparent(request.headers.traceparent), {
    kind: SpanKind.SERVER,
    attributes: { 'http.request.method': method, 'url.path': path, 'zocalo.request_id': requestId },
  });
  response.once('close', () => {
    span.setAttributes({ 'http.response.status_code': response.statusCode });
    if (!response.writableFinished) span.setError('the client closed the connection before the answer');
    else if (response.statusCode >= 500) span.setError(`HTTP ${response.statusCode}`);
    span.end();
  });
  return span;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return first && /^[A-Za-z0-9._:-]{1,128}$/.test(first) ? first : undefined;
}

/** Starts listening; resolves with the bound port (pass 0 for any free port). */
export function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}
