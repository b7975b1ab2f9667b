/**
 * Fetch sharing against a real HTTP server that counts what reaches it: identical query fetches in
 * flight are sent once, different credentials or bodies are not shared, anonymous answers are reused
 * only within the TTL and only when they succeeded, and an invalidation (a mutation went through)
 * voids both the cache and the fetches in flight. The whole gateway: gatewayFetchSharing.test.ts.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SubgraphFetchSharing, readSubgraphFetchSharingConfig } from '../../gateway/src/performance/subgraphFetchSharing';
import { SubgraphTransport } from '../../gateway/src/resilience/subgraphTransport';

describe('subgraph fetch sharing', () => {
  let server: Server;
  let transport: SubgraphTransport;
  const received: { body: string; authorization?: string }[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        received.push({ body, ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}) });
        // Slow enough that concurrent fetches overlap.
        setTimeout(() => {
          response.writeHead(200, { 'content-type': 'application/json' });
          const failing = body.includes('fail');
          response.end(JSON.stringify(failing ? { errors: [{ message: 'no' }] } : { data: { echo: body, n: received.length } }));
        }, 50);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    transport = new SubgraphTransport({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql` });
  });

  afterAll(async () => {
    transport.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const fetchThrough = (sharing: SubgraphFetchSharing, body: string, authorization?: string) =>
    sharing.share('inventory', authorization, body, () => transport.post(body, authorization ? { authorization } : {}, 5000));

  it('sends identical in-flight fetches once and gives every caller the same answer', async () => {
    const sharing = new SubgraphFetchSharing(readSubgraphFetchSharingConfig({}));
    received.length = 0;
    const answers = await Promise.all(Array.from({ length: 10 }, () => fetchThrough(sharing, '{"query":"{ a }"}', 'Bearer one')));
    expect(received).toHaveLength(1);
    expect(new Set(answers.map((a) => a.body)).size).toBe(1);
    expect(sharing.stats).toEqual({ sent: 1, joined: 9, cached: 0, invalidations: 0 });
    // Settled: the next one is sent again.
    await fetchThrough(sharing, '{"query":"{ a }"}', 'Bearer one');
    expect(received).toHaveLength(2);
  });

  it('never shares between different credentials, anonymous callers or bodies', async () => {
    const sharing = new SubgraphFetchSharing(readSubgraphFetchSharingConfig({}));
    received.length = 0;
    await Promise.all([
      fetchThrough(sharing, '{"query":"{ a }"}', 'Bearer one'),
      fetchThrough(sharing, '{"query":"{ a }"}', 'Bearer two'),
      fetchThrough(sharing, '{"query":"{ a }"}'),
      fetchThrough(sharing, '{"query":"{ b }"}', 'Bearer one'),
    ]);
    expect(received.map((r) => `${r.authorization ?? 'anonymous'} ${r.body}`).sort()).toEqual([
      'Bearer one {"query":"{ a }"}',
      'Bearer one {"query":"{ b }"}',
      'Bearer two {"query":"{ a }"}',
      'anonymous {"query":"{ a }"}',
    ]);
  });

  it('reuses successful anonymous answers within the TTL only, and never answers with errors', async () => {
    const sharing = new SubgraphFetchSharing(readSubgraphFetchSharingConfig({ PUBLIC_FETCH_CACHE_TTL_MS: '300' }));
    received.length = 0;
    const first = await fetchThrough(sharing, '{"query":"{ catalogue }"}');
    const second = await fetchThrough(sharing, '{"query":"{ catalogue }"}');
    expect(second.body).toBe(first.body);
    await fetchThrough(sharing, '{"query":"{ catalogue }"}', 'Bearer one');
    await fetchThrough(sharing, '{"query":"{ fail }"}');
    await fetchThrough(sharing, '{"query":"{ fail }"}');
    expect(received).toHaveLength(4);
    await new Promise((resolve) => setTimeout(resolve, 350));
    await fetchThrough(sharing, '{"query":"{ catalogue }"}');
    expect(received).toHaveLength(5);
    expect(sharing.stats.cached).toBe(1);
  });

  it('after an invalidation, drops cached answers, joins no older fetch and stores no answer that started before', async () => {
    const sharing = new SubgraphFetchSharing(readSubgraphFetchSharingConfig({ PUBLIC_FETCH_CACHE_TTL_MS: '60000' }));
    received.length = 0;
    await fetchThrough(sharing, '{"query":"{ stock }"}');
    await fetchThrough(sharing, '{"query":"{ stock }"}');
    expect(received).toHaveLength(1);
    sharing.invalidate();
    await fetchThrough(sharing, '{"query":"{ stock }"}');
    expect(received).toHaveLength(2);

    // A fetch in flight when the invalidation comes: later callers send their own, and its answer is not kept.
    const before = fetchThrough(sharing, '{"query":"{ racing }"}');
    sharing.invalidate();
    const after = fetchThrough(sharing, '{"query":"{ racing }"}');
    await Promise.all([before, after]);
    expect(received).toHaveLength(4);
    await fetchThrough(sharing, '{"query":"{ racing }"}');
    expect(received).toHaveLength(4); // the answer of the fetch started after the invalidation was kept
    expect(sharing.stats.invalidations).toBe(2);
  });

  it('keeps anonymous answers within their bounds, and caches in production by default only', async () => {
    const sharing = new SubgraphFetchSharing(readSubgraphFetchSharingConfig({ PUBLIC_FETCH_CACHE_TTL_MS: '60000', PUBLIC_FETCH_CACHE_ENTRIES: '2' }));
    received.length = 0;
    for (const field of ['a', 'b', 'c', 'a']) await fetchThrough(sharing, `{"query":"{ ${field} }"}`);
    expect(received).toHaveLength(4); // a was the oldest of three and went
    expect(readSubgraphFetchSharingConfig({ NODE_ENV: 'production' }).publicTtlMs).toBe(1000);
    expect(readSubgraphFetchSharingConfig({}).publicTtlMs).toBe(0);
    expect(readSubgraphFetchSharingConfig({ NODE_ENV: 'production', PUBLIC_FETCH_CACHE_TTL_MS: '0' }).publicTtlMs).toBe(0);
  });

  it('does nothing when both are turned off, and refuses bad settings', async () => {
    const sharing = new SubgraphFetchSharing(readSubgraphFetchSharingConfig({ FETCH_DEDUPLICATION: 'false' }));
    received.length = 0;
    await Promise.all([fetchThrough(sharing, '{"query":"{ a }"}'), fetchThrough(sharing, '{"query":"{ a }"}')]);
    expect(received).toHaveLength(2);
    expect(sharing.enabled).toBe(false);
    expect(() => readSubgraphFetchSharingConfig({ PUBLIC_FETCH_CACHE_TTL_MS: '-1' })).toThrow(/PUBLIC_FETCH_CACHE_TTL_MS/);
    expect(() => readSubgraphFetchSharingConfig({ FETCH_DEDUPLICATION: 'maybe' })).toThrow(/FETCH_DEDUPLICATION/);
  });
});
