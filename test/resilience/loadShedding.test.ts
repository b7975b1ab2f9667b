/**
 * Issue 10, load shedding: the gateway and a subgraph each take at most MAX_IN_FLIGHT_REQUESTS
 * requests at once. Requests are held in flight the cheapest honest way — a client that sends half a
 * body and waits — so the bound is reached without a slow resolver. Beyond it: 503, `Retry-After`, a
 * GraphQL-shaped OVERLOADED error; health, readiness and metrics still answer; the refusals are
 * counted; once the held requests finish, requests are served again. The gateway reports a subgraph
 * that sheds its fetch as SUBGRAPH_UNAVAILABLE, naming it.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readGatewayConfig } from '../../gateway/src/config';
import { buildGateway, type GatewayServer } from '../../gateway/src/server';
import { buildCustomersServer } from '../../subgraphs/customers/src/server';
import { LoadShedder, createLogger, readMaxInFlightRequests, readSubgraphConfig, type LocalDatabase } from '../../subgraphs/kit/src';
import { execute, startSubgraph, startTestDatabase, testAuth, tokenFor, type RunningSubgraph } from '../support/testkit';

const LIMIT = 2;
const QUERY = '{ __typename }';

/** A request held in flight: headers and half its body sent; `finish()` sends the rest and resolves with the answer. */
interface HeldRequest {
  finish(): Promise<{ status: number; body: string }>;
}

/** Opens a POST to `url` and sends half of its body (see module comment). */
async function hold(url: string): Promise<HeldRequest> {
  const body = JSON.stringify({ query: QUERY });
  const half = Math.floor(body.length / 2);
  let sendRest: () => void = () => undefined;
  const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    const request = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
    });
    request.on('error', reject);
    request.write(body.slice(0, half));
    sendRest = () => void request.end(body.slice(half));
  });
  // Let the server see the request (and its pre-handlers count it) before the test goes on.
  await new Promise((resolve) => setTimeout(resolve, 100));
  return {
    finish() {
      sendRest();
      return answer;
    },
  };
}

async function post(url: string): Promise<{ status: number; retryAfter: string | null; body: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] } }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: QUERY }) });
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as never };
}

const baseOf = (url: string) => url.replace(/\/graphql$/, '');
const metricsOf = async (url: string) => (await fetch(`${baseOf(url)}/metrics`)).text();

