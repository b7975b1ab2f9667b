/**
 * The hostile-input corpus against a running gateway (every security feature on, development
 * defaults): bombs, malformed requests, injection attempts, bad tokens, odd headers. Every case must
 * get a 4xx, or a GraphQL error with a code — never a 5xx, a stack trace, a driver message or a file
 * path — and afterwards the gateway still answers a normal query, and running the whole corpus 20 times
 * more leaves the heap roughly where it was.
 */
import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import jwt from 'jsonwebtoken';
import { createCorsFeature, readCorsConfig } from '../../gateway/src/plugins/cors';
import { maskedErrorsFeature } from '../../gateway/src/plugins/maskedErrors';
import { createOperationLimitsFeature, readOperationLimitsConfig } from '../../gateway/src/plugins/operationLimits';
import { createRateLimitFeature, readRateLimitConfig } from '../../gateway/src/plugins/rateLimit';
import { createTrustedDocumentsFeature } from '../../gateway/src/plugins/trustedDocuments';
import { testAuth, tokenFor } from '../support/testkit';
import { startIdentityProvider, startLeakyInventory, startSecurityGateway, type RunningGateway, type RunningServer, type TestIdentityProvider } from './securityGateway';

/** One hostile request and, where it matters, the exact answer expected. */
interface HostileCase {
  name: string;
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Raw query string for GET. */
  search?: string;
  expected?: { status?: number; code?: string };
}

