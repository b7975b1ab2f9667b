/**
 * Issue 10, logs: a subgraph's log lines carry the request id and trace id it was called with — for a
 * GraphQL request, and for the handling of a domain event, which carries the publishing request's id
 * (`correlation`) through the relay's HTTP delivery. A malformed correlation is refused like any
 * malformed event.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildLoyaltyServer } from '../../subgraphs/loyalty/src/server';
import { EVENTS_ENDPOINT_PATH, createHttpTransport, type LocalDatabase, type SubgraphName } from '../../subgraphs/kit/src';
import { createCapturingLogger, type CapturedLine } from '../events/capturingLogger';
import { orderPlaced } from '../loyalty/loyaltyTestkit';
import { execute, startSubgraph, startTestDatabase, testAuth, tokenFor, type RunningSubgraph } from '../support/testkit';

const TRACE_ID = '5cf92f3577b34da6a3ce929d0e0e4736';

describe('request ids in the logs, from the gateway to the subgraphs to their events', () => {
  let database: LocalDatabase;
  let loyalty: RunningSubgraph;
  const lines: CapturedLine[] = [];
  const base = () => loyalty.url.replace(/\/graphql$/, '');

  beforeAll(async () => {
    database = await startTestDatabase();
    loyalty = await startSubgraph('loyalty', buildLoyaltyServer, database, { databaseName: 'resilience_logs_loyalty', logger: createCapturingLogger(lines) });
  }, 120_000);

  afterAll(async () => {
    await loyalty?.stop();
    await database?.stop();
  });

  it("writes one debug line per GraphQL request with the caller's request id and trace id", async () => {
    const response = await execute(loyalty.url, 'query LogProbe { __typename }', {}, tokenFor('AGENT'), { 'x-request-id': 'log-req-1', traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01` });
    expect(response.errors).toBeUndefined();
    const line = lines.find((entry) => entry.message === 'graphql request' && entry.fields.requestId === 'log-req-1');
    expect(line).toMatchObject({ level: 'debug', fields: { requestId: 'log-req-1', traceId: TRACE_ID, operation: 'LogProbe', errors: [] } });
    expect(typeof line?.fields.durationMs).toBe('number');
  });

  it("logs the handling of a pushed event under the publishing request's id", async () => {
    const event = { ...orderPlaced('cus_log_1', 12_300), correlation: { requestId: 'log-req-2', traceparent: `00-${TRACE_ID}-b7ad6b7169203331-01` } };
    const transport = createHttpTransport({ source: 'orders', auth: testAuth, subscriberUrls: { loyalty: base() } as Record<SubgraphName, string> });
    await transport.deliver(event, ['loyalty']);
    expect(lines.find((entry) => entry.message === 'domain event handled' && entry.fields.eventId === event.id)).toMatchObject({
      level: 'debug',
      fields: { component: 'events', type: 'OrderPlaced', outcome: 'processed', requestId: 'log-req-2' },
    });
  });

  it('refuses an event whose correlation is not what the headers accept', async () => {
    const event = { ...orderPlaced('cus_log_2', 5_000), correlation: { requestId: 'log-req-3', traceparent: 'not-a-traceparent' } };
    const response = await fetch(`${base()}${EVENTS_ENDPOINT_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokenFor('SERVICE', 'orders')}` },
      body: JSON.stringify(event),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'Not a domain event: correlation.traceparent must be a W3C traceparent' });
  });
});
