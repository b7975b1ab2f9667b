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
    expect(sharing.stats).toEqual({ sent: 1, joined: 9, cached: 0, invalidations: 0, entitiesCached: 0, entitiesSent: 0 });
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

describe('public _entities fetches, entity by entity', () => {
  let server: Server;
  let transport: SubgraphTransport;
  /** The representations each request carried. */
  const asked: string[][] = [];
  const QUERY = 'query($representations:[_Any!]!){_entities(representations:$representations){...on Product{sku name}}}';

  beforeAll(async () => {
    // A subgraph that resolves Product by sku; sku "bad" fails with an error under its entity.
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        const { variables } = JSON.parse(body) as { variables: { representations: { sku: string }[] } };
        asked.push(variables.representations.map((representation) => representation.sku));
        const entities = variables.representations.map(({ sku }) => (sku === 'bad' ? null : { sku, name: `Producto ${sku}` }));
        const errors = variables.representations.flatMap(({ sku }, index) => (sku === 'bad' ? [{ message: 'no such product', path: ['_entities', index, 'name'] }] : []));
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ data: { _entities: entities }, ...(errors.length > 0 ? { errors } : {}) }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    transport = new SubgraphTransport({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql` });
  });

  afterAll(async () => {
    transport.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const entitiesOf = (sharing: SubgraphFetchSharing, skus: string[]) => {
    const payload = { query: QUERY, variables: { representations: skus.map((sku) => ({ __typename: 'Product', sku })) } };
    return sharing
      .shareEntities('inventory', payload, JSON.stringify(payload), (body) => transport.post(body, {}, 5000))
      .then((answer) => JSON.parse(answer.body) as { data: { _entities: ({ sku: string; name: string } | null)[] }; errors?: { path: (string | number)[] }[] });
  };

  it('sends only the representations it has not seen within the TTL, and answers in the order asked', async () => {
    const sharing = new SubgraphFetchSharing(readSubgraphFetchSharingConfig({ PUBLIC_FETCH_CACHE_TTL_MS: '60000' }));
    asked.length = 0;
    expect((await entitiesOf(sharing, ['a', 'b'])).data._entities.map((entity) => entity?.sku)).toEqual(['a', 'b']);
    const second = await entitiesOf(sharing, ['c', 'b']);
    expect(second.data._entities).toEqual([{ sku: 'c', name: 'Producto c' }, { sku: 'b', name: 'Producto b' }]);
    const third = await entitiesOf(sharing, ['b', 'a', 'c']);
    expect(third.data._entities.map((entity) => entity?.name)).toEqual(['Producto b', 'Producto a', 'Producto c']);
    expect(asked).toEqual([['a', 'b'], ['c']]);
    expect(sharing.stats).toMatchObject({ entitiesSent: 3, entitiesCached: 4, cached: 1 });
  });

  it('maps errors back to the caller\'s positions and never keeps an entity that failed', async () => {
    const sharing = new SubgraphFetchSharing(readSubgraphFetchSharingConfig({ PUBLIC_FETCH_CACHE_TTL_MS: '60000' }));
    asked.length = 0;
    await entitiesOf(sharing, ['a']);
    const mixed = await entitiesOf(sharing, ['a', 'bad']);
    expect(mixed.data._entities).toEqual([{ sku: 'a', name: 'Producto a' }, null]);
    expect(mixed.errors?.map((error) => error.path)).toEqual([['_entities', 1, 'name']]);
    await entitiesOf(sharing, ['bad']);
    expect(asked).toEqual([['a'], ['bad'], ['bad']]);
  });

  it('forgets every entity when a mutation goes through, and keeps none when the cache is off', async () => {
    const sharing = new SubgraphFetchSharing(readSubgraphFetchSharingConfig({ PUBLIC_FETCH_CACHE_TTL_MS: '60000' }));
    asked.length = 0;
    await entitiesOf(sharing, ['a']);
    sharing.invalidate();
    await entitiesOf(sharing, ['a']);
    const off = new SubgraphFetchSharing(readSubgraphFetchSharingConfig({}));
    await entitiesOf(off, ['a']);
    await entitiesOf(off, ['a']);
    expect(asked).toEqual([['a'], ['a'], ['a'], ['a']]);
  });
});