describe('load shedding (MAX_IN_FLIGHT_REQUESTS)', () => {
  let database: LocalDatabase;
  let customers: RunningSubgraph;
  let gateway: GatewayServer;
  let gatewayUrl = '';

  beforeAll(async () => {
    database = await startTestDatabase();
    customers = await startSubgraph('customers', buildCustomersServer, database, { databaseName: 'resilience_shedding_customers', maxInFlightRequests: LIMIT });
    const env: NodeJS.ProcessEnv = { PORT: '0', MAX_IN_FLIGHT_REQUESTS: String(LIMIT), CUSTOMERS_URL: customers.url, SUBGRAPH_RETRIES: '0' };
    gateway = buildGateway({ config: { ...readGatewayConfig(env), auth: testAuth }, logger: createLogger('gateway', 'silent') });
    gatewayUrl = await gateway.start();
  }, 120_000);

  afterAll(async () => {
    await gateway?.stop();
    await customers?.stop();
    await database?.stop();
  });

  for (const target of ['gateway', 'customers subgraph'] as const) {
    describe(`at the ${target}`, () => {
      const url = () => (target === 'gateway' ? gatewayUrl : customers.url);
      const prefix = target === 'gateway' ? 'zocalo_gateway' : 'zocalo_subgraph';
      const labels = target === 'gateway' ? '' : '{service="customers"}';

      it('refuses the request past the bound with 503, Retry-After and OVERLOADED; health, readiness and metrics still answer; then serves again', async () => {
        const first = await hold(url());
        const second = await hold(url());

        const refused = await post(url());
        expect(refused.status).toBe(503);
        expect(refused.retryAfter).toBe('1');
        expect(refused.body.data).toBeUndefined();
        expect(refused.body.errors).toEqual([
          { message: `The ${target} is overloaded: ${LIMIT} requests are in flight; retry after 1 s`, extensions: { code: 'OVERLOADED', retryAfterSeconds: 1 } },
        ]);

        // Never shed: an orchestrator must see a busy process as alive.
        expect((await fetch(`${baseOf(url())}/health`)).status).toBe(200);
        const ready = (await (await fetch(`${baseOf(url())}/ready`)).json()) as { service?: string; errors?: unknown };
        expect(ready.errors).toBeUndefined();
        expect(ready.service).toBe(target === 'gateway' ? 'gateway' : 'customers');
        const busy = await metricsOf(url());
        expect(busy).toContain(`${prefix}_http_requests_in_flight${labels} 2`);
        expect(busy).toContain(`${prefix}_max_in_flight_requests${labels} ${LIMIT}`);
        expect(busy).toMatch(new RegExp(`${prefix}_requests_shed_total${labels.replace(/[{}]/g, '\\$&')} 1\\b`));
        // Trace export is not configured here: no exporter exists.
        expect(busy).not.toContain('zocalo_trace_');

        // The held requests are served in full, and the slots free up.
        for (const held of [first, second]) {
          const answer = await held.finish();
          expect(answer.status).toBe(200);
          expect(JSON.parse(answer.body)).toMatchObject({ data: { __typename: 'Query' } });
        }
        const served = await post(url());
        expect(served.status).toBe(200);
        expect(served.body.data).toEqual({ __typename: 'Query' });
        expect(await metricsOf(url())).toContain(`${prefix}_http_requests_in_flight${labels} 0`);
      });
    });
  }

  it('turns a subgraph that sheds a fetch into SUBGRAPH_UNAVAILABLE naming it, while the gateway itself has room', async () => {
    const first = await hold(customers.url);
    const second = await hold(customers.url);
    try {
      const response = await execute(gatewayUrl, '{ customer(id: "cus_000001") { id } }', {}, tokenFor('AGENT'));
      expect(response.status).toBe(200);
      expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'customers' });
      expect(response.errors?.[0]?.message).toContain('HTTP 503');
    } finally {
      await first.finish();
      await second.finish();
    }
  });

  it('reads MAX_IN_FLIGHT_REQUESTS: 512 by default, 0 for unbounded, a bad value stops the start naming the variable', () => {
    expect(readMaxInFlightRequests({})).toBe(512);
    expect(readGatewayConfig({}).maxInFlightRequests).toBe(512);
    expect(readSubgraphConfig('orders', { MAX_IN_FLIGHT_REQUESTS: '64' }).maxInFlightRequests).toBe(64);
    expect(readMaxInFlightRequests({ MAX_IN_FLIGHT_REQUESTS: '0' })).toBe(0);
    expect(() => readGatewayConfig({ MAX_IN_FLIGHT_REQUESTS: '-1' })).toThrow(/MAX_IN_FLIGHT_REQUESTS.*"-1"/);
    expect(() => readSubgraphConfig('orders', { MAX_IN_FLIGHT_REQUESTS: 'lots' })).toThrow(/MAX_IN_FLIGHT_REQUESTS.*"lots"/);
    // Unbounded still counts, for /metrics.
    const unbounded = new LoadShedder({ name: 'gateway', maxInFlight: 0 });
    const closers: (() => void)[] = [];
    const response = { once: (_event: string, listener: () => void) => closers.push(listener) } as unknown as http.ServerResponse;
    for (let i = 0; i < 1000; i += 1) expect(unbounded.preHandler({ url: '/graphql' } as http.IncomingMessage, response, 'id')).toBe(false);
    expect(unbounded.inFlight).toBe(1000);
    for (const close of closers) close();
    expect(unbounded.inFlight).toBe(0);
    expect(unbounded.shed).toBe(0);
  });
});
