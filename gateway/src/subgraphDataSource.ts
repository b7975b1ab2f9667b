/**
 * How the gateway calls a subgraph: Node's own fetch (undici, keep-alive) instead of the default
 * make-fetch-happen, which PERF-NOTES.md shows costs a third of the gateway's CPU; the caller's token
 * and request id forwarded, because every subgraph verifies the token itself; a timeout per fetch.
 */
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
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
  constructor(options: SubgraphDataSourceOptions) {
    const timeoutMs = options.timeoutMs;
    super({
      url: options.url,
      fetcher: ((input: string, init?: RequestInit) => fetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) })) as never,
    });
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = request.http?.headers;
    if (!headers) return;
    if (context?.authorization) headers.set('authorization', context.authorization);
    if (context?.requestId) headers.set('x-request-id', context.requestId);
  }
}
