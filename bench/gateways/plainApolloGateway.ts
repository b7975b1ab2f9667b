/**
 * The baseline: plain `@apollo/gateway` in `@apollo/server`'s standalone server, with default settings
 * — the default subgraph fetcher, no plugins — plus the one thing every gateway in the comparison must
 * do to give right answers: forward the caller's `Authorization` to the subgraphs, which verify it.
 *
 * Usage (by the harness): `node dist/bench/gateways/plainApolloGateway.js` (compiled; or through tsx) with `PORT` and
 * `SUPERGRAPH_PATH` (a supergraph whose subgraph URLs point at the running subgraphs).
 */
import { readFileSync } from 'node:fs';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';

interface PlainContext {
  authorization?: string;
}

async function main(): Promise<void> {
  const supergraphPath = process.env.SUPERGRAPH_PATH;
  if (!supergraphPath) throw new Error('SUPERGRAPH_PATH is required');
  const gateway = new ApolloGateway({
    supergraphSdl: readFileSync(supergraphPath, 'utf8'),
    buildService: ({ url }) =>
      new RemoteGraphQLDataSource<PlainContext>({
        url,
        willSendRequest({ request, context }) {
          if (context.authorization) request.http?.headers.set('authorization', context.authorization);
        },
      }),
  });
  const server = new ApolloServer<PlainContext>({ gateway });
  const { url } = await startStandaloneServer(server, {
    listen: { port: Number(process.env.PORT ?? 4000), host: '127.0.0.1' },
    context: async ({ req }) => (req.headers.authorization ? { authorization: req.headers.authorization } : {}),
  });
  process.stdout.write(`plain Apollo Gateway ready at ${url}\n`);
  process.on('SIGTERM', () => {
    server.stop().finally(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`plain Apollo Gateway failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
