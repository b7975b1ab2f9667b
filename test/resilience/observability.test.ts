/**
 * Issue 10, observability, on the whole estate with trace export pointed at a stand-in OTLP collector:
 *
 * - one request through the gateway is one trace — the gateway's SERVER span continues the caller's
 *   `traceparent`, each subgraph fetch is a CLIENT span under it, each subgraph's SERVER span is under
 *   its fetch — and every server span carries the gateway's request id;
 * - a mutation's domain events continue that trace: orders' span → its call to inventory, and orders'
 *   span → a PRODUCER span per delivery → each subscriber's handling, under the same request id, which
 *   the event itself carries (`correlation`);
 * - `/metrics` of the gateway (query plan cache, shedding, export counters, process) and of each
 *   subgraph (requests and latency by operation, errors by code, database round trips, event backlog,
 *   shedding, process).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DemoDataset } from '../../scripts/seed/demoDataset';
import { readTracingConfig, type OutboxEntry, type TracingConfig } from '../../subgraphs/kit/src';
import { startEstate, type RunningEstate } from '../support/estate';
import { startOtlpCollector, type CollectedSpan, type OtlpCollector } from '../support/otlpCollector';
import { execute, tokenFor } from '../support/testkit';

const AGENT = tokenFor('AGENT', 'agent-observability');
const WAREHOUSE = 'MX-WH-TEPOTZOTLAN';
const SERVER = 2;
const CLIENT = 3;
const PRODUCER = 4;

const CUSTOMER_360 = /* GraphQL */ `
  query Customer360Trace($id: ID!) {
    customer(id: $id) { id displayName loyalty { points } orders(first: 2) { totalCount } }
  }
`;

const PLACE_ORDER = /* GraphQL */ `
  mutation PlaceOrderTrace($input: PlaceOrderInput!) { placeOrder(input: $input) { id status } }
`;

const traceparentOf = (traceId: string) => `00-${traceId}-00f067aa0ba902b7-01`;

