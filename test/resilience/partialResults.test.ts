/**
 * Issue 10, "must show": kill each subgraph in turn while customer-360 queries stream through the
 * gateway. Every response keeps what the other subgraphs own, has null where the dead one's fields
 * were and a SUBGRAPH_UNAVAILABLE error naming it; the gateway keeps running (same process, /health
 * answers); once the subgraph is back the errors stop without restarting anything. Then the circuit
 * breaker: once open, requests fail without reaching the subgraph, and it closes after the restart.
 * Last, retries, counted at a stand-in subgraph: a failed query is retried, a mutation never, a
 * timed-out fetch never; the trace and request ids travel with every attempt; and a gateway that
 * stops finishes the request in flight.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { GatewayServer } from '../../gateway/src/server';
import type { DemoDataset } from '../../scripts/seed/demoDataset';
import type { SubgraphName } from '../../subgraphs/kit/src';
import { startEstate, type RunningEstate } from '../support/estate';
import { execute, tokenFor, type GraphQLResponse } from '../support/testkit';

const CUSTOMER_360 = /* GraphQL */ `
  query Customer360($phone: String!) {
    findCustomer(identity: { kind: PHONE, value: $phone }) {
      id
      displayName
      identities { kind value }
      orders(first: 3) { totalCount nodes { number total { amount } lines { quantity product { sku name } } } }
      loyalty { tier points }
      conversations(first: 3) { channels lastMessageAt }
    }
  }
`;

const WITHOUT_TOKEN_QUERY = '{ products(first: 1) { totalCount } }';

interface Customer360 {
  findCustomer: {
    id: string;
    displayName: string;
    identities: { kind: string; value: string }[];
    orders: { totalCount: number; nodes: { number: string; lines: { quantity: number; product: { sku: string; name: string } | null }[] }[] } | null;
    loyalty: { tier: string; points: number } | null;
    conversations: { channels: string[] }[] | null;
  } | null;
}

/** What each subgraph contributes to the 360, checked present when it is up and null when it is down. */
const OWNED: Record<Exclude<SubgraphName, 'customers'>, (customer: NonNullable<Customer360['findCustomer']>) => unknown> = {
  orders: (c) => c.orders,
  loyalty: (c) => c.loyalty,
  messaging: (c) => c.conversations,
  inventory: (c) => c.orders?.nodes[0]?.lines[0]?.product?.name ?? null,
};

function unavailable(response: GraphQLResponse<unknown>, subgraph: string): boolean {
  return (response.errors ?? []).some((error) => error.extensions?.code === 'SUBGRAPH_UNAVAILABLE' && error.extensions?.serviceName === subgraph);
}

/** Gives the first customer orders, a loyalty account and an open conversation. */
function shapeDataset(dataset: DemoDataset): void {
  const [customer] = dataset.customers;
  if (!customer) throw new Error('dataset too small');
  dataset.orders.slice(0, 5).forEach((order) => {
    order.customerId = customer.id;
  });
  dataset.loyaltyMembers = [...dataset.loyaltyMembers.filter((m) => m.customerId !== customer.id), { customerId: customer.id, enrolledAt: new Date('2020-01-01T00:00:00Z'), enrolledVia: 'STORE' }];
  const template = dataset.conversations[0];
  if (!template) throw new Error('dataset has no conversation');
  dataset.conversations.push({ ...template, id: 'cnv_resilience', customerId: customer.id, status: 'OPEN', messages: template.messages.map((m, i) => ({ ...m, id: `msg_resilience_${i}` })) });
  delete dataset.conversations[dataset.conversations.length - 1]?.orderId;
}