const JSON_HEADERS = { 'content-type': 'application/json' };
const post = (body: unknown, headers: Record<string, string> = {}) => ({ method: 'POST', headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) });
const now = () => Math.floor(Date.now() / 1000);
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const LEAK = /stacktrace|"stack"|MongoServerError|E11000|\/work\/|node_modules|\.ts:\d+|\bat [A-Za-z.]+ \(/;

function nested(depth: number): string {
  let selection = 'id';
  // Built from the inside out; the outermost wrapper sits on Customer, so it is `orders`.
  for (let level = 0; level < depth; level += 1) selection = (depth - 1 - level) % 2 === 0 ? `orders { nodes { ${selection} } }` : `customer { ${selection} }`;
  return `{ customer(id: "cus_000001") { ${selection} } }`;
}

function fragmentExplosion(levels: number): string {
  const fragments = [`fragment F0 on Query { a: __typename }`];
  for (let level = 1; level <= levels; level += 1) fragments.push(`fragment F${level} on Query { ...F${level - 1} ...F${level - 1} }`);
  return `{ ...F${levels} } ${fragments.join(' ')}`;
}

function buildCorpus(tokens: { expired: string; notYet: string; otherKey: string; algNone: string; unknownKid: string }): HostileCase[] {
  const aliasBomb = `{ ${Array.from({ length: 200 }, (_, i) => `a${i}: __typename`).join(' ')} }`;
  const rootBomb = `{ ${Array.from({ length: 25 }, (_, i) => `p${i}: product(sku: "ZC-${i}") { sku }`).join(' ')} }`;
  return [
    // Operation limits
    { name: 'depth bomb (customer → orders → customer … 20 deep)', ...post({ query: nested(20) }), expected: { status: 400, code: 'OPERATION_TOO_DEEP' } },
    { name: 'alias bomb (200 aliases)', ...post({ query: aliasBomb }), expected: { status: 400, code: 'TOO_MANY_ALIASES' } },
    { name: 'root field bomb (25 root fields)', ...post({ query: rootBomb }), expected: { status: 400, code: 'TOO_MANY_ROOT_FIELDS' } },
    { name: 'fragment explosion (2^30 spreads)', ...post({ query: fragmentExplosion(30) }), expected: { status: 400, code: 'TOO_MANY_ALIASES' } },
    { name: 'fragment cycle', ...post({ query: '{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }' }), expected: { status: 400, code: 'GRAPHQL_VALIDATION_FAILED' } },
    { name: 'self-referencing fragment', ...post({ query: '{ ...A } fragment A on Query { __typename ...A }' }), expected: { status: 400, code: 'GRAPHQL_VALIDATION_FAILED' } },
    {
      name: '100 × 100 × 100 entities',
      ...post({ query: '{ searchCustomers(query: "a", first: 100) { nodes { orders(first: 100) { nodes { lines { product { name } } } } } } }' }),
      expected: { status: 400, code: 'OPERATION_TOO_COMPLEX' },
    },
    { name: 'page size 1000 (literal)', ...post({ query: '{ products(first: 1000) { nodes { sku } } }' }), expected: { status: 400, code: 'PAGE_SIZE_TOO_LARGE' } },
    { name: 'page size 101 (variable)', ...post({ query: 'query($n: Int) { products(first: $n) { nodes { sku } } }', variables: { n: 101 } }), expected: { status: 400, code: 'PAGE_SIZE_TOO_LARGE' } },
    { name: 'page size 500 (variable default)', ...post({ query: 'query($n: Int = 500) { products(first: $n) { nodes { sku } } }' }), expected: { status: 400, code: 'PAGE_SIZE_TOO_LARGE' } },
    { name: 'Int overflow as page size', ...post({ query: '{ products(first: 99999999999) { nodes { sku } } }' }), expected: { status: 400, code: 'GRAPHQL_VALIDATION_FAILED' } },
    { name: 'introspection bomb (fields of types of fields …)', ...post({ query: '{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }' }), expected: { status: 400 } },
    { name: 'repeated directives', ...post({ query: `{ __typename ${'@include(if: true) '.repeat(10)}}` }), expected: { status: 400 } },
    { name: 'huge string literal in the document (200 KB)', ...post({ query: `{ product(sku: "${'x'.repeat(200_000)}") { sku } }` }), expected: { status: 400, code: 'DOCUMENT_TOO_LARGE' } },
    { name: 'token bomb: 5,000 brackets (also a parser recursion bomb)', ...post({ query: `{ product(sku: ${'['.repeat(5000)}) { sku } }` }), expected: { status: 400, code: 'TOO_MANY_TOKENS' } },
    { name: 'token bomb: 3,000 names', ...post({ query: `{ ${'a '.repeat(3000)}}` }), expected: { status: 400, code: 'TOO_MANY_TOKENS' } },
    { name: 'huge string variable (200 KB)', ...post({ query: 'query($s: ID!) { product(sku: $s) { sku } }', variables: { s: 'x'.repeat(200_000) } }), expected: { code: 'BAD_USER_INPUT' } },
    { name: 'body over MAX_BODY_BYTES (2 MB)', ...post({ query: '{ __typename }', variables: { pad: 'x'.repeat(2 * 1024 * 1024) } }), expected: { status: 413 } },
    { name: 'deeply nested JSON variable (20,000 levels)', method: 'POST', headers: JSON_HEADERS, body: `{"query":"query($f: ProductFilter) { products(filter: $f) { totalCount } }","variables":{"f":${'['.repeat(20_000)}${']'.repeat(20_000)}}}`, expected: { status: 400 } },
    // Malformed HTTP
    { name: 'invalid JSON', method: 'POST', headers: JSON_HEADERS, body: '{"query": "{ __typename }"', expected: { status: 400, code: 'BAD_REQUEST' } },
    { name: 'JSON string body', method: 'POST', headers: JSON_HEADERS, body: '"{ __typename }"', expected: { status: 400 } },
    { name: 'JSON null body', method: 'POST', headers: JSON_HEADERS, body: 'null', expected: { status: 400 } },
    { name: 'empty POST body', method: 'POST', headers: JSON_HEADERS, body: '', expected: { status: 400 } },
    { name: 'query is a number', ...post({ query: 42 }), expected: { status: 400 } },
    { name: 'query is a parsed AST', ...post({ query: { kind: 'Document', definitions: [] } }), expected: { status: 400 } },
    { name: 'variables as a JSON string', ...post({ query: '{ __typename }', variables: '{"a":1}' }), expected: { status: 400 } },
    { name: 'syntax error', ...post({ query: '{ products( }' }), expected: { status: 400, code: 'GRAPHQL_PARSE_FAILED' } },
    { name: 'unknown field', ...post({ query: '{ passwords { hash } }' }), expected: { status: 400, code: 'GRAPHQL_VALIDATION_FAILED' } },
    { name: 'unknown operation name', ...post({ query: 'query A { __typename }', operationName: 'B' }), expected: { status: 400, code: 'OPERATION_RESOLUTION_FAILURE' } },
    { name: 'two operations, no operation name', ...post({ query: 'query A { __typename } query B { __typename }' }), expected: { status: 400, code: 'OPERATION_RESOLUTION_FAILURE' } },
    { name: 'text/plain content type (CSRF simple request)', method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"query":"{ __typename }"}', expected: { status: 400 } },
    { name: 'form-encoded content type', method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'query=%7B__typename%7D', expected: { status: 400 } },
    { name: 'multipart content type', method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=x' }, body: '--x\r\nContent-Disposition: form-data; name="query"\r\n\r\n{ __typename }\r\n--x--', expected: { status: 400 } },
    { name: 'JSON in a Latin-1 charset', method: 'POST', headers: { 'content-type': 'application/json; charset=latin1' }, body: '{"query":"{ __typename }"}', expected: { status: 400 } },
    { name: 'GET without a preflight header (CSRF)', method: 'GET', search: `?query=${encodeURIComponent('{ __typename }')}`, expected: { status: 400 } },
    {
      name: 'GET mutation',
      method: 'GET',
      headers: { 'apollo-require-preflight': 'true' },
      search: `?query=${encodeURIComponent('mutation { enrollLoyalty(customerId: "cus_1", channel: WEB) { points } }')}`,
      expected: { status: 405 },
    },
    { name: 'batched array of operations', method: 'POST', headers: JSON_HEADERS, body: JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]), expected: { status: 400 } },
    { name: 'PUT', method: 'PUT', headers: JSON_HEADERS, body: JSON.stringify({ query: '{ __typename }' }), expected: { status: 405 } },
    { name: 'unknown path', method: 'GET', path: '/admin', expected: { status: 404 } },
    // Injection
    { name: 'operator object in an ID variable', ...post({ query: 'query($s: ID!) { product(sku: $s) { sku } }', variables: { s: { $gt: '' } } }), expected: { status: 400, code: 'BAD_USER_INPUT' } },
    { name: 'operator object in a String filter field', ...post({ query: 'query($f: ProductFilter) { products(filter: $f) { totalCount } }', variables: { f: { category: { $ne: null } } } }), expected: { status: 400, code: 'BAD_USER_INPUT' } },
    { name: '$where in an input object', ...post({ query: 'query($f: ProductFilter) { products(filter: $f) { totalCount } }', variables: { f: { $where: 'sleep(1000)' } } }), expected: { status: 400, code: 'BAD_USER_INPUT' } },
    { name: 'operator as a string reaching a subgraph', ...post({ query: '{ product(sku: "{\\"$gt\\": \\"\\"}") { sku } }' }), expected: { code: 'BAD_USER_INPUT' } },
    { name: '__proto__ key in an input object', method: 'POST', headers: JSON_HEADERS, body: '{"query":"query($f: ProductFilter) { products(filter: $f) { totalCount } }","variables":{"f":{"__proto__":{"isAdmin":true}}}}', expected: { status: 400, code: 'BAD_USER_INPUT' } },
    { name: 'constructor.prototype key in variables', method: 'POST', headers: JSON_HEADERS, body: '{"query":"query($f: ProductFilter) { products(filter: $f) { totalCount } }","variables":{"f":{"constructor":{"prototype":{"isAdmin":true}}}}}', expected: { status: 400, code: 'BAD_USER_INPUT' } },
    { name: 'NUL byte in an id', ...post({ query: 'query($s: ID!) { product(sku: $s) { sku } }', variables: { s: 'ZC\u0000-1' } }), expected: { code: 'BAD_USER_INPUT' } },
    // Persisted documents
    { name: 'unknown APQ hash', ...post({ extensions: { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } } }), expected: { code: 'PERSISTED_QUERY_NOT_FOUND' } },
    { name: 'APQ hash that does not match the query', ...post({ query: '{ __typename }', extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } } }), expected: { status: 400 } },
    { name: 'unknown documentId', ...post({ documentId: `sha256:${'a'.repeat(64)}` }), expected: { status: 400, code: 'PERSISTED_QUERY_NOT_FOUND' } },
    { name: 'malformed documentId', ...post({ documentId: '../../etc/passwd' }), expected: { status: 400, code: 'BAD_USER_INPUT' } },
    // Tokens
    { name: 'malformed token', ...post({ query: '{ __typename }' }, { authorization: 'Bearer not.a.jwt!' }), expected: { status: 401, code: 'UNAUTHENTICATED' } },
    { name: 'three random segments', ...post({ query: '{ __typename }' }, { authorization: 'Bearer abc.def.ghi' }), expected: { status: 401, code: 'UNAUTHENTICATED' } },
    { name: 'expired token', ...post({ query: '{ __typename }' }, { authorization: `Bearer ${tokens.expired}` }), expected: { status: 401, code: 'UNAUTHENTICATED' } },
    { name: 'token not valid yet', ...post({ query: '{ __typename }' }, { authorization: `Bearer ${tokens.notYet}` }), expected: { status: 401, code: 'UNAUTHENTICATED' } },
    { name: 'token signed with another key', ...post({ query: '{ __typename }' }, { authorization: `Bearer ${tokens.otherKey}` }), expected: { status: 401, code: 'UNAUTHENTICATED' } },
    { name: 'alg: none', ...post({ query: '{ __typename }' }, { authorization: `Bearer ${tokens.algNone}` }), expected: { status: 401, code: 'UNAUTHENTICATED' } },
    { name: 'RS256 token with an unknown kid', ...post({ query: '{ __typename }' }, { authorization: `Bearer ${tokens.unknownKid}` }), expected: { status: 401, code: 'UNAUTHENTICATED' } },
    { name: 'Basic credentials', ...post({ query: '{ __typename }' }, { authorization: 'Basic YWRtaW46YWRtaW4=' }), expected: { status: 401, code: 'UNAUTHENTICATED' } },
    { name: 'Authorization header of 12 KB', ...post({ query: '{ __typename }' }, { authorization: `Bearer ${'a'.repeat(12_000)}` }), expected: { status: 401, code: 'UNAUTHENTICATED' } },
    // Headers, origins, subgraph failures
    { name: 'a 40 KB header', ...post({ query: '{ __typename }' }, { 'x-padding': 'x'.repeat(40_000) }), expected: { status: 431 } },
    { name: 'origin not on the allow-list', ...post({ query: '{ __typename }' }, { origin: 'https://evil.example' }), expected: { status: 403, code: 'CORS_ORIGIN_NOT_ALLOWED' } },
    { name: 'preflight from an origin not on the allow-list', method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' }, expected: { status: 403 } },
    { name: 'a subgraph throws a driver error with a file path', ...post({ query: '{ product(sku: "boom") { sku } }' }), expected: { code: 'INTERNAL_SERVER_ERROR' } },
    { name: 'forged x-request-id', ...post({ query: '{ product(sku: "boom") { sku } }' }, { 'x-request-id': '<script>alert(1)</script>' }), expected: { code: 'INTERNAL_SERVER_ERROR' } },
  ];
}

