/**
 * One subgraph of the federation benchmark as a process: `node federationSubgraph.js <name>` on
 * `PORT` (createFederationSubgraphServer: node:http + graphql-js, `GET /health`, `GET /requests`).
 */
import { createFederationSubgraphServer, FEDERATION_SUBGRAPHS, type FederationSubgraphName } from './federationSubgraphs';

const name = process.argv[2] as FederationSubgraphName;
if (!FEDERATION_SUBGRAPHS.includes(name)) {
  process.stderr.write(`usage: federationSubgraph <${FEDERATION_SUBGRAPHS.join('|')}>\n`);
  process.exit(2);
}
const { server } = createFederationSubgraphServer(name);
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => process.stdout.write(`${name} subgraph listening on ${process.env.PORT}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