describe('partial results while a subgraph is down', () => {
  let estate: RunningEstate;
  let phone = '';
  let customerId = '';
  const token = tokenFor('AGENT', 'agent-resilience');
  const query = () => execute<Customer360>(estate.url, CUSTOMER_360, { phone }, token);
  const metrics = async () => (await fetch(estate.url.replace(/\/graphql$/, '/metrics'))).text();

  beforeAll(async () => {
    let captured: DemoDataset | undefined;
    estate = await startEstate({
      databasePrefix: 'resilience_partial',
      seed: { customers: 20, orders: 60, products: 20, prepare: (dataset) => { shapeDataset(dataset); captured = dataset; } },
      // A short open period keeps the test quick; retries off so each query is one fetch per subgraph.
      gatewayEnv: { CIRCUIT_FAILURE_THRESHOLD: '3', CIRCUIT_OPEN_MS: '1000', SUBGRAPH_RETRIES: '0' },
    });
    phone = captured?.customers[0]?.phone ?? '';
    customerId = captured?.customers[0]?.id ?? '';
  }, 120_000);

  afterAll(async () => {
    await estate?.stop();
  });

  /** Queries until a response has no error (the subgraph is back and its circuit closed); bounded. */
  async function untilWhole(): Promise<GraphQLResponse<Customer360>> {
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const response = await query();
      if (!response.errors) return response;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('the estate did not recover');
  }

  it('answers the whole 360 while everything is up', async () => {
    const response = await query();
    expect(response.errors).toBeUndefined();
    const customer = response.data?.findCustomer;
    expect(customer?.id).toBe(customerId);
    for (const owned of Object.values(OWNED)) expect(owned(customer as NonNullable<typeof customer>)).not.toBeNull();
  });

  for (const name of ['loyalty', 'messaging', 'orders', 'inventory'] as const) {
    it(`keeps the others' data when ${name} dies mid-stream, and recovers when it returns`, async () => {
      // A stream of 360s in flight while the subgraph stops.
      const stream: Promise<GraphQLResponse<Customer360>>[] = [];
      for (let i = 0; i < 8; i += 1) stream.push(query());
      await estate.stopSubgraph(name);
      let responses: GraphQLResponse<Customer360>[];
      let health: { subgraphs: { name: string; status: string }[] };
      try {
        for (let i = 0; i < 12; i += 1) stream.push(query());
        responses = await Promise.all(stream);
        // The same gateway process still serves its health endpoint and says which subgraph is down.
        health = (await (await fetch(estate.url.replace(/\/graphql$/, '/health'))).json()) as typeof health;
      } finally {
        await estate.restartSubgraph(name);
      }
      expect(health.subgraphs.find((s) => s.name === name)?.status).toBe('down');

      const failed = responses.filter((response) => response.errors);
      expect(failed.length).toBeGreaterThan(0);
      for (const response of responses) {
        expect(response.status).toBe(200);
        const customer = response.data?.findCustomer;
        // Customers' own fields are always there.
        expect(customer?.id).toBe(customerId);
        expect(customer?.identities.length).toBeGreaterThan(0);
        if (!response.errors) continue;
        expect(unavailable(response, name)).toBe(true);
        expect(response.errors.every((error) => error.extensions?.serviceName === name)).toBe(true);
        expect(OWNED[name](customer as NonNullable<typeof customer>)).toBeNull();
        // The other subgraphs' fields are there.
        for (const [other, owned] of Object.entries(OWNED)) {
          const hidden = other === name || (name === 'orders' && other === 'inventory');
          if (!hidden) expect(owned(customer as NonNullable<typeof customer>)).not.toBeNull();
        }
      }

      const recovered = await untilWhole();
      for (const owned of Object.values(OWNED)) expect(owned(recovered.data?.findCustomer as NonNullable<Customer360['findCustomer']>)).not.toBeNull();
    });
  }

  it('with customers down, says so and still serves what does not need customers', async () => {
    await estate.stopSubgraph('customers');
    try {
      const response = await query();
      expect(response.data?.findCustomer ?? null).toBeNull();
      expect(unavailable(response, 'customers')).toBe(true);
      const catalogue = await execute<{ products: { nodes: { sku: string }[] } }>(estate.url, '{ products(first: 2) { nodes { sku } } }');
      expect(catalogue.errors).toBeUndefined();
      expect(catalogue.data?.products.nodes).toHaveLength(2);
    } finally {
      await estate.restartSubgraph('customers');
    }
    await untilWhole();
  });

  describe('circuit breaker', () => {
    let impostor: Server | undefined;
    let reached = 0;

    afterAll(async () => {
      if (impostor?.listening) await new Promise((resolve) => impostor?.close(resolve));
    });

    it('opens after repeated failures: requests fail fast without reaching the subgraph; closes once it is back', async () => {
      // A broken loyalty on loyalty's port: answers 503 and counts what reaches it.
      const port = Number(new URL(estate.subgraphs.loyalty.url).port);
      await estate.stopSubgraph('loyalty');
      impostor = createServer((request, response) => {
        reached += 1;
        request.resume();
        response.writeHead(503, { 'content-type': 'text/plain' }).end('overloaded');
      });
      await new Promise<void>((resolve) => impostor?.listen(port, '127.0.0.1', resolve));
      expect((impostor.address() as AddressInfo).port).toBe(port);

      // Sequential queries: the first 3 fetches fail at the subgraph and open the circuit.
      const responses: GraphQLResponse<Customer360>[] = [];
      for (let i = 0; i < 6; i += 1) responses.push(await query());
      for (const response of responses) {
        expect(unavailable(response, 'loyalty')).toBe(true);
        expect(response.data?.findCustomer?.loyalty).toBeNull();
        expect(response.data?.findCustomer?.orders?.totalCount).toBeGreaterThanOrEqual(5);
      }
      expect(reached).toBe(3);
      expect(responses[5]?.errors?.[0]?.message).toMatch(/circuit open/);
      expect(await metrics()).toMatch(/zocalo_gateway_circuit_state\{subgraph="loyalty"\} 2/);
      expect(await metrics()).toMatch(/zocalo_gateway_subgraph_fetches_total\{subgraph="loyalty",outcome="rejected"\} [1-9]/);

      // The real loyalty returns; after the open period one probe goes through and closes the circuit.
      await new Promise((resolve) => impostor?.close(resolve));
      await estate.restartSubgraph('loyalty');
      const recovered = await untilWhole();
      expect(recovered.data?.findCustomer?.loyalty).not.toBeNull();
      expect(await metrics()).toMatch(/zocalo_gateway_circuit_state\{subgraph="loyalty"\} 0/);
    });
  });

  describe('retries and graceful stop', () => {
    /** A stand-in loyalty subgraph: records what reaches it; answers as `respond` says. */
    const received: { body: string; traceparent?: string; requestId?: string }[] = [];
    let respond: 'unavailable' | 'once-unavailable' | 'hang' | 'held' = 'unavailable';
    /** In 'held' mode: resolves when a request arrived, with the function that answers it. */
    let held: Promise<() => void> = Promise.resolve(() => undefined);
    let arrived: (answer: () => void) => void = () => undefined;
    let standIn: Server;
    let gateway: GatewayServer;
    let url: string;

    beforeAll(async () => {
      standIn = createServer((request, response) => {
        let body = '';
        request.setEncoding('utf8');
        request.on('data', (chunk: string) => (body += chunk));
        request.on('end', () => {
          received.push({ body, traceparent: request.headers.traceparent as string, requestId: request.headers['x-request-id'] as string });
          if (respond === 'hang') return; // never answers; the gateway's timeout ends it
          const answer = () => {
            const representation = (JSON.parse(body) as { variables: { representations: { id: string }[] } }).variables.representations[0];
            response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { _entities: [{ __typename: 'Customer', id: representation?.id, loyalty: { tier: 'ORO', points: 42 } }] } }));
          };
          if (respond === 'held') return arrived(answer);
          if (respond === 'once-unavailable' && received.length > 1) return answer();
          response.writeHead(503, { 'content-type': 'text/plain' }).end('unavailable');
        });
      });
      await new Promise<void>((resolve) => standIn.listen(0, '127.0.0.1', resolve));
      gateway = estate.buildGateway({
        SUBGRAPH_RETRIES: '2',
        CIRCUIT_FAILURE_THRESHOLD: '1000',
        LOYALTY_SUBGRAPH_TIMEOUT_MS: '300',
        LOYALTY_URL: `http://127.0.0.1:${(standIn.address() as AddressInfo).port}/graphql`,
      });
      url = await gateway.start();
    });

    afterAll(async () => {
      await gateway?.stop();
      standIn.closeAllConnections();
      await new Promise((resolve) => standIn.close(resolve));
    });

    it('retries a failed query fetch, with the same trace and request id on every attempt', async () => {
      received.length = 0;
      respond = 'unavailable';
      const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
      const response = await execute<Customer360>(url, CUSTOMER_360, { phone }, token, { traceparent: `00-${traceId}-00f067aa0ba902b7-01`, 'x-request-id': 'retry-test-1' });
      expect(unavailable(response, 'loyalty')).toBe(true);
      expect(response.data?.findCustomer?.id).toBe(customerId);
      expect(received).toHaveLength(3); // the first attempt and SUBGRAPH_RETRIES=2 retries
      for (const attempt of received) {
        expect(attempt.body).toContain('_entities');
        expect(attempt.requestId).toBe('retry-test-1');
        expect(attempt.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
      }
      // Each attempt is a span of its own.
      expect(new Set(received.map((attempt) => attempt.traceparent)).size).toBe(3);
    });

    it('answers in full when a retry succeeds', async () => {
      received.length = 0;
      respond = 'once-unavailable';
      const response = await execute<Customer360>(url, CUSTOMER_360, { phone }, token);
      expect(response.errors).toBeUndefined();
      expect(response.data?.findCustomer?.loyalty).toEqual({ tier: 'ORO', points: 42 });
      expect(received).toHaveLength(2);
    });

    it('never retries a mutation', async () => {
      received.length = 0;
      respond = 'unavailable';
      const response = await execute(url, 'mutation { enrollLoyalty(customerId: "cus_000001", channel: STORE) { tier } }', {}, token);
      expect(unavailable(response, 'loyalty')).toBe(true);
      expect(received).toHaveLength(1);
      expect(received[0]?.body).toContain('enrollLoyalty');
    });

    it('does not retry a fetch that timed out (LOYALTY_SUBGRAPH_TIMEOUT_MS), and keeps the other data', async () => {
      received.length = 0;
      respond = 'hang';
      const response = await execute<Customer360>(url, CUSTOMER_360, { phone }, token);
      expect(unavailable(response, 'loyalty')).toBe(true);
      expect(response.errors?.[0]?.message).toMatch(/timed out after 300 ms/);
      expect(response.data?.findCustomer?.orders?.totalCount).toBeGreaterThanOrEqual(5);
      expect(received).toHaveLength(1);
      const metrics = await (await fetch(url.replace(/\/graphql$/, '/metrics'))).text();
      expect(metrics).toMatch(/zocalo_gateway_subgraph_retries_total\{subgraph="loyalty"\} [1-9]/);
      expect(metrics).toMatch(/zocalo_gateway_subgraph_fetches_total\{subgraph="loyalty",outcome="timeout"\} 1/);
      expect(metrics).toMatch(/zocalo_gateway_errors_total\{code="SUBGRAPH_UNAVAILABLE"\} [1-9]/);
    });

    it('stops gracefully: refuses new connections, finishes the request in flight, then stops', async () => {
      respond = 'held';
      held = new Promise((resolve) => (arrived = resolve));
      const inFlight = execute<Customer360>(url, CUSTOMER_360, { phone }, token);
      const answer = await held;
      const stopped = gateway.stop();
      for (let attempt = 0; attempt < 100 && gateway.httpServer.listening; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(gateway.httpServer.listening).toBe(false);
      await expect(execute(url, WITHOUT_TOKEN_QUERY)).rejects.toThrow();
      answer();
      const response = await inFlight;
      expect(response.errors).toBeUndefined();
      expect(response.data?.findCustomer?.loyalty).toEqual({ tier: 'ORO', points: 42 });
      await stopped;
    });
  });
});