interface Answer {
  status: number;
  text: string;
}

/** Sends a case with node:http (fetch refuses some of these requests client-side). */
function send(url: string, hostile: HostileCase): Promise<Answer> {
  const target = new URL(hostile.path ?? '/graphql', url);
  if (hostile.search) target.search = hostile.search;
  return new Promise((resolve, reject) => {
    const request = http.request(target, { method: hostile.method ?? 'GET', headers: hostile.headers ?? {} }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    // A server that answers and closes before the body is sent (413, 431) is fine: keep the answer.
    request.on('error', reject);
    if (hostile.body !== undefined) request.end(hostile.body);
    else request.end();
  });
}

/** Problems with an answer; empty when it is acceptable. */
function problemsOf(hostile: HostileCase, answer: Answer): string[] {
  const problems: string[] = [];
  if (answer.status >= 500) problems.push(`HTTP ${answer.status}`);
  if (LEAK.test(answer.text)) problems.push(`leaks internals: ${answer.text.slice(0, 300)}`);
  let body: { errors?: { extensions?: { code?: unknown } }[] } | undefined;
  try {
    body = JSON.parse(answer.text) as typeof body;
  } catch {
    body = undefined;
  }
  const codes = (body?.errors ?? []).map((error) => error.extensions?.code);
  if (answer.status < 400 && (codes.length === 0 || codes.some((code) => typeof code !== 'string'))) problems.push(`HTTP ${answer.status} without a coded error: ${answer.text.slice(0, 300)}`);
  if (answer.status >= 400 && body?.errors && codes.some((code) => typeof code !== 'string')) problems.push(`an error without a code: ${answer.text.slice(0, 300)}`);
  if (hostile.expected?.status !== undefined && answer.status !== hostile.expected.status) problems.push(`expected HTTP ${hostile.expected.status}, got ${answer.status}: ${answer.text.slice(0, 200)}`);
  if (hostile.expected?.code !== undefined && !codes.includes(hostile.expected.code)) problems.push(`expected ${hostile.expected.code}, got ${JSON.stringify(codes)}: ${answer.text.slice(0, 200)}`);
  return problems;
}

function collectGarbage(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

describe('the hostile-input corpus', () => {
  let inventory: RunningServer;
  let provider: TestIdentityProvider;
  let gateway: RunningGateway;
  let corpus: HostileCase[];

  beforeAll(async () => {
    inventory = await startLeakyInventory();
    provider = await startIdentityProvider();
    const emptyOperations = mkdtempSync(join(tmpdir(), 'zocalo-operations-'));
    gateway = await startSecurityGateway({
      inventoryUrl: inventory.url,
      auth: { ...testAuth, jwks: { url: provider.url, cacheSeconds: 600, minRefetchSeconds: 30 } },
      features: [
        createCorsFeature(readCorsConfig({}, false)),
        createRateLimitFeature(readRateLimitConfig({}, false)),
        createTrustedDocumentsFeature({ mode: 'allow', directory: emptyOperations }),
        createOperationLimitsFeature(readOperationLimitsConfig({})),
        maskedErrorsFeature,
      ],
    });
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const base = { iss: 'zocalo', aud: 'zocalo', sub: 'cus_000001', role: 'CUSTOMER' };
    corpus = buildCorpus({
      expired: jwt.sign({ ...base, exp: now() - 3600 }, testAuth.signingKey, { algorithm: 'HS256' }),
      notYet: jwt.sign({ ...base, nbf: now() + 3600, exp: now() + 7200 }, testAuth.signingKey, { algorithm: 'HS256' }),
      otherKey: jwt.sign({ ...base, exp: now() + 600 }, 'somebody-elses-signing-key-123', { algorithm: 'HS256' }),
      algNone: `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...base, role: 'ADMIN', exp: now() + 600 })}.`,
      unknownKid: jwt.sign({ ...base, exp: now() + 600 }, stranger.privateKey, { algorithm: 'RS256', keyid: 'not-published' }),
    });
  });

  afterAll(async () => {
    await gateway?.stop();
    await inventory?.stop();
    await provider?.stop();
  });

  it('has at least 40 cases', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(40);
  });

  it('answers every case with a 4xx or a coded GraphQL error, never a 5xx or internals', async () => {
    const failures: Record<string, string[]> = {};
    for (const hostile of corpus) {
      const t0 = performance.now();
      const answer = await send(gateway.url, hostile);
      if (process.env.TIMING) process.stdout.write(`${(performance.now() - t0).toFixed(1)} ms ${hostile.name}\n`);
      const problems = problemsOf(hostile, answer);
      if (problems.length > 0) failures[hostile.name] = problems;
    }
    expect(failures).toEqual({});
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });

  it('masks the leaky subgraph error with the request id and the subgraph name', async () => {
    const answer = await send(gateway.url, { name: 'boom', ...post({ query: '{ product(sku: "boom") { sku } }' }, { 'x-request-id': 'req-boom-1' }) });
    expect(JSON.parse(answer.text)).toEqual({
      data: { product: null },
      errors: [{ message: 'Internal server error', path: ['product'], extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'req-boom-1', serviceName: 'inventory' } }],
    });
  });

  it('keeps serving, with a flat heap, after the corpus has run 20 more times', async () => {
    const gc = collectGarbage();
    const runCorpus = async () => {
      for (const hostile of corpus) await send(gateway.url, hostile);
    };
    await runCorpus();
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let round = 0; round < 20; round += 1) await runCorpus();
    gc();
    const growth = process.memoryUsage().heapUsed - before;
    // Figures printed, not timed: the gateway runs in this process, so this is its heap.
    process.stdout.write(`hostile corpus: ${corpus.length} cases × 20 rounds; heapUsed after gc ${(before / 1048576).toFixed(1)} MB → ${((before + growth) / 1048576).toFixed(1)} MB (${growth >= 0 ? '+' : ''}${(growth / 1048576).toFixed(2)} MB)\n`);
    // Bounded caches (Apollo's document and APQ caches, the query-plan cache) may still fill a little.
    expect(growth).toBeLessThan(16 * 1024 * 1024);

    const answer = await send(gateway.url, { name: 'normal', ...post({ query: '{ products(first: 3) { nodes { sku name price { amount } } } }' }, { authorization: `Bearer ${tokenFor('AGENT')}` }) });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual({ data: { products: { nodes: [expect.objectContaining({ sku: 'ZC-TEST-0001' }), expect.anything(), expect.anything()] } } });
  });
});
