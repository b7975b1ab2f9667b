/**
 * Zócalo's gateway plus the fetch sharing of `gateway/src/performance/subgraphFetchSharing.ts`, for
 * the benchmark only, until the gateway wires it in `subgraphDataSource.ts` (see bench/README.md):
 * every query fetch of every subgraph transport goes through one {@link SubgraphFetchSharing}. Then it
 * starts the gateway exactly as `gateway/src/index.ts` does, with the same environment.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import { SubgraphFetchSharing, readSubgraphFetchSharingConfig } from '../../gateway/src/performance/subgraphFetchSharing';
import { SubgraphTransport } from '../../gateway/src/resilience/subgraphTransport';

// A subgraph fetch's body is `{"query":"…"}` with the query first; a mutation's query starts with `mutation`.
const MUTATION_BODY = /"query":"(?:\\n|\s)*mutation\b/;

const sharing = new SubgraphFetchSharing(readSubgraphFetchSharingConfig(process.env));
const transportIds = new WeakMap<SubgraphTransport, string>();
let transports = 0;
const send = SubgraphTransport.prototype.post;
SubgraphTransport.prototype.post = function post(this: SubgraphTransport, body: string, headers: OutgoingHttpHeaders, timeoutMs: number) {
  if (MUTATION_BODY.test(body)) return send.call(this, body, headers, timeoutMs);
  let id = transportIds.get(this);
  if (!id) {
    transports += 1;
    id = `transport-${transports}`;
    transportIds.set(this, id);
  }
  const authorization = typeof headers.authorization === 'string' ? headers.authorization : undefined;
  return sharing.share(id, authorization, body, () => send.call(this, body, headers, timeoutMs));
};

// After the patch: starts the gateway (its module runs main() when loaded).
require('../../gateway/src/index');