describe('observability: one trace from the gateway through the subgraphs and their events, and /metrics everywhere', () => {
  let collector: OtlpCollector;
  let estate: RunningEstate;
  let customerId = '';
  let sku = '';

  beforeAll(async () => {
    collector = await startOtlpCollector();
    const tracing = readTracingConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint, OTEL_BSP_SCHEDULE_DELAY: '100' }) as TracingConfig;
    estate = await startEstate({
      databasePrefix: 'resilience_observability',
      tracing,
      seed: {
        customers: 6,
        orders: 8,
        products: 8,
        prepare: (dataset: DemoDataset) => {
          customerId = dataset.customers[0]?.id ?? '';
          sku = dataset.products.find((product) => product.active)?.sku ?? '';
          const stock = dataset.stock.find((entry) => entry.sku === sku && entry.locationId === WAREHOUSE);
          if (stock) stock.onHand = stock.reserved + 500;
          else dataset.stock.push({ sku, locationId: WAREHOUSE, onHand: 500, reserved: 0 });
        },
      },
    });
  }, 180_000);

  afterAll(async () => {
    await estate?.stop();
    await collector?.stop();
  });

  const inTrace = (traceId: string) => collector.spans.filter((span) => span.traceId === traceId);
  const byId = (spans: CollectedSpan[], spanId: string | undefined) => spans.find((span) => span.spanId === spanId);

  it('follows a query: gateway SERVER span → a CLIENT span per subgraph fetch → each subgraph SERVER span, one request id', async () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const response = await execute(estate.url, CUSTOMER_360, { id: customerId }, AGENT, { traceparent: traceparentOf(traceId), 'x-request-id': 'obs-query-1' });
    expect(response.errors).toBeUndefined();

    await collector.waitFor(() => {
      const spans = inTrace(traceId);
      return spans.some((s) => s.service === 'gateway' && s.kind === SERVER) && ['customers', 'loyalty', 'orders'].every((name) => spans.some((s) => s.service === name && s.kind === SERVER));
    });
    const spans = inTrace(traceId);
    const gateway = spans.find((s) => s.service === 'gateway' && s.kind === SERVER);
    expect(gateway).toMatchObject({
      name: 'query Customer360Trace',
      parentSpanId: '00f067aa0ba902b7',
      attributes: { 'graphql.operation.type': 'query', 'graphql.operation.name': 'Customer360Trace', 'zocalo.request_id': 'obs-query-1', 'http.response.status_code': 200 },
      status: { code: 0 },
    });

    const fetches = spans.filter((s) => s.service === 'gateway' && s.kind === CLIENT);
    expect(fetches.length).toBeGreaterThanOrEqual(3);
    for (const fetch of fetches) {
      expect(fetch.parentSpanId).toBe(gateway?.spanId);
      expect(fetch.name).toBe(`subgraph ${String(fetch.attributes['subgraph.name'])}`);
      expect(fetch.attributes['http.response.status_code']).toBe(200);
    }

    for (const name of ['customers', 'loyalty', 'orders']) {
      const served = spans.filter((s) => s.service === name && s.kind === SERVER);
      expect(served.length).toBeGreaterThan(0);
      for (const span of served) {
        const parent = byId(fetches, span.parentSpanId);
        expect(parent?.attributes['subgraph.name']).toBe(name);
        expect(span.name).toMatch(/^query Customer360Trace__\w+__\d+$/);
        expect(span.attributes['zocalo.request_id']).toBe('obs-query-1');
      }
    }
  });

  it("follows a mutation into inventory and through its domain events to each subscriber's handling", async () => {
    const traceId = '1bf7651916cd43dd8448eb211c80319d';
    const input = { customerId, channel: 'WEB', lines: [{ sku, quantity: 1 }], fulfillment: { method: 'SHIP_TO_HOME', locationId: WAREHOUSE }, idempotencyKey: `obs-${Date.now()}` };
    const response = await execute<{ placeOrder: { id: string; status: string } }>(estate.url, PLACE_ORDER, { input }, AGENT, { traceparent: traceparentOf(traceId), 'x-request-id': 'obs-order-1' });
    expect(response.errors).toBeUndefined();
    const orderId = response.data?.placeOrder.id;

    const subscribers = ['inventory', 'loyalty', 'messaging'];
    await collector.waitFor(() => {
      const spans = inTrace(traceId);
      // A delivery's span ends after the handling it waited for: wait for both.
      return subscribers.every((name) => spans.some((s) => s.service === name && s.name === 'process OrderPlaced') && spans.some((s) => s.kind === PRODUCER && s.attributes['messaging.destination.name'] === name));
    }, 30_000);
    const spans = inTrace(traceId);
    const orders = spans.find((s) => s.service === 'orders' && s.kind === SERVER && s.name.startsWith('mutation PlaceOrderTrace'));
    expect(orders?.attributes['zocalo.request_id']).toBe('obs-order-1');

    // orders → inventory: the reservation call carries the request's trace and id.
    const reservation = spans.find((s) => s.service === 'inventory' && s.kind === SERVER && s.name === 'mutation OrdersReserveStock');
    expect(reservation).toMatchObject({ parentSpanId: orders?.spanId, attributes: { 'zocalo.request_id': 'obs-order-1' } });

    // orders → each subscriber: a PRODUCER span per delivery under the request, the handling under it.
    const deliveries = spans.filter((s) => s.service === 'orders' && s.kind === PRODUCER);
    expect(deliveries.map((s) => s.attributes['messaging.destination.name']).sort()).toEqual(subscribers);
    for (const delivery of deliveries) {
      expect(delivery).toMatchObject({ name: 'deliver OrderPlaced', parentSpanId: orders?.spanId, attributes: { 'zocalo.request_id': 'obs-order-1', 'http.response.status_code': 200 } });
      const handling = spans.find((s) => s.parentSpanId === delivery.spanId);
      expect(handling).toMatchObject({
        service: delivery.attributes['messaging.destination.name'],
        kind: SERVER,
        name: 'process OrderPlaced',
        attributes: { 'zocalo.request_id': 'obs-order-1', 'messaging.source.name': 'orders', 'zocalo.event.type': 'OrderPlaced' },
      });
    }

    // The event itself carries where it came from.
    const entry = await estate.subgraphs.orders.store.collection<OutboxEntry>('outbox').findOne({ type: 'OrderPlaced', subject: orderId ?? '' });
    expect(entry?.event.correlation).toEqual({ requestId: 'obs-order-1', traceparent: `00-${traceId}-${orders?.spanId}-01` });
  });

  it('serves the gateway /metrics: query plan cache hits and misses, shedding, trace export, process', async () => {
    for (let i = 0; i < 2; i += 1) expect((await execute(estate.url, CUSTOMER_360, { id: customerId }, AGENT)).errors).toBeUndefined();
    const text = await (await fetch(estate.url.replace(/\/graphql$/, '/metrics'))).text();
    expect(text).toMatch(/zocalo_gateway_query_plan_cache_total\{result="miss"\} [1-9]/);
    expect(text).toMatch(/zocalo_gateway_query_plan_cache_total\{result="hit"\} [1-9]/);
    expect(text).toMatch(/zocalo_gateway_requests_total\{operation="Customer360Trace"\} [3-9]/);
    expect(text).toMatch(/zocalo_gateway_request_duration_seconds_bucket\{operation="Customer360Trace",le="\+Inf"\} [3-9]/);
    expect(text).toMatch(/zocalo_gateway_circuit_state\{subgraph="loyalty"\} 0/);
    expect(text).toContain('zocalo_gateway_requests_shed_total 0');
    expect(text).toContain('zocalo_gateway_max_in_flight_requests 512');
    expect(text).toMatch(/zocalo_trace_spans_exported_total [1-9]/);
    expect(text).toMatch(/zocalo_process_memory_bytes\{kind="heapUsed"\} \d+/);
    expect(text).toMatch(/zocalo_process_event_loop_delay_seconds\{quantile="0.99"\} [\d.e-]+/);
  });

  it("serves each subgraph's /metrics: requests and latency by operation, errors by code, database round trips, event backlog, shedding", async () => {
    // An analyst-only aggregate asked by an agent: FORBIDDEN, from orders.
    const forbidden = await execute(estate.url, 'query Kpis { salesKpis(from: "2024-01-01T00:00:00Z", to: "2024-02-01T00:00:00Z") { crossChannelCustomerShare } }', {}, AGENT);
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const metricsOf = async (name: 'orders' | 'loyalty') => (await fetch(estate.subgraphs[name].url.replace(/\/graphql$/, '/metrics'))).text();
    const orders = await metricsOf('orders');
    expect(orders).toMatch(/zocalo_subgraph_requests_total\{service="orders",operation="Customer360Trace__orders__\d+"\} [1-9]/);
    expect(orders).toMatch(/zocalo_subgraph_request_duration_seconds_count\{service="orders",operation="Customer360Trace__orders__\d+"\} [1-9]/);
    expect(orders).toMatch(/zocalo_subgraph_errors_total\{service="orders",code="FORBIDDEN"\} [1-9]/);
    expect(orders).toMatch(/zocalo_subgraph_database_commands_total\{service="orders",command="find"\} [1-9]/);
    expect(orders).toMatch(/zocalo_subgraph_database_command_duration_seconds_bucket\{service="orders",command="find",le="\+Inf"\} [1-9]/);
    expect(orders).toContain('zocalo_subgraph_requests_shed_total{service="orders"} 0');
    expect(orders).toMatch(/zocalo_process_memory_bytes\{service="orders",kind="rss"\} \d+/);
    // The event backlog per subscriber (the order above was delivered: nothing pending, nothing dead).
    for (const subscriber of ['inventory', 'loyalty', 'messaging']) {
      expect(orders).toContain(`zocalo_events_pending{service="orders",subscriber="${subscriber}"} 0`);
      expect(orders).toContain(`zocalo_events_dead{service="orders",subscriber="${subscriber}"} 0`);
    }
    const loyalty = await metricsOf('loyalty');
    expect(loyalty).toMatch(/zocalo_events_processed\{service="loyalty"\} [1-9]/);
    expect(loyalty).toMatch(/zocalo_subgraph_requests_total\{service="loyalty",operation="Customer360Trace__loyalty__\d+"\} [1-9]/);
  });
});
