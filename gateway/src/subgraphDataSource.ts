/**
 * How the gateway calls a subgraph: Node's own fetch (undici, keep-alive) instead of the default
 * make-fetch-happen, which PERF-NOTES.md shows costs a third of the gateway's CPU; the caller's token
 * and request id forwarded, because every subgraph verifies the token itself; a timeout per fetch.
 */
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { Fetcher } from '@apollo/utils.fetcher';
import { GraphQLError } from 'graphql';
import { ErrorCode } from '../../subgraphs/kit/src';
import type { GatewayContext } from './context';

/** Options for {@link SubgraphDataSource}. */
export interface SubgraphDataSourceOptions {
  name: string;
  url: string;
  /** Longest wait for one fetch, ms. */
  timeoutMs: number;
}

/** A `RemoteGraphQLDataSource` that forwards auth and request id, with a timeout. */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  private readonly serviceName: string;

  constructor(options: SubgraphDataSourceOptions) {
    const timeoutMs = options.timeoutMs;
    const fetcher = ((input: string, init?: RequestInit) => fetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) })) as unknown as Fetcher;
    super({ url: options.url, fetcher });
    this.serviceName = options.name;
  }

  /**
   * A fetch that failed as a whole (refused, timed out, non-2xx) would reach the client as an
   * anonymous internal error; say instead which subgraph failed, with a code a channel can act on.
   * The gateway still returns what the other subgraphs answered (partial results).
   */
  override didEncounterError(error: Error, _request: unknown, response?: { status?: number }): void {
    const status = response?.status;
    if (status === 401) {
      throw new GraphQLError(`The ${this.serviceName} subgraph refused the token`, { extensions: { code: ErrorCode.UNAUTHENTICATED, serviceName: this.serviceName } });
    }
    const timedOut = error.name === 'TimeoutError' || error.name === 'AbortError';
    throw new GraphQLError(`The ${this.serviceName} subgraph is unavailable${timedOut ? ' (timed out)' : status ? ` (HTTP ${status})` : ''}`, {
      extensions: { code: ErrorCode.SUBGRAPH_UNAVAILABLE, serviceName: this.serviceName },
    });
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = request.http?.headers;
    if (!headers) return;
    if (context?.authorization) headers.set('authorization', context.authorization);
    if (context?.requestId) headers.set('x-request-id', context.requestId);
  }
}
